"""信用等级 over HTTP (INS-3, INS-4, INS-6): the declaration's rules, one per year, the squad's grade with reasons
and the message, the appeal within 15 working days (across a holiday), decided by another staff member, the
history and latest_grades."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from domains.labor_inspection import grade_rules, service
from domains.labor_inspection.tables import InsGrade, InsGradeHistory
from portal.core.tables import Holiday
from portal.db import write_transaction
from portal.workflow import transitions
from portal.workflow.tables import Material, Matter, Message
from tests.labor_inspection.grade_support import declaration, declare, fire, sign_in_grader, state_of
from tests.labor_inspection.support import SQUAD
from tests.support.factories import make_employer
from tests.support.files import pdf_bytes

KEPT, BREACHED = grade_rules.KEPT, grade_rules.BREACHED


@pytest.mark.parametrize(("values", "errors"), [
    ({"proposed_grade": "A"}, {}),
    ({"proposed_grade": "B", "wages": BREACHED, "wages_note": "2025年3月工资延期5日发放，已补发"}, {}),
    ({"proposed_grade": "B", "wages": BREACHED, "wages_note": "  "},
     {"wages_note": "“支付劳动者工资和执行最低工资标准的情况”选择了存在问题，请说明具体情况"}),
    ({"proposed_grade": "A", "contracts": BREACHED, "contracts_note": "2人未签合同"},
     {"proposed_grade": "评价内容中有“存在问题”的项目，不能申报A级（守法诚信）"}),
    ({"proposed_grade": "A", "contracts": BREACHED, "dispatch": BREACHED, "dispatch_note": "比例超标"},
     {"contracts_note": "“与劳动者订立劳动合同的情况”选择了存在问题，请说明具体情况",
      "proposed_grade": "评价内容中有“存在问题”的项目，不能申报A级（守法诚信）"}),
    ({"proposed_grade": "C", "rules": KEPT}, {}),
])
def test_declaration_rules(values, errors):
    base = {code: KEPT for code, _ in grade_rules.CRITERIA}
    assert grade_rules.declaration_errors({**base, **values}) == errors


async def test_bad_declaration_lists_every_problem_and_keeps_what_was_typed(client):
    await client.sign_in_employer(await make_employer())
    page = await client.page("/labor-inspection/grade")
    assert len(page.select("input[name=rules]")) == 2 and page.select_one("#f-division_code option[value='460105001']")
    bad = await client.post_form("/labor-inspection/grade", declaration(
        contracts=BREACHED, contracts_note="", opinion="", contact_phone="12345", division_code="460202001",
        other="另有说明"))
    assert bad.status_code == 200
    bad = BeautifulSoup(bad.text, "html.parser")
    summary = bad.select_one(".app-error-summary").get_text()
    for message in ("请说明具体情况", "不能申报A级", "请填写申报意见", "请从列表中选择实际经营地所在街道（乡镇）"):
        assert message in summary, message
    assert bad.select_one("#f-contact_phone")["value"] == "12345"
    assert bad.select_one("#f-other").get_text() == "另有说明"
    assert bad.select_one("input[name=contracts][value=存在问题]").has_attr("checked")
    assert await InsGrade.count() == 0


async def test_one_declaration_per_employer_and_year(client):
    await client.sign_in_employer(await make_employer())
    matter = await declare(client, proposed_grade="B", wages=BREACHED, wages_note="延期发放")
    assert matter["state"] == "submitted" and matter["squad_code"] == SQUAD
    assert matter["payload"]["contact_phone"] == "138****0001"  # masked for the workbench
    form = await client.page("/labor-inspection/grade")
    assert form.select_one("#f-year option[selected]")["value"] == str(service.this_year())  # the year still open
    assert matter["number"] in form.select_one("[data-testid=grade-declared]").get_text()
    assert form.select_one("#f-contact_name")["value"] == "李联系"  # the last declaration's contact
    again = await client.post_form("/labor-inspection/grade", declaration())
    assert again.status_code == 200 and "每个单位每年度申报一次" in again.text
    other_year = await declare(client, year=str(service.this_year()))
    assert other_year["id"] != matter["id"]
    full = await client.page("/labor-inspection/grade")
    assert full.select_one("[data-testid=grade-all-declared]") and not full.select("#f-opinion")
    # a withdrawn declaration frees its year
    withdrawn = await client.post_form(f"/matters/{matter['id']}/fire",
                                       {"transition": "withdraw", "version": str(matter["version"])})
    assert withdrawn.status_code == 303
    redeclared = await declare(client)
    assert redeclared["id"] not in (matter["id"], other_year["id"])
    assert await InsGrade.count() == 2
    progress = await client.page("/labor-inspection/grade/progress")
    assert redeclared["number"] in progress.get_text() and other_year["number"] in progress.get_text()


async def test_grade_appeal_by_another_staff_member_and_history(client, other_client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    matter = await declare(client)

    await sign_in_grader(other_client, "grader", display_name="评定员")
    modal = await other_client.page(f"/workbench/matters/{matter['id']}", htmx=True)
    assert "与劳动者订立劳动合同的情况" in modal.get_text() and modal.select_one("#f-grade")
    no_reason = await fire(other_client, matter["id"], "decide", grade="C")
    assert "请填写评定理由" in no_reason.text and await state_of(matter["id"]) == "submitted"
    graded = await fire(other_client, matter["id"], "decide", grade="C", opinion="2025年因拖欠工资被查处三次")
    assert graded.status_code == 200 and await state_of(matter["id"]) == "decided"

    # the message centre tells the grade, the reasons and the last day to appeal
    message = await Message.select().where(Message.matter == matter["id"]).order_by(Message.id, ascending=False).first()
    assert "评定等级：C级（不守法诚信）" in message["text"] and "拖欠工资" in message["text"]
    assert "如需申诉，请于" in message["text"]
    assert (await service.latest_grades(employer["id"], [int(matter["payload"]["year"])]))[
        int(matter["payload"]["year"])]["grade"] == "C"

    # the employer appeals with a material
    appeals = await client.page("/labor-inspection/grade/appeal")
    assert matter["number"] in appeals.get_text()
    form = await client.page(f"/labor-inspection/grade/appeal/{matter['id']}")
    assert "拖欠工资" in form.get_text() and form.select_one("[data-testid=grade-appeal-window]")
    empty = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                   {"reasons": "", "version": str(await _version(matter["id"]))})
    assert "请填写申诉理由" in empty.text
    bad_file = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                      {"reasons": "三次查处中两次已撤销", "version": str(await _version(matter["id"]))},
                                      files={"file": ("证明.pdf", b"not a pdf")})
    assert "只能上传PDF、JPG或PNG格式的文件" in bad_file.text
    assert BeautifulSoup(bad_file.text, "html.parser").select_one("#f-reasons").get_text() == "三次查处中两次已撤销"
    appealed = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                      {"reasons": "三次查处中两次已撤销", "version": str(await _version(matter["id"]))},
                                      files={"file": ("撤销决定书.pdf", pdf_bytes("revoked"))})
    assert appealed.status_code == 303, appealed.text[:600]
    assert await state_of(matter["id"]) == "appealed"
    assert await Material.count().where((Material.matter == matter["id"]) & (Material.code == "appeal_evidence")) == 1

    # whoever graded cannot decide the appeal (SECURITY 12, the engine's one person one stage)
    refused = await fire(other_client, matter["id"], "change", new_grade="B", opinion="撤销两次")
    assert "同一人员不能办理两个环节" in refused.text and await state_of(matter["id"]) == "appealed"

    await sign_in_grader(other_client, "appeal_judge", display_name="复核员")
    panel = await other_client.page(f"/workbench/matters/{matter['id']}", htmx=True)
    history = panel.select_one("[data-testid=grade-history]").get_text()
    assert "C级（不守法诚信）" in history and "评定员" in history
    assert "撤销决定书.pdf" in panel.get_text()
    same = await fire(other_client, matter["id"], "change", new_grade="C", opinion="改为C")
    assert "变更后的等级与原评定相同" in same.text and await state_of(matter["id"]) == "appealed"
    changed = await fire(other_client, matter["id"], "change", new_grade="B", opinion="经核实两次查处已撤销，变更为B级")
    assert changed.status_code == 200 and await state_of(matter["id"]) == "changed"
    told = await Message.select().where(Message.matter == matter["id"]).order_by(Message.id, ascending=False).first()
    assert "变更后的等级：B级（基本守法诚信）" in told["text"] and "如需申诉" not in told["text"]

    rows = await InsGradeHistory.select().where(InsGradeHistory.employer == employer["id"]).order_by(InsGradeHistory.id)
    assert [(r["grade"], r["source"]) for r in rows] == [("C", "decide"), ("B", "appeal_change")]
    assert rows[1]["reasons"] == "经核实两次查处已撤销，变更为B级"
    year = int(matter["payload"]["year"])
    assert (await service.latest_grades(employer["id"], [year, year - 1])).keys() == {year}
    assert (await service.latest_grades(employer["id"], [year]))[year]["grade"] == "B"

    results = await client.page("/labor-inspection/grade/appeal-results")
    card = results.select_one("[data-testid=grade-appeal-result]").get_text()
    assert "变更评定" in card and "C级（不守法诚信）" in card and "三次查处中两次已撤销" in card
    assert results.select_one("[data-testid=grade-current]").get_text() == "B级（基本守法诚信）"
    progress = await client.page("/labor-inspection/grade/progress")
    assert "申诉变更" in progress.select_one("[data-testid=grade-history]").get_text()


async def _version(matter_id: int) -> int:
    return (await Matter.select(Matter.version).where(Matter.id == matter_id).first())["version"]


async def test_appeal_within_fifteen_working_days_across_a_holiday(client, other_client, monkeypatch):
    # Graded Mon 3 Mar 2031; a holiday on Mon 10 Mar moves the 15th working day from Mon 24 to Tue 25 Mar.
    clock = {"now": datetime(2031, 3, 3, 2, 0, tzinfo=UTC)}
    monkeypatch.setattr(transitions, "now", lambda: clock["now"])
    async with write_transaction():
        await Holiday.insert(Holiday(day=date(2031, 3, 10), is_workday=False, name="测试申诉假日"))
    try:
        await client.sign_in_employer(await make_employer())
        matter = await declare(client, year=str(service.this_year()))
        await sign_in_grader(other_client, "grader15")
        assert (await fire(other_client, matter["id"], "decide", grade="B", opinion="有一次查处")).status_code == 200
        message = await Message.select().where(Message.matter == matter["id"]).order_by(Message.id, ascending=False).first()
        assert "如需申诉，请于2031年3月25日前（含当日）提出" in message["text"]

        clock["now"] = datetime(2031, 3, 26, 1, 0, tzinfo=UTC)  # 09:00 Wed 26 Mar in Hainan: one day late
        late = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                      {"reasons": "不服", "version": str(await _version(matter["id"]))})
        assert "最后一天为2031年3月25日" in late.text and await state_of(matter["id"]) == "decided"
        # the generic matter page refuses it the same way (the engine's rule, not only the domain page's)
        late_generic = await client.post_form(f"/matters/{matter['id']}/fire", {
            "transition": "appeal", "version": str(await _version(matter["id"])), "opinion": "不服"})
        assert "最后一天为2031年3月25日" in late_generic.text
        detail = await client.page(f"/matters/{matter['id']}")
        # past the window the grade is final: neither 申诉 nor 接受评定 is offered
        assert not detail.select("button[value=appeal]") and not detail.select("button[value=accept_decision]")
        listed = await client.page("/labor-inspection/grade/appeal")
        assert "申诉期已过" in listed.get_text()

        clock["now"] = datetime(2031, 3, 25, 15, 0, tzinfo=UTC)  # 23:00 Tue 25 Mar in Hainan: the last day
        in_time = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                         {"reasons": "不服", "version": str(await _version(matter["id"]))})
        assert in_time.status_code == 303, in_time.text[:500]
        assert await state_of(matter["id"]) == "appealed"
    finally:
        async with write_transaction():
            await Holiday.delete().where(Holiday.name == "测试申诉假日")


async def test_an_unappealed_grade_reads_final_once_its_window_has_passed(client, other_client, monkeypatch):
    """已评定 stays the stored state; from the day after the 15th working day every page names it 已生效."""
    clock = {"now": datetime(2031, 3, 3, 2, 0, tzinfo=UTC)}  # graded Mon 3 Mar 2031: the window ends Mon 24 Mar
    monkeypatch.setattr(transitions, "now", lambda: clock["now"])
    await client.sign_in_employer(await make_employer())
    matter = await declare(client, year=str(service.this_year()))
    await sign_in_grader(other_client, "grader_final")
    assert (await fire(other_client, matter["id"], "decide", grade="B", opinion="有一次查处")).status_code == 200

    def status(page) -> str:
        """The 当前状态 line of a matter page (the timeline below still names the step 已评定)."""
        return next(p.get_text(" ", strip=True) for p in page.select("p") if p.get_text().startswith("当前状态"))

    async def shown() -> dict[str, str]:
        detail = await client.page(f"/matters/{matter['id']}")
        mine = await client.page("/matters")
        progress = await client.page("/labor-inspection/grade/progress")
        return {
            "progress": progress.select_one("[data-testid=grade-progress] tbody tr").get_text(" ", strip=True),
            "detail": status(detail),
            "mine": next(tr for tr in mine.select("tbody tr") if matter["number"] in tr.get_text()).get_text(" "),
            "staff": status(await other_client.page(f"/workbench/matters/{matter['id']}")),
            "by number": status(await client.page(f"/matters/progress?number={matter['number']}")),
            "appeals": (await client.page("/labor-inspection/grade/appeal")).get_text(" ", strip=True),
            "window": detail.select_one("[data-testid=grade-appeal-window]").get_text(strip=True),
            "accept": str(bool(detail.select("button[value=accept_decision]"))),
        }

    pages = ("progress", "detail", "mine", "staff", "by number")
    clock["now"] = datetime(2031, 3, 24, 15, 0, tzinfo=UTC)  # 23:00 Mon 24 Mar in Hainan: the last day
    before = await shown()
    for page in pages:
        assert "已评定" in before[page] and "已生效" not in before[page], (page, before[page])
    assert before["accept"] == "True" and "截止" in before["window"]

    clock["now"] = datetime(2031, 3, 24, 16, 0, tzinfo=UTC)  # 00:00 Tue 25 Mar: the window has passed
    after = await shown()
    for page in pages:
        assert "已生效" in after[page] and "已评定" not in after[page], (page, after[page])
    assert "申诉期已过，评定已生效" in after["appeals"] and after["accept"] == "False"
    assert after["window"] == "申诉期限已于2031年3月24日届满，评定已生效，不能再申诉。"
    assert "B" in after["progress"]  # the grade itself is unchanged
    late = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                  {"reasons": "不服", "version": str(await _version(matter["id"]))})
    assert "现已不能申诉" in late.text
    # nor is its material offered or taken any more
    assert not (await client.page(f"/matters/{matter['id']}")).select("select[name=code]")
    upload = await client.post_form(f"/matters/{matter['id']}/materials", {"code": "appeal_evidence"},
                                    files={"file": ("证明.pdf", pdf_bytes(), "application/pdf")})
    assert "现已不能申诉" in upload.text
    assert await Material.count().where(Material.matter == matter["id"]) == 0
    assert await state_of(matter["id"]) == "decided"  # computed on read: nothing was written


async def test_a_division_without_streets_offers_its_districts(client):
    # 三亚 has no 乡级 rows in the dictionary: its employers choose a district, whose 中队 takes the declaration.
    await client.sign_in_employer(await make_employer(division_code="460200"))
    page = await client.page("/labor-inspection/grade")
    offered = [o["value"] for o in page.select("#f-division_code option") if o["value"]]
    assert "460202" in offered and "460200" not in offered
    matter = await declare(client, division_code="460202")
    assert matter["squad_code"] == "Z460202"


async def test_an_upheld_appeal_keeps_the_grade(client, other_client):
    employer = await make_employer()
    await client.sign_in_employer(employer)
    matter = await declare(client)
    await sign_in_grader(other_client, "grader_u")
    assert (await fire(other_client, matter["id"], "decide", grade="C", opinion="查处三次")).status_code == 200
    appealed = await client.post_form(f"/labor-inspection/grade/appeal/{matter['id']}",
                                      {"reasons": "不服", "version": str(await _version(matter["id"]))})
    assert appealed.status_code == 303
    await sign_in_grader(other_client, "judge_u")
    missing = await fire(other_client, matter["id"], "uphold")
    assert "请填写申诉处理意见" in missing.text
    assert (await fire(other_client, matter["id"], "uphold", opinion="查处决定均有效，维持C级")).status_code == 200
    assert await state_of(matter["id"]) == "upheld"
    year = int(matter["payload"]["year"])
    assert (await service.latest_grades(employer["id"], [year]))[year]["grade"] == "C"
    assert await InsGradeHistory.count() == 1
    results = (await client.page("/labor-inspection/grade/appeal-results")).get_text()
    assert "申诉不成立（维持原评定）" in results and "查处决定均有效，维持C级" in results
    again = await client.page(f"/labor-inspection/grade/appeal/{matter['id']}")
    assert "当前不在可申诉的状态" in again.get_text() and not again.select("#f-reasons")
