"""Applicant pages and the staff workbench through HTTP: the whole 办件 flow a person does in the browser."""

from __future__ import annotations

import re

from portal.workflow import engine
from portal.workflow.tables import Material, Matter, Message
from tests.support.files import pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal, staff_principal

PDF = pdf_bytes("营业执照")


async def _staff(app, client, username, permissions, division="460000"):
    row = await client.sign_in_staff(username, permissions=permissions, scopes={"division": [division]})
    return staff_principal(row["id"], permissions, division)


async def test_applicant_draft_upload_submit_confirmation_and_messages(app, client):
    employer, applicant = await employer_with_principal(name="海南椰风有限公司")
    draft = await engine.create_matter(applicant, "t_review", payload={"name": "张三"}, title="备案申请")
    await client.sign_in_employer(employer)
    url = url_for("matter_detail", matter_id=draft["id"])
    soup = await client.page(url)
    assert draft["number"] in soup.get_text() and "草稿" in soup.get_text()
    # Submitting without the required material is refused with the reason on the page.
    response = await client.post_form(f"{url}/fire", {"transition": "submit", "version": "1", "form_id": "f" * 20})
    assert response.status_code == 200 and "请先上传以下材料：营业执照" in response.text
    # A renamed text file is refused by its bytes; a real PDF is stored.
    response = await client.post_form(f"{url}/materials", {"code": "licence"},
                                      files={"file": ("licence.pdf", b"not a pdf at all", "application/pdf")})
    assert "只能上传PDF、JPG或PNG格式的文件" in response.text
    response = await client.post_form(f"{url}/materials", {"code": "licence"},
                                      files={"file": ("营业执照.pdf", PDF, "application/pdf")})
    assert response.status_code == 303
    soup = await client.page(url)
    link = soup.find("a", href=re.compile(r"^/materials/\d+$"))
    assert link and link.get_text() == "营业执照.pdf"
    download = await client.get(link["href"])
    assert download.status_code == 200 and download.content == PDF
    response = await client.post_form(f"{url}/fire", {"transition": "submit", "version": "1", "form_id": "g" * 20})
    assert response.status_code == 303, response.text[response.text.find("<main"):][:1500]
    assert response.headers["location"] == f"{url}/submitted"
    soup = await client.page(f"{url}/submitted")
    assert soup.find(attrs={"data-testid": "matter-number"}).get_text(strip=True) == draft["number"]
    # The same form posted again acts once.
    again = await client.post_form(f"{url}/fire", {"transition": "submit", "version": "1", "form_id": "g" * 20})
    assert again.status_code == 303
    assert (await Matter.select(Matter.version).where(Matter.id == draft["id"]).first())["version"] == 2
    soup = await client.page(url_for("home"))
    assert soup.find("span", class_="app-count").get_text() == "1"
    soup = await client.page(url_for("messages"))
    assert "已提交" in soup.get_text()
    await client.post_form(url_for("messages_read"), {})
    soup = await client.page(url_for("home"))
    assert soup.find("span", class_="app-count") is None


async def test_my_matters_filters_and_progress_by_number(app, client):
    employer, applicant = await employer_with_principal()
    a = await engine.create_matter(applicant, "t_licence", payload={}, title="许可一", submit=True)
    b = await engine.create_matter(applicant, "t_confirm", payload={}, title="增员二")
    _, other = await employer_with_principal()
    c = await engine.create_matter(other, "t_licence", payload={}, title="别人的")
    await client.sign_in_employer(employer)
    text = (await client.page(url_for("matters_mine"))).get_text()
    assert a["number"] in text and b["number"] in text and c["number"] not in text
    text = (await client.page(url_for("matters_mine", {"kind": "t_confirm"}))).get_text()
    assert b["number"] in text and a["number"] not in text
    text = (await client.page(url_for("matters_mine", {"state": "submitted"}))).get_text()
    assert a["number"] in text and b["number"] not in text
    fragment = await client.page(url_for("matters_mine", {"kind": "t_licence"}), htmx=True)
    assert fragment.find(id="matter-results") and not fragment.find("html")
    soup = await client.page(url_for("matter_progress", {"number": a["number"]}))
    assert "待受理" in soup.get_text() and soup.find(attrs={"data-testid": "timeline"})
    soup = await client.page(url_for("matter_progress", {"number": c["number"]}))
    assert "没有找到该编号的办件" in soup.get_text() and c["title"] not in soup.get_text()


