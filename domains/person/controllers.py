"""HTTP handlers of the person domain."""

from domains.person import service  # noqa: F401  (registers the person Principal loader)

ROUTES: list = []
