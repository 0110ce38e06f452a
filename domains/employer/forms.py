"""Form definitions of the employer domain: the record's fields (defined once, for 信息完善 EMP-1 and the filing
EMP-2) and agent authorisation."""

from __future__ import annotations

from portal.forms import (
    ChoiceField,
    DateField,
    Field,
    IdNumberField,
    LandlineField,
    MobileField,
    PostcodeField,
    TextField,
    TreeChoiceField,
)

# Every field of the employer record, once: lengths are the Employer columns'. 统一社会信用代码 is the account key
# and is never a form field. The phone of the contact may be a landline (the guide's 单位固定电话 is kept there too).
RECORD_FIELDS: dict[str, Field] = {f.name: f for f in [
    TextField("name", "单位名称", max_len=200),
    ChoiceField("nature", "单位性质", category="employer_nature"),
    ChoiceField("affiliation", "隶属关系", category="affiliation"),
    TextField("legal_rep", "法定代表人", max_len=40),
    IdNumberField("legal_rep_id_number", "法定代表人身份证号"),
    ChoiceField("economic_type", "单位经济类型", category="economic_type"),
    # Issue 14 §18: chosen level by level from the dictionary (GB/T 4754-2017 at any level; 行政区划 down to the
    # county at least, the 街道/乡镇 when the county has them listed is optional).
    TreeChoiceField("industry", "所属行业", category="industry"),
    TreeChoiceField("division_code", "行政区划", category="division", min_depth=3),
    TextField("address", "通讯地址", max_len=200),
    TextField("contact_name", "单位联系人", max_len=40),
    MobileField("contact_phone", "单位联系人电话", landline_ok=True),
    LandlineField("landline", "单位固定电话"),
    PostcodeField("postcode", "邮政编码"),
    TextField("agent_name", "单位经办人", max_len=40),
    IdNumberField("agent_id_number", "单位经办人身份证号"),
    MobileField("agent_phone", "单位经办人手机号"),
    ChoiceField("review_agency", "送审机构", category="review_agency"),
]}


def record_fields(*names: str) -> list[Field]:
    return [RECORD_FIELDS[name] for name in names]


# 信息完善 (EMP-1): the whole record.
PROFILE_FIELDS = list(RECORD_FIELDS.values())
# 单位基本信息备案 (EMP-2): the record as the guide's page shows it, in its order.
FILING_FIELDS = record_fields(
    "name", "nature", "affiliation", "legal_rep", "economic_type", "industry", "division_code", "address",
    "contact_name", "contact_phone", "landline", "postcode", "review_agency", "agent_name", "agent_phone",
    "agent_id_number",
)

AGENT_FIELDS = [
    TextField("name", "经办人姓名", max_len=40),
    IdNumberField("id_number", "经办人身份证号"),
    MobileField("mobile", "经办人手机号码"),
    DateField("valid_from", "授权开始日期", help="格式：yyyy-mm-dd"),
    DateField("valid_until", "授权截止日期", help="最长3年"),
    # ACC-8: checkboxes of the areas' agent rights; checked by rules.service_errors (a list, not one value).
    Field("services", "授权业务", required=False),
]