async def test_my_matters_export_every_page_with_the_filters(app, client):
    import io

    from openpyxl import load_workbook

    employer, applicant = await employer_with_principal()
    a = await engine.create_matter(applicant, "t_licence", payload={}, title="许可一", submit=True)
    b = await engine.create_matter(applicant, "t_confirm", payload={}, title="增员二")
    _, other = await employer_with_principal()
    c = await engine.create_matter(other, "t_licence", payload={}, title="别人的")
    await client.sign_in_employer(employer)
    link = (await client.page(url_for("matters_mine", {"kind": "t_licence"}))).find("a", attrs={"data-testid": "list-export"})
    assert "kind=t_licence" in link["href"] and "export=xlsx" in link["href"]
    response = await client.get(link["href"])
    values = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    numbers = [row[0] for row in values[1:]]
    assert values[0][:4] == ["办件编号", "事项", "标题", "状态"]
    assert numbers == [a["number"]] and b["number"] not in numbers and c["number"] not in numbers


async def test_staff_reviews_in_modal_requires_opinion_and_stale_is_explained(app, client, other_client):
    employer, applicant = await employer_with_principal(division_code="460105")
    matter = await engine.create_matter(applicant, "t_licence", payload={"name": "<script>x</script>"},
                                        title="许可", submit=True)
    await _staff(app, client, "acc1", ["test.accept"])
    soup = await client.page(url_for("workbench"))
    assert matter["number"] in soup.find(attrs={"data-testid": "queue"}).get_text()
    modal = await client.page(url_for("workbench_matter", matter_id=matter["id"]), htmx=True)
    dialog = modal.find(attrs={"role": "dialog"})
    assert dialog and {b["value"] for b in dialog.find_all("button", attrs={"name": "transition"})} == {
        "accept", "return", "refuse"}
    assert "<script>" not in str(modal)
    assert employer["uscc"] in modal.get_text() and employer["contact_phone"] not in modal.get_text()
    url = url_for("workbench_fire", matter_id=matter["id"])
    response = await client.post_form(url, {"transition": "return", "version": "2", "opinion": ""}, htmx=True)
    assert response.status_code == 200 and "请填写补正内容" in response.text
    # A second reviewer accepts first; the first one then learns who won and what state it is in.
    await _staff(app, other_client, "acc2", ["test.accept"])
    response = await other_client.post_form(url, {"transition": "accept", "version": "2"}, htmx=True)
    assert "已受理" in response.text and response.headers.get("hx-trigger") == "workflow-changed"
    response = await client.post_form(url, {"transition": "return", "version": "2", "opinion": "缺材料"}, htmx=True)
    assert "该办件已被他人处理，当前状态：待审批" in response.text
    plain = await client.post_form(url, {"transition": "refuse", "version": "2", "opinion": "x"})
    assert plain.status_code == 409
    # Client-sent state is ignored: only the version is an expectation.
    await client.post_form(url, {"transition": "accept", "version": "3", "state": "approved"}, htmx=True)
    assert (await Matter.select(Matter.state).where(Matter.id == matter["id"]).first())["state"] == "accepted"


