"""Staff never see an applicant's unsubmitted matter or its materials (issue #12 item 5, SECURITY 32)."""

from __future__ import annotations

from portal.workflow import engine
from portal.workflow.materials import upload_material
from tests.support.files import pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal

PDF = pdf_bytes("draft of A")


async def _draft_with_material(app, applicant, secret="草稿机密"):
    matter = await engine.create_matter(applicant, "t_review", payload={"secret": secret}, title="未提交的备案")
    material = await upload_material(applicant, matter["id"], "licence", "a.pdf", PDF,
                                     storage_dir=app.state.settings.storage_dir)
    return matter, material


async def _reviewer(app, client):
    await client.sign_in_staff("drafts", permissions=["test.review"], scopes={"division": ["460000"]})


async def test_a_draft_and_its_material_are_404_for_staff_in_jurisdiction(app, client):
    _, applicant = await employer_with_principal()
    matter, material = await _draft_with_material(app, applicant)
    withdrawn, _ = await _draft_with_material(app, applicant, "撤回的草稿")
    await engine.fire(applicant, withdrawn["id"], "withdraw", expected_version=withdrawn["version"])
    await _reviewer(app, client)
    for url in (url_for("workbench_matter", matter_id=matter["id"]), url_for("material_download", material_id=material["id"]),
                url_for("workbench_matter", matter_id=withdrawn["id"])):
        r = await client.get(url)
        assert r.status_code == 404, url
        assert "草稿机密" not in r.text and r.content != PDF
    for state in ("draft", "withdrawn", ""):
        r = await client.get(url_for("workbench", {"state": state, "kind": "t_review"}))
        assert r.status_code == 200
        assert matter["number"] not in r.text and withdrawn["number"] not in r.text, state
    fire = await client.post_form(url_for("workbench_fire", matter_id=matter["id"]), {"transition": "approve", "version": "1"})
    assert fire.status_code == 404


async def test_once_submitted_the_matter_and_material_are_visible(app, client):
    _, applicant = await employer_with_principal()
    matter, material = await _draft_with_material(app, applicant)
    await engine.fire(applicant, matter["id"], "submit", expected_version=matter["version"])
    await _reviewer(app, client)
    assert (await client.get(url_for("workbench_matter", matter_id=matter["id"]))).status_code == 200
    assert (await client.get(url_for("material_download", material_id=material["id"]))).status_code == 200
    assert matter["number"] in (await client.get(url_for("workbench"))).text
    # Withdrawn after submission: still a record staff may look up.
    await engine.fire(applicant, matter["id"], "withdraw", expected_version=matter["version"] + 1)
    assert (await client.get(url_for("workbench_matter", matter_id=matter["id"]))).status_code == 200


def test_unsubmitted_states_are_the_initial_state_and_what_follows_without_the_clock():
    from portal.workflow.scope import unsubmitted_states

    states = unsubmitted_states()
    assert {"draft", "withdrawn", "voided"} <= states
    assert not states & {"submitted", "returned", "rejected", "approved", "decided"}
