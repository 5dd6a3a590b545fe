"""Settings from the environment, with the embedded defaults (README, "Configuration")."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from tracker.delays.rules import REQUEST_KINDS, Thresholds
from tracker.matters.enums import ProceedingKind

MAIL_BACKENDS = ("file", "console", "sendgrid")
#: MAIL_LEASE_SECONDS: how long a dispatcher's claim on a mail lasts unless renewed
MAIL_LEASE_DEFAULT = 600
#: a claim is renewed every third of its lease: shorter would renew all the time
MAIL_LEASE_MIN = 2
#: a day: a longer lease only keeps a dead dispatcher's mail waiting longer
MAIL_LEASE_MAX = 86_400
#: MAIL_RATE_LIMIT_MAX_WAIT: the longest a run waits for a rate limit to reset
MAIL_RATE_LIMIT_MAX_WAIT_DEFAULT = 60
MAIL_RATE_LIMIT_MAX_WAIT_MAX = 3_600
#: sessions: minutes idle (5 min to a day), hours in all (1 h to 30 days)
SESSION_IDLE_DEFAULT = 120
SESSION_LIFETIME_DEFAULT = 12


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    secret_key: str
    mail_backend: str = "file"
    mail_from: str = "tracker@localhost"
    sendgrid_api_key: str = ""
    sendgrid_api_host: str = "https://api.sendgrid.com"
    #: the signed Event Webhook's verification key, base64 of its DER public key as
    #: SendGrid shows it; empty: every post to /webhooks/sendgrid is refused
    sendgrid_webhook_public_key: str = ""
    #: seconds a dispatcher's claim on a mail lasts unless renewed (MAIL_LEASE_SECONDS)
    mail_lease_seconds: int = MAIL_LEASE_DEFAULT
    #: a 429 whose limit resets within this many seconds is waited out, not a stop
    mail_rate_limit_max_wait: int = MAIL_RATE_LIMIT_MAX_WAIT_DEFAULT
    base_url: str = "http://127.0.0.1:5000"
    #: largest request body the API accepts, in bytes
    max_body: int = 1024 * 1024
    #: reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
    proxies: int = 0
    #: a session unused this long ends (SESSION_IDLE_MINUTES)
    session_idle: dt.timedelta = dt.timedelta(minutes=SESSION_IDLE_DEFAULT)
    #: a session ends this long after its sign-in, however active (SESSION_LIFETIME_HOURS)
    session_lifetime: dt.timedelta = dt.timedelta(hours=SESSION_LIFETIME_DEFAULT)
    #: the delay rules' thresholds (DELAY_* variables)
    delays: Thresholds = field(default_factory=Thresholds)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def outbox(self) -> Path:
        return self.instance / "outbox"

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def load(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings; create the instance folder and its secret key on first use."""
    env = os.environ if environ is None else environ
    instance = Path(env.get("TRACKER_INSTANCE", "instance")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    backend = env.get("MAIL_BACKEND", "file")
    if backend not in MAIL_BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, not {backend!r}")
    return Settings(
        instance=instance,
        database_url=_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}"
        ),
        secret_key=env.get("SECRET_KEY") or _instance_secret(instance),
        mail_backend=backend,
        mail_from=env.get("MAIL_FROM", "tracker@localhost"),
        sendgrid_api_key=env.get("SENDGRID_API_KEY", ""),
        sendgrid_api_host=env.get("SENDGRID_API_HOST", "https://api.sendgrid.com"),
        sendgrid_webhook_public_key="".join(env.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "").split()),
        mail_lease_seconds=_seconds(
            env, "MAIL_LEASE_SECONDS", MAIL_LEASE_DEFAULT, MAIL_LEASE_MIN, MAIL_LEASE_MAX
        ),
        mail_rate_limit_max_wait=_seconds(
            env,
            "MAIL_RATE_LIMIT_MAX_WAIT",
            MAIL_RATE_LIMIT_MAX_WAIT_DEFAULT,
            0,
            MAIL_RATE_LIMIT_MAX_WAIT_MAX,
        ),
        base_url=env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        proxies=_count(env, "TRUSTED_PROXIES"),
        session_idle=dt.timedelta(
            minutes=_seconds(env, "SESSION_IDLE_MINUTES", SESSION_IDLE_DEFAULT, 5, 1440, "minutes")
        ),
        session_lifetime=dt.timedelta(
            hours=_seconds(env, "SESSION_LIFETIME_HOURS", SESSION_LIFETIME_DEFAULT, 1, 720, "hours")
        ),
        delays=delay_thresholds(env),
    )


