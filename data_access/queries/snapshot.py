"""Reads of the weekly score snapshot (score_week, score_snapshot) and of what it is built from;
its writes are in data_access.snapshot_store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    func,
    inspect,
    select,
    true,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import _connect, _frame, _in_units, _ints, _sum
from data_access.queries.registry import EXAMPLE_UNITS, statement

# --- score snapshot (score_week, score_snapshot) ---------------------------------------------

# Reference tables every score depends on besides the aggregates: a change to any of them (a new
# methodology version, a renamed or merged unit) makes the snapshot stale without a refresh.
SNAPSHOT_INPUT_TABLES = (
    s.unit_level,
    s.unit,
    s.unit_lineage,
    s.procedure,
    s.procedure_announcement,
    s.methodology_version,
    s.methodology,
    s.grade_band,
)
SCORE_WEEK_COLUMNS: tuple[str, ...] = tuple(c.name for c in s.score_week.columns)


def snapshot_inputs_hash(bind: Engine | Connection) -> str:
    """Scalar: a SHA-256 over every row of ``SNAPSHOT_INPUT_TABLES`` (small tables, a few ms)."""
    digest = hashlib.sha256()
    with _connect(bind) as conn:
        insp = inspect(conn)
        if not all(insp.has_table(t.name) for t in SNAPSHOT_INPUT_TABLES):
            return "schema-of-an-earlier-release"  # matches no snapshot: scores on demand
        for table in SNAPSHOT_INPUT_TABLES:
            digest.update(table.name.encode())
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def has_snapshot_tables(bind: Engine | Connection) -> bool:
    """Scalar: whether score_week and score_snapshot exist (a database made before them has not)."""
    with _connect(bind) as conn:
        insp = inspect(conn)
        return insp.has_table(s.score_week.name) and insp.has_table(s.score_snapshot.name)


def snapshot_state(bind: Engine | Connection) -> dict | None:
    """The latest score_snapshot row as a dict plus ``latest_refresh`` (the newest refresh id in
    load_log), or None when the tables are missing or nothing was built yet."""
    with _connect(bind) as conn:
        # Checked first: on PostgreSQL a failed SELECT would abort the caller's transaction.
        if not has_snapshot_tables(conn):
            return None
        m = s.score_snapshot
        row = conn.execute(select(m).order_by(m.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        log = s.load_log.c
        latest = conn.execute(select(func.max(log.id)).where(log.action == "refresh")).scalar()
    return {**dict(row), "latest_refresh": latest}


def data_version(engine: Engine) -> str:
    """A token that changes whenever data is loaded: the newest load_log id (every init, demo,
    import and refresh logs one in its own transaction) and score_snapshot id. One tiny query;
    the dashboard keys its caches on it. "0.0" when the tables are missing (nothing loaded)."""
    log, snap = s.load_log.c, s.score_snapshot.c
    newest_log = select(func.max(log.id)).scalar_subquery()
    newest_snapshot = select(func.max(snap.id)).scalar_subquery()
    with engine.connect() as conn:  # a server that does not answer fails here: an outage
        try:
            row = conn.execute(select(newest_log, newest_snapshot)).one()
            return f"{row[0] or 0}.{row[1] or 0}"
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise  # the server went away during the query
            conn.rollback()  # PostgreSQL: the failed statement aborted the transaction
            # a database made before score_snapshot, or an empty one
            insp = inspect(conn)
            if insp.has_table(s.load_log.name) and insp.has_table(s.score_snapshot.name):
                raise
            if not insp.has_table(s.load_log.name):
                return "0.0"
            return f"{conn.execute(select(func.max(log.id))).scalar() or 0}.0"


def data_buckets(bind: Engine | Connection) -> list[date]:
    """The buckets that hold aggregated data, oldest first (a few per week)."""
    a = s.agg_unit_bucket
    with _connect(bind) as conn:
        return [r[0] for r in conn.execute(select(a.c.bucket).distinct().order_by(a.c.bucket))]


def _later(a, b):  # noqa: ANN001, ANN202 - the later of two dates, portable (no GREATEST in SQLite)
    return case((a >= b, a), else_=b)


def backlog_events(bind: Engine | Connection) -> pd.DataFrame:
    """[unit_code, day, n]: changes to each unit's backlog of open overdue dossiers. A counted
    dossier joins the backlog on the later of its received and overdue buckets (+1, from
    agg_overdue) and leaves it when processing ends, if it ends after that (-1, from the raw
    dossiers: the one scan of them, done by ``refresh``). The backlog at a week's end T is the
    sum of the events with day <= T, as ``overdue_backlog`` counts it."""
    o, d = s.agg_overdue, s.dossier
    start = _later(o.c.bucket, o.c.overdue_bucket)
    opened = (
        select(o.c.unit_code, start.label("day"), _sum(o.c.n).label("n"))
        .where(o.c.source == "dossier")
        .group_by(o.c.unit_code, start)
    )
    # one that ended before it joined leaves on the day it joins: it is never in a backlog
    joined = _later(d.c.received_bucket, d.c.overdue_bucket)
    leave = _later(joined, d.c.end_date)
    closed = (
        select(d.c.unit_code, leave.label("day"), func.count().label("n"))
        .where(
            and_(d.c.counted == 1, d.c.overdue_date.is_not(None), d.c.end_date.is_not(None))
        )
        .group_by(d.c.unit_code, leave)
    )
    with _connect(bind) as conn:
        up = _ints(_frame(conn, opened), ["n"])
        down = _ints(_frame(conn, closed), ["n"])
    down["n"] = -down["n"]
    out = pd.concat([up, down], ignore_index=True)
    if not out.empty:
        out["day"] = out["day"].map(lambda v: v if isinstance(v, date) else date.fromisoformat(str(v)[:10]))
    return out


def previous_refresh_id(bind: Engine | Connection, refresh_id: int) -> int | None:
    """Scalar: the id of the refresh logged just before ``refresh_id`` (None if none)."""
    log = s.load_log.c
    with _connect(bind) as conn:
        return conn.execute(
            select(func.max(log.id)).where(and_(log.action == "refresh", log.id < refresh_id))
        ).scalar()


@statement("score_week_rows", level="district", kind="ytd", weeks=("2024-W51", "2024-W52"), unit_codes=EXAMPLE_UNITS)
def score_week_rows_stmt(
    level: str,
    kind: str,
    weeks: Sequence[str],
    unit_codes: Sequence[str] | None = None,
    flag: str | None = "scored",
) -> Select:
    """[SCORE_WEEK_COLUMNS] of a level, kind and weeks (only ``unit_codes`` when given) whose
    ``flag`` column ("scored" or "in_series") is 1 (every row of the grid when None)."""
    w = s.score_week
    stmt = select(w).where(
        and_(
            w.c.level == level,
            w.c.kind == kind,
            w.c.week.in_(list(weeks)),
            true() if flag is None else w.c[flag] == 1,
            _in_units(w.c.unit_code, unit_codes),
        )
    )
    return stmt


def score_week_rows(
    bind: Engine | Connection,
    level: str,
    kind: str,
    weeks: Sequence[str],
    unit_codes: Sequence[str] | None = None,
    flag: str | None = "scored",
) -> pd.DataFrame:
    """``score_week_rows_stmt``, run: its rows as a frame."""
    stmt = score_week_rows_stmt(level, kind, weeks, unit_codes, flag)
    return _frame(bind, stmt, SCORE_WEEK_COLUMNS)
