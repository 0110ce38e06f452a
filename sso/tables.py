"""Tables of the sso app: accounts keyed by the network's stable subject id."""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from domains.employer.tables import Employer
from domains.person.tables import Person


class NetworkAccount(Table, help_text="An account of the government-service network that has signed in here"):
    subject = Varchar(length=128, unique=True, help_text="The network's stable subject id, never a name")
    kind = Varchar(length=10, help_text="employer (法人) or person (自然人)")
    employer = ForeignKey(Employer, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, help_text="单位名称 or the person's name, as the network last reported it")
    login_type = Varchar(length=40, default="")
    realname_level = Varchar(length=20, default="")
    created_at = Timestamptz()
    last_login_at = Timestamptz()
