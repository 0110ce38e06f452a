"""Test set-up: a throw-away database (SQLite, or PostgreSQL from PORTAL_TEST_DATABASE_URL), migrated once."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VAR = Path(tempfile.mkdtemp(prefix="portal-test-"))

# Environment first: piccolo_conf and the settings read it on import.
os.environ["PORTAL_VAR_DIR"] = str(_VAR)
os.environ["PORTAL_DATABASE_URL"] = os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{_VAR / 'test.sqlite3'}"
os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ["PORTAL_ARGON2_TIME_COST"] = "1"
os.environ["PORTAL_ARGON2_MEMORY_COST"] = "8192"
os.environ.setdefault("PORTAL_STAFF_2FA", "0")
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
# Every test client comes from one address: the per-address rate limits would throttle the suite's sign-ins and
# public pages. tests/security/test_rate_limits.py builds apps with small limits of its own.
for _rule in ("PORTAL_RATE_PUBLIC", "PORTAL_RATE_VERIFY_UPLOAD", "PORTAL_RATE_SIGN_IN"):
    os.environ.setdefault(_rule, "100000")
# A clean-up pass in the middle of a test would delete what the test is looking at; tests call cleanup() themselves.
os.environ.setdefault("PORTAL_CLEANUP_INTERVAL_MINUTES", "0")
os.environ.setdefault("PORTAL_RECOVER_INTERVAL_SECONDS", "0")
# On PostgreSQL the session app runs a SAQ worker of its own (production runs `python -m portal.worker`).
os.environ.setdefault("PORTAL_JOBS_IN_PROCESS", "1")

subprocess.run(
    [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"],
    cwd=ROOT, check=True, capture_output=True, env=os.environ,
)
subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)

# Property tests check behaviour, not speed: on a shared, loaded machine Hypothesis's deadline and "too slow" health
# check fail runs that are correct.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("portal")

# Matter kinds, permissions and sheets come from the areas: tests of services use them without an app.
from portal.areas import install_all  # noqa: E402

install_all()

from tests.support.fixtures import *  # noqa: E402,F403

# `import *` skips underscore names: the autouse clean-up fixture must be imported by name.
from tests.support.fixtures import _clean_db  # noqa: E402,F401

