"""Tables of the hall app: 通知公告."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Notice(Table, help_text="通知公告 on the home page: written by an administrator, published, withdrawn"):
    title = Varchar(length=100)
    body = Text(default="", help_text="Plain text; blank lines separate paragraphs")
    status = Varchar(length=20, default="draft", index=True, help_text="draft, published or withdrawn")
    published_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    author_id = Integer(null=True, default=None, help_text="staff_user id of the last editor")
    author_name = Varchar(length=100, default="")
