"""Tables of one_thing: one row per 一件事 application, linking the two 办件 it filed (each domain keeps its own rows)."""

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer


class OneThing(
    Table,
    help_text="一件事一次办: an application that filed a labour-contract 办件 and a 增减员 办件 together",
):
    class Kind(str, Enum):
        hire = "hire"  # 员工录用一件事: 新订备案 + 增员
        leave = "leave"  # 员工离职一件事: 解除(终止)备案 + 减员 (+ 解除(终止)证明书)

    employer = ForeignKey(Employer, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10, choices=Kind)
    number = Varchar(length=40, unique=True, help_text="一件事编号, shown on both 办件")
    id_number = Varchar(length=18, help_text="身份证号 of the worker, normalised")
    name = Varchar(length=40)
    contract_id = Integer(help_text="The labour-contract filing (labor_contract's contract row)")
    lc_matter_id = Integer(help_text="Its 办件 (劳动合同备案)")
    pc_matter_id = Integer(help_text="The 增员 / 减员 办件 (人员增减员申报)")
    acting_name = Varchar(length=40, default="", help_text="法定代表人 or 经办人 who filed it")
    created_at = Timestamptz()
