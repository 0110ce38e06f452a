"""What the reviewer sees of a filing: every field with its label, codes as names, personal numbers masked."""

from portal.workflow.kinds import MatterKind, State, Transition
from portal.workflow.views import applicant_rows, payload_label_categories, payload_rows
from tests.support.factories import make_employer

KIND = MatterKind(
    code="t_display", name="展示测试", states=(State("draft", "草稿"), State("submitted", "待审核")),
    transitions=(Transition("submit", "提交", ("draft",), "submitted", "applicant", starts_clock=True),),
    payload_labels=(("name", "单位名称"), ("division_code", "行政区划", "division"),
                    ("agent_phone", "单位经办人手机号", "phone"), ("agent_id_number", "单位经办人身份证号", "id_number"),
                    ("empty", "未填写的项")),
)


async def test_payload_codes_are_shown_by_name_and_personal_numbers_masked():
    payload = {"name": "海南测试有限公司", "division_code": "460106", "agent_phone": "13800138000",
               "agent_id_number": "460105199005170019", "empty": ""}
    rows = dict(payload_rows(KIND, payload, await payload_label_categories(KIND)))
    assert rows == {"单位名称": "海南测试有限公司", "行政区划": "龙华区", "单位经办人手机号": "138****8000",
                    "单位经办人身份证号": "460105********0019"}


async def test_the_applicants_division_is_its_name():
    employer = await make_employer(division_code="460106")
    rows = dict(await applicant_rows({"employer": employer["id"], "person": None, "acting_name": "张三"}))
    assert rows["行政区划"] == "龙华区"


async def test_the_employer_filing_review_shows_every_field_with_labels():
    from domains.employer.matters import EMPLOYER_FILING
    from domains.employer.rules import FILED_KEYS

    payload = {"name": "海南测试有限公司", "nature": "10", "division_code": "460106", "agent_phone": "13800138000",
               "agent_id_number": "460105199005170019", "review_agency": "460106"}
    rows = dict(payload_rows(EMPLOYER_FILING, payload, await payload_label_categories(EMPLOYER_FILING)))
    assert rows["行政区划"] == "龙华区" and "460106" not in rows.values()
    assert rows["单位经办人手机号"] == "138****8000" and rows["单位经办人身份证号"] == "460105********0019"
    assert set(FILED_KEYS) <= {key for key, *_ in EMPLOYER_FILING.payload_labels}
