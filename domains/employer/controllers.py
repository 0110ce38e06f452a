"""HTTP handlers of the employer domain: the employer record, 信息完善 (ACC-3, EMP-1), agents and their confirmation (ACC-2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import MultiDict
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery

from domains.employer import agents, forms, rules
from domains.employer.service import complete_profile, get_employer
from portal import audit
from portal.areas import agent_rights, held_rights
from portal.auth.principal import PROFILE_EXEMPT, PUBLIC, AgentRight
from portal.core import dictionary
from portal.dataservices.export import export_url, rows_export_response, wants_export
from portal.forms import ChoiceField, Form
from portal.pages.signin import finish_sign_in, held_sign_in
from portal.validators import mask_id_number, mask_phone
from portal.web import client_ip, redirect, render
from portal.webutil import safe_next

_CHOICE_CATEGORIES = {f.name: f.category for f in forms.PROFILE_FIELDS if getattr(f, "category", "")}


async def _options() -> dict[str, list[tuple[str, str]]]:
    return {f.name: list(await f.options()) for f in forms.PROFILE_FIELDS if isinstance(f, ChoiceField)}


async def _path_labels(category: str, code: str) -> str:
    """A tree code by its names from the root down, e.g. 海南省 / 海口市 / 秀英区 (issue 14 §17)."""
    names = [await dictionary.label(category, c) for c in await dictionary.chain(category, [code])]
    return " / ".join(names) if names else code


async def _labels(row: dict) -> dict[str, str]:
    found = {name: await dictionary.label(cat, row[name]) if row[name] else "" for name, cat in _CHOICE_CATEGORIES.items()}
    for name, cat in (("industry", "industry"), ("division_code", "division")):
        found[name] = await _path_labels(cat, row[name]) if row[name] else ""
    return found


@get("/profile", name="employer_profile")
async def profile(request: Request) -> Response:
    principal = request.user
    row = await get_employer(principal.employer_id)
    if row is None:
        raise NotFoundException()
    return await render(request, "employer/profile.html", {
        "page_title": "单位基本信息", "breadcrumbs": [("单位基本信息", None)], "e": row, "labels": await _labels(row),
    })


@get("/profile/complete", name="employer_profile_complete", opt=PROFILE_EXEMPT)
async def complete_page(request: Request, next: FromQuery[str] = "/") -> Response:
    row = await get_employer(request.user.employer_id)
    if row is None:
        raise NotFoundException()
    if row["profile_complete"]:
        return redirect(request, safe_next(next, "/employer/profile"))
    # Pre-filled from what the network reported; the rest is for the employer to type.
    data = {f.name: row.get(f.name) or "" for f in forms.PROFILE_FIELDS}
    return await _render_complete(request, _profile_form(request, data, row), row, safe_next(next))


def _profile_form(request: Request, data: Any, row: dict) -> Form:
    """An agent sees the 法定代表人 the network reported as text and may not change it (issue 14 §19)."""
    locked = request.user.acting_role == "agent" and bool(row.get("legal_rep"))
    if locked and "legal_rep" not in data:
        data = MultiDict([*data.multi_items(), ("legal_rep", row["legal_rep"]),
                          ("legal_rep_id_number", row["legal_rep_id_number"])])
    checks = [lambda cleaned: rules.legal_rep_change_refusal(request.user.acting_role, row, cleaned)]
    return Form(forms.PROFILE_FIELDS, data, checks=checks)


async def _render_complete(request: Request, form: Form, row: dict, next_path: str) -> Response:
    return await render(request, "employer/complete.html", {
        "page_title": "信息完善", "breadcrumbs": [("信息完善", None)], "form": form, "e": row,
        "options": await _options(), "next": next_path, "cascades": await form.cascades(),
        "legal_rep_locked": request.user.acting_role == "agent" and bool(row.get("legal_rep")),
    })


@post("/profile/complete", name="employer_profile_complete_post", opt=PROFILE_EXEMPT)
async def complete_submit(request: Request) -> Response:
    data = await request.form()
    next_path = safe_next(data.get("next"))
    row = await get_employer(request.user.employer_id)
    if row is None:
        raise NotFoundException()
    if row["profile_complete"]:
        return redirect(request, next_path)
    form = _profile_form(request, data, row)
    if data.get("_cascade") or not await form.validate():  # 选择下一级 without JS, or something to correct
        return await _render_complete(request, form, row, next_path)
    with form.refusals():
        await complete_profile(row["id"], form.cleaned, acting_role=request.user.acting_role)
        return redirect(request, next_path)
    return await _render_complete(request, form, row, next_path)


async def legal_rep_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Issue 14 §19: authorising agents is the legal representative's alone; an agent is refused (the page hides
    the form from it as well)."""
    principal = connection.scope.get("user")
    if principal is not None and principal.acting_role == "agent":
        raise PermissionDeniedException("只有法定代表人可以授权经办人，经办人不能新增授权")


def _rights(request: Request) -> list[AgentRight]:
    return agent_rights(request.app.state.areas)


AGENT_COLUMNS = (("姓名", "name"), ("身份证号", "id_number"), ("手机号码", "mobile"), ("授权业务", "services"),
                 ("授权开始日期", "valid_from"), ("授权截止日期", "valid_until"), ("状态", "status"))


def _services_text(codes: frozenset[str] | None, labels: dict[str, str]) -> str:
    return "全部业务" if codes is None else "、".join(labels.get(c, c) for c in sorted(codes))


