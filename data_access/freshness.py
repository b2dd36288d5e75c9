"""When the data counts as stale: how many days after its last day, and which day is today.

The number of days is configuration, read like the database URL (``data_access.config``):

1. the environment variable ``REFORM_STALE_DAYS``;
2. ``[data] stale_days`` in ``.streamlit/secrets.toml``;
3. ``DEFAULT_STALE_DAYS`` (8: a weekly import is a day late).

A value that is not a whole number of days, or is negative, is ignored (the next source, else the
default), so a typo never hides the warning. "Today" is ``date.today()``; tests fix it with
``REFORM_TODAY=YYYY-MM-DD`` or pass ``today=`` to the functions that take it.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from data_access.config import secret

STALE_ENV = "REFORM_STALE_DAYS"
TODAY_ENV = "REFORM_TODAY"  # tests only: a fixed "today"
DEFAULT_STALE_DAYS = 8


def _days(value: str) -> int | None:
    try:
        n = int(value.strip())
    except (AttributeError, ValueError):
        return None
    return n if n >= 0 else None


def stale_days(secrets_path: Path | None = None) -> int:
    """REFORM_STALE_DAYS, else ``[data] stale_days`` in secrets.toml, else 8."""
    for value in (os.environ.get(STALE_ENV, ""), secret("data", "stale_days", secrets_path)):
        n = _days(value)
        if n is not None:
            return n
    return DEFAULT_STALE_DAYS


def today() -> date:
    """Today, or the day REFORM_TODAY names (tests)."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            pass
    return date.today()


def stale_age(data_until: date | None, on: date | None = None, limit: int | None = None) -> int | None:
    """The data's age in days on ``on`` (default ``today()``) when it is older than ``limit``
    days (default ``stale_days()``), else None (fresh, or no data to date)."""
    if data_until is None:
        return None
    if isinstance(data_until, datetime):  # a backend may hand back a timestamp
        data_until = data_until.date()
    age = ((on or today()) - data_until).days
    return age if age > (stale_days() if limit is None else limit) else None
