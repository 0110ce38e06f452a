"""Refused: the one exception a rule raises when it refuses what was submitted (no imports: every layer uses it)."""

from __future__ import annotations


class Refused(Exception):
    """A rule refused what was submitted; `message` is the Chinese text shown to the user.

    `field` names the form field the message goes beside; without it the message heads the form's error
    summary. Handlers catch it once, with `with form.refusals():` around the service call (portal.forms.Form).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field or None
