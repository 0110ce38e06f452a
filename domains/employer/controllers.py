"""HTTP handlers of the employer domain."""

from domains.employer import service  # noqa: F401  (registers the employer Principal loader)

ROUTES: list = []
