"""Human-resources service agencies (人力资源服务机构管理): docs/domains/hr_agency.md.

SPEC rows: HRA-1 the agency's applications (行政许可, 业务备案, 事项变更, 分支机构, 注销, 年度报告, 现场招聘会),
HRA-2 受理, HRA-3 行政许可审批, HRA-4 行政许可/业务备案查看, HRA-5 业务备案核查, HRA-6 变更/分支/注销审批,
HRA-7 注销行政许可 by staff, HRA-8 机构管理, HRA-9 年度报告查阅, HRA-10 现场招聘会查阅, HRA-11 统计分析,
HRA-12 历史数据采集, HRA-13 the public 人力资源服务机构名录.
What is not built yet is listed in the document.
"""
