"""HTTP handlers of portal/workflow."""

ROUTES: list = []
