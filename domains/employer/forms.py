"""Form definitions of the employer domain: 信息完善 (EMP-1 fields) and agent authorisation."""

from __future__ import annotations

from portal.forms import ChoiceField, DateField, IdNumberField, MobileField, TextField

PROFILE_FIELDS = [
    TextField("name", "单位名称", max_len=100),
    ChoiceField("nature", "单位性质", category="employer_nature"),
    ChoiceField("affiliation", "隶属关系", category="affiliation"),
    TextField("legal_rep", "法定代表人", max_len=40),
    IdNumberField("legal_rep_id_number", "法定代表人身份证号"),
    ChoiceField("economic_type", "单位经济类型", category="economic_type"),
    ChoiceField("industry", "所属行业", category="industry"),
    ChoiceField("division_code", "行政区划", category="division"),
    TextField("address", "通讯地址", max_len=200),
    TextField("contact_name", "联系人", max_len=40),
    MobileField("contact_phone", "联系电话", landline_ok=True),
    TextField("agent_name", "经办人", max_len=40),
    IdNumberField("agent_id_number", "经办人身份证号"),
    MobileField("agent_phone", "经办人手机号码"),
    ChoiceField("review_agency", "送审机构", category="review_agency"),
]

AGENT_FIELDS = [
    TextField("name", "经办人姓名", max_len=40),
    IdNumberField("id_number", "经办人身份证号"),
    MobileField("mobile", "经办人手机号码"),
    DateField("valid_from", "授权开始日期", help="格式：yyyy-mm-dd"),
    DateField("valid_until", "授权截止日期", help="最长3年"),
]
