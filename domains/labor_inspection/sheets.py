"""② 劳动用工信息: the template (SheetSpec), its whole-file check and the writer that replaces the review's list."""

from __future__ import annotations

from typing import Any

from domains.labor_inspection import rules, service
from portal.auth.principal import Principal
from portal.dataservices.imports import Importer, ImportSteps
from portal.dataservices.spreadsheets import RowResult, SheetColumn, SheetSpec
from portal.dataservices.workbooks import template_bytes

YES_NO = (rules.YES, rules.NO)

STAFF = SheetSpec(
    name="ins_staff",
    title="劳动用工信息模板",
    columns=(
        SheetColumn("name", "姓名", max_len=40, width=12, example="张三"),
        SheetColumn("id_number", "身份证号", "id_number", width=22, help="18位居民身份证号码，请设为文本格式",
                    example="460100199009090033"),
        SheetColumn("post", "工作岗位", max_len=60, required=False, width=16, example="操作工"),
        SheetColumn("hired_on", "入职日期", "date", width=14, example="2024-03-01"),
        SheetColumn("contract_signed", "是否签订劳动合同", "choice", choices=YES_NO, width=12, example="是"),
        SheetColumn("contract_end", "合同终止日期", "date", required=False, width=14,
                    help="无固定期限或未签订的留空", example="2027-02-28"),
        SheetColumn("insured", "是否参加社会保险", "choice", choices=YES_NO, width=12, example="是"),
        SheetColumn("monthly_wage", "月工资（元）", "money", width=14, example="4500.00"),
    ),
    instructions=(
        "每行填写一名与本单位建立劳动关系的职工（不含劳务派遣人员）。",
        "每次导入成功的名单替换本年度书审之前导入的名单，请在一个文件中填写全部职工；失败的行请下载失败数据修改后，与其他职工一并重新上传。",
        "可在“劳动用工信息”页面下载按本单位劳动合同备案和参保记录预填的模板，核对补充后导入。",
    ),
    unique=(("id_number",),),
)

_COLUMNS = [c.key for c in STAFF.columns]


def check(row: RowResult) -> list[str]:
    d = row.data
    reasons = []
    if d.get("contract_signed") == rules.NO and d.get("contract_end"):
        reasons.append("未签订劳动合同的，合同终止日期应留空")
    if d.get("contract_end") and d.get("hired_on") and d["contract_end"] < d["hired_on"]:
        reasons.append("合同终止日期不能早于入职日期")
    return reasons


def writer(principal: Principal):
    """Inside the import's transaction: the rows replace the list of the owner's review of this year (found again
    here, on the worker, so a review submitted meanwhile is refused and nothing is written)."""
    async def write(rows: list[RowResult]) -> None:
        await service.replace_staff(principal, service.this_year(),
                                    [{k: r.data.get(k) for k in _COLUMNS} for r in rows])

    return write


STAFF_IMPORT = Importer("ins_staff", STAFF, lambda principal, ip: ImportSteps(writer(principal), row_check=check))


async def prefilled_template(rows: list[dict[str, Any]]) -> bytes:
    """The template refilled with the employer's own records (the failed-rows workbook's path, without reasons)."""
    def text(key: str, value: Any) -> str:
        if value is None:
            return ""
        return f"{value / 100:.2f}" if key == "monthly_wage" else str(value)

    return await template_bytes(STAFF, [RowResult(number=i + 2, values={k: text(k, r.get(k)) for k in _COLUMNS})
                                        for i, r in enumerate(rows)])
