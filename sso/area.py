"""The SSO area: login through the province's network (OpenID Connect and ticket), 经办人 confirmation, network logout."""

from __future__ import annotations

from portal.areas import Area
from sso import controllers, network


async def _demo() -> None:
    from sso import demo

    await demo.load()


SSO = Area(
    name="sso",
    handlers=controllers.ROUTES,
    on_startup=[network.check_settings],
    on_shutdown=[network.close_client],
    demo=_demo,
    demo_order=20,  # after labour contract's demo, which creates the employers the demo agent acts for
)

AREAS = [SSO]
