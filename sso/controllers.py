"""HTTP handlers of sso."""

ROUTES: list = []
