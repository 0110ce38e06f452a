"""HRA-12 历史数据采集 over HTTP: ① 文件检查 → ② 数据检查 → ③ 确认导入, a failed file and its fix, two confirms racing,
scope, and the cross-tenant matrix over every new URL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from domains.hr_agency import history, register
from domains.hr_agency.matters import ACCEPT, MANAGE
from domains.hr_agency.tables import Agency, Licence, ServiceFiling
from portal.core.tables import AuditLog
from portal.dataservices.tables import ImportJob
from portal.validators import org_check_digit, uscc_check_digit
from tests.hr_agency.factories import make_agency
from tests.hr_agency.support import staff
from tests.support.urls import url_for
from tests.support.workbooks import filled, workbook


def uscc(n: int, division: str = "460105") -> str:
    org8 = f"MH{n:06d}"
    first17 = f"91{division}{org8}{org_check_digit(org8)}"
    return first17 + uscc_check_digit(first17)


def history_row(n: int, **over: Any) -> list[Any]:
    row = {"name": f"历史人力资源{n}有限公司", "uscc": uscc(n), "legal_rep": "王法人", "division": "秀英区",
           "address": f"秀英路{n}号", "type": "经营性人力资源服务机构", "contact": "李联系", "phone": "0898-66001234",
           "licence_no": f"（琼）人服证字〔2019〕第460105{n:04d}号", "licence_on": "2019-03-01", "valid_until": "",
           "licence_services": "为劳动者介绍用人单位、为用人单位推荐劳动者", "filing_no": "", "filed_on": "",
           "filing_services": "", "status": "正常", "ended_on": ""}
    row.update(over)
    return list(row.values())


async def upload(client, rows: list[list[Any]], name: str = "历史数据.xlsx"):
    template = await client.get(url_for("hra_history_template"))
    assert template.status_code == 200
    return await client.post_form(url_for("hra_history_upload"),
                                  files={"file": (name, filled(template.content, rows))})


async def sign_in_manager(app, client, username: str = "hra_hist", division: str = "460100") -> dict:
    user, _ = await staff(app, username, [MANAGE], division=division)
    await client.sign_in("staff", uid=user["id"])
    return user


async def test_three_steps_with_a_failed_file_and_its_fix(app, client):
    await sign_in_manager(app, client)
    existing = await make_agency(name="已有机构", division="460105")
    taken_no = (await Licence.select(Licence.licence_no).where(Licence.id == existing["licence_id"]).first())["licence_no"]
    # ① a file that is not a workbook stays at step ①, the reason beside the field
    bad = await client.post_form(url_for("hra_history_upload"), files={"file": ("x.xlsx", b"not a workbook")})
    assert bad.status_code == 400 and "不是有效的Excel" in bad.text and "第1步 文件检查" in bad.text
    rows = [
        history_row(1),
        history_row(2, filing_no="琼人服备〔2020〕4601050002号", filed_on="2020-05-06",
                    filing_services="人力资源培训"),
        history_row(3, licence_no="人服证123"),  # number format
        history_row(4, uscc=uscc(1)),  # duplicate 统一社会信用代码 in the file
        history_row(5, division="天涯区"),  # outside the staff member's divisions
        history_row(6, licence_no=taken_no),  # number used by an existing licence
        history_row(7, status="已注销"),  # 注销日期 missing
    ]
    response = await upload(client, rows)
    assert response.status_code == 303
    page = await client.page(response.headers["location"])
    text = page.get_text()
    assert "第2步 数据检查" in text and "共7行，2行通过" in text
    table = page.select_one("[data-testid=hra-history-rows]").get_text()
    for reason in ("许可证编号格式不正确", "统一社会信用代码与第2行重复", "不在您的管辖范围内", "已被系统中的其他许可使用",
                   "注销日期不能为空"):
        assert reason in table, reason
    assert await Agency.count().where(Agency.source == "history") == 0  # nothing written before ③
    job = await ImportJob.select().where(ImportJob.sheet_name == "hra_history").first()
    # the failed-rows workbook (the platform's) is offered at step ②
    failed = await client.get(url_for("import_failed_rows", token=job["token"]))
    assert failed.status_code == 200
    sheet = workbook(failed.content).worksheets[1]
    header = [c.value for c in sheet[1]]
    reasons = {sheet.cell(row=r, column=2).value: sheet.cell(row=r, column=header.index("失败原因") + 1).value
               for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=2).value}
    assert len(reasons) == 5 and "许可证编号格式不正确" in reasons[uscc(3)] and "历史人力资源1" not in str(reasons)
    # htmx: only the failed rows, the block alone
    fragment = await client.page(response.headers["location"] + "?only=failed", htmx=True)
    assert "历史人力资源1有限公司" not in fragment.get_text() and "历史人力资源3有限公司" in fragment.get_text()
    # ③ 确认导入: the two rows that passed, all at once
    confirmed = await client.post_form(url_for("hra_history_confirm", token=job["token"]))
    assert confirmed.status_code == 303
    done = (await client.page(confirmed.headers["location"])).get_text()
    assert "已确认导入2行" in done and "第3步 确认导入" in done
    imported = await Agency.select().where(Agency.source == "history").order_by(Agency.id)
    assert [a["name"] for a in imported] == ["历史人力资源1有限公司", "历史人力资源2有限公司"]
    assert imported[1]["services_label"] == "为劳动者介绍用人单位、为用人单位推荐劳动者、人力资源培训"
    assert await ServiceFiling.count().where(ServiceFiling.filing_no == "琼人服备〔2020〕4601050002号") == 1
    licence = await Licence.select().where(Licence.agency == imported[0]["id"]).first()
    assert str(licence["valid_until"]) == "2024-02-29" and licence["status"] == "valid"
    assert await AuditLog.count().where(AuditLog.action == "history.import") == 1
    # a second confirmation writes nothing more
    await client.post_form(url_for("hra_history_confirm", token=job["token"]))
    assert await Agency.count().where(Agency.source == "history") == 2
    # the fix: the failed rows corrected and uploaded again
    fixed = [history_row(3), history_row(4, uscc=uscc(4)), history_row(7, status="已注销", ended_on="2023-06-30")]
    again = await upload(client, fixed, "改正.xlsx")
    job2 = await client.page(again.headers["location"])
    assert "共3行，3行通过" in job2.get_text()
    token2 = again.headers["location"].rsplit("/", 1)[1]
    await client.post_form(url_for("hra_history_confirm", token=token2))
    assert await Agency.count().where(Agency.source == "history") == 5
    ended = await Agency.select().where(Agency.uscc == uscc(7)).first()
    assert ended["status"] == "deregistered" and json.loads(ended["services"]) == []
    assert (await Licence.select(Licence.status).where(Licence.agency == ended["id"]).first())["status"] == "revoked"
    register_text = (await client.page(url_for("hra_register"))).get_text()
    assert "历史人力资源3有限公司" in register_text and "历史人力资源7有限公司" not in register_text
    assert await register.stale() == []
    # listed on the 历史数据采集 page and in 机构管理 as 历史导入, edited and deleted there
    listed = (await client.page(url_for("hra_history"))).get_text()
    assert "历史人力资源7有限公司" in listed and "已有机构" not in listed
    exported = await client.get(url_for("hra_history", {"export": "xlsx"}))
    names = [row[0].value for row in workbook(exported.content).active.iter_rows(min_row=2)]
    assert exported.status_code == 200 and len(names) == 5 and "已有机构" not in names
    assert "历史导入" in (await client.page(url_for("hra_agencies"))).get_text()
    detail = url_for("hra_agency_detail", agency_id=imported[0]["id"])
    assert (await client.post_form(detail + "/delete", {"reason": "重复导入"})).status_code == 303
    assert "历史人力资源1有限公司" not in (await client.page(url_for("hra_history"))).get_text()


async def test_rows_failing_at_confirmation_write_nothing(app, client):
    """The data changed between ② and ③ (the same agency entered meanwhile): the check runs again and nothing is
    written; the row shows its new reason and the rest can be confirmed."""
    await sign_in_manager(app, client)
    response = await upload(client, [history_row(11), history_row(12)])
    token = response.headers["location"].rsplit("/", 1)[1]
    await Agency(name="同时录入", uscc=uscc(12), legal_rep="赵", address="路", division_code="460105", agency_type="1",
                 contact_name="", contact_phone="", source="staff", created_at=datetime.now(UTC),
                 updated_at=datetime.now(UTC)).save()
    await client.post_form(url_for("hra_history_confirm", token=token))
    assert await Agency.count().where(Agency.source == "history") == 0
    text = (await client.page(url_for("hra_history_job", token=token))).get_text()
    assert "又有1行未通过" in text and "已在系统中" in text
    await client.post_form(url_for("hra_history_confirm", token=token))
    assert await Agency.count().where(Agency.source == "history") == 1


async def test_scope_and_cross_tenant_matrix(app, client):
    """Staff of another division see neither the job nor the agencies it imported; staff without hra.manage,
    employers and agencies reach none of the new URLs."""
    await sign_in_manager(app, client, "hra_hk", "460100")
    response = await upload(client, [history_row(21)])
    token = response.headers["location"].rsplit("/", 1)[1]
    await client.post_form(url_for("hra_history_confirm", token=token))
    mine = await Agency.select().where(Agency.source == "history").first()
    urls = [url_for("hra_history"), url_for("hra_history_import"), url_for("hra_history_template"),
            url_for("hra_history_job", token=token)]
    # a manager of 三亚: the page opens, but not Haikou's job nor its agencies; an upload for 秀英区 is refused
    await sign_in_manager(app, client, "hra_sy", "460200")
    assert "历史人力资源21有限公司" not in (await client.page(url_for("hra_history"))).get_text()
    assert (await client.get(url_for("hra_history_job", token=token))).status_code == 404
    assert (await client.post_form(url_for("hra_history_confirm", token=token))).status_code == 404
    assert (await client.get(url_for("import_failed_rows", token=token))).status_code == 404
    assert (await client.get(url_for("hra_agency_detail", agency_id=mine["id"]))).status_code == 404
    other = await upload(client, [history_row(22)])
    assert "不在您的管辖范围内" in (await client.page(other.headers["location"])).get_text()
    # 受理岗 without hra.manage: refused everywhere
    acceptor, _ = await staff(app, "hra_acc_h", [ACCEPT], division="460000")
    await client.sign_in("staff", uid=acceptor["id"])
    for url in urls:
        assert (await client.get(url)).status_code == 403, url
    assert (await client.post_form(url_for("hra_history_confirm", token=token))).status_code == 403
    assert (await client.post_form(url_for("hra_history_upload"), files={"file": ("x.xlsx", b"x")})).status_code == 403
    # an agency (employer session) and a signed-out visitor
    agency = await make_agency(name="网上机构", division="460105")
    await client.sign_in_employer(agency["employer"], acting_name="陈法人")
    for url in urls:
        assert (await client.get(url)).status_code in (401, 403), url
    assert await Agency.count().where(Agency.source == "history") == 1


async def test_a_running_check_shows_its_progress_and_polls(app, client):
    """A big file is checked in the background: step ② shows the progress and htmx polls the steps block."""
    user = await sign_in_manager(app, client, "hra_poll")
    await ImportJob(token="t" * 32, owner_key=f"staff:{user['id']}", sheet_name="hra_history", file_name="大.xlsx",
                    status="validating", total=10000, processed=3000, created_at=datetime.now(UTC)).save()
    url = url_for("hra_history_job", token="t" * 32)
    progress = (await client.page(url)).select_one("[data-testid=hra-history-progress]")
    assert "已检查 3000 行" in progress.get_text() and progress["hx-get"] == url
    fragment = await client.page(url, htmx=True)
    assert fragment.select_one("#history-steps [data-testid=hra-history-progress]") is not None
    assert "第2步 数据检查（当前步骤）" in fragment.get_text()


async def test_two_confirms_racing_over_the_same_codes_write_them_once(app, client, other_client, monkeypatch):
    """Two staff confirm files naming the same 统一社会信用代码 (and, in another row, the same 许可证编号) at the same
    moment. Held until both have rechecked, each recheck would pass and both files be written (PostgreSQL); the
    lock makes the second confirm wait for the first and then find the codes taken: its rows get their reasons,
    nothing of that file is written, and neither answer is a 500. On SQLite the writer queue does the same."""
    await sign_in_manager(app, client, "hra_race1")
    await sign_in_manager(app, other_client, "hra_race2")
    taken_later = history_row(32)[8]  # row 32's 许可证编号
    first = await upload(client, [history_row(31), history_row(32)])
    second = await upload(other_client, [history_row(31, licence_no="（琼）人服证字〔2019〕第4601050041号"),
                                         history_row(33, licence_no=taken_later)])
    tokens = [r.headers["location"].rsplit("/", 1)[1] for r in (first, second)]
    assert [j["ok_count"] for j in await ImportJob.select(ImportJob.ok_count).order_by(ImportJob.id)] == [2, 2]

    real, rechecked = history.checker, []

    def held(principal):
        check = real(principal)

        async def recheck_then_wait(rows):
            await check(rows)
            rechecked.append(len(rows))
            for _ in range(20):  # up to a second for the other confirm to have rechecked too
                if len(rechecked) >= 2:
                    break
                await asyncio.sleep(0.05)

        return recheck_then_wait

    monkeypatch.setattr(history, "checker", held)
    responses = await asyncio.gather(*(c.post_form(url_for("hra_history_confirm", token=t))
                                       for c, t in ((client, tokens[0]), (other_client, tokens[1]))))
    assert [r.status_code for r in responses] == [303, 303]
    assert await Agency.count().where(Agency.uscc == uscc(31)) == 1
    assert await Agency.count().where(Agency.source == "history") == 2
    assert await Licence.count().where(Licence.licence_no == taken_later) == 1
    jobs = {j["token"]: j for j in await ImportJob.select()}
    assert sorted(jobs[t]["status"] for t in tokens) == ["checked", "done"]
    loser = next(t for t in tokens if jobs[t]["status"] == "checked")
    assert jobs[loser]["ok_count"] == 0 and not jobs[loser]["written"]
    owner = client if loser == tokens[0] else other_client
    text = (await owner.page(url_for("hra_history_job", token=loser))).get_text()
    assert "又有2行未通过" in text and "已在系统中" in text and "已被系统中的其他许可使用" in text
