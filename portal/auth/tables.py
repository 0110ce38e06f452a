"""Tables of the auth app: staff users, roles, jurisdictions, server-side sessions, login throttling."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Role(Table, help_text="业务角色: a named set of permissions assigned by an administrator"):
    code = Varchar(length=40, unique=True)
    name = Varchar(length=60)
    permissions = JSON(default="[]", help_text="List of permission codes (see portal.auth.permissions)")
    builtin = Boolean(default=False)


class StaffUser(Table, help_text="经办人员 / 审核人员 / 管理员 with a local password"):
    username = Varchar(length=40, unique=True)
    display_name = Varchar(length=40)
    mobile = Varchar(length=20, default="")
    password_hash = Text()
    password_changed_at = Timestamptz(null=True, default=None)
    must_change_password = Boolean(default=False)
    totp_secret = Varchar(length=64, default="", help_text="Empty until the user enrols a second factor")
    active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    # ACC-9: the 身份证号 the 电子社保卡 platform names when this user scans the login QR code (bound by an
    # administrator); NULL: no scan login. A unique index (its migration; SQLite cannot add a UNIQUE column) lets
    # one card sign in as at most one account.
    ecard_id_number = Varchar(length=18, null=True, default=None)


class StaffRole(Table, help_text="Which roles a staff user holds"):
    staff = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    role = ForeignKey(Role, on_delete=OnDelete.restrict, index=True)


class StaffScope(Table, help_text="Jurisdiction: 行政区划, 监察中队 or 审核机构 codes a staff user may see"):
    staff = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, help_text="division, squad or agency")
    code = Varchar(length=40)


class SessionRecord(Table, help_text="Server-side session store shared by every worker"):
    key = Varchar(length=128, unique=True)
    value = Text()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginThrottle(Table, help_text="Sign-in attempts per account in the current window, shared by every worker"):
    account = Varchar(length=80, unique=True, help_text="kind:username, not the password")
    attempts = Integer(default=0, help_text="Attempts counted before their password was checked")
    window_start = Timestamptz(index=True, help_text="Start of the window; the moment of the lockout once locked")


class UsedToken(Table, help_text="One-time values already consumed: form ids, SSO codes, TOTP steps"):
    kind = Varchar(length=20)
    value = Varchar(length=128, unique=True)
    at = Timestamptz(index=True)
    owner = Integer(null=True, default=None)


class EcardSandboxScan(Table, help_text="The sandbox 电子社保卡 platform's QR codes (PORTAL_ECARD_LOGIN=sandbox only)"):
    qr_id = Varchar(length=64, unique=True)
    status = Varchar(length=12, default="waiting", help_text="waiting, scanned, confirmed, cancelled")
    id_number = Varchar(length=18, default="")
    name = Varchar(length=40, default="")
    code = Varchar(length=64, null=True, default=None, unique=True, help_text="One-time code once confirmed")
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