async def test_batch_approve_by_multi_select(app, client):
    employer, applicant = await employer_with_principal()
    ids = []
    for i in range(3):
        m = await engine.create_matter(applicant, "t_confirm", payload={"n": i}, title=f"增员{i}")
        ids.append((await engine.fire(applicant, m["id"], "confirm", expected_version=1))["id"])
    await _staff(app, client, "rev", ["test.review"])
    soup = await client.page(url_for("workbench", {"kind": "t_confirm"}))
    boxes = soup.find_all("input", attrs={"name": "matter"})
    assert len(boxes) == 3
    response = await client.post_form(url_for("workbench_batch"), {"transition": "approve", "matter": [b["value"] for b in boxes[:2]]})
    assert response.status_code == 200 and response.text.count("办理成功") == 2
    states = sorted(r["state"] for r in await Matter.select(Matter.state).where(Matter.id.is_in(ids)))
    assert states == ["approved", "approved", "submitted"]


async def test_evaluation_after_end_and_bad_rating_opens_followup(app, client, other_client):
    employer, applicant = await employer_with_principal()
    m = await engine.create_matter(applicant, "t_licence", payload={}, title="许可", submit=True)
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("matter_evaluate", matter_id=m["id"]), {"grade": "5"})
    assert "办件办结后才能评价" in response.text
    await engine.fire(applicant, m["id"], "withdraw", expected_version=2)
    response = await client.post_form(url_for("matter_evaluate", matter_id=m["id"]), {"grade": "1", "comment": ""})
    assert "请说明不满意的原因" in response.text
    response = await client.post_form(url_for("matter_evaluate", matter_id=m["id"]), {"grade": "1", "comment": "太慢了"})
    assert response.status_code == 303
    await _staff(app, other_client, "boss", ["workflow.followup", "workflow.evaluations"])
    soup = await other_client.page(url_for("workflow_followups"))
    assert "太慢了" in soup.find(attrs={"data-testid": "followups"}).get_text()
    soup = await other_client.page(url_for("workflow_evaluations"))
    assert "测试行政许可" in soup.find(attrs={"data-testid": "evaluation-stats"}).get_text()
    form = soup  # the follow-up is closed with a note
    followup_page = await other_client.page(url_for("workflow_followups"))
    action = followup_page.find("form", action=re.compile(r"/workbench/followups/\d+"))["action"]
    response = await other_client.post_form(action, {"note": "  "})
    assert response.status_code == 200 and response.text.count("请填写整改说明") == 2  # summary + field
    await other_client.post_form(action, {"note": "已电话回访并改进"})
    soup = await other_client.page(url_for("workflow_followups", {"status": "closed"}))
    assert "已电话回访并改进" in soup.get_text()
    assert form is not None
    # both lists export what they show.
    import io

    from openpyxl import load_workbook

    for url, expected in ((soup.find("a", attrs={"data-testid": "list-export"})["href"], "已电话回访并改进"),
                          ((await other_client.page(url_for("workflow_evaluations"))).find(
                              "a", attrs={"data-testid": "list-export"})["href"], "测试行政许可")):
        response = await other_client.get(url)
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert any(expected == c.value for row in sheet.iter_rows() for c in row), url
    assert await Message.count() >= 2


