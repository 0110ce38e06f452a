"""Tables of the workflow app: matters (办件), their timeline, materials, messages, evaluations, numbering."""

from piccolo.columns import JSON, Date, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# NO ACTION, not RESTRICT: SQLite checks RESTRICT even when foreign keys are deferred (test clean-up).
# Lazy references: portal/* never imports domains/*, but a matter belongs to an employer or a person.
_EMPLOYER = LazyTableReference(table_class_name="Employer", app_name="employer")
_PERSON = LazyTableReference(table_class_name="Person", app_name="person")


class Matter(Table, help_text="办件: one application of any kind, with its state machine position (X-1)"):
    number = Varchar(length=40, unique=True, help_text="division + yyyymmdd + kind code + sequence")
    kind = Varchar(length=40, index=True, help_text="MatterKind.code (portal.workflow.kinds)")
    state = Varchar(length=40, index=True)
    version = Integer(default=1, help_text="Optimistic lock: every transition increments it")
    applicant_kind = Varchar(length=20, help_text="employer or person")
    employer = ForeignKey(_EMPLOYER, null=True, default=None, on_delete=OnDelete.no_action, index=True)
    person = ForeignKey(_PERSON, null=True, default=None, on_delete=OnDelete.no_action, index=True)
    applicant_name = Varchar(length=200, default="", help_text="单位名称 or 姓名 at creation, for lists")
    acting_name = Varchar(length=40, default="", help_text="The natural person who filed it (法定代表人 or 经办人)")
    agent_id = Integer(null=True, default=None)
    division_code = Varchar(length=12, default="", index=True, help_text="行政区划 deciding staff jurisdiction")
    agency_code = Varchar(length=40, default="", help_text="审核机构 / 送审机构, when the kind routes by agency")
    squad_code = Varchar(length=40, default="", help_text="监察中队, when the kind routes by squad")
    title = Varchar(length=200, default="")
    payload = JSON(default="{}", help_text="The application's data, owned by the domain that registered the kind")
    result = JSON(default="{}", help_text="What effects produced, e.g. 许可证编号, 备案编号, 评定等级")
    legal_deadline = Date(null=True, default=None, help_text="法定办结时限 (working days)")
    promised_deadline = Date(null=True, default=None, index=True, help_text="承诺办结时限 (working days)")
    submitted_at = Timestamptz(null=True, default=None)
    clock_started_at = Timestamptz(null=True, default=None, help_text="Restarted by a resubmission after 补正")
    finished_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class MatterEvent(Table, help_text="Append-only timeline of a matter: who did what, from which state to which"):
    matter = ForeignKey(Matter, on_delete=OnDelete.no_action, index=True)
    actor_kind = Varchar(length=20, help_text="staff, employer, person or system")
    actor_id = Integer(null=True, default=None, help_text="StaffUser id for staff; account id otherwise")
    actor_name = Varchar(length=100, default="")
    role = Varchar(length=20, default="", help_text="applicant or staff")
    stage = Varchar(length=40, default="", help_text="Workflow stage (受理, 审批 …): one person acts at one stage")
    action = Varchar(length=40, help_text="Transition name; 'create' for the first event")
    action_label = Varchar(length=40, default="")
    from_state = Varchar(length=40, default="")
    to_state = Varchar(length=40, default="")
    opinion = Text(default="")
    at = Timestamptz(index=True)


class Material(Table, help_text="An uploaded material (PDF/JPG/PNG), stored content-addressed outside the web root"):
    matter = ForeignKey(Matter, on_delete=OnDelete.no_action, index=True)
    code = Varchar(length=40, help_text="MaterialSpec.code of the kind")
    filename = Varchar(length=200)
    sha256 = Varchar(length=64)
    size = Integer()
    mime = Varchar(length=40)
    storage_path = Varchar(length=200, help_text="Relative to settings.storage_dir")
    uploaded_at = Timestamptz()
    uploaded_by = Varchar(length=100, default="")
    replaced_at = Timestamptz(null=True, default=None, help_text="Set when a newer file replaced this one")
    reused_from = Integer(null=True, default=None,
                          help_text="材料复用: the approved matter's Material row this one was carried over from")


class Message(Table, help_text="消息中心: a notice to an employer (all its accounts) or a person (X-6)"):
    employer = ForeignKey(_EMPLOYER, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(_PERSON, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    matter = ForeignKey(Matter, null=True, default=None, on_delete=OnDelete.no_action)
    title = Varchar(length=200)
    text = Text(default="")
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)


class Evaluation(Table, help_text="好差评 of a finished matter by its applicant (X-5)"):
    matter = ForeignKey(Matter, on_delete=OnDelete.no_action, unique=True)
    kind = Varchar(length=40, index=True)
    division_code = Varchar(length=12, default="")
    grade = SmallInt(help_text="5 非常满意 … 1 非常不满意")
    comment = Text(default="")
    created_at = Timestamptz(index=True)


class FollowUp(Table, help_text="A follow-up task for a 不满意 or worse rating, handled by a supervisor"):
    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.no_action, unique=True)
    division_code = Varchar(length=12, default="", index=True)
    status = Varchar(length=20, default="open", help_text="open or closed")
    handler_id = Integer(null=True, default=None)
    handler_name = Varchar(length=40, default="")
    note = Text(default="")
    created_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class NumberSequence(Table, help_text="Per-prefix counters for matter and certificate numbers (one atomic upsert each)"):
    prefix = Varchar(length=60, unique=True)
    last = Integer(default=0)
