"""Declarative forms: each field cleans its raw text or gives a Chinese message; raw values are kept for redisplay."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from portal import validators, values
from portal.core import dictionary
from portal.refusal import Refused

# The errors key of a message that belongs to the whole form, not to one field.
FORM_ERROR = ""


class FieldError(ValueError):
    """Raised by a field's cleaner with the message shown next to the field."""


@dataclass
class Field:
    name: str
    label: str
    required: bool = True
    max_len: int | None = None
    help: str = ""

    def missing_message(self) -> str:
        return f"请填写{self.label}"

    def raw(self, data: Mapping[str, Any]) -> str:
        """The submitted text of this field (what is shown again on an error)."""
        return _raw(data, self.name)

    async def clean(self, raw: str) -> Any:
        if self.max_len is not None and len(raw) > self.max_len:
            raise FieldError(f"{self.label}不能超过{self.max_len}个字")
        return raw


@dataclass
class TextField(Field):
    pattern: str | None = None
    pattern_message: str = ""

    async def clean(self, raw: str) -> Any:
        value = await super().clean(raw)
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise FieldError(self.pattern_message or f"{self.label}格式不正确")
        return value


@dataclass
class IntField(Field):
    min_value: int | None = None
    max_value: int | None = None

    async def clean(self, raw: str) -> Any:
        if not re.fullmatch(r"-?\d+", raw):
            raise FieldError(f"{self.label}应为整数")
        value = int(raw)
        if self.min_value is not None and value < self.min_value:
            raise FieldError(f"{self.label}不能小于{self.min_value}")
        if self.max_value is not None and value > self.max_value:
            raise FieldError(f"{self.label}不能大于{self.max_value}")
        return value


@dataclass
class MoneyField(Field):
    """元 typed by the user → integer 分 (portal.values: Decimal, at most two decimals)."""

    async def clean(self, raw: str) -> Any:
        fen, reason = values.fen_or_reason(raw, self.label)
        if reason is not None:
            raise FieldError(reason)
        return fen


@dataclass
class DateField(Field):
    """The formats a spreadsheet accepts too (portal.values), e.g. 2025-01-05, 2025/1/5, 2025年1月5日."""

    async def clean(self, raw: str) -> Any:
        day, reason = values.date_or_reason(raw, self.label)
        if reason is not None:
            raise FieldError(reason)
        return day


@dataclass
class DateTimeField(Field):
    """A date and time of day (an `<input type="datetime-local">` or typed text) → naive local datetime."""

    async def clean(self, raw: str) -> Any:
        moment, reason = values.datetime_or_reason(raw, self.label)
        if reason is not None:
            raise FieldError(reason)
        return moment


@dataclass
class MonthField(Field):
    """A year-month (`<input type="month">` or typed: 2025-01, 2025年1月, 202501) → integer YYYYMM."""

    async def clean(self, raw: str) -> Any:
        month, reason = values.month_or_reason(raw, self.label)
        if reason is not None:
            raise FieldError(reason)
        return month


@dataclass
class ChoiceField(Field):
    """Choices from the dictionary (`category`) or given inline as (code, label) pairs."""

    category: str = ""
    choices: Sequence[tuple[str, str]] = ()

    async def options(self) -> Sequence[tuple[str, str]]:
        return await dictionary.choices(self.category) if self.category else self.choices

    def missing_message(self) -> str:
        return f"请选择{self.label}"

    async def clean(self, raw: str) -> Any:
        if raw not in {code for code, _ in await self.options()}:
            raise FieldError(f"请从列表中选择{self.label}")
        return raw


PATH_SEP = "|"


@dataclass(frozen=True)
class CascadeLevel:
    """One select of a cascade: its level name, the options under the choice above, and what is chosen."""

    label: str
    options: Sequence[tuple[str, str]]
    selected: str


@dataclass
class TreeChoiceField(Field):
    """A code of a tree category of the dictionary (行政区划, 所属行业), chosen level by level: one <select> per
    level, all named like the field (document order = level order). A stored value (one deep code) is expanded to
    its ancestors. The choice must reach `min_depth` levels unless the node chosen has nothing below it."""

    category: str = ""
    min_depth: int = 1

    def raw(self, data: Mapping[str, Any]) -> str:
        getall = getattr(data, "getall", None)
        found = getall(self.name, []) if getall else data.get(self.name, "")
        found = found if isinstance(found, list) else [found]
        return PATH_SEP.join(str(v).strip() for v in found if v is not None and str(v).strip())

    def missing_message(self) -> str:
        return f"请选择{self.label}"

    def level_names(self) -> tuple[str, ...]:
        return dictionary.TREE_LEVELS.get(self.category, ())

    async def clean(self, raw: str) -> Any:
        found = await dictionary.chain(self.category, raw.split(PATH_SEP))
        if not found:
            raise FieldError(f"请从列表中选择{self.label}")
        if len(found) < self.min_depth and await dictionary.children(self.category, found[-1]):
            names = self.level_names()
            below = names[len(found)] if len(found) < len(names) else "下一级"
            raise FieldError(f"请继续选择{self.label}的{below}")
        return found[-1]

    async def levels(self, raw: str) -> list[CascadeLevel]:
        """The selects to show for what was chosen: every chosen level and the first one still to choose."""
        found = await dictionary.chain(self.category, raw.split(PATH_SEP)) if raw else []
        names = self.level_names()
        shown: list[CascadeLevel] = []
        parent = ""
        for depth in range(len(names) or 8):
            options = await dictionary.children(self.category, parent)
            if not options:
                break
            selected = found[depth] if depth < len(found) else ""
            if not selected and depth == 0 and len(options) == 1:
                selected = options[0].code  # one root (the province): nothing to choose
            label = names[depth] if depth < len(names) else f"第{depth + 1}级"
            shown.append(CascadeLevel(label, [(e.code, e.label) for e in options], selected))
            if not selected:
                break
            parent = selected
        return shown


