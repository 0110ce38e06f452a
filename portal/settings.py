"""Settings read from the environment, one dataclass per concern; see README for each variable."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def default_read_pool() -> int:
    """The SQLite read pool's default size: the machine's cores, at least 2 and at most 8."""
    return min(8, max(2, os.cpu_count() or 2))


@dataclass(frozen=True)
class DatabaseSettings:
    # sqlite:///path or postgresql://user@host:port/db
    url: str
    busy_timeout_s: int = 10
    # SQLite: idle connections kept for autocommit reads, and at most this many reads at once (more wait for a
    # free one instead of opening a throw-away connection and thread). One per core: each connection is a thread
    # that needs the GIL to hand its rows over, and at 16 concurrent requests on 2 cores a pool of 2 served
    # list pages 5-12 % faster than 16 (less CPU per request; bench/README.md, issue #15).
    sqlite_read_pool: int = field(default_factory=default_read_pool)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.split("sqlite:///", 1)[1])


@dataclass(frozen=True)
class JobSettings:
    """The job queue (portal.jobs, docs/JOBS.md): Redis when Settings.redis_url is set, else PostgreSQL's queue
    on PostgreSQL, else (SQLite) the in-process adapter."""

    # Workers of one queue serve each other's jobs; another name is another queue in the same database/Redis.
    queue_name: str = "portal"
    # PostgreSQL/Redis: run a worker inside each web process too (tests, a one-box installation); production
    # runs `python -m portal.worker` beside the web processes instead.
    in_process: bool = False
    concurrency: int = 4
    # On SIGTERM a worker lets running jobs finish for this long before it cancels them (they are then failed).
    shutdown_grace_s: int = 60


@dataclass(frozen=True)
class SiteSettings:
    name: str = "海南省人力资源和社会保障厅"
    hall_name: str = "网上办事大厅"
    sponsor: str = "海南省人力资源和社会保障厅"
    site_code: str = "4600000031"
    icp: str = "琼ICP备05000123号"
    police_record: str = "琼公网安备 46010802000123号"
    # The site's public address (PORTAL_PUBLIC_URL): required with PORTAL_HTTPS=1. QR codes use it, or in a
    # demo/test run without it `local_url` (this machine on $PORT), never a request's Host header.
    public_url: str = ""
    local_url: str = "http://127.0.0.1:8000"
    # The bureau's emblem in the banner (PORTAL_EMBLEM_FILE): an SVG, PNG, JPEG or WebP file the operator may
    # replace; served at /emblem.
    emblem_file: Path = ROOT / "static" / "img" / "emblem.svg"


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str
    https: bool = False
    staff_2fa: bool = True
    # "dengbao" (length 8, three kinds, periodic change) or "asvs" (length 12, breached list)
    password_policy: str = "dengbao"  # noqa: S105 (a policy name, not a password)
    password_max_age_days: int = 90
    idle_timeout_s: int = 30 * 60
    absolute_timeout_s: int = 12 * 3600
    lockout_failures: int = 5
    lockout_window_s: int = 15 * 60
    # argon2id cost; tests lower it, production keeps the library defaults
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    max_concurrent_hashes: int = 2


@dataclass(frozen=True)
class SSOSettings:
    # "oidc" (OpenID Connect code flow; "oauth2" is accepted as its old name) or "ticket" (Zhejiang style)
    protocol: str = "oidc"
    # The ticket network's base URL (browser and back channel); for OIDC the issuer when PORTAL_SSO_ISSUER is empty.
    base_url: str = ""
    client_id: str = "hrss-portal"
    client_secret: str = ""
    redirect_uri: str = ""
    # The ticket protocol's fixed return URL (its query carries our state); empty: this host's /sso/ticket.
    ticket_return_url: str = ""
    ticket_service_code: str = "hrss-portal"
    ticket_service_password: str = ""
    timeout_s: float = 5.0
    sandbox_enabled: bool = True
    # OpenID Connect (see README "Sign-in through the government-service network" for every value).
    issuer: str = ""
    discovery: bool = True
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    userinfo_endpoint: str = ""
    jwks_uri: str = ""
    end_session_endpoint: str = ""
    scopes: str = "openid profile"
    client_auth: str = "client_secret_basic"
    client_key_file: str = ""
    id_token_algs: str = "RS256,PS256,ES256"  # noqa: S105 (algorithm names)
    clock_skew_s: int = 60
    jwks_refresh_s: int = 60
    total_timeout_s: float = 8.0
    claims: str = ""
    user_types: str = "legal=legal,natural=natural"
    agent_login_types: str = "agent"
    realname_levels: str = "L1=L1,L2=L2,L3=L3"
    min_realname_employer: str = "L2"
    min_realname_person: str = "L2"
    # Extra authorisation-request parameters per entry (many networks pick their login tab from one).
    authorize_params_employer: str = "user_type=legal"
    authorize_params_person: str = "user_type=natural"


@dataclass(frozen=True)
class EcardSettings:
    """ACC-9: staff sign-in by scanning a QR code with the 电子社保卡 app (portal.auth.ecard, docs/accounts.md).

    mode "off" (default), "sandbox" (the simulated platform and phone at /sandbox-ecard, for demos and tests) or
    "platform" (the province's 电子社保卡 platform at base_url, with this portal's app_id and app_secret).
    """

    mode: str = "off"
    base_url: str = ""
    app_id: str = "hrss-portal"
    app_secret: str = ""
    timeout_s: float = 5.0
    # How long a shown QR code may be scanned; the platform's own expiry wins when it is shorter.
    qr_ttl_s: int = 120

    @property
    def enabled(self) -> bool:
        return self.mode in {"sandbox", "platform"}


@dataclass(frozen=True)
class SealSettings:
    # Electronic seals (portal.dataservices.seals): <seal_dir>/<division>/{seal.p12 | key.pem + chain.pem, seal.png},
    # trust anchors in <seal_dir>/trust/*.pem.
    seal_dir: Path = ROOT / "var" / "seals"
    passphrase: str = ""
    # Make a demo CA and seal (marked 演示) when seal_dir holds none; set PORTAL_SEAL_DEMO=0 in production.
    demo: bool = True
    # Sign issued certificates (PAdES); rosters too when sign_rosters.
    sign: bool = True
    sign_rosters: bool = False
    # Mark signed PDFs as PDF/A-2b (XMP identification, sRGB output intent); see docs/SEALS.md.
    pdfa: bool = True
    # RFC 3161 time-stamping authority; empty: the signing time is the server's clock only.
    tsa_url: str = ""
    upload_max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class RateLimitSettings:
    """Requests per minute and client address (portal.ratelimit); 0 switches a rule off."""

    # The public pages: the HR-agency 名录 and certificate verification (/verify, /verify/{code}).
    public_per_minute: int = 120
    # POST /verify: each upload is a PDF of up to 10 MB that is hashed and parsed.
    verify_upload_per_minute: int = 20
    # Sign-in POSTs (password, second factor); the per-account lockout is separate (portal.auth.login).
    sign_in_per_minute: int = 30


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings
    security: SecuritySettings
    site: SiteSettings = field(default_factory=SiteSettings)
    sso: SSOSettings = field(default_factory=SSOSettings)
    ecard: EcardSettings = field(default_factory=EcardSettings)
    seals: SealSettings = field(default_factory=SealSettings)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    # redis://… (PORTAL_REDIS_URL, read once): the job queue and the rate limits use Redis instead of the database.
    redis_url: str = ""
    jobs: JobSettings = field(default_factory=JobSettings)
    storage_dir: Path = ROOT / "var" / "storage"
    var_dir: Path = ROOT / "var"
    debug: bool = False
    upload_max_bytes: int = 20 * 1024 * 1024
    import_max_rows: int = 50_000
    # A grid export up to this many rows is answered at once; a bigger one becomes a background job. Lowered only
    # by tests that want the job path on small data (the kill-under-load proof).
    export_inline_max_rows: int = 10_000
    pdf_concurrency: int = 2
    chromium_path: str = "/usr/bin/chromium"
    # Clean-up (portal.dataservices.cleanup): finished export files, import results, uploads no job refers to
    # (after job_stale_minutes); a periodic job every cleanup_interval_minutes (0: only when a worker starts).
    export_retention_hours: int = 24
    import_retention_days: int = 7
    job_stale_minutes: int = 5
    cleanup_interval_minutes: int = 10
    # How often the recovery asks the queue about running jobs' workers (0: only when a worker starts).
    recover_interval_seconds: int = 10

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = Path(_env("PORTAL_VAR_DIR", str(ROOT / "var")))
        var_dir.mkdir(parents=True, exist_ok=True)
        db_url = _env("PORTAL_DATABASE_URL", f"sqlite:///{var_dir / 'portal.sqlite3'}")
        https = _flag("PORTAL_HTTPS", False)
        return cls(
            database=DatabaseSettings(url=db_url, busy_timeout_s=_int("PORTAL_DB_BUSY_TIMEOUT", 10),
                                      sqlite_read_pool=max(1, _int("PORTAL_SQLITE_READ_POOL", default_read_pool()))),
            security=SecuritySettings(
                secret_key=_secret_key(var_dir),
                https=https,
                staff_2fa=_flag("PORTAL_STAFF_2FA", True),
                password_policy=_env("PORTAL_PASSWORD_POLICY", "dengbao"),
                password_max_age_days=_int("PORTAL_PASSWORD_MAX_AGE_DAYS", 90),
                idle_timeout_s=_int("PORTAL_IDLE_TIMEOUT", 30 * 60),
                absolute_timeout_s=_int("PORTAL_ABSOLUTE_TIMEOUT", 12 * 3600),
                argon2_time_cost=_int("PORTAL_ARGON2_TIME_COST", 3),
                argon2_memory_cost=_int("PORTAL_ARGON2_MEMORY_COST", 65536),
            ),
            site=SiteSettings(
                name=_env("PORTAL_SITE_NAME", SiteSettings.name),
                hall_name=_env("PORTAL_HALL_NAME", SiteSettings.hall_name),
                sponsor=_env("PORTAL_SPONSOR", SiteSettings.sponsor),
                site_code=_env("PORTAL_SITE_CODE", SiteSettings.site_code),
                icp=_env("PORTAL_ICP", SiteSettings.icp),
                police_record=_env("PORTAL_POLICE_RECORD", SiteSettings.police_record),
                public_url=_public_url(https),
                local_url=f"http://127.0.0.1:{_int('PORT', 8000)}",
                emblem_file=Path(_env("PORTAL_EMBLEM_FILE", str(SiteSettings.emblem_file))),
            ),
            sso=SSOSettings(
                protocol=_env("PORTAL_SSO_PROTOCOL", "oidc"),
                base_url=_env("PORTAL_SSO_BASE_URL", ""),
                client_id=_env("PORTAL_SSO_CLIENT_ID", "hrss-portal"),
                client_secret=_env("PORTAL_SSO_CLIENT_SECRET", "sandbox-client-secret"),
                redirect_uri=_env("PORTAL_SSO_REDIRECT_URI", ""),
                ticket_return_url=_env("PORTAL_SSO_TICKET_RETURN_URL", ""),
                ticket_service_code=_env("PORTAL_SSO_SERVICE_CODE", "hrss-portal"),
                ticket_service_password=_env("PORTAL_SSO_SERVICE_PASSWORD", "sandbox-service-password"),
                timeout_s=float(_env("PORTAL_SSO_TIMEOUT", "5")),
                sandbox_enabled=_flag("PORTAL_SANDBOX_NETWORK", True),
                issuer=_env("PORTAL_SSO_ISSUER", ""),
                discovery=_flag("PORTAL_SSO_DISCOVERY", True),
                authorization_endpoint=_env("PORTAL_SSO_AUTHORIZATION_ENDPOINT", ""),
                token_endpoint=_env("PORTAL_SSO_TOKEN_ENDPOINT", ""),
                userinfo_endpoint=_env("PORTAL_SSO_USERINFO_ENDPOINT", ""),
                jwks_uri=_env("PORTAL_SSO_JWKS_URI", ""),
                end_session_endpoint=_env("PORTAL_SSO_END_SESSION_ENDPOINT", ""),
                scopes=_env("PORTAL_SSO_SCOPES", SSOSettings.scopes),
                client_auth=_env("PORTAL_SSO_CLIENT_AUTH", SSOSettings.client_auth),
                client_key_file=_env("PORTAL_SSO_CLIENT_KEY_FILE", ""),
                id_token_algs=_env("PORTAL_SSO_ID_TOKEN_ALGS", SSOSettings.id_token_algs),
                clock_skew_s=_int("PORTAL_SSO_CLOCK_SKEW", 60),
                jwks_refresh_s=_int("PORTAL_SSO_JWKS_REFRESH", 60),
                total_timeout_s=float(_env("PORTAL_SSO_TOTAL_TIMEOUT", "8")),
                claims=_env("PORTAL_SSO_CLAIMS", ""),
                user_types=_env("PORTAL_SSO_USER_TYPES", SSOSettings.user_types),
                agent_login_types=_env("PORTAL_SSO_AGENT_LOGIN_TYPES", SSOSettings.agent_login_types),
                realname_levels=_env("PORTAL_SSO_REALNAME_LEVELS", SSOSettings.realname_levels),
                min_realname_employer=_env("PORTAL_SSO_MIN_REALNAME_EMPLOYER", "L2"),
                min_realname_person=_env("PORTAL_SSO_MIN_REALNAME_PERSON", "L2"),
                authorize_params_employer=_env("PORTAL_SSO_AUTHORIZE_PARAMS_EMPLOYER", "user_type=legal"),
                authorize_params_person=_env("PORTAL_SSO_AUTHORIZE_PARAMS_PERSON", "user_type=natural"),
            ),
            ecard=_ecard_settings(),
            seals=SealSettings(
                seal_dir=Path(_env("PORTAL_SEAL_DIR", str(var_dir / "seals"))),
                passphrase=_env("PORTAL_SEAL_PASSPHRASE", ""),
                demo=_flag("PORTAL_SEAL_DEMO", True),
                sign=_flag("PORTAL_SIGN_CERTIFICATES", True),
                sign_rosters=_flag("PORTAL_SIGN_ROSTERS", False),
                pdfa=_flag("PORTAL_PDFA", True),
                tsa_url=_env("PORTAL_SEAL_TSA_URL", ""),
                upload_max_bytes=_int("PORTAL_VERIFY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
            ),
            rate_limits=RateLimitSettings(
                public_per_minute=_int("PORTAL_RATE_PUBLIC", RateLimitSettings.public_per_minute),
                verify_upload_per_minute=_int("PORTAL_RATE_VERIFY_UPLOAD", RateLimitSettings.verify_upload_per_minute),
                sign_in_per_minute=_int("PORTAL_RATE_SIGN_IN", RateLimitSettings.sign_in_per_minute),
            ),
            redis_url=_env("PORTAL_REDIS_URL", ""),
            jobs=JobSettings(
                queue_name=_env("PORTAL_QUEUE_NAME", "portal"),
                in_process=_flag("PORTAL_JOBS_IN_PROCESS", False),
                concurrency=max(1, _int("PORTAL_WORKER_CONCURRENCY", 4)),
                shutdown_grace_s=_int("PORTAL_WORKER_GRACE", 60),
            ),
            storage_dir=Path(_env("PORTAL_STORAGE_DIR", str(var_dir / "storage"))),
            var_dir=var_dir,
            debug=_flag("PORTAL_DEBUG", False),
            upload_max_bytes=_int("PORTAL_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
            import_max_rows=_int("PORTAL_IMPORT_MAX_ROWS", 50_000),
            export_inline_max_rows=_int("PORTAL_EXPORT_INLINE_MAX_ROWS", 10_000),
            pdf_concurrency=_int("PORTAL_PDF_CONCURRENCY", 2),
            chromium_path=_env("PORTAL_CHROMIUM", "/usr/bin/chromium"),
            export_retention_hours=_int("PORTAL_EXPORT_RETENTION_HOURS", 24),
            import_retention_days=_int("PORTAL_IMPORT_RETENTION_DAYS", 7),
            job_stale_minutes=_int("PORTAL_JOB_STALE_MINUTES", 5),
            cleanup_interval_minutes=_int("PORTAL_CLEANUP_INTERVAL_MINUTES", 10),
            recover_interval_seconds=_int("PORTAL_RECOVER_INTERVAL_SECONDS", 10),
        )


def _ecard_settings() -> EcardSettings:
    mode = _env("PORTAL_ECARD_LOGIN", "off").strip().lower()
    if mode not in {"off", "sandbox", "platform"}:
        raise ValueError(f"PORTAL_ECARD_LOGIN must be off, sandbox or platform, got {mode!r}")
    settings = EcardSettings(
        mode=mode,
        base_url=_env("PORTAL_ECARD_BASE_URL", "").rstrip("/"),
        app_id=_env("PORTAL_ECARD_APP_ID", EcardSettings.app_id),
        app_secret=_env("PORTAL_ECARD_APP_SECRET", "sandbox-ecard-secret" if mode == "sandbox" else ""),
        timeout_s=float(_env("PORTAL_ECARD_TIMEOUT", "5")),
        qr_ttl_s=_int("PORTAL_ECARD_QR_TTL", 120),
    )
    if mode == "platform" and not (settings.base_url and settings.app_secret):
        raise ValueError("PORTAL_ECARD_LOGIN=platform needs PORTAL_ECARD_BASE_URL and PORTAL_ECARD_APP_SECRET")
    return settings


def _secret_key(var_dir: Path) -> str:
    """The key from the environment, else one generated once into var/ (never a constant in code)."""
    if key := os.environ.get("PORTAL_SECRET_KEY"):
        return key
    path = var_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _public_url(https: bool) -> str:
    """PORTAL_PUBLIC_URL: required behind HTTPS (production), and then https://; may be empty in a demo."""
    raw = os.environ.get("PORTAL_PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        if https:
            raise ValueError("PORTAL_PUBLIC_URL is required with PORTAL_HTTPS=1: the address printed in QR codes")
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ({"https"} if https else {"http", "https"}) or not parts.netloc or parts.query:
        raise ValueError(f"PORTAL_PUBLIC_URL must be an absolute {'https' if https else 'http(s)'} URL, got {raw!r}")
    return raw
