"""The overdue list a unit acts on, with the same counts as the lagging reasons.

For a period [start, end] a unit's overdue dossiers are split as Biểu II.06a splits them:

- ``open`` (còn tồn): overdue and not ended at ``end``, whenever received. Their number is the
  backlog that ``service.lagging`` reads (``score_week.backlog`` / ``queries.overdue_backlog``):
  the same dossiers, counted the same way;
- ``late`` (đã trả quá hạn): processing ended inside the period, after the deadline.

``all`` is both. Kept apart from ``scorecard/service.py`` (which re-exports it) so that module
stays small.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from sqlalchemy import Engine

from data_access import queries as q
from scorecard.periods import Period, parse_period

OPEN: Final = "open"
LATE: Final = "late"
ALL: Final = "all"
STATES: Final = (OPEN, LATE, ALL)  # the list's filter, default first

LIST_COLUMNS = [
    "code", "procedure_code", "procedure_name", "field_name", "received_date", "deadline_date",
    "end_date", "days_overdue", "status", "state",
]


def overdue_list(engine: Engine, unit_code: str, period: Period | str) -> pd.DataFrame:
    """[``LIST_COLUMNS``]: the unit's dossiers still open and overdue at the period's end
    (``state`` "open") and those that ended late in the period ("late"), longest overdue first.
    ``end_date`` is empty for an open one; ``days_overdue`` counts to the end of processing, or to
    the period's end for an open one."""
    p = parse_period(period) if isinstance(period, str) else period
    df = q.overdue_list(engine, unit_code, p.start, p.end)
    if df.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)
    ended = [d is not None and not pd.isna(d) and d <= p.end for d in df["end_date"]]
    df["state"] = [LATE if e else OPEN for e in ended]
    df["end_date"] = [d if e else None for d, e in zip(df["end_date"], ended, strict=True)]
    stop = [d if e else p.end for d, e in zip(df["end_date"], ended, strict=True)]
    df["days_overdue"] = [(a - b).days for a, b in zip(stop, df["deadline_date"], strict=True)]
    df = df.sort_values(["days_overdue", "code"], ascending=[False, True])
    return df[LIST_COLUMNS].reset_index(drop=True)


def overdue_counts(listing: pd.DataFrame) -> dict[str, int]:
    """{"all", "open", "late"}: how many dossiers of an ``overdue_list`` frame are in each state."""
    n_open = int((listing["state"] == OPEN).sum()) if not listing.empty else 0
    return {ALL: len(listing), OPEN: n_open, LATE: len(listing) - n_open}


def in_state(listing: pd.DataFrame, state: str) -> pd.DataFrame:
    """The rows of an ``overdue_list`` frame in ``state`` ("all" keeps them all)."""
    if state == ALL or listing.empty:
        return listing
    return listing[listing["state"] == state]
