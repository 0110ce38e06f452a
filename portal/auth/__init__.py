"""Staff accounts, roles, jurisdictions, sessions and login throttling."""
