"""HTTP handlers of domains/labor_contract."""

ROUTES: list = []
