"""批量增员报盘 / 批量减员报盘 (PC-2, PC-5): the two templates, one whole-file check each (every lookup one query per
500 ID numbers, never one per row) running the same rules as the single forms, and the writers."""

from __future__ import annotations

from typing import Any

from domains.person import service as person_service
from domains.personnel_change import rules, service
from domains.social_insurance import service as si
from portal.auth.principal import Principal
from portal.dataservices.imports import Importer, ImportSteps, WholeFile
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec
from portal.refusal import Refused
from portal.workflow.creation import create_matters

YES_NO = ("是", "否")


def _insurance_columns() -> tuple[SheetColumn, ...]:
    return tuple(SheetColumn(f"ins_{code}", label, "choice", required=False, choices=YES_NO, width=10,
                             help="参加该险种填“是”，不参加填“否”或留空", example="是")
                 for code, label in rules.INSURANCE_LABELS.items())


ENROL = SheetSpec(
    name="pc_enrol",
    title="批量增员模板",
    columns=(
        SheetColumn("name", "姓名", max_len=40, width=12, example="张三"),
        SheetColumn("id_number", "身份证号", "id_number", width=22, help="18位居民身份证号码，请设为文本格式",
                    example="460100199009090033"),
        SheetColumn("ethnicity", "民族", "choice", category="pc_ethnicity", width=10, example="汉族"),
        SheetColumn("hukou", "户口性质", "choice", category="pc_hukou", width=12, example="城镇户口"),
        SheetColumn("address", "户籍地址", max_len=200, width=30, example="海南省海口市龙华区滨海大道1号"),
        SheetColumn("phone", "联系电话", "phone", width=16, example="13800138000"),
        SheetColumn("employment_form", "用工形式", "choice", category="employment_form", width=14,
                    example="全日制用工"),
        SheetColumn("work_start", "参加工作日期", "date", width=14, example="2015-07-01"),
        *_insurance_columns(),
        SheetColumn("identity", "参保身份", "choice", category="insured_identity", width=14, example="城镇职工"),
        SheetColumn("base", "缴费基数（元）", "money", width=14, help="须在该结算期缴费基数上下限之内",
                    example="6000.00"),
        SheetColumn("period", "参保开始结算期", max_len=10, width=14, help="年月，如 2026-12", example="2026-12"),
    ),
    instructions=(
        "每行填写一名人员；险种列填“是”的险种一并增员（至少一个）。",
        "增员类型（新参保、续保、调入）由系统按该人员的参保记录判断，不需填写；调入人员的原参保关系在审核通过时终止。",
        "已在本单位参保的险种、已有未办结异动申报的险种不能增员；结算期不能早于本单位首个结算期，也不能是已关账的结算期。",
        "上传后逐行给出结果，失败的行可下载“失败数据”修改后重新上传；成功的行为“未确认”状态，请到“增员确认”中确认通过。",
    ),
    unique=(("id_number",),),
)

WITHDRAW = SheetSpec(
    name="pc_withdraw",
    title="批量减员模板",
    columns=(
        SheetColumn("name", "姓名", max_len=40, width=12, example="张三"),
        SheetColumn("id_number", "身份证号", "id_number", width=22, help="18位居民身份证号码，请设为文本格式",
                    example="460100199009090033"),
        SheetColumn("kind", "减员类型", "choice", choices=tuple(rules.WITHDRAW_KINDS.values()), width=14,
                    example="终止参保"),
        *_insurance_columns(),
        SheetColumn("reason", "减员原因", "choice", category="pc_withdraw_reason", width=20,
                    example="解除或终止劳动合同"),
        SheetColumn("period", "减员结算期", max_len=10, width=14, help="从该结算期起不再缴费，年月，如 2026-12",
                    example="2026-12"),
        SheetColumn("retire_class", "女职工原法定退休年龄", "choice", required=False,
                    choices=tuple(label for _, label in rules.RETIRE_CLASSES[1:]), width=24,
                    help="仅女职工在职转退休时填写"),
    ),
    instructions=(
        "每行填写一名在本单位参保的人员；险种列填“是”的险种一并减员（至少一个）。",
        "在职转退休须已达到法定退休年龄（按2025年起渐进式延迟法定退休年龄的规定计算）。",
        "上传后逐行给出结果，失败的行可下载“失败数据”修改后重新上传；成功的行为“未确认”状态，请到“减员确认”中确认通过。",
    ),
    unique=(("id_number",),),
)

