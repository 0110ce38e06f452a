"""Tables of the person app: natural persons (个人 / 参保人)."""

from piccolo.columns import Date, Timestamptz, Varchar
from piccolo.table import Table


class Person(Table, help_text="自然人, keyed by 身份证号 (ACC-4)"):
    id_number = Varchar(length=18, unique=True, help_text="身份证号, normalised (upper-case X)")
    name = Varchar(length=40, index=True)
    gender = Varchar(length=2, default="", help_text="男 / 女, derived from the ID number")
    birth_date = Date(null=True, default=None)
    mobile = Varchar(length=20, default="")
    division_code = Varchar(length=12, default="")
    created_at = Timestamptz()
