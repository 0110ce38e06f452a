"""The flow shapes through HTTP: 批量确认, withdrawal, decision → appeal with extra fields, receipt, upload limits."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from portal.workflow import engine
from portal.workflow.materials import MAX_BYTES, check_upload, sniff
from portal.workflow.tables import Matter
from tests.support.factories import make_staff
from tests.support.files import pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal


async def test_applicant_confirms_many_drafts_at_once(app, client):
    employer, applicant = await employer_with_principal()
    drafts = [await engine.create_matter(applicant, "t_confirm", payload={"n": i}, title=f"增员{i}") for i in range(3)]
    await client.sign_in_employer(employer)
    soup = await client.page(url_for("matters_mine", {"kind": "t_confirm"}))
    boxes = [b["value"] for b in soup.find_all("input", attrs={"name": "matter"})]
    assert len(boxes) == 3
    response = await client.post_form(url_for("matters_batch"), {"transition": "confirm", "matter": boxes[:2]})
    assert response.status_code == 200 and response.text.count("办理成功") == 2
    states = {r["id"]: r["state"] for r in await Matter.select(Matter.id, Matter.state)}
    assert sorted(states.values()) == ["draft", "submitted", "submitted"]
    # A staff-only transition cannot be fired in batch from the applicant side.
    left = next(d["id"] for d in drafts if states[d["id"]] == "draft")
    response = await client.post_form(url_for("matters_batch"), {"transition": "approve", "matter": [f"{left}:1"]})
    assert "您没有" in response.text
    assert (await Matter.select(Matter.state).where(Matter.id == left).first())["state"] == "draft"


async def test_withdraw_before_acceptance_only(app, client):
    employer, applicant = await employer_with_principal()
    first = await engine.create_matter(applicant, "t_licence", payload={}, title="撤回我", submit=True)
    second = await engine.create_matter(applicant, "t_licence", payload={}, title="已受理", submit=True)
    acceptor = await make_staff(app, "acc", permissions=["test.accept"])
    from tests.workflow.support import staff_principal

    await engine.fire(staff_principal(acceptor["id"], ["test.accept"]), second["id"], "accept", expected_version=2)
    await client.sign_in_employer(employer)
    soup = await client.page(url_for("matter_detail", matter_id=first["id"]))
    assert soup.find("button", attrs={"value": "withdraw"})
    response = await client.post_form(url_for("matter_fire", matter_id=first["id"]), {"transition": "withdraw", "version": "2"})
    assert response.status_code == 303
    assert "办件已撤回" in (await client.page(response.headers["location"])).get_text()
    soup = await client.page(url_for("matter_detail", matter_id=second["id"]))
    assert soup.find("button", attrs={"value": "withdraw"}) is None
    response = await client.post_form(url_for("matter_fire", matter_id=second["id"]), {"transition": "withdraw", "version": "3"})
    assert "不能撤回" in response.text
    assert (await Matter.select(Matter.state).where(Matter.id == second["id"]).first())["state"] == "accepted"


async def test_decision_then_appeal_then_appeal_decision(app, client, other_client):
    employer, applicant = await employer_with_principal()
    matter = await engine.create_matter(applicant, "t_appeal", payload={}, title="信用等级申报", submit=True)
    await other_client.sign_in_staff("dec", permissions=["test.decide", "test.appeal"])
    modal = await other_client.page(url_for("workbench_matter", matter_id=matter["id"]), htmx=True)
    assert modal.find("select", attrs={"name": "grade"})
    url = url_for("workbench_fire", matter_id=matter["id"])
    response = await other_client.post_form(url, {"transition": "decide", "version": "2", "grade": "Z"}, htmx=True)
    assert "请从列表中选择评定等级" in response.text
    response = await other_client.post_form(url, {"transition": "decide", "version": "2", "grade": "B"}, htmx=True)
    assert "已评定" in response.text
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("matter_fire", matter_id=matter["id"]), {"transition": "appeal", "version": "3"})
    assert "请填写申诉理由" in response.text
    await client.post_form(url_for("matter_fire", matter_id=matter["id"]),
                           {"transition": "appeal", "version": "3", "opinion": "我单位无欠薪记录"})
    # The member who decided cannot also decide the appeal (SECURITY 12).
    response = await other_client.post_form(
        url, {"transition": "change", "version": "4", "grade": "A", "opinion": "核实无欠薪"}, htmx=True)
    assert "同一人员不能办理两个环节" in response.text
    await other_client.sign_in_staff("app", permissions=["test.appeal"])
    await other_client.post_form(url, {"transition": "change", "version": "4", "grade": "A", "opinion": "核实无欠薪"},
                                 htmx=True)
    row = await engine.get_matter_for(applicant, matter["id"])
    assert row["state"] == "changed" and row["result"]["grade"] == "A"
    actions = [e["action"] for e in await engine.timeline(matter["id"])]
    assert actions == ["create", "submit", "decide", "appeal", "change"]


async def test_receipt_pdf_of_a_submitted_matter(app, client):
    employer, applicant = await employer_with_principal(name="海南回执测试有限公司")
    matter = await engine.create_matter(applicant, "t_licence", payload={}, title="许可", submit=True)
    await client.sign_in_employer(employer)
    response = await client.get(url_for("matter_receipt", matter_id=matter["id"]))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = await asyncio.to_thread(
        subprocess.run, ["/usr/bin/pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    )
    text = text.stdout
    assert matter["number"] in text.decode() and "海南回执测试有限公司" in text.decode()


def test_upload_type_is_sniffed_and_size_bounded():
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"<html><script>") is None
    assert sniff(b"PK\x03\x04") is None
    with pytest.raises(engine.WorkflowError, match="不能超过10MB"):
        check_upload(b"%PDF-" + b"0" * MAX_BYTES)
    with pytest.raises(engine.WorkflowError, match="空的"):
        check_upload(b"")


async def test_materials_are_replaceable_only_while_editable(app, client):
    from portal.workflow.materials import materials_of, upload_material

    employer, applicant = await employer_with_principal()
    matter = await engine.create_matter(applicant, "t_review", payload={}, title="材料")
    storage = app.state.settings.storage_dir
    await upload_material(applicant, matter["id"], "licence", "旧.pdf", pdf_bytes("old"), storage_dir=storage)
    await upload_material(applicant, matter["id"], "licence", "新.pdf", pdf_bytes("new"), storage_dir=storage)
    current = await materials_of(matter["id"])
    assert [m["filename"] for m in current] == ["新.pdf"]
    # Content-addressed: the stored file is named by its hash, outside the web root, and holds the bytes.
    stored = storage / current[0]["storage_path"]
    assert stored.name == current[0]["sha256"] and stored.read_bytes() == pdf_bytes("new")
    assert "static" not in stored.parts
    await engine.fire(applicant, matter["id"], "submit", expected_version=1)
    await client.sign_in_employer(employer)
    response = await client.post_form(url_for("matter_upload", matter_id=matter["id"]), {"code": "licence"},
                                      files={"file": ("再换.pdf", pdf_bytes("again"), "application/pdf")})
    assert "不能修改材料" in response.text
    assert [m["filename"] for m in await materials_of(matter["id"])] == ["新.pdf"]
