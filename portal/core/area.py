"""The core area: the 长辈版 switch, health check and 查看完整号码 (pages in portal/pages; the home page is portal.hall's)."""

from __future__ import annotations

from portal.areas import Area
from portal.pages import home_controllers

CORE = Area(name="core", handlers=home_controllers.ROUTES)

AREAS = [CORE]
