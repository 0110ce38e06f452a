"""Labour inspection (劳动保障监察).

Built: INS-1 网上书审申报 (four steps), INS-2 网上书审办事进度查询, INS-6 the squads' review of 书审 (责令整改, approve).
Not yet: INS-3 信用等级申报, INS-4 信用等级申诉, INS-5 合规证明 and its PDF, INS-6 for grades, appeals, certificates.
See docs/domains/labor_inspection.md.
"""
