"""The sandbox network's back-channel API: OIDC token + userinfo, and ticketValidation + getUserInfo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key
from litestar import Request, Response, get, post

from sso.sandbox import oidc as sandbox_oidc
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


# ---- OpenID Connect ------------------------------------------------------------------------------------

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


async def _authenticate_client(request: Request, form: Any) -> tuple[str, str | None]:
    """(client_id, None) when the client proved itself with its registered method, else (id, error text)."""
    cfg = request.app.state.config
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        method = "client_secret_basic"
        try:
            raw_id, raw_secret = base64.b64decode(auth[6:]).decode().split(":", 1)
        except ValueError:
            return "", "bad basic credentials"
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    elif form.get("client_assertion_type") == ASSERTION_TYPE:
        method, client_id, secret = "private_key_jwt", str(form.get("client_id", "")), ""
    else:
        method, client_id, secret = "client_secret_post", str(form.get("client_id", "")), str(form.get("client_secret", ""))
    client = cfg.clients.get(client_id)
    if client is None:
        return client_id, "unknown client"
    if method != client.auth_method:
        return client_id, f"client registered for {client.auth_method}"
    if method == "private_key_jwt":
        return client_id, await _check_assertion(request, client, client_id, str(form.get("client_assertion", "")))
    if not hmac.compare_digest(client.secret.encode(), secret.encode()):
        return client_id, "wrong secret"
    return client_id, None


async def _check_assertion(request: Request, client: Any, client_id: str, assertion: str) -> str | None:
    """RFC 7523: signed by the client's key, iss = sub = client_id, aud = our token endpoint, fresh, jti once."""
    if client.public_key is None:
        return "no key registered"
    cfg = request.app.state.config
    try:
        claims = jwt.decode(assertion, KeySet([import_key(client.public_key)]), algorithms=["RS256", "ES256"]).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": client_id}, sub={"essential": True, "value": client_id},
            aud={"essential": True, "values": [f"{cfg.issuer}/oauth2/token", cfg.issuer]},
            exp={"essential": True}, jti={"essential": True}, leeway=30,
        ).validate(claims)
    except (JoseError, ValueError) as exc:
        return f"client_assertion rejected: {type(exc).__name__}"
    if claims["exp"] - time.time() > 600:
        return "client_assertion lives too long"
    # Seen jti values, per process (the sandbox runs as one): a replayed assertion is refused.
    seen: dict[str, float] = request.app.state.seen_jti
    for old in [k for k, until in seen.items() if until < time.time()]:
        del seen[old]
    if claims["jti"] in seen:
        return "client_assertion replayed"
    seen[claims["jti"]] = time.time() + 900
    return None


@post("/oauth2/token", name="sbx_token", opt=API)
async def token(request: Request) -> Response:
    form = await request.form()
    client_id, problem = await _authenticate_client(request, form)
    if problem:
        return _oauth_error("invalid_client", problem, 401)
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
    claims = await user_claims(grant)
    if claims is None:
        return _oauth_error("invalid_grant", "the account no longer exists")
    access = await store.issue_grant("token", grant["user"], ttl_s=store.TOKEN_TTL_S, agent=grant["agent"],
                                     client_id=client_id, login_type=grant["login_type"])
    signed = sandbox_oidc.id_token(request, subject=claims["subject"], client_id=client_id, nonce=grant["nonce"],
                                   acr=claims["realname_level"], auth_time=int(grant["expires_at"].timestamp())
                                   - store.CODE_TTL_S)
    return _json({"access_token": access, "token_type": "Bearer", "expires_in": store.TOKEN_TTL_S,
                  "id_token": signed})


@get("/oauth2/userinfo", name="sbx_userinfo", opt=API)
async def userinfo(request: Request) -> Response:
    """Standard claim names where OpenID Connect has one (name, phone_number, acr); plain names elsewhere."""
    auth = request.headers.get("authorization", "")
    token_value = auth[7:] if auth.lower().startswith("bearer ") else ""
    grant = await store.peek_grant("token", token_value)
    claims = await user_claims(grant) if grant else None
    if claims is None:
        return _oauth_error("invalid_token", "token unknown or expired", 401)
    out: dict[str, Any] = {"sub": claims["subject"], "user_type": claims["kind"], "login_type": claims["login_type"],
                           "acr": claims["realname_level"], "name": claims["name"]}
    if claims["kind"] == "natural":
        out.update(id_number=claims["id_number"], phone_number=claims["mobile"])
    else:
        out.update(uscc=claims["uscc"], legal_rep=claims["legal_rep"], agent_name=claims["agent_name"],
                   agent_id_type="身份证", agent_id_number=claims["agent_id_number"],
                   agent_phone_number=claims["agent_mobile"])
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
