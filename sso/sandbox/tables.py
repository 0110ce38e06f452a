"""Tables of the sandbox network: its own users, grants (codes, tickets, tokens), sessions and SMS outbox."""

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class NetUser(Table, help_text="A sandbox-network account: 法人 (legal) keyed by USCC, 个人 (natural) by 身份证号"):
    subject = Varchar(length=64, unique=True, help_text="Stable opaque id handed to relying parties")
    kind = Varchar(length=10, help_text="legal or natural")
    login_name = Varchar(length=18, unique=True, help_text="USCC for legal, 身份证号 for natural")
    password_hash = Text()
    name = Varchar(length=200, help_text="单位名称 or the person's name")
    legal_rep = Varchar(length=40, default="")
    legal_rep_id_number = Varchar(length=18, default="")
    mobile = Varchar(length=20, default="")
    realname_level = Varchar(length=10, default="L2", help_text="L1 registered, L2 ID verified, L3 face verified")
    created_at = Timestamptz()


class NetGrant(Table, help_text="A one-time code, ticket, access token or password-reset code (stored hashed)"):
    kind = Varchar(length=10, help_text="code, ticket, token or reset")
    value_hash = Varchar(length=64, unique=True)
    user = ForeignKey(NetUser, on_delete=OnDelete.cascade, index=True)
    agent = ForeignKey(NetUser, null=True, default=None, on_delete=OnDelete.cascade,
                       help_text="For an agent login: the natural person acting for the legal person")
    client_id = Varchar(length=64, default="")
    redirect_uri = Varchar(length=500, default="")
    code_challenge = Varchar(length=128, default="")
    nonce = Varchar(length=128, default="")
    login_type = Varchar(length=20, default="password")
    expires_at = Timestamptz(index=True)
    used_at = Timestamptz(null=True, default=None)


class NetSession(Table, help_text="The network's own login session (single sign-on and logout)"):
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(NetUser, on_delete=OnDelete.cascade)
    agent = ForeignKey(NetUser, null=True, default=None, on_delete=OnDelete.cascade)
    login_type = Varchar(length=20, default="password")
    expires_at = Timestamptz()


class NetSms(Table, help_text="短信 outbox: the sandbox cannot send SMS, so the messages are shown on a page"):
    mobile = Varchar(length=20, index=True)
    text = Varchar(length=300)
    created_at = Timestamptz()
