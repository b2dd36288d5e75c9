"""Where the reporting database is: one URL, from the environment, secrets, or the default; and,
optionally, a second URL the dashboard reads from (a PostgreSQL streaming replica).

The command line (``python -m data_access``, ``python -m scorecard``, ``python -m meeting_pack``)
always uses ``database_url()``: imports and refreshes write the primary. The dashboard reads
``dashboard_url()``: the read URL when one is configured, else the same database.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "reform.db"
ENV_VAR = "REFORM_DB_URL"
READ_ENV_VAR = "REFORM_DB_READ_URL"


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


def read_url(secrets_path: Path | None = None) -> str | None:
    """The configured read URL, or None: ``REFORM_DB_READ_URL``; else, unless ``REFORM_DB_URL``
    is set, ``[database] read_url`` in secrets.toml.

    The two settings come from one place: a database named in the environment is never read
    through a replica named in secrets.toml (of another database, perhaps), so a test or a
    one-off command that sets ``REFORM_DB_URL`` reads what it names."""
    url = os.environ.get(READ_ENV_VAR, "").strip()
    if url:
        return url
    if os.environ.get(ENV_VAR, "").strip():
        return None
    return secret("database", "read_url", secrets_path) or None


def dashboard_url(secrets_path: Path | None = None) -> str:
    """The database the dashboard reads: ``read_url()`` when configured, else ``database_url()``."""
    return read_url(secrets_path) or database_url(secrets_path)
