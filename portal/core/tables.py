"""Tables of the core app: the reference dictionary, the append-only audit log and the shared rate-limit windows."""

from piccolo.columns import JSON, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class DictEntry(Table, help_text="One entry of an admin-editable dictionary (字典): 行政区划, 行业, 单位性质 …"):
    category = Varchar(length=40, index=True, help_text="e.g. division, industry, employer_nature")
    code = Varchar(length=40, help_text="Official code where one exists (行政区划代码, 行业门类 …)")
    label = Varchar(length=200)
    parent_code = Varchar(length=40, default="", help_text="Tree parent inside the same category")
    sort_order = Integer(default=0)
    enabled = Boolean(default=True)
    extra = JSON(default="{}", help_text="Category-specific attributes, e.g. a squad's divisions")


class Holiday(Table, help_text="A day that differs from the Monday–Friday rule: a holiday or a 调休 working weekend"):
    day = Date(unique=True)
    is_workday = Boolean(default=False, help_text="True for a 调休 weekend day that is worked")
    name = Varchar(length=40, default="")


class AuditLog(Table, help_text="Append-only, hash-chained log of staff actions, logins and security events"):
    at = Timestamptz(index=True)
    category = Varchar(length=20, index=True, help_text="login, security, admin, workflow, data")
    actor_kind = Varchar(length=20, default="")
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=100, default="")
    ip = Varchar(length=64, default="")
    action = Varchar(length=60)
    object_type = Varchar(length=60, default="")
    object_id = Varchar(length=60, default="")
    result = Varchar(length=20, default="ok")
    detail = Text(default="", help_text="JSON: before/after or reason; never passwords, tokens or full ID numbers")
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, unique=True)


class RateLimitWindow(Table, help_text="Requests per client and rule in the current window, shared by every app process"):
    key = Varchar(length=200, unique=True, help_text="rule:client address (portal.ratelimit)")
    hits = Integer(default=0)
    reset_at = Integer(help_text="Unix time the window ends; the next request after it starts a new one")


class SharedVersion(Table, help_text="A counter per kind of cached reference data; an edit bumps it (portal.core.versions)"):
    name = Varchar(length=40, unique=True, help_text="dictionary, holidays")
    version = Integer(default=0)
