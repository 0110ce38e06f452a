"""The sandbox network as an OpenID provider: discovery document, JWKS and signed id_tokens (RS256)."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get

from sso.sandbox.config import SandboxConfig

ID_TOKEN_TTL_S = 600
CLAIMS = ["sub", "name", "phone_number", "user_type", "id_number", "uscc", "legal_rep", "agent_name",
          "agent_id_type", "agent_id_number", "agent_phone_number", "login_type", "acr"]


def discovery_document(cfg: SandboxConfig) -> dict[str, Any]:
    iss = cfg.issuer
    return {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/oauth2/authorize",
        "token_endpoint": f"{iss}/oauth2/token",
        "userinfo_endpoint": f"{iss}/oauth2/userinfo",
        "jwks_uri": f"{iss}/jwks",
        "end_session_endpoint": f"{iss}/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS,
        "authorization_response_iss_parameter_supported": True,
    }


def id_token(request: Request, *, subject: str, client_id: str, nonce: str, acr: str, auth_time: int) -> str:
    cfg: SandboxConfig = request.app.state.config
    now = int(time.time())
    claims = {"iss": cfg.issuer, "sub": subject, "aud": client_id, "azp": client_id, "exp": now + ID_TOKEN_TTL_S,
              "iat": now, "auth_time": auth_time, "acr": acr}
    if nonce:
        claims["nonce"] = nonce
    return request.app.state.signing_keys.sign(claims)


def _json(data: dict[str, Any]) -> Response:
    return Response(content=data, headers={"Cache-Control": "public, max-age=300"})


@get("/.well-known/openid-configuration", name="sbx_discovery")
async def discovery(request: Request) -> Response:
    return _json(discovery_document(request.app.state.config))


@get("/jwks", name="sbx_jwks")
async def jwks(request: Request) -> Response:
    return _json(request.app.state.signing_keys.public_jwks())


ROUTES = [discovery, jwks]