@get("/agents", name="employer_agents")
async def agents_page(request: Request) -> Response:
    if wants_export(request):  # the employer's own agents, numbers masked as on the page
        labels = {r.code: r.label for r in _rights(request)}
        return await rows_export_response(request, "经办人授权", AGENT_COLUMNS, [a | {
            "id_number": mask_id_number(a["id_number"]), "mobile": mask_phone(a["mobile"] or ""),
            "services": _services_text(a["service_codes"], labels),
            "status": rules.AGENT_STATUS_LABELS.get(a["current_status"], a["current_status"]),
        } for a in await agents.list_agents(request.user.employer_id)])
    today = date.today()
    form = Form(forms.AGENT_FIELDS, {"valid_from": today.isoformat(),
                                     "valid_until": (today + timedelta(days=365)).isoformat()})
    flash = {"added": "已提交授权，经办人下次登录时确认后生效。", "revoked": "已撤销授权。"}
    done = next((text for key, text in flash.items() if request.query_params.get(key)), "")
    return await _render_agents(request, form, flash=done)


async def _render_agents(request: Request, form: Form, status: int = 200, flash: str = "",
                         chosen: list[str] | None = None) -> Response:
    rights = _rights(request)
    return await render(request, "employer/agents.html", {
        "page_title": "经办人授权", "breadcrumbs": [("经办人授权", None)], "form": form, "flash": flash,
        "agents": await agents.list_agents(request.user.employer_id), "status_labels": rules.AGENT_STATUS_LABELS,
        "rights": rights, "right_labels": {r.code: r.label for r in rights},
        "chosen": chosen if chosen is not None else [r.code for r in rights],
        "agent_rights": held_rights(request.app.state.areas, request.user),
        "export_url": export_url(request, "employer_agents"),
    }, status_code=status)


@post("/agents", name="employer_agents_add", guards=[legal_rep_guard])
async def agents_add(request: Request) -> Response:
    data = await request.form()
    form = Form(forms.AGENT_FIELDS, data)
    chosen = [str(code) for code in data.getall("services", [])]
    valid = await form.validate()
    # the services are checked with the other fields, so one answer lists every problem.
    for name, message in rules.service_errors(chosen, [r.code for r in _rights(request)]).items():
        form.add_error(name, message)
    if valid and not form.errors:
        _, errors = await agents.authorise(request.user, {**form.cleaned, "services": chosen})
        for name, message in errors.items():
            form.add_error(name, message)
        if not errors:
            return redirect(request, "/employer/agents?added=1")
    return await _render_agents(request, form, chosen=chosen)


@post("/agents/{agent_id:int}/revoke", name="employer_agent_revoke")
async def agent_revoke(request: Request, agent_id: FromPath[int]) -> Response:
    principal = request.user
    if await agents.get_agent(principal.employer_id, agent_id) is None:
        raise NotFoundException()
    if not await agents.revoke(principal, agent_id):
        raise PermissionDeniedException(
            "经办人只能撤销本人的授权，其他经办人的授权须由法定代表人撤销" if principal.acting_role == "agent"
            else "该授权已撤销或已过期，无需撤销")
    # An agent who revoked its own authorisation loses the session on the next request (the loader refuses it).
    return redirect(request, "/employer/agents?revoked=1" if principal.acting_role != "agent" else "/")


async def _confirm_refused(request: Request, message: str, reason: str, *, spent: bool = False) -> Response:
    """A clear page, audited like a failed network login. A spent held sign-in leaves no session at all; a stray
    visit (nothing held) leaves whatever session the browser has, so a link cannot sign anyone out."""
    if spent:
        request.scope["session"] = {}
    await audit.record(category="login", action="network_login_failed", result="failed", ip=client_ip(request),
                       detail={"reason": reason})
    return await render(request, "employer/agent_confirm.html", {"page_title": "确认经办人授权", "message": message},
                        status_code=400)


@get("/confirm", name="employer_agent_confirm", opt=PUBLIC)
async def agent_confirm_page(request: Request) -> Response:
    """The 经办人 signed in through the network: confirm the legal representative's authorisation first (ACC-2)."""
    held = held_sign_in(request)
    if held is None or held["session"].get("kind") != "employer":
        return await _confirm_refused(request, "确认请求已失效，请重新登录。", "no pending agent")
    data = held["session"]
    agent = await agents.get_agent(data["employer_id"], data["agent_id"])
    if agent is None:
        return await _confirm_refused(request, "该授权已失效或已被撤销，无法确认。", "agent not found", spent=True)
    return await render(request, "employer/agent_confirm.html", {
        "page_title": "确认经办人授权", "agent": agent, "employer": await get_employer(data["employer_id"]),
    })


@post("/confirm", name="employer_agent_confirm_post", opt=PUBLIC)
async def agent_confirm(request: Request) -> Response:
    held = held_sign_in(request)
    form = await request.form()
    if held is None or held["session"].get("kind") != "employer":
        return await _confirm_refused(request, "确认请求已失效，请重新登录。", "no pending agent")
    data = held["session"]
    if form.get("decision") != "confirm":
        request.scope["session"] = {}
        return redirect(request, "/")
    if not await agents.confirm(data["employer_id"], data["agent_id"]):
        return await _confirm_refused(request, "该授权已失效或已被撤销，无法确认。", "agent confirm failed", spent=True)
    employer = await get_employer(data["employer_id"])
    return await finish_sign_in(request, data, held["next"], profile_complete=bool(employer and employer["profile_complete"]))


from domains.employer.filing_controllers import ROUTES as FILING_ROUTES  # noqa: E402  (EMP-2)

ROUTES = [profile, complete_page, complete_submit, agents_page, agents_add, agent_revoke, *FILING_ROUTES]
# Public (the agent has no session yet): served by a second Area without the employer guard, at /employer/agent.
SIGN_IN_ROUTES = [agent_confirm_page, agent_confirm]