async def test_ten_reviewers_posting_at_once_one_wins_the_rest_see_already_handled(app):
    import asyncio

    from portal.core.tables import AuditLog
    from tests.support.client import PortalClient

    _, applicant = await employer_with_principal()
    matter = await engine.create_matter(applicant, "t_licence", payload={}, title="并发", submit=True)
    clients = []
    for i in range(10):
        c = PortalClient(app=app)
        await _staff(app, c, f"con{i}", ["test.accept"])
        await c.csrf_token()
        clients.append(c)
    url = url_for("workbench_fire", matter_id=matter["id"])
    try:
        responses = await asyncio.gather(*(c.post_form(url, {"transition": "accept", "version": "2"}) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    won = [r for r in responses if r.status_code == 303]
    lost = [r for r in responses if r.status_code == 409]
    assert len(won) == 1 and len(lost) == 9, [r.status_code for r in responses]
    assert all("该办件已被他人处理，当前状态：待审批" in r.text for r in lost)
    assert await AuditLog.count().where(AuditLog.action == "matter.accept") == 1


async def test_workbench_flags_overdue_and_due_soon_and_filters_by_flag(app, client):
    from datetime import timedelta

    from portal.db import write_transaction
    from portal.workflow.deadlines import local_date

    _, applicant = await employer_with_principal()
    late = await engine.create_matter(applicant, "t_licence", payload={}, title="超期", submit=True)
    soon = await engine.create_matter(applicant, "t_licence", payload={}, title="临期", submit=True)
    calm = await engine.create_matter(applicant, "t_licence", payload={}, title="正常", submit=True)
    today = local_date()
    async with write_transaction():
        await Matter.update({Matter.promised_deadline: today - timedelta(days=3)}).where(Matter.id == late["id"])
        await Matter.update({Matter.promised_deadline: today}).where(Matter.id == soon["id"])
        await Matter.update({Matter.promised_deadline: today + timedelta(days=40)}).where(Matter.id == calm["id"])
    await _staff(app, client, "flagger", ["test.accept"])
    soup = await client.page(url_for("workbench"))
    flags = {tr["data-matter"]: (tr.find(attrs={"data-flag": True}) or {}).get("data-flag")
             for tr in soup.find(attrs={"data-testid": "queue"}).find("tbody").find_all("tr")}
    assert flags == {str(late["id"]): "overdue", str(soon["id"]): "due_soon", str(calm["id"]): None}
    text = (await client.page(url_for("workbench", {"flag": "overdue"}))).find(attrs={"data-testid": "queue"}).get_text()
    assert late["number"] in text and soon["number"] not in text and calm["number"] not in text
    fragment = await client.page(url_for("workbench", {"flag": "due_soon"}), htmx=True)
    assert fragment.find(id="queue") and soon["number"] in fragment.get_text() and late["number"] not in fragment.get_text()


async def test_guide_page_lists_materials_and_time_limits(client):
    soup = await client.page("/guide/t_review")
    text = soup.get_text()
    assert "营业执照（必需）" in text and "法定办结时限：20 个工作日" in text and "承诺办结时限：5 个工作日" in text
    assert (await client.get("/guide/no_such_kind")).status_code == 404


async def test_materials_are_opened_not_sniffed_and_names_cleaned(app, client):
    """Issue #12 item 12: %PDF- alone is not a PDF; scripts and launch actions are refused; images are decoded;
    bidi and control characters leave the shown name."""
    from tests.support.files import image_bytes

    employer, applicant = await employer_with_principal(name="海南材料检查有限公司")
    draft = await engine.create_matter(applicant, "t_review", payload={"name": "张三"}, title="备案申请")
    await client.sign_in_employer(employer)
    url = url_for("matter_upload", matter_id=draft["id"])
    refused = {
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n": "文件不是有效的PDF",
        pdf_bytes(action="/JavaScript"): "PDF文件包含脚本或自动执行的动作",
        pdf_bytes(action="/Launch"): "PDF文件包含脚本或自动执行的动作",
        image_bytes("PNG")[:40]: "图片文件已损坏",
        b"\xff\xd8\xff\xe0" + b"\0" * 200: "图片文件已损坏",
    }
    for data, message in refused.items():
        response = await client.post_form(url, {"code": "licence"}, files={"file": ("a.pdf", data, "application/pdf")})
        assert message in response.text, message
    assert not await Material.exists().where(Material.matter == draft["id"])
    response = await client.post_form(url, {"code": "licence"},
                                      files={"file": ("passwd\u202egpj.pdf", image_bytes("JPEG"), "image/jpeg")})
    assert response.status_code == 303
    stored = await Material.select(Material.filename, Material.mime).where(Material.matter == draft["id"]).first()
    assert stored == {"filename": "passwdgpj.jpg", "mime": "image/jpeg"}
    assert "\u202e" not in (await client.get(url_for("matter_detail", matter_id=draft["id"]))).text
