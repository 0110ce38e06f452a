"""HR service agencies."""