_KIND_CODES = {label: code for code, label in rules.WITHDRAW_KINDS.items()}
_RETIRE_CODES = {label: code for code, label in rules.RETIRE_CLASSES}


def _cleaned(direction: str, data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A row as the single form would clean it; the 结算期 parsed (or its reason)."""
    cleaned = {k: v for k, v in data.items() if not k.startswith("ins_")}
    cleaned.update({k: v == "是" for k, v in data.items() if k.startswith("ins_")})
    if direction == "withdraw":
        cleaned["kind"] = _KIND_CODES.get(data.get("kind") or "", "")
        cleaned["retire_class"] = _RETIRE_CODES.get(data.get("retire_class") or "", "")
    try:
        cleaned["period"] = si.parse_period(data.get("period"))
    except Refused as exc:
        cleaned["period"] = None
        return cleaned, exc.message
    return cleaned, None


def checker(principal: Principal, direction: str) -> WholeFile:
    """Whole-file: records, pending changes and persons of every ID number in chunks of 500, then the rules."""

    async def check(rows: list[RowResult]) -> None:
        employer_id = principal.employer_id
        ids = {r.data["id_number"] for r in rows}
        ctx = await service.context(employer_id)
        records = await si.records_by_id_number(ids)
        pending = await service.pending_by_id_number(employer_id, ids)
        known = await person_service.persons_by_id_number(ids)
        for row in rows:
            cleaned, period_reason = _cleaned(direction, row.data)
            id_number = cleaned["id_number"]
            errors, plans = service.check_with(direction, employer_id, cleaned, ctx, records.get(id_number, []),
                                               pending.get(id_number, []))
            if reason := person_service.name_refusal(known.get(id_number), cleaned.get("name") or ""):
                errors.setdefault("name", reason)
            if period_reason:
                errors["period"] = period_reason
            row.reasons.extend(dict.fromkeys(errors.values()))
            if not errors:
                row.data["_cleaned"], row.data["_plans"] = cleaned, plans

    return WholeFile(check)


def writer(principal: Principal, direction: str, ip: str):
    """Inside the import's one transaction: one 办件 (未确认) per row, reserved in one go, and their rows."""

    async def write(rows: list[RowResult]) -> None:
        items, prepared = [], []
        for row in rows:
            cleaned, plans = row.data["_cleaned"], row.data["_plans"]
            payload = service.payload_of(direction, cleaned, cleaned.get("name") or "", plans)
            items.append({"payload": payload, "title": service.title_of(direction, payload)})
            prepared.append((payload, cleaned, plans))
        matters = await create_matters(principal, service.KIND_OF[direction], items, submit=False, ip=ip)
        await service.insert_rows([(m["id"], p, c, pl) for m, (p, c, pl) in zip(matters, prepared, strict=True)],
                                  principal.employer_id, direction)

    return write


# The batch 报盘 (PC-2, PC-5) as jobs: a worker rebuilds the writer and checks for the uploading employer.
ENROL_IMPORT = Importer("pc_enrol", ENROL, lambda principal, ip: ImportSteps(
    writer(principal, "enrol", ip), row_check=checker(principal, "enrol")))
WITHDRAW_IMPORT = Importer("pc_withdraw", WITHDRAW, lambda principal, ip: ImportSteps(
    writer(principal, "withdraw", ip), row_check=checker(principal, "withdraw")))
