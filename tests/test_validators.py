"""身份证号 (GB 11643) and 统一社会信用代码 (GB 32100): known values, and properties checked with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import validators as v

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
divisions = st.sampled_from(["110105", "460100", "460105", "460202", "350100", "440305"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1))


@st.composite
def id_numbers(draw) -> str:
    first17 = f"{draw(divisions)}{draw(births):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + v.id_check_digit(first17)


@st.composite
def usccs(draw) -> str:
    org8 = "".join(draw(st.lists(st.sampled_from(ORG_CHARS), min_size=8, max_size=8)))
    first17 = draw(st.sampled_from(["91", "92", "93", "11", "51"])) + draw(divisions) + org8 + v.org_check_digit(org8)
    return first17 + v.uscc_check_digit(first17)


def test_known_id_numbers():
    assert v.id_number_error("11010519491231002X") is None
    assert v.is_id_number("11010519491231002x")  # lower-case x normalised
    assert v.id_number_error("110105194912310021") == "身份证号校验位不正确"
    assert v.id_number_error("11010519490231002X") == "身份证号中的出生日期不存在"
    assert v.id_number_error("11010518991231002X") == "身份证号中的出生日期不合理"
    assert v.id_number_error("1101051949123100") == "身份证号应为18位"
    assert v.id_number_error("11010519491231A02X") == "身份证号格式不正确：前17位应为数字，末位为数字或X"
    tomorrow = date.today() + timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}001"
    assert v.id_number_error(first17 + v.id_check_digit(first17)) == "身份证号中的出生日期不合理"
    arabic_indic = "11010519491231002X".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert v.id_number_error(v.normalise(arabic_indic)) is not None  # only ASCII digits are stored
    assert v.id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert v.id_gender("11010519491231002X") == "女"


def test_known_usccs():
    assert v.uscc_error("91350100M000100Y43") is None
    assert v.uscc_error("91350100M000100Y4Z") is not None
    assert v.uscc_error("91350100M000100Y44") == "统一社会信用代码校验位不正确"
    assert v.uscc_error("91350100M000200Y43") == "统一社会信用代码中的组织机构代码校验位不正确"
    assert v.uscc_error("91350100M0001O0Y43") == "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    assert v.uscc_error("913501") == "统一社会信用代码应为18位"
    assert v.uscc_org_code("91350100M000100Y43") == "M000100Y-4"
    assert v.is_uscc(" 91350100m000100y43 ")


def test_masking_keeps_first_six_and_last_four():
    assert v.mask_id_number("11010519491231002X") == "110105********002X"
    assert v.mask_phone("13912345678") == "139****5678"
    assert v.mask_id_number("123") == "***"
    assert v.mask_phone("12345") == "*****"


@given(id_numbers())
def test_generated_id_numbers_are_valid_and_masked(ident):
    assert v.id_number_error(ident) is None
    masked = v.mask_id_number(ident)
    assert masked[:6] == ident[:6] and masked[-4:] == ident[-4:] and set(masked[6:14]) == {"*"}


@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_caught(ident, pos, char):
    changed = ident[:pos] + char + ident[pos + 1:]
    if changed != ident:
        assert v.id_number_error(changed) is not None


@given(id_numbers())
def test_full_width_and_spaces_normalise_to_the_same_number(ident):
    wide = " " + ident.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")) + "\u3000"
    assert v.normalise(wide) == ident and v.is_id_number(wide)
    assert v.normalise(v.normalise(wide)) == ident


@given(usccs())
def test_generated_usccs_are_valid(code):
    assert v.uscc_error(code) is None
    assert v.uscc_org_code(code) == f"{code[8:16]}-{code[16]}"


@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_CHARS))
def test_any_single_uscc_change_is_caught(code, pos, char):
    changed = code[:pos] + char + code[pos + 1:]
    if changed != code:
        assert v.uscc_error(changed) is not None


@given(st.text(max_size=30))
def test_validators_never_crash(text):
    value = v.normalise(text)
    assert v.id_number_error(value) is None or isinstance(v.id_number_error(value), str)
    assert v.uscc_error(value) is None or isinstance(v.uscc_error(value), str)


@pytest.mark.parametrize(("value", "ok"), [
    ("0898-66668888", True), ("089866668888", True), ("010-88886666", True), ("0898-6666888", True),
    ("0898-66668888-123", True), ("13800000000", False), ("0898-06668888", False), ("898-66668888", False),
    ("0898-666", False), ("", False),
])
def test_landline(value, ok):
    assert (v.landline_error(value) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("570100", True), ("572000", True), ("100000", True), ("000000", False), ("970000", False), ("57010", False),
    ("5701000", False), ("57010A", False),
])
def test_postcode(value, ok):
    assert (v.postcode_error(value) is None) is ok
