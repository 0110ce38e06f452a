"""Declarative matter kinds: states, transitions, materials and time limits, and builders for the four flow shapes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from portal.forms import Field

Actor = Literal["applicant", "staff"]


@dataclass(frozen=True)
class State:
    """A state; `editable`: the applicant may change payload and materials; `terminal`: the matter has ended."""

    code: str
    label: str
    editable: bool = False
    terminal: bool = False
    tone: str = "info"  # status badge: neutral, info, success, warning, danger
    clock_running: bool = False  # the 承诺时限 counts down while the matter sits here
    # Read as this label once the applicant's time-limited step out of the state has lapsed unused (an unappealed
    # 评定 is final: 已生效) — computed on read from the deadline (transitions.shown_state), no sweep needed.
    lapsed_label: str = ""


@dataclass
class EffectContext:
    """What an effect sees, inside the transition's transaction: write domain rows, return results to keep."""

    matter: dict[str, Any]
    principal: Any
    transition: Transition
    opinion: str
    values: dict[str, Any]


Guard = Callable[[dict[str, Any], Any], "str | None | Awaitable[str | None]"]
Effect = Callable[[EffectContext], Awaitable["dict[str, Any] | None"]]
QueueFlags = Callable[[list[dict[str, Any]]], Awaitable[dict[int, tuple[str, str]]]]
# Batch forms (fire_many): a guard over many matters → {matter id: refusal}; an effect over many contexts →
# {matter id: refusal (str) or what to keep in the result (dict)}. A batch effect writes nothing for a matter it
# refuses; the engine puts that matter back where it was.
GuardMany = Callable[[list[dict[str, Any]], Any], Awaitable[dict[int, str]]]
EffectMany = Callable[[list[EffectContext]], Awaitable["dict[int, str | dict[str, Any]]"]]


@dataclass(frozen=True)
class Transition:
    """One arrow of the state machine; `stage` names the step for SECURITY 12 (one person, one stage)."""

    name: str
    label: str
    from_states: tuple[str, ...]
    to_state: str
    actor: Actor
    permission: str = ""  # staff permission required (staff transitions)
    requires_opinion: bool = False
    opinion_label: str = "意见"
    guard: Guard | None = None  # returns a Chinese message when the transition must not happen
    effect: Effect | None = None
    stage: str = ""
    starts_clock: bool = False  # submit / resubmit after 补正: deadlines are recomputed from today
    batch: bool = False  # may be fired on many matters at once (batch approve, 批量确认)
    fields: tuple[Field, ...] = ()  # extra inputs (e.g. 评定等级) cleaned and handed to the effect
    tone: str = "primary"  # button look: primary, secondary, danger
    # Applicant transitions: the working days (counted from the day after the matter reached its from-state) within
    # which it may happen, e.g. 申诉 within 15 working days of the decision; 0 = no limit.
    time_limit_days: int = 0
    guard_many: GuardMany | None = None  # the guard over a whole batch (set-based); fire() uses `guard`
    effect_many: EffectMany | None = None  # the effect over a whole batch (set-based); fire() uses `effect`


@dataclass(frozen=True)
class MaterialSpec:
    """A file the applicant uploads. `transition` "" is the application's own (uploaded while the matter is
    editable, required by its submission); a transition's name (e.g. "appeal") makes it that step's material:
    uploaded while the step is available, required by it."""

    code: str
    label: str
    required: bool = True
    hint: str = ""
    transition: str = ""


