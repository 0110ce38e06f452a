"""Labour inspection (劳动保障监察).

Built: INS-1 网上书审申报 (four steps), INS-2 网上书审办事进度查询, INS-6 the squads' review of 书审 (责令整改, approve);
INS-3 信用等级申报 and its 进度查询, INS-4 信用等级申诉 and 申诉结果查询, INS-6 grading and appeal decisions.
Not yet: INS-5 合规证明 and its PDF, INS-6 for certificates.
See docs/domains/labor_inspection.md.
"""
