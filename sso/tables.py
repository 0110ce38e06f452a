"""Tables of the sso app."""
