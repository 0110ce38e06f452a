"""PC-7 申报表."""

ROUTES: list = []
