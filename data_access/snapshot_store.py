"""Writes of the weekly score snapshot (score_week, score_snapshot), in the caller's transaction.

The rows are computed by ``scorecard.snapshot``; this module only stores them, so data access
never depends on scoring. Reads of the snapshot are in ``data_access.queries.snapshot``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from data_access import bulk
from data_access import schema as s
from data_access.queries.snapshot import SCORE_WEEK_COLUMNS


def ensure_tables(conn: Connection) -> None:
    """Create score_week and score_snapshot if missing: a database made before the snapshot
    existed gets them from its next import or refresh, without a separate `init`."""
    s.score_week.create(conn, checkfirst=True)
    s.score_snapshot.create(conn, checkfirst=True)


def write_score_snapshot(conn: Connection, rows: pd.DataFrame, meta: dict) -> int:
    """Replace score_week with ``rows`` (columns: SCORE_WEEK_COLUMNS) and record ``meta`` (the
    score_snapshot columns but id) in the caller's transaction; returns the rows written."""
    conn.execute(delete(s.score_week))
    conn.execute(delete(s.score_snapshot))
    written = _insert_score_weeks(conn, rows)
    conn.execute(insert(s.score_snapshot).values(**meta, rows=written))
    return written


def _insert_score_weeks(conn: Connection, rows: pd.DataFrame) -> int:
    # the driver-level path (COPY on PostgreSQL, executemany of tuples on SQLite): Core's
    # per-value binding took longer than computing the rows; floats travel exactly either way
    frame = rows.reindex(columns=list(SCORE_WEEK_COLUMNS))
    frame = frame.assign(**{c: frame[c].astype("int64") for c in ("scored", "in_series")})
    return bulk.insert_frame(conn, s.score_week, frame, fast=True)



def replace_score_weeks(conn: Connection, rows: pd.DataFrame, since_week: str, meta: dict) -> int:
    """Replace the score_week rows of ``since_week`` and later with ``rows`` and record ``meta``
    (as write_score_snapshot, ``rows`` being the total after the change), in the caller's
    transaction; returns the rows written."""
    conn.execute(delete(s.score_week).where(s.score_week.c.week >= since_week))
    written = _insert_score_weeks(conn, rows)
    total = conn.execute(select(func.count()).select_from(s.score_week)).scalar_one()
    conn.execute(delete(s.score_snapshot))
    conn.execute(insert(s.score_snapshot).values(**meta, rows=total))
    return written

