"""Work injury (工伤): not started.

SPEC rows: WI-1 工伤快报 (the accident, then 增加工伤人员 by ID number), WI-2 快报确认 (修改 / 删除 while unconfirmed,
确认提交 to review), WI-3 工伤保险单位证明 (preview, print, PDF).
When the work starts, `area.py` here declares the area (docs/ARCHITECTURE.md, "Adding a domain").
"""