@dataclass(frozen=True)
class MatterKind:
    """A 事项: its state machine, materials, 办事指南 and time limits. `code` appears in matter numbers."""

    code: str
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial_state: str = "draft"
    applicant: Literal["employer", "person", "any"] = "employer"
    materials: tuple[MaterialSpec, ...] = ()
    legal_days: int = 20
    promised_days: int = 10
    guide_text: str = ""
    batch_approve: bool = False
    jurisdiction: Literal["division", "squad", "agency"] = "division"
    number_code: str = ""  # short code inside matter numbers; defaults to the upper-cased code
    # Route names a domain provides: where the applicant edits the payload, and a template showing it.
    edit_route: str = ""
    detail_template: str = ""
    # (key, 中文标签) for the generic payload display, or (key, 中文标签, how): `how` is a dictionary category (the
    # code is shown as its label, e.g. division → 海口市龙华区) or "phone" / "id_number" (shown masked, X-9).
    payload_labels: tuple[tuple[str, ...], ...] = ()
    # async (principal, matter) -> dict: what `detail_template` needs beyond the matter (e.g. the applicant's
    # earlier decisions), given to it as `detail`; read only for a matter the principal may see.
    detail_context: Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]] | None = field(
        default=None, hash=False, compare=False)
    # Marks of the kind's own on the workbench queue's rows, beside the 承诺时限 flag (e.g. 工伤认定's 30 calendar
    # days): awaited once per page with this kind's rows (id, state, …), returns {matter id: (tone, text)} —
    # one query for the page, never one per row. Tones: danger, warning, success, neutral.
    queue_flags: QueueFlags | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def state(self, code: str) -> State:
        for s in self.states:
            if s.code == code:
                return s
        raise KeyError(f"{self.code}: unknown state {code!r}")

    def state_label(self, code: str) -> str:
        try:
            return self.state(code).label
        except KeyError:
            return code

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def uploadable(self, state: str) -> list[MaterialSpec]:
        """The materials the applicant may upload while the matter is in `state`."""
        steps = {t.name for t in self.available(state, "applicant")}
        editable = self.state(state).editable
        return [m for m in self.materials if (m.transition in steps if m.transition else editable)]

    def available(self, state: str, actor: Actor) -> list[Transition]:
        return [t for t in self.transitions if state in t.from_states and t.actor == actor]

    @property
    def short_code(self) -> str:
        return (self.number_code or self.code).upper()

    @property
    def submit_transition(self) -> Transition | None:
        """The applicant's first step out of the initial state that starts the clock (提交 / 确认提交)."""
        return next(
            (t for t in self.transitions
             if t.actor == "applicant" and self.initial_state in t.from_states and t.starts_clock),
            None,
        )

    @property
    def staff_permissions(self) -> frozenset[str]:
        return frozenset(t.permission for t in self.transitions if t.actor == "staff" and t.permission)

    def validate(self) -> None:
        codes = {s.code for s in self.states}
        assert self.initial_state in codes, f"{self.code}: initial state {self.initial_state} undefined"
        names = [t.name for t in self.transitions]
        assert len(names) == len(set(names)), f"{self.code}: duplicate transition names"
        for t in self.transitions:
            assert t.to_state in codes, f"{self.code}.{t.name}: to_state {t.to_state} undefined"
            assert set(t.from_states) <= codes, f"{self.code}.{t.name}: from_states undefined"
            assert t.actor != "staff" or t.permission, f"{self.code}.{t.name}: staff transition needs a permission"
            for s in t.from_states:
                assert not self.state(s).terminal, f"{self.code}.{t.name}: leaves terminal state {s}"
            assert not t.time_limit_days or t.actor == "applicant", f"{self.code}.{t.name}: time limit is the applicant's"
        for m in self.materials:
            step = self.transition(m.transition) if m.transition else None
            assert not m.transition or (step and step.actor == "applicant"), \
                f"{self.code}: material {m.code} names no applicant transition {m.transition!r}"


_KINDS: dict[str, MatterKind] = {}
# ACC-8: kind code → the agent right (AgentRight code) of the area that declared it; an agent whose
# authorisation does not name that service does not see the kind's matters either.
_RIGHTS: dict[str, str] = {}


def register_kind(kind: MatterKind, *, right: str = "") -> MatterKind:
    """Domains call this at import time (their matters.py); re-registering the same code replaces it. An Area
    registers its kinds with its agent right."""
    kind.validate()
    _KINDS[kind.code] = kind
    if right:
        _RIGHTS[kind.code] = right
    return kind


def kinds_outside(services: frozenset[str]) -> list[str]:
    """Kind codes whose area's agent right is not among `services` (what such an agent may not see)."""
    return sorted(code for code, right in _RIGHTS.items() if right not in services)


def get_kind(code: str) -> MatterKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"matter kind {code!r} is not registered") from None