@dataclass
class IdNumberField(Field):
    max_len: int | None = 18

    async def clean(self, raw: str) -> Any:
        value = validators.normalise(raw)
        if error := validators.id_number_error(value):
            raise FieldError(error)
        return value


@dataclass
class UsccField(Field):
    async def clean(self, raw: str) -> Any:
        value = validators.normalise(raw)
        if error := validators.uscc_error(value):
            raise FieldError(error)
        return value


@dataclass
class MobileField(Field):
    landline_ok: bool = False

    async def clean(self, raw: str) -> Any:
        value = validators.normalise(raw)
        error = validators.phone_error(value) if self.landline_ok else validators.mobile_error(value)
        if error:
            raise FieldError(error)
        return value


@dataclass
class CheckedField(Field):
    """Normalised text checked by one of portal.validators' functions (None, or the Chinese reason)."""

    check: Callable[[str], str | None] | None = None

    async def clean(self, raw: str) -> Any:
        value = validators.normalise(raw)
        if self.check is not None and (error := self.check(value)):
            raise FieldError(error)
        return value


def LandlineField(name: str, label: str, **kw: Any) -> CheckedField:  # noqa: N802 - reads like the other fields
    """固定电话 (区号-号码)."""
    return CheckedField(name, label, check=validators.landline_error, **kw)


def PostcodeField(name: str, label: str, **kw: Any) -> CheckedField:  # noqa: N802
    """邮政编码 (6 digits)."""
    return CheckedField(name, label, check=validators.postcode_error, **kw)


@dataclass
class BoolField(Field):
    required: bool = False

    async def clean(self, raw: str) -> Any:
        return raw in {"1", "on", "true", "yes", "是"}


@dataclass
class Form:
    """Validate `data` against `fields`; `errors` maps field name → message, `values` keeps what was typed."""

    fields: Sequence[Field]
    data: Mapping[str, Any] = field(default_factory=dict)
    checks: Sequence[Callable[[dict[str, Any]], dict[str, str]]] = ()
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, str]:
        return {f.name: f.raw(self.data) for f in self.fields}

    async def cascades(self) -> dict[str, list[CascadeLevel]]:
        """The selects of every tree field, for the template (`cascade` macro in components/forms.html)."""
        return {f.name: await f.levels(f.raw(self.data)) for f in self.fields if isinstance(f, TreeChoiceField)}

    async def validate(self) -> bool:
        self.cleaned, self.errors = {}, {}
        for f in self.fields:
            raw = f.raw(self.data)
            if raw == "" and not isinstance(f, BoolField):
                if f.required:
                    self.errors[f.name] = f.missing_message()
                else:
                    self.cleaned[f.name] = None
                continue
            try:
                self.cleaned[f.name] = await f.clean(raw)
            except FieldError as exc:
                self.errors[f.name] = str(exc)
        # the rules across fields run even when some fields failed, so one answer lists every problem.
        # A check reading a field that failed (KeyError) is skipped; a field keeps its own message first.
        for check in self.checks:
            try:
                found = check(self.cleaned)
            except KeyError:
                continue
            for name, message in found.items():
                self.errors.setdefault(name, message)
        return not self.errors

    def value(self, name: str) -> str:
        """What to show in the input: always what the user typed, even when it was wrong (X-11)."""
        found = next((f for f in self.fields if f.name == name), None)
        return found.raw(self.data) if found else _raw(self.data, name)

    def add_error(self, name: str, message: str) -> None:
        self.errors[name] = message

    def refuse(self, exc: Refused) -> None:
        """Show a refusal: beside its field, or at the top of the error summary when it names no field or one this
        form lacks (a person rule on 续订/解除, which have no 身份证号 field: never under a raw key)."""
        beside = exc.field if exc.field and any(f.name == exc.field for f in self.fields) else FORM_ERROR
        self.errors[beside] = exc.message
        self.errors.update(getattr(exc, "errors", None) or {})  # WorkflowError's per-field messages

    @contextmanager
    def refusals(self) -> Iterator[None]:
        """`with form.refusals(): await service.save(…); return redirect(…)` — a Refused raised inside is shown
        on this form (the handler then falls through to re-render it with what the user typed)."""
        try:
            yield
        except Refused as exc:
            self.refuse(exc)

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) in field order, for the error summary at the top of the form; a message that
        belongs to no field comes first with the id ''."""
        order = {f.name: i for i, f in enumerate(self.fields)}
        order[FORM_ERROR] = -1
        return sorted(self.errors.items(), key=lambda kv: order.get(kv[0], len(order)))

    def label(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name)


def _raw(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if value is not None else ""
