"""Labour inspection (劳动保障监察): not started.

SPEC rows: INS-1 网上书审申报, INS-2 网上书审办事进度查询, INS-3 信用等级申报, INS-4 信用等级申诉, INS-5 合规证明登记 and
its certificate PDF, INS-6 the squads' reviews, grades, appeal decisions and certificates.
When the work starts, `area.py` here declares the area (docs/ARCHITECTURE.md, "Adding a domain").
"""
