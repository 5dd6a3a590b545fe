"""Where the templates and migrations are: inside the wheel, or beside the package."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CHECKOUT = PACKAGE.parent


def _first(*candidates: Path) -> Path:
    return next((path for path in candidates if path.exists()), candidates[-1])


def templates_dir() -> Path:
    return _first(PACKAGE / "_templates", CHECKOUT / "templates")


def migrations_dir() -> Path:
    return _first(PACKAGE / "_migrations", CHECKOUT / "migrations")


def alembic_ini() -> Path:
    return _first(PACKAGE / "_migrations" / "alembic.ini", CHECKOUT / "alembic.ini")


def demo_dossier() -> Path:
    return PACKAGE / "data" / "demo_dossier.json"


def demo_remedies() -> Path:
    return PACKAGE / "data" / "demo_remedies.json"
