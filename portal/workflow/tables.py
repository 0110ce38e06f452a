"""Tables of the workflow app."""
