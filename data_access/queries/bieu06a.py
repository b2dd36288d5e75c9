"""Counts for the official report Biểu II.06a."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import _flag, _frame, _in_units, _ints
from data_access.queries.registry import EXAMPLE_END, EXAMPLE_START, EXAMPLE_UNITS, statement

# --- Biểu II.06a ----------------------------------------------------------------------------

BIEU06A_COUNTS = (
    "received_online",
    "received_direct",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_overdue",
    "pending_within",
    "pending_overdue",
)


@statement("bieu06a_counts", start=EXAMPLE_START, end=EXAMPLE_END, unit_codes=EXAMPLE_UNITS)
def bieu06a_counts_stmt(start: date, end: date, unit_codes: Sequence[str] | None = None) -> Select:
    """[unit_code, field_code, field_name, <BIEU06A_COUNTS>] from raw dossiers: in scope are the
    counted dossiers received by ``end`` and not ended before ``start``. Received online / in
    person or by post in the period, carried over from before it; ended in it early, on time or
    overdue (end vs deadline); still open at ``end``, within deadline or overdue as of ``end``."""
    d, p, fl = s.dossier, s.procedure, s.field
    field_code = func.coalesce(d.c.field_code, p.c.field_code, literal(""))
    in_p = d.c.received_date >= start
    ended = and_(d.c.end_date.is_not(None), d.c.end_date <= end)
    overdue_at_end = and_(d.c.overdue_date.is_not(None), d.c.overdue_date <= end)
    stmt = (
        select(
            d.c.unit_code,
            field_code.label("field_code"),
            func.max(fl.c.name).label("field_name"),
            _flag(and_(in_p, d.c.channel == 2)).label("received_online"),
            _flag(and_(in_p, d.c.channel != 2)).label("received_direct"),
            _flag(d.c.received_date < start).label("carried_over"),
            _flag(and_(ended, d.c.end_date < d.c.deadline_date)).label("resolved_early"),
            _flag(and_(ended, d.c.end_date == d.c.deadline_date)).label("resolved_on_time"),
            _flag(and_(ended, d.c.end_date > d.c.deadline_date)).label("resolved_overdue"),
            _flag(and_(~ended, ~overdue_at_end)).label("pending_within"),
            _flag(and_(~ended, overdue_at_end)).label("pending_overdue"),
        )
        .select_from(
            d.outerjoin(p, p.c.code == d.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
        )
        .where(
            and_(
                d.c.counted == 1,
                # Nearly every dossier passes this test, so a full scan is the fastest plan; an
                # expression (the same value: received_date is never NULL) keeps SQLite from
                # walking ix_dossier_unit_received instead (a skip-scan with a lookup per row,
                # three to four times slower at full scale). PostgreSQL scans in parallel anyway.
                func.coalesce(d.c.received_date, d.c.received_date) <= end,
                or_(d.c.end_date.is_(None), d.c.end_date >= start),
                _in_units(d.c.unit_code, unit_codes),
            )
        )
        # grouped field first: no index gives that order, so SQLite does not walk one of the
        # unit_code indexes to save the sort (a row lookup each: slower than scanning and sorting)
        .group_by(field_code, d.c.unit_code)
    )
    return stmt


def bieu06a_counts(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``bieu06a_counts_stmt``, run: its rows as a frame."""
    return _ints(_frame(bind, bieu06a_counts_stmt(start, end, unit_codes)), BIEU06A_COUNTS)


