"""Demo 工伤快报 (idempotent), through the domain's own use-cases: one in every state for the demo employers —
未确认, 已提交（待审核） (one 3 days from its 30-day 工伤认定 limit, with two injured persons), 审核通过 (naming
王小明, so his 工伤保险单位证明 lists an accident), 退回 with an opinion, and one deleted."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domains.employer import service as employers
from domains.social_insurance import service as insurance
from domains.work_injury import matters, service
from domains.work_injury.tables import WiAccident
from portal.auth.principal import Principal
from portal.workflow import engine
from portal.workflow.deadlines import local_date
from seeds.demo_identities import EMPLOYERS, PERSONS

# (employer index, days ago, hour, place, category, reporter, hospital, persons (name, 受伤部位, 伤害程度, 诊断, 住院,
# 岗位), end state, opinion)
REPORTS = (
    (0, 2, 10, "海口市龙华区滨海大道椰风科技3楼机房", "05", "陈海涛", "海南省人民医院",
     (("陈小燕", "右手", "1", "右手掌Ⅰ度电灼伤", False, "网络运维工程师"),), "draft", ""),
    (0, 27, 15, "海口市龙华区滨海大道椰风科技仓库", "09", "陈海涛", "海口市人民医院",
     (("符海峰", "腰部", "2", "腰椎压缩性骨折", True, "仓储主管"), ("黎晓东", "左踝", "1", "左踝关节扭伤", False, "仓管员")),
     "submitted", ""),
    (1, 9, 8, "海口市秀英区蓝湾酒店后厨", "07", "林晓梅", "海口市秀英区人民医院",
     (("韩文博", "左前臂", "1", "左前臂Ⅱ度烫伤", False, "厨师"),), "submitted", ""),
    (0, 58, 14, "海口市龙华区滨海大道椰风科技门前", "21", "陈海涛", "海南医学院第一附属医院",
     (("王小明", "右膝", "1", "右膝软组织挫伤", False, "软件工程师"),), "approved", "材料齐全，请在期限内申请工伤认定。"),
    (2, 12, 9, "三亚市崖州区南山项目3号楼工地", "09", "符国强", "三亚中心医院",
     (("符大海", "头部", "2", "颅骨骨折", True, "架子工"),), "rejected",
     "事故经过过于简略，请补充坠落高度、安全防护情况和送医时间后重新提交。"),
    (2, 20, 16, "三亚市崖州区南山项目材料堆场", "01", "符国强", "三亚中心医院",
     (("黄石生", "左脚", "1", "左足背挫伤", False, "材料员"),), "voided", ""),
)

DESCRIPTIONS = {
    "05": "检修机柜电源时未断电，右手触及带电端子，同事立即断电并送医。",
    "09": "作业人员在登高作业时从梯子上坠落，现场人员立即拨打120送医。",
    "07": "搬运热汤锅时汤汁溅出烫伤左前臂，当班主管冲洗后送医。",
    "21": "上班途中驾驶电动自行车被机动车追尾，交警认定本人无责任。",
    "01": "卸货时钢管滑落砸中左脚，现场人员立即送医。",
}


def _employer_principal(employer: dict) -> Principal:
    return Principal(kind="employer", account_id=0, display_name=employer["name"], employer_id=employer["id"],
                     employer_name=employer["name"], acting_name=employer["legal_rep"], acting_role="legal_rep")


def _reviewer() -> Principal:
    return Principal(kind="staff", account_id=0, display_name="工伤科审核员（演示）",
                     permissions=frozenset({matters.REVIEW}), scopes={"division": ("460000",)})


async def _person_id_number(employer_id: int, name: str) -> str | None:
    if name == PERSONS[0].name:
        return PERSONS[0].id_number
    rows = await insurance.insured_persons(employer_id, name=name)
    return rows[0]["id_number"] if rows else None


async def load() -> dict[str, int]:
    found = [await employers.get_by_uscc(e.uscc) for e in EMPLOYERS]
    if any(e is None for e in found) or await WiAccident.exists().where(WiAccident.employer == found[0]["id"]):
        return {"reports": 0}
    today = local_date()
    made = 0
    for index, days, hour, place, category, reporter, hospital, people, state, opinion in REPORTS:
        employer = found[index]
        principal = _employer_principal(employer)
        rows = []
        for key, (name, part, severity, diagnosis, stay, job) in enumerate(people):
            id_number = await _person_id_number(employer["id"], name)
            if id_number is None:
                return {"reports": made}  # the social-insurance demo did not run
            rows.append({"key": str(key), "id_number": id_number, "body_part": part, "severity": severity,
                         "diagnosis": diagnosis, "hospitalised": stay, "occupation": job})
        accident = {"occurred_at": datetime.combine(today - timedelta(days=days), time(hour, 20)), "place": place,
                    "category": category, "description": DESCRIPTIONS[category], "reporter": reporter,
                    "reporter_phone": employer["contact_phone"] or "0898-66660000", "hospital": hospital}
        accident_id = await service.save_report(principal, accident, rows)
        made += 1
        if state == "draft":
            continue
        if state == "voided":
            await service.delete(principal, accident_id)
            continue
        await service.confirm(principal, [accident_id])
        if state in ("approved", "rejected"):
            report = await service.get_report(principal, accident_id)
            await engine.fire(_reviewer(), report["matter_id"], "approve" if state == "approved" else "reject",
                              expected_version=report["version"], opinion=opinion)
    return {"reports": made}
