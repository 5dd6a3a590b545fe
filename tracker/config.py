"""Settings from the environment, with the embedded defaults (DESIGN §5)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

MAIL_BACKENDS = ("file", "console", "sendgrid")


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    secret_key: str
    mail_backend: str = "file"
    mail_from: str = "tracker@localhost"
    sendgrid_api_key: str = ""
    sendgrid_api_host: str = "https://api.sendgrid.com"
    base_url: str = "http://127.0.0.1:5000"
    #: largest request body the API accepts, in bytes
    max_body: int = 1024 * 1024
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
        database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}",
        secret_key=env.get("SECRET_KEY") or _instance_secret(instance),
        mail_backend=backend,
        mail_from=env.get("MAIL_FROM", "tracker@localhost"),
        sendgrid_api_key=env.get("SENDGRID_API_KEY", ""),
        sendgrid_api_host=env.get("SENDGRID_API_HOST", "https://api.sendgrid.com"),
        base_url=env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
    )


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
