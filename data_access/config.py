"""Where the reporting database is: one URL, from the environment, secrets, or the default."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "reform.db"
ENV_VAR = "REFORM_DB_URL"


def default_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"


def read_secrets(secrets_path: Path | None = None) -> dict:
    """The parsed .streamlit/secrets.toml, or {} when it is absent or unreadable.

    The one reader of that file outside Streamlit: the database URL and the map boundary
    settings both come through here, so a malformed file is treated the same everywhere.
    """
    path = secrets_path or SECRETS_PATH
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return {}


def secret(section: str, key: str, secrets_path: Path | None = None) -> str:
    """``[section] key`` from secrets.toml as stripped text, "" when absent."""
    part = read_secrets(secrets_path).get(section)
    value = part.get(key) if isinstance(part, dict) else None
    return str(value).strip() if value is not None else ""


def _secrets_url(secrets_path: Path) -> str | None:
    data = read_secrets(secrets_path)
    db = data.get("database")
    if isinstance(db, dict) and isinstance(db.get("url"), str):
        return db["url"]
    url = data.get(ENV_VAR)
    return url if isinstance(url, str) else None


def database_url(secrets_path: Path | None = None) -> str:
    """REFORM_DB_URL, else ``[database] url`` in .streamlit/secrets.toml, else data/reform.db."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    return _secrets_url(secrets_path or SECRETS_PATH) or default_url()


def is_default_sqlite(url: str) -> bool:
    return url == default_url()
