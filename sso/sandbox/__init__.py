"""The sandbox government-service network's own user store."""
