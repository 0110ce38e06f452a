"""The core area: the 长辈版 switch, health check, 查看完整号码, and 字典 / 节假日 administration."""

from __future__ import annotations

from portal.areas import Area
from portal.core import admin_controllers, controllers

CORE = Area(name="core", handlers=controllers.ROUTES, nav=admin_controllers.NAV)

AREAS = [CORE]
