"""HTTP handlers of portal/admin."""

ROUTES: list = []
