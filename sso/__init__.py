"""Accounts that sign in through the government-service network."""
