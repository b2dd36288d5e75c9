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


def _secrets_url(secrets_path: Path) -> str | None:
    if not secrets_path.is_file():
        return None
    try:
        data = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError):
        return None
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
    url = _secrets_url(secrets_path or ROOT / ".streamlit" / "secrets.toml")
    return url or default_url()


def is_default_sqlite(url: str) -> bool:
    return url == default_url()
