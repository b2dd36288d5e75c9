"""Bucket-level frames for the weekly series and the snapshot: rows per unit and bucket that the
scorecard accumulates week by week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import BUCKET_MEASURES, _connect, _frame, _in_units, _ints
from data_access.queries.measures import _unit_levels, _use_flags, procedure_flags
from data_access.queries.registry import EXAMPLE_END, EXAMPLE_START, EXAMPLE_UNITS, statement

# --- bucket-level frames for weekly series ---------------------------------------------------


@statement("bucket_measure_rows", start=EXAMPLE_START, end=EXAMPLE_END, unit_codes=EXAMPLE_UNITS)
def bucket_measure_rows_stmt(
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> Select:
    """[unit_code, bucket, week, <BUCKET_MEASURES>]: agg_unit_bucket rows in [start, end]."""
    a = s.agg_unit_bucket
    stmt = select(a.c.unit_code, a.c.bucket, a.c.week, *[a.c[m] for m in BUCKET_MEASURES]).where(
        and_(a.c.bucket.between(start, end), _in_units(a.c.unit_code, unit_codes))
    )
    return stmt


def bucket_measure_rows(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``bucket_measure_rows_stmt``, run: its rows as a frame."""
    return _ints(_frame(bind, bucket_measure_rows_stmt(start, end, unit_codes)), BUCKET_MEASURES)


@statement("bucket_overdue_rows", start=EXAMPLE_START, end=EXAMPLE_END, unit_codes=EXAMPLE_UNITS)
def bucket_overdue_rows_stmt(
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> Select:
    """[unit_code, bucket, overdue_bucket, source, n]: agg_overdue rows received in [start, end]
    and overdue by ``end``."""
    o = s.agg_overdue
    stmt = select(o.c.unit_code, o.c.bucket, o.c.overdue_bucket, o.c.source, o.c.n).where(
        and_(
            o.c.bucket.between(start, end),
            o.c.overdue_bucket <= end,
            _in_units(o.c.unit_code, unit_codes),
        )
    )
    return stmt


def bucket_overdue_rows(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``bucket_overdue_rows_stmt``, run: its rows as a frame."""
    return _ints(_frame(bind, bucket_overdue_rows_stmt(start, end, unit_codes)), ["n"])


def bucket_procedure_use_rows(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
    authority: bool = True,
) -> pd.DataFrame:
    """[unit_code, bucket, procedure_code, online_used, fee_paid]: per unit, bucket and procedure
    (under the unit's authority when ``authority``), whether it had an online dossier of an
    online procedure / a paid-online dossier of a fee-bearing one; only rows with either."""
    a = s.agg_unit_procedure
    stmt = select(
        a.c.unit_code, a.c.bucket, a.c.procedure_code, a.c.online, a.c.paid_online
    ).where(
        and_(
            a.c.bucket.between(start, end),
            or_(a.c.online > 0, a.c.paid_online > 0),
            _in_units(a.c.unit_code, unit_codes),
        )
    )
    with _connect(bind) as conn:
        rows = _ints(_frame(conn, stmt), ["online", "paid_online"])
        flagged = _use_flags(rows, procedure_flags(conn), _unit_levels(conn) if authority else None)
    return flagged[["unit_code", "bucket", "procedure_code", "online_used", "fee_paid"]].reset_index(
        drop=True
    )


def first_use_rows(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
    authority: bool = True,
) -> pd.DataFrame:
    """[unit_code, bucket, procedure_code, online_used, fee_paid]: for each unit and procedure
    (under its authority when ``authority``; with ``authority=False`` over all units together,
    unit_code None), the first bucket of each calendar year in [start, end] with an online
    dossier of an online procedure (online_used=1) and with a paid-online dossier of a
    fee-bearing one (fee_paid=1). What year-to-date distinct counts need, in far fewer rows
    than ``bucket_procedure_use_rows``; one GROUP BY per calendar year."""
    a = s.agg_unit_procedure
    first_online = func.min(case((a.c.online > 0, a.c.bucket), else_=None)).label("first_online")
    first_paid = func.min(case((a.c.paid_online > 0, a.c.bucket), else_=None)).label("first_paid")
    frames = []
    with _connect(bind) as conn:
        for year in range(start.year, end.year + 1):
            lo, hi = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
            cond = and_(
                a.c.bucket.between(lo, hi),
                or_(a.c.online > 0, a.c.paid_online > 0),
                _in_units(a.c.unit_code, unit_codes),
            )
            keys = [a.c.unit_code, a.c.procedure_code] if authority else [a.c.procedure_code]
            unit_col = a.c.unit_code if authority else literal(None).label("unit_code")
            stmt = select(unit_col, a.c.procedure_code, first_online, first_paid).where(cond)
            frames.append(_frame(conn, stmt.group_by(*keys)))
        procs = procedure_flags(conn)
        levels_ = _unit_levels(conn) if authority else None
    rows = pd.concat(frames, ignore_index=True)
    cols = ["unit_code", "bucket", "procedure_code", "online_used", "fee_paid"]
    parts = []
    for col, online, paid in (("first_online", 1, 0), ("first_paid", 0, 1)):
        r = rows[rows[col].notna()]
        parts.append(
            pd.DataFrame({"unit_code": r["unit_code"], "bucket": r[col],
                          "procedure_code": r["procedure_code"], "online": online,
                          "paid_online": paid})
        )
    events = pd.concat(parts, ignore_index=True)
    flagged = _use_flags(events, procs, levels_)
    return flagged[cols].reset_index(drop=True)


def announcement_rows(bind: Engine | Connection, start: date, end: date) -> pd.DataFrame:
    """[unit_code, decision_date, decision_deadline, published_date, publication_deadline,
    parts_complete]: announcements with any of their dates in [start, end] (a small table)."""
    a = s.procedure_announcement
    stmt = select(
        a.c.unit_code, a.c.decision_date, a.c.decision_deadline, a.c.published_date,
        a.c.publication_deadline, a.c.parts_complete,
    ).where(
        or_(
            a.c.decision_date.between(start, end),
            a.c.published_date.between(start, end),
            a.c.publication_deadline.between(start, end),
        )
    )
    return _frame(bind, stmt)


