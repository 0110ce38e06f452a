"""Full personal data on request (X-9, SECURITY 12): lists and details show ID numbers masked; a user whose
task needs the whole value asks for it with 查看完整号码, and every such view is an audit row.

A domain declares what can be revealed and how to find it *through the principal's scope*, in its Area:

    reveals=[Revealable("lc_contract_id", "身份证号", resolve_contract_id)]   # async (principal, object_id) -> str | None

`resolve` returns None (→ 404) for an object the principal may not see; `permission` (staff) narrows further.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar.exceptions import NotFoundException, PermissionDeniedException

from portal import audit
from portal.auth.principal import Principal

Resolver = Callable[[Principal, int], Awaitable[str | None]]


@dataclass(frozen=True)
class Revealable:
    name: str
    label: str
    resolve: Resolver
    permission: str = ""  # staff must hold it; applicants are limited by the resolver's scope


_REGISTRY: dict[str, Revealable] = {}


def install_reveal(item: Revealable) -> Revealable:
    """Called by portal.areas for each Revealable an area declares in `reveals`."""
    _REGISTRY[item.name] = item
    return item


async def reveal(principal: Principal, name: str, object_id: int, *, ip: str = "") -> tuple[str, str]:
    """(label, full value) after the scope and permission checks; audited whether shown or refused."""
    item = _REGISTRY.get(name)
    if item is None:
        raise NotFoundException("记录不存在")
    if principal.is_staff and item.permission and not principal.can(item.permission):
        await audit.record(category="privacy", action="reveal", actor=principal, ip=ip, object_type=name,
                           object_id=object_id, result="denied", detail={"field": item.label})
        raise PermissionDeniedException("您没有查看完整信息的权限")
    try:
        value = await item.resolve(principal, object_id)
    except NotFoundException:
        value = None
    if value is None:
        await audit.record(category="privacy", action="reveal", actor=principal, ip=ip, object_type=name,
                           object_id=object_id, result="denied", detail={"field": item.label})
        raise NotFoundException("记录不存在")
    await audit.record(category="privacy", action="reveal", actor=principal, ip=ip, object_type=name,
                       object_id=object_id, detail={"field": item.label})
    return item.label, value
