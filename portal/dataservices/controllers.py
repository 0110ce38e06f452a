"""HTTP handlers of portal/dataservices."""

ROUTES: list = []
