"""The one place that normalises and validates 身份证号 (GB 11643), 统一社会信用代码 (GB 32100) and phones."""

from __future__ import annotations

import calendar
import re
import time
import unicodedata
from datetime import date, datetime, timedelta

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$")
_POSTCODE = re.compile(r"^[0-8]\d{5}$")


def normalise(value: str | None) -> str:
    """Half-width, trimmed, upper-case: what users paste from Word or WPS becomes comparable."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").upper()


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """None when `value` (already normalised) is a valid 18-digit 身份证号, else the Chinese reason."""
    if len(value) != 18:
        return "身份证号应为18位"
    # isascii: str.isdigit() also accepts e.g. Arabic-Indic digits, which NFKC leaves alone
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号格式不正确：前17位应为数字，末位为数字或X"
    # Fast path (imports check 100,000 IDs a second): a birth date in the set of plausible ones is valid.
    if today is not None or value[6:14] not in _plausible_births():
        try:
            born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            return "身份证号中的出生日期不存在"
        if born.year < 1900 or born > (today or date.today()):
            return "身份证号中的出生日期不合理"
    # The weights are 2**(18 - i) mod 11 and 13 ≡ 2 (mod 11): reading the digits in base 13 sums them in C.
    if _ID_CHECK[2 * int(value[:17], 13) % 11] != value[17]:
        return "身份证号校验位不正确"
    return None


_BIRTHS: tuple[float, frozenset[str]] = (0.0, frozenset())


def _plausible_births() -> frozenset[str]:
    """Every YYYYMMDD from 1900-01-01 to today (~46,000 strings), rebuilt after local midnight."""
    global _BIRTHS
    if time.time() >= _BIRTHS[0]:
        today = date.today()
        days = frozenset(
            f"{y}{m:02d}{d:02d}" for y in range(1900, today.year + 1) for m in range(1, 13)
            for d in range(1, calendar.monthrange(y, m)[1] + 1) if (y, m, d) <= (today.year, today.month, today.day)
        )
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time()).timestamp()  # local midnight
        _BIRTHS = (tomorrow, days)
    return _BIRTHS[1]


def id_number_errors(values: list[str]) -> list[str | None]:
    """id_number_error() for a column of values (imports): the common valid case in one expression per value."""
    births = _plausible_births()
    check = _ID_CHECK
    return [
        None if len(v) == 18 and v.isascii() and v[:17].isdigit() and v[6:14] in births
        and check[2 * int(v[:17], 13) % 11] == v[17] else id_number_error(v)
        for v in values
    ]


def is_id_number(value: str) -> bool:
    return id_number_error(normalise(value)) is None


def id_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    return "男" if int(value[16]) % 2 else "女"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _org_check(first8: str) -> str | None:
    total = 0
    for c, w in zip(first8, _ORG_WEIGHTS, strict=True):
        if c.isdigit():
            total += int(c) * w
        elif "A" <= c <= "Z":
            total += (ord(c) - 55) * w
        else:
            return None
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_error(value: str) -> str | None:
    """None when `value` (already normalised) is a valid 统一社会信用代码, else the Chinese reason."""
    if len(value) != 18:
        return "统一社会信用代码应为18位"
    if any(c not in _USCC_CHARS for c in value):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    if not value[2:8].isdigit():
        return "统一社会信用代码第3至8位应为行政区划代码"
    if _org_check(value[8:16]) != value[16]:
        return "统一社会信用代码中的组织机构代码校验位不正确"
    if uscc_check_digit(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确"
    return None


def uscc_check_digit(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def org_check_digit(first8: str) -> str:
    check = _org_check(first8)
    assert check is not None
    return check


def is_uscc(value: str) -> bool:
    return uscc_error(normalise(value)) is None


def uscc_org_code(uscc: str) -> str:
    """组织机构代码 as printed: 8 characters, hyphen, check character."""
    return f"{uscc[8:16]}-{uscc[16]}"


def mobile_error(value: str) -> str | None:
    return None if _MOBILE.match(value) else "手机号码应为11位，以1开头"


def phone_error(value: str) -> str | None:
    return None if _PHONE.match(value) else "电话号码格式不正确（手机号或区号-号码）"


def landline_error(value: str) -> str | None:
    """固定电话: 区号 (0 and 2–3 digits), 7–8 digits not starting with 0 or 1, an optional extension."""
    return None if _LANDLINE.match(value) else "固定电话格式不正确，应为区号-号码，如0898-66668888"


def postcode_error(value: str) -> str | None:
    """邮政编码: six digits; China's first digit runs 0–8 (海南 57xxxx)."""
    return None if _POSTCODE.match(value) and value != "000000" else "邮政编码应为6位数字，如570100"


def mask_id_number(value: str) -> str:
    """X-9: first 6 and last 4 kept."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