#: the databases this tracker runs on
DATABASES = ("sqlite", "postgresql")


def _database_url(text: str) -> str:
    """DATABASE_URL, if it names a database this tracker runs on (never echoed: a password)."""
    try:
        backend = sa.make_url(text).get_backend_name()
    except sa_exc.ArgumentError:
        raise ValueError(
            "DATABASE_URL is not a database URL (sqlite:///<path> or "
            "postgresql://user:password@host/db)"
        ) from None
    if backend not in DATABASES:
        raise ValueError(f"DATABASE_URL names {backend!r}: use sqlite or postgresql")
    return text


def _count(env: Mapping[str, str], name: str) -> int:
    text = env.get(name, "0").strip() or "0"
    if not text.isdigit():
        raise ValueError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def _seconds(
    env: Mapping[str, str],
    name: str,
    default: int,
    minimum: int,
    maximum: int,
    unit: str = "seconds",
) -> int:
    if not env.get(name, "").strip():
        return default
    return _whole(name, env[name], minimum, maximum, unit=f" of {unit}")


def _instance_secret(instance: Path) -> str:
    """A secret key generated once and kept in the instance folder across restarts."""
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier run, or by another process starting at the same time
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# --- delay rules ------------------------------------------------------------------------

#: variable -> Thresholds field; DELAY_<RULE>_DAYS_<KIND> overrides one proceeding kind
DELAY_VARIABLES = {
    "DELAY_REPEATED_POSTPONEMENTS": "repeated_postponements",
    "DELAY_HEARING_SLIPPED_DAYS": "hearing_slipped_days",
    "DELAY_OUTCOME_MISSING_DAYS": "outcome_missing_days",
    "DELAY_DEADLINE_NEAR_DAYS": "deadline_near_days",
    "DELAY_REQUEST_UNANSWERED_DAYS": "request_unanswered_days",
    "DELAY_STALE_PROCEEDING_DAYS": "stale_proceeding_days",
    "DELAY_LONG_PENDING_DAYS": "long_pending_days",
    "DELAY_AUTHORITY_OVERDUE_DAYS": "authority_overdue_days",
}
#: critical past this many times an authority's period: 1 (critical as soon as overdue) to 100
DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE = "DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE"
MAX_CRITICAL_MULTIPLE = 100
#: a century: longer is a typo, and would overflow date arithmetic near year 9999
MAX_DELAY_DAYS = 36_500


def delay_thresholds(env: Any) -> Thresholds:
    """The delay thresholds from DELAY_* variables; a bad value is a ValueError naming it."""
    values: dict[str, Any] = {}
    for name, attr in DELAY_VARIABLES.items():
        if env.get(name, "").strip():
            values[attr] = _days(name, env[name], minimum=1 if "POSTPONEMENTS" in name else 0)
    multiple = env.get(DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE, "")
    if multiple.strip():
        values["authority_overdue_critical_multiple"] = _whole(
            DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE, multiple, 1, MAX_CRITICAL_MULTIPLE
        )
    values["request_unanswered_days_by_kind"] = _per_kind(
        env, "DELAY_REQUEST_UNANSWERED_DAYS_", set(REQUEST_KINDS)
    )
    values["long_pending_days_by_kind"] = _per_kind(env, "DELAY_LONG_PENDING_DAYS_", None)
    return Thresholds(**values)


def _per_kind(env: Any, prefix: str, kinds: set[str] | None) -> dict[str, int]:
    """DELAY_..._DAYS_<KIND> overrides; `kinds` None: any proceeding kind."""
    names = sorted(name for name in env if name.startswith(prefix))
    if kinds is None:
        kinds = {kind.value for kind in ProceedingKind}
    found = {}
    for name in names:
        kind = name[len(prefix) :].lower()
        if kind not in kinds:
            raise ValueError(
                f"{name}: {kind!r} is not a proceeding kind this rule applies to "
                f"({', '.join(sorted(kinds))})"
            )
        if env[name].strip():
            found[kind] = _days(name, env[name], minimum=0)
    return found


def _days(name: str, value: str, *, minimum: int) -> int:
    return _whole(name, value, minimum, MAX_DELAY_DAYS)


def _whole(name: str, value: str, minimum: int, maximum: int, *, unit: str = "") -> int:
    """A setting that is a whole number within bounds; a ValueError naming it otherwise."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        raise ValueError(
            f"{name} must be a whole number{unit} from {minimum} to {maximum}, not {value!r}"
        )
    return int(text)
