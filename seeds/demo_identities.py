"""Demo identities shared by every demo seed: the same USCCs and 身份证号 in the sandbox network and the portal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoEmployer:
    uscc: str
    name: str
    legal_rep: str
    legal_rep_id_number: str
    legal_rep_mobile: str
    division_code: str
    password: str  # the sandbox-network password of the legal-person account


@dataclass(frozen=True)
class DemoPerson:
    id_number: str
    name: str
    mobile: str
    password: str  # the sandbox-network password of the natural-person account


# Check digits are valid (GB 32100 / GB 11643); tests assert it.
EMPLOYERS = (
    DemoEmployer("91460100MA5T00010J", "海南椰风科技有限公司", "陈海涛", "460100198001010014", "13876000001",
                 "460100", "Demo@2026a"),
    DemoEmployer("91460105MA5T00029P", "海口秀英蓝湾酒店管理有限公司", "林晓梅", "46010519850505002X", "13876000002",
                 "460105", "Demo@2026b"),
    DemoEmployer("91460200MA5T00037F", "三亚南山建设工程有限公司", "符国强", "460200197511110040", "13876000003",
                 "460200", "Demo@2026c"),
)

# The demo 人力资源服务机构: a legal person of its own on the network (domains/hr_agency/demo.py).
AGENCY = DemoEmployer("91460105MA5T00045D", "海南英才人力资源服务有限公司", "吴立人", "460105198606060075",
                      "13876000004", "460105", "Demo@2026h")

PERSONS = (
    DemoPerson("460100199009090033", "王小明", "13976000001", "Demo@2026p"),
    DemoPerson("460105199202020055", "李芳", "13976000002", "Demo@2026q"),
)

# A natural person the first demo employer authorises as its 经办人 (agent) in the portal.
AGENT = DemoPerson("460100198808080064", "黄经办", "13976000003", "Demo@2026r")

EMPLOYER_USCCS = tuple(e.uscc for e in EMPLOYERS)
LEGAL_PERSONS = (*EMPLOYERS, AGENCY)  # every legal-person account of the sandbox network
PERSON_ID_NUMBERS = tuple(p.id_number for p in PERSONS)
