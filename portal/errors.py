"""Error pages in Chinese with a correlation id; never a traceback, path or SQL (SECURITY 20)."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from litestar import Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect

from portal.refusal import Refused

log = logging.getLogger("portal.errors")

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页检查后重试。"),
    401: ("请先登录", "此页面需要登录后访问。"),
    403: ("无权访问", "您没有权限访问此页面或执行此操作。"),
    404: ("页面不存在", "您访问的页面不存在，或者您无权查看。"),
    405: ("操作不被允许", "此页面不支持该操作。"),
    409: ("无法办理", "当前状态下无法办理该操作，请刷新页面后查看最新状态。"),
    413: ("文件过大", "上传的文件超过了允许的大小。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统繁忙", "服务暂时出现问题，请稍后再试。如需帮助，请向工作人员提供下方的错误编号。"),
    503: ("服务暂不可用", "依赖的服务暂时无法访问，请稍后再试。"),
}


def _render_error(request: Request, status: int, detail: str = "", background: BackgroundTask | None = None) -> Response:
    """Exception handlers are synchronous in Litestar: render without I/O, log/audit in the background."""
    from portal.web import base_context, render_sync

    correlation_id = secrets.token_hex(6)
    title, text = MESSAGES.get(status, MESSAGES[500])
    try:
        ctx = base_context(request)
        ctx.update({"status": status, "title": title, "text": detail or text, "correlation_id": correlation_id})
        response = render_sync(request, "errors/error.html", ctx, status_code=status)
    except Exception:  # the error page itself must not fail: fall back to plain text
        log.exception("error page failed id=%s", correlation_id)
        response = Response(
            content=f"{title}（错误编号 {correlation_id}）", media_type="text/plain; charset=utf-8", status_code=status
        )
    response.headers["X-Correlation-Id"] = correlation_id
    response.background = background
    return response


def not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    """Logged out: go to the login page and come back afterwards (ACC-6)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='')}"
    # The request carried a session that no longer holds: the login page tells the user why (LOGIN_REASONS).
    if reason := request.scope.get("_portal_session_lost"):
        location += f"&reason={reason}"
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=401, headers={"HX-Redirect": location})
    if request.method in {"GET", "HEAD"}:
        return Redirect(path=location, status_code=303)
    return _render_error(request, 401)


def permission_denied(request: Request, exc: PermissionDeniedException) -> Response:
    from portal.audit import security_event

    event = BackgroundTask(security_event, dict(request.scope), "permission_denied", detail_text=str(exc.detail)[:200])
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != "Forbidden" else ""
    if "CSRF" in (exc.detail or ""):
        detail = "页面已过期或请求来源无效，请刷新页面后重试。"
    return _render_error(request, 403, detail, background=event)


def http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) and _is_chinese(exc.detail) else ""
    response = _render_error(request, status, detail)
    response.headers.update(exc.headers or {})  # e.g. Retry-After and RateLimit-* on a 429
    return response


def refused(request: Request, exc: Refused) -> Response:
    """A rule's refusal that no form caught (e.g. a state change raced by another user): say it, not 系统繁忙."""
    return _render_error(request, 409, exc.message)


def server_error(request: Request, exc: Exception) -> Response:
    response = _render_error(request, 500)
    log.error(
        "unhandled %s on %s %s id=%s",
        type(exc).__name__,
        request.method,
        request.url.path,
        response.headers["X-Correlation-Id"],
        exc_info=exc,
    )
    return response


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def exception_handlers() -> dict:
    return {
        NotAuthorizedException: not_authorized,
        PermissionDeniedException: permission_denied,
        HTTPException: http_exception,
        Refused: refused,
        Exception: server_error,
    }
