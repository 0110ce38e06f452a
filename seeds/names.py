"""Realistic Chinese names for generated data: surnames weighted by frequency (Hainan-flavoured), given-name characters."""

from __future__ import annotations

import random
from itertools import accumulate

# (surname, weight ‰). National frequency order, with Hainan's own common names (符, 邢, 羊, 云, 麦, 莫, 冯 …)
# weighted up: 陈, 王, 吴, 林, 符 lead in Hainan.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("陈", 90),
    ("王", 85),
    ("吴", 60),
    ("林", 55),
    ("李", 55),
    ("符", 45),
    ("黄", 45),
    ("张", 40),
    ("刘", 35),
    ("周", 20),
    ("邢", 18),
    ("杨", 18),
    ("郑", 15),
    ("何", 15),
    ("谢", 13),
    ("梁", 13),
    ("冯", 12),
    ("许", 12),
    ("蔡", 11),
    ("韩", 11),
    ("羊", 10),
    ("云", 10),
    ("赵", 10),
    ("徐", 10),
    ("孙", 9),
    ("朱", 9),
    ("胡", 9),
    ("郭", 9),
    ("高", 8),
    ("罗", 8),
    ("曾", 8),
    ("麦", 8),
    ("莫", 8),
    ("卢", 7),
    ("邓", 7),
    ("唐", 7),
    ("钟", 7),
    ("潘", 7),
    ("马", 7),
    ("宋", 6),
    ("曹", 6),
    ("彭", 6),
    ("肖", 6),
    ("田", 5),
    ("董", 5),
    ("袁", 5),
    ("于", 5),
    ("蒋", 5),
    ("余", 5),
    ("杜", 5),
    ("叶", 5),
    ("程", 5),
    ("苏", 5),
    ("魏", 5),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 4),
    ("姜", 4),
    ("崔", 4),
    ("谭", 4),
    ("陆", 4),
    ("汪", 4),
    ("范", 4),
    ("金", 4),
    ("石", 4),
    ("廖", 4),
    ("贾", 3),
    ("夏", 3),
    ("韦", 3),
    ("付", 3),
    ("方", 3),
    ("白", 3),
    ("邹", 3),
    ("孟", 3),
    ("熊", 3),
    ("秦", 3),
    ("邱", 3),
    ("江", 3),
    ("尹", 3),
    ("薛", 3),
    ("闫", 3),
    ("段", 3),
    ("雷", 3),
    ("侯", 3),
    ("龙", 3),
    ("史", 3),
    ("陶", 2),
    ("黎", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("郝", 2),
    ("龚", 2),
    ("邵", 2),
    ("万", 2),
    ("钱", 2),
    ("严", 2),
    ("覃", 2),
    ("武", 2),
    ("戴", 2),
    ("孔", 2),
    ("向", 2),
    ("汤", 2),
    ("文", 2),
    ("欧阳", 1),
    ("司马", 0.3),
    ("诸葛", 0.2),
    ("上官", 0.2),
)

# Given-name characters; names drawn per gender keep the generated roster plausible.
MALE_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林成建志国文东海振兴德福贵荣"
    "庆康博家晨昊然子轩睿泽宏坤锋晖骏毅峰航翔彬韬亮群继嘉铭哲源"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲桂英慧莹雪琳晶婷倩颖欣怡佳悦雅璐璇琪梦瑶蕾萍红燕菲薇妍蓉月洁珊"
    "露萱诗涵思彤婉晓翠凤兰琴蓓婧妮曼"
)
NEUTRAL_CHARS = "文华明金春晓小永海新天安宇清光红玉一心子晨嘉思"

_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_CUM = list(accumulate(w for _, w in SURNAMES))

# Trade names (字号) and industry words for employer names.
CITY_PREFIX = {
    "4601": "海口",
    "4602": "三亚",
    "4603": "三沙",
    "4604": "儋州",
    "469001": "五指山",
    "469002": "琼海",
    "469005": "文昌",
    "469006": "万宁",
    "469007": "东方",
    "469021": "定安",
    "469022": "屯昌",
    "469023": "澄迈",
    "469024": "临高",
    "469025": "白沙",
    "469026": "昌江",
    "469027": "乐东",
    "469028": "陵水",
    "469029": "保亭",
    "469030": "琼中",
}
TRADE_CHARS = "椰海蓝天琼鹿城南洋金盛鸿源华泰恒通达信宏远瑞丰和顺新兴众诚嘉禾长青绿洲明珠星辰博雅凯越"
INDUSTRY_WORDS = (
    ("商贸", "F"),
    ("贸易", "F"),
    ("酒店管理", "H"),
    ("餐饮管理", "H"),
    ("旅游开发", "N"),
    ("建筑工程", "E"),
    ("房地产开发", "K"),
    ("物业服务", "K"),
    ("网络科技", "I"),
    ("信息技术", "I"),
    ("农业开发", "A"),
    ("热带农业", "A"),
    ("渔业", "A"),
    ("食品", "C"),
    ("制药", "C"),
    ("物流", "G"),
    ("运输", "G"),
    ("文化传媒", "R"),
    ("教育咨询", "P"),
    ("医疗器械", "F"),
    ("人力资源服务", "L"),
    ("保洁服务", "O"),
    ("电力工程", "D"),
    ("装饰工程", "E"),
    ("汽车服务", "O"),
    ("投资管理", "L"),
)
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "分公司")


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, male: bool) -> str:
    pool = MALE_CHARS if male else FEMALE_CHARS
    first = rng.choice(pool if rng.random() < 0.8 else NEUTRAL_CHARS)
    if rng.random() < 0.28:
        return first
    return first + rng.choice(pool)


def person_name(rng: random.Random, male: bool) -> str:
    """A full name of 2–4 汉字 (so it always passes the ≤10 汉字 rule of the batch templates)."""
    return surname(rng) + given_name(rng, male)


def city_of(division_code: str) -> str:
    return CITY_PREFIX.get(division_code) or CITY_PREFIX.get(division_code[:4], "海南")


def employer_name(rng: random.Random, division_code: str) -> tuple[str, str]:
    """(name, industry code): e.g. ("海口椰源商贸有限公司", "F")."""
    word, industry = rng.choice(INDUSTRY_WORDS)
    trade = rng.choice(TRADE_CHARS) + rng.choice(TRADE_CHARS)
    return f"{city_of(division_code)}{trade}{word}{rng.choice(COMPANY_FORMS)}", industry