def all_kinds() -> list[MatterKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def unregister_kind(code: str) -> None:
    """For tests that register throw-away kinds."""
    _KINDS.pop(code, None)
    _RIGHTS.pop(code, None)


# --- Builders for the four flow shapes of SPEC.md ---------------------------------------------------------

DRAFT = State("draft", "草稿", editable=True, tone="neutral")
WITHDRAWN = State("withdrawn", "已撤回", terminal=True, tone="neutral")


def review_flow(
    code: str,
    name: str,
    *,
    permission: str,
    approve_effect: Effect | None = None,
    reject_effect: Effect | None = None,
    submit_guard: Guard | None = None,
    approve_label: str = "审核通过",
    reject_label: str = "审核不通过",
    **options: Any,
) -> MatterKind:
    """Shape 1: submit → review; approve, or reject with opinion; the applicant edits and resubmits."""
    states = (
        DRAFT,
        State("submitted", "待审核", tone="info", clock_running=True),
        State("rejected", reject_label, editable=True, tone="danger"),
        State("approved", approve_label, terminal=True, tone="success"),
        WITHDRAWN,
    )
    transitions = (
        Transition("submit", "提交", ("draft",), "submitted", "applicant", guard=submit_guard, starts_clock=True),
        Transition("resubmit", "修改后重新提交", ("rejected",), "submitted", "applicant", guard=submit_guard,
                   starts_clock=True),
        Transition("withdraw", "撤回", ("draft", "submitted"), "withdrawn", "applicant", tone="secondary"),
        Transition("approve", approve_label, ("submitted",), "approved", "staff", permission=permission,
                   effect=approve_effect, stage="review", batch=options.get("batch_approve", False)),
        Transition("reject", reject_label, ("submitted",), "rejected", "staff", permission=permission,
                   requires_opinion=True, opinion_label="审核意见", effect=reject_effect, stage="review",
                   tone="danger"),
    )
    return MatterKind(code=code, name=name, states=states, transitions=transitions, **options)


def accept_approve_flow(
    code: str,
    name: str,
    *,
    accept_permission: str,
    approve_permission: str,
    approve_effect: Effect | None = None,
    deny_effect: Effect | None = None,
    submit_guard: Guard | None = None,
    approve_label: str = "准予许可",
    deny_label: str = "不予许可",
    **options: Any,
) -> MatterKind:
    """Shape 2: submit → 受理 (accept / return for 补正 / refuse) → 审批 (approve with effect / deny)."""
    states = (
        DRAFT,
        State("submitted", "待受理", tone="info", clock_running=True),
        State("returned", "退回补正", editable=True, tone="warning"),
        State("refused", "不予受理", terminal=True, tone="danger"),
        State("accepted", "待审批", tone="info", clock_running=True),
        State("approved", approve_label, terminal=True, tone="success"),
        State("denied", deny_label, terminal=True, tone="danger"),
        WITHDRAWN,
    )
    transitions = (
        Transition("submit", "提交", ("draft",), "submitted", "applicant", guard=submit_guard, starts_clock=True),
        Transition("resubmit", "补正后重新提交", ("returned",), "submitted", "applicant", guard=submit_guard,
                   starts_clock=True),
        Transition("withdraw", "撤回", ("draft", "submitted"), "withdrawn", "applicant", tone="secondary"),
        Transition("accept", "受理", ("submitted",), "accepted", "staff", permission=accept_permission,
                   stage="accept"),
        Transition("return", "退回补正", ("submitted",), "returned", "staff", permission=accept_permission,
                   requires_opinion=True, opinion_label="补正内容（逐条列明）", stage="accept", tone="secondary"),
        Transition("refuse", "不予受理", ("submitted",), "refused", "staff", permission=accept_permission,
                   requires_opinion=True, opinion_label="不予受理理由", stage="accept", tone="danger"),
        Transition("approve", approve_label, ("accepted",), "approved", "staff", permission=approve_permission,
                   effect=approve_effect, stage="approve", batch=options.get("batch_approve", False)),
        Transition("deny", deny_label, ("accepted",), "denied", "staff", permission=approve_permission,
                   requires_opinion=True, opinion_label="不予许可理由", effect=deny_effect, stage="approve",
                   tone="danger"),
    )
    return MatterKind(code=code, name=name, states=states, transitions=transitions, **options)


def confirm_flow(
    code: str,
    name: str,
    *,
    permission: str,
    approve_effect: Effect | None = None,
    reject_effect: Effect | None = None,
    confirm_guard: Guard | None = None,
    withdraw: bool = False,
    **options: Any,
) -> MatterKind:
    """Shape 3: drafts are confirmed (many at once, 增员确认 / 快报确认) and so submitted to review. `withdraw`: the
    applicant may take a confirmed matter back to 待确认 (撤回, X-1a) until a reviewer decides it, to correct and
    confirm it again or delete it."""
    states = (
        State("draft", "待确认", editable=True, tone="neutral"),
        State("submitted", "待审核", tone="info", clock_running=True),
        State("rejected", "审核不通过", editable=True, tone="danger"),
        State("approved", "审核通过", terminal=True, tone="success"),
        State("voided", "已删除", terminal=True, tone="neutral"),
    )
    transitions = (
        Transition("confirm", "确认提交", ("draft",), "submitted", "applicant", guard=confirm_guard,
                   starts_clock=True, batch=True),
        Transition("resubmit", "修改后重新提交", ("rejected",), "submitted", "applicant", guard=confirm_guard,
                   starts_clock=True),
        Transition("void", "删除", ("draft", "rejected"), "voided", "applicant", tone="danger", batch=True),
        Transition("approve", "审核通过", ("submitted",), "approved", "staff", permission=permission,
                   effect=approve_effect, stage="review", batch=options.get("batch_approve", False)),
        Transition("reject", "审核不通过", ("submitted",), "rejected", "staff", permission=permission,
                   requires_opinion=True, opinion_label="审核意见", effect=reject_effect, stage="review",
                   tone="danger"),
    )
    if withdraw:
        # Back to the draft rather than a terminal 已撤回: in this shape the draft is the applicant's own working
        # state, from which 删除 already ends a matter.
        transitions += (Transition("withdraw", "撤回", ("submitted",), "draft", "applicant", tone="secondary"),)
    return MatterKind(code=code, name=name, states=states, transitions=transitions, **options)


def appeal_flow(
    code: str,
    name: str,
    *,
    decide_permission: str,
    appeal_permission: str,
    decide_fields: Sequence[Field] = (),
    decide_effect: Effect | None = None,
    change_fields: Sequence[Field] = (),
    change_effect: Effect | None = None,
    decide_label: str = "评定",
    decide_opinion_label: str = "",
    appeal_days: int = 0,
    final_label: str = "已生效",
    **options: Any,
) -> MatterKind:
    """Shape 4: a decision (e.g. 信用等级), then the applicant accepts it or appeals, then the appeal decision.

    `decide_opinion_label` makes the decision's reasons required under that label; `appeal_days` limits 申诉 to
    that many working days after the decision, after which the decision reads as `final_label` (no appeal can
    follow, so it is final; the state stays, computed on read). The appeal is decided at another stage than the
    decision, so the engine's one-person-one-stage rule (SECURITY 12) keeps whoever decided from deciding it."""
    states = (
        DRAFT,
        State("submitted", "待评定", tone="info", clock_running=True),
        State("decided", "已评定", tone="success", lapsed_label=final_label if appeal_days else ""),
        State("appealed", "申诉中", tone="warning", clock_running=True),
        State("closed", "已办结", terminal=True, tone="success"),
        State("upheld", "申诉不成立（维持原评定）", terminal=True, tone="neutral"),
        State("changed", "申诉成立（变更评定）", terminal=True, tone="success"),
        WITHDRAWN,
    )
    transitions = (
        Transition("submit", "提交", ("draft",), "submitted", "applicant", starts_clock=True),
        Transition("withdraw", "撤回", ("draft", "submitted"), "withdrawn", "applicant", tone="secondary"),
        Transition("decide", decide_label, ("submitted",), "decided", "staff", permission=decide_permission,
                   fields=tuple(decide_fields), effect=decide_effect, stage="decide",
                   requires_opinion=bool(decide_opinion_label), opinion_label=decide_opinion_label or "意见"),
        Transition("accept_decision", "接受评定", ("decided",), "closed", "applicant"),
        Transition("appeal", "申诉", ("decided",), "appealed", "applicant", requires_opinion=True,
                   opinion_label="申诉理由", starts_clock=True, tone="secondary", time_limit_days=appeal_days),
        Transition("uphold", "维持原评定", ("appealed",), "upheld", "staff", permission=appeal_permission,
                   requires_opinion=True, opinion_label="申诉处理意见", stage="appeal", tone="secondary"),
        Transition("change", "变更评定", ("appealed",), "changed", "staff", permission=appeal_permission,
                   requires_opinion=True, opinion_label="申诉处理意见", fields=tuple(change_fields),
                   effect=change_effect, stage="appeal"),
    )
    return MatterKind(code=code, name=name, states=states, transitions=transitions, **options)
