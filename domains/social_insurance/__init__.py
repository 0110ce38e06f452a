"""Social-insurance records (社保查询): docs/domains/social_insurance.md.

SPEC rows: SI-1 参保职工名单, SI-2 社保应付信息, SI-3 养老/生育/工伤 支付明细, SI-4 个人养老账户, SI-5 个人综合查询,
SI-6 单位综合查询, SI-7 个人自助查询 and 参保证明 PDF; PC-1 增员申报, PC-2 批量增员, PC-3 增员确认, PC-4 减员申报,
PC-5 批量减员, PC-6 减员确认, PC-7 异动申报表; with LC, X-12 一件事一次办 (员工录用, 员工离职).
Built: SI-1 … SI-7 (see the document for what is not yet). The personnel-change rows (PC) are not built here.
"""
