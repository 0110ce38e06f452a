"""Why a workflow action was refused: each error carries the Chinese message shown to the user."""

from __future__ import annotations

from portal.refusal import Refused


class WorkflowError(Refused):
    """A transition that must not happen; `message` is the Chinese text shown to the user (a form shows it in
    its error summary, `errors` beside the fields)."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class StaleMatter(WorkflowError):
    """Someone else moved the matter first (optimistic lock lost)."""

    status_code = 409

    def __init__(self, state: str, state_label: str) -> None:
        super().__init__(f"该办件已被他人处理，当前状态：{state_label}")
        self.state = state
        self.state_label = state_label


class NotAllowed(WorkflowError):
    status_code = 403


class DuplicateSubmission(WorkflowError):
    """The same form (one-time form id) was posted again: it already acted once."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("该表单已提交过，请勿重复提交")
