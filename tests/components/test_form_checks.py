"""portal.forms.Form: one validation reports every problem (X-11)."""

from portal.forms import Form, IntField, TextField


def _order(cleaned):
    errors = {}
    if cleaned.get("low") is not None and cleaned.get("high") is not None and cleaned["low"] > cleaned["high"]:
        errors["high"] = "上限应不小于下限"
    if not cleaned.get("note"):
        errors["note"] = "请说明原因"
    return errors


def _needs_name(cleaned):
    return {"name": "名称重复"} if cleaned["name"] == "重复" else {}


async def test_cross_field_checks_run_alongside_field_errors():
    form = Form([TextField("name", "名称"), IntField("low", "下限"), IntField("high", "上限"),
                 TextField("note", "说明", required=False)],
                {"name": "", "low": "5", "high": "3"}, checks=[_order, _needs_name])
    assert not await form.validate()
    # The missing 名称 (field), 上限 < 下限 and the missing 说明 (checks) come in one answer; the check that reads
    # the failed 名称 is skipped, and a field's own message is never replaced by a check's.
    assert form.errors == {"name": "请填写名称", "high": "上限应不小于下限", "note": "请说明原因"}
