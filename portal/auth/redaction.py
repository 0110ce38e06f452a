"""Log hygiene: passwords, ID numbers, session ids and CSRF tokens never reach a log line (SECURITY top notes)."""

from __future__ import annotations

import logging
import re
import time

from portal.validators import mask_id_number

_SECRET_PAIR = re.compile(
    r"""(?ix)
    (["']?(?:password|passwd|new_password|current_password|confirm_password|pwd|_csrf_token|csrftoken|x-csrftoken
          |csrf_token|portal_session|session(?:_id)?|totp_secret|secret|code|token|authorization|cookie)["']?
     \s*[:=]\s*["']?)
    ([^"'\s&;,}]+)
    """
)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_INSTALLED = "_portal_redaction"


def redact(text: str) -> str:
    text = _SECRET_PAIR.sub(lambda m: m.group(1) + "***", text)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)


def install() -> None:
    """Scrub every record at creation, whichever logger or handler (uvicorn, litestar, ours) emits it."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _INSTALLED, False):
        return

    def scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record for logging to report
            return record
        record.msg, record.args = redact(message), ()
        return record

    setattr(scrubbing_factory, _INSTALLED, True)
    logging.setLogRecordFactory(scrubbing_factory)
    portal_log = logging.getLogger("portal")
    # A handler of our own only when nobody (uvicorn --log-config, pytest) configured the root logger.
    if not portal_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(UTCFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        portal_log.addHandler(handler)
        portal_log.setLevel(logging.INFO)


class UTCFormatter(logging.Formatter):
    """Security events carry UTC time (ISO 8601, Z) whatever the server's zone."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"
