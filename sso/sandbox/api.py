"""The sandbox network's back-channel API: OAuth2 token + userinfo, and ticketValidation + getUserInfo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post

from sso.sandbox import store

API = {"exclude_from_csrf": True}


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(content=data, status_code=status, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return _json({"error": error, "error_description": description}, status)


async def user_claims(grant: dict[str, Any]) -> dict[str, Any] | None:
    """The identity behind a grant, in the network's neutral shape (each protocol renames the fields)."""
    user = await store.get_user(grant["user"])
    if user is None:
        return None
    agent = await store.get_user(grant.get("agent"))
    claims = {"subject": user["subject"], "kind": user["kind"], "name": user["name"], "mobile": user["mobile"],
              "login_type": grant.get("login_type") or "password", "realname_level": user["realname_level"]}
    if user["kind"] == "natural":
        claims["id_number"] = user["login_name"]
    else:
        acting = agent or {"name": user["legal_rep"], "login_name": user["legal_rep_id_number"],
                           "mobile": user["mobile"]}
        claims.update(uscc=user["login_name"], legal_rep=user["legal_rep"], agent_name=acting["name"],
                      agent_id_number=acting["login_name"], agent_mobile=acting["mobile"])
        if agent is not None:
            claims["realname_level"] = agent["realname_level"]
    return claims


# ---- OAuth2 (Guangdong style) -------------------------------------------------------------------------

@post("/oauth2/token", name="sbx_token", opt=API)
async def token(request: Request) -> Response:
    cfg = request.app.state.config
    form = await request.form()
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if auth := request.headers.get("authorization", ""):
        if auth.lower().startswith("basic "):
            try:
                client_id, secret = base64.b64decode(auth[6:]).decode().split(":", 1)
            except ValueError:
                return _oauth_error("invalid_client", "bad basic credentials", 401)
    client = cfg.clients.get(client_id)
    if client is None or not hmac.compare_digest(client.secret.encode(), str(secret).encode()):
        return _oauth_error("invalid_client", "unknown client or wrong secret", 401)
    if form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "only authorization_code")
    grant = await store.consume_grant("code", str(form.get("code", "")))
    if grant is None:
        return _oauth_error("invalid_grant", "code unknown, expired or already used")
    if grant["client_id"] != client_id:
        return _oauth_error("invalid_grant", "code issued to another client")
    if grant["redirect_uri"] != form.get("redirect_uri"):
        return _oauth_error("invalid_grant", "redirect_uri differs from the authorisation request")
    verifier = str(form.get("code_verifier", ""))
    if not (43 <= len(verifier) <= 128) or not hmac.compare_digest(pkce_challenge(verifier), grant["code_challenge"]):
        return _oauth_error("invalid_grant", "PKCE verifier does not match")
    access = await store.issue_grant("token", grant["user"], ttl_s=store.TOKEN_TTL_S, agent=grant["agent"],
                                     client_id=client_id, login_type=grant["login_type"])
    return _json({"access_token": access, "token_type": "Bearer", "expires_in": store.TOKEN_TTL_S,
                  "nonce": grant["nonce"]})


@get("/oauth2/userinfo", name="sbx_userinfo", opt=API)
async def userinfo(request: Request) -> Response:
    auth = request.headers.get("authorization", "")
    token_value = auth[7:] if auth.lower().startswith("bearer ") else ""
    grant = await store.peek_grant("token", token_value)
    claims = await user_claims(grant) if grant else None
    if claims is None:
        return _oauth_error("invalid_token", "token unknown or expired", 401)
    out: dict[str, Any] = {"sub": claims["subject"], "user_type": claims["kind"], "login_type": claims["login_type"],
                           "auth_level": claims["realname_level"]}
    if claims["kind"] == "natural":
        out.update(name=claims["name"], id_card=claims["id_number"], mobile=claims["mobile"])
    else:
        out.update(corp_name=claims["name"], uscc=claims["uscc"], legal_rep=claims["legal_rep"],
                   agent_name=claims["agent_name"], agent_id_type="身份证", agent_id_card=claims["agent_id_number"],
                   agent_mobile=claims["agent_mobile"])
    return _json(out)


# ---- ticket validation (Zhejiang style) ---------------------------------------------------------------

def ticket_sign(servicecode: str, password: str, timestamp: str) -> str:
    return hashlib.md5((servicecode + password + timestamp).encode()).hexdigest()  # noqa: S324 (the protocol's own)


def _check_signature(cfg: Any, form: Any) -> str | None:
    """None when servicecode, time (±5 min) and sign are right, else the network's error text."""
    code = str(form.get("servicecode", ""))
    password = cfg.service_passwords.get(code)
    if password is None:
        return "servicecode 不存在"
    stamp = str(form.get("time", ""))
    try:
        at = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return "time 格式错误"
    if abs(at.timestamp() - time.time()) > 300:
        return "time 超出允许范围"
    if not hmac.compare_digest(ticket_sign(code, password, stamp), str(form.get("sign", "")).lower()):
        return "sign 校验失败"
    return None


@post("/ticket/ticketValidation", name="sbx_ticket_validation", opt=API)
async def ticket_validation(request: Request) -> Response:
    cfg = request.app.state.config
    form = await request.form()
    if error := _check_signature(cfg, form):
        return _json({"result": "6", "errmsg": error})
    grant = await store.consume_grant("ticket", str(form.get("st", "")))
    if grant is None or grant["client_id"] != form.get("servicecode"):
        return _json({"result": "7", "errmsg": "ticket 无效、已过期或已使用"})
    access = await store.issue_grant("token", grant["user"], ttl_s=store.TOKEN_TTL_S, agent=grant["agent"],
                                     client_id=grant["client_id"], login_type=grant["login_type"])
    return _json({"result": "0", "errmsg": "成功", "token": access})


@post("/ticket/getUserInfo", name="sbx_get_user_info", opt=API)
async def get_user_info(request: Request) -> Response:
    cfg = request.app.state.config
    form = await request.form()
    if error := _check_signature(cfg, form):
        return _json({"result": "6", "errmsg": error})
    grant = await store.peek_grant("token", str(form.get("token", "")))
    claims = await user_claims(grant) if grant and grant["client_id"] == form.get("servicecode") else None
    if claims is None:
        return _json({"result": "8", "errmsg": "token 无效或已过期"})
    out: dict[str, Any] = {"result": "0", "errmsg": "成功", "userid": claims["subject"],
                           "usertype": "1" if claims["kind"] == "natural" else "2",
                           "logintype": claims["login_type"], "authlevel": claims["realname_level"]}
    if claims["kind"] == "natural":
        out.update(username=claims["name"], idnum=claims["id_number"], mobile=claims["mobile"])
    else:
        out.update(CompanyName=claims["name"], CompanyScCode=claims["uscc"], CompanyLegRep=claims["legal_rep"],
                   attnName=claims["agent_name"], attnIdType="111", attnIdNo=claims["agent_id_number"],
                   attnPhone=claims["agent_mobile"])
    return _json(out)


ROUTES = [token, userinfo, ticket_validation, get_user_info]
