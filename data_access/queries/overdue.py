"""Overdue dossiers, the Pareto of their procedures and fields, and the backlog of open overdue
dossiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    func,
    inspect,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import _connect, _flag, _frame, _in_units, _ints
from data_access.queries.registry import EXAMPLE_END, EXAMPLE_START, statement

# --- overdue dossiers, Pareto, backlog -------------------------------------------------------


def _overdue_dossier(start: date, end: date, unit_codes: Sequence[str] | None):  # noqa: ANN202
    """Dossiers (of ``unit_codes``) received in [start, end] and overdue as of ``end``."""
    d = s.dossier
    return and_(
        d.c.counted == 1,
        d.c.received_date.between(start, end),
        # overdue_date > received_date >= start always; saying so lets the
        # (unit_code, overdue_date) index find the few overdue dossiers directly
        d.c.overdue_date.between(start, end),
        _in_units(d.c.unit_code, unit_codes),
    )


@statement("overdue_dossiers", unit_code="502", start=EXAMPLE_START, end=EXAMPLE_END, limit=50)
def overdue_dossiers_stmt(
    unit_code: str,
    start: date,
    end: date,
    limit: int | None = None,
) -> Select:
    """[code, procedure_code, procedure_name, field_code, field_name, received_date,
    deadline_date, end_date, overdue_date, status]: dossiers of a unit received in [start, end]
    that are overdue as of ``end``, longest overdue first."""
    d, p, fl = s.dossier, s.procedure, s.field
    field_code = func.coalesce(d.c.field_code, p.c.field_code)
    stmt = (
        select(
            d.c.code, d.c.procedure_code, p.c.name.label("procedure_name"),
            field_code.label("field_code"), fl.c.name.label("field_name"), d.c.received_date,
            d.c.deadline_date, d.c.end_date, d.c.overdue_date, d.c.status,
        )
        .select_from(
            d.outerjoin(p, p.c.code == d.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
        )
        .where(_overdue_dossier(start, end, [unit_code]))
        .order_by(d.c.overdue_date, d.c.code)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def overdue_dossiers(
    bind: Engine | Connection,
    unit_code: str,
    start: date,
    end: date,
    limit: int | None = None,
) -> pd.DataFrame:
    """``overdue_dossiers_stmt``, run: its rows as a frame."""
    return _frame(bind, overdue_dossiers_stmt(unit_code, start, end, limit))


def overdue_dossiers_of(
    bind: Engine | Connection, unit_codes: Sequence[str], start: date, end: date
) -> pd.DataFrame:
    """[unit_code, <``overdue_dossiers_stmt``'s columns>] of several units in one query (the
    meeting pack lists every unit's): the same rows as ``overdue_dossiers`` unit by unit."""
    d, p, fl = s.dossier, s.procedure, s.field
    field_code = func.coalesce(d.c.field_code, p.c.field_code)
    stmt = (
        select(
            d.c.unit_code, d.c.code, d.c.procedure_code, p.c.name.label("procedure_name"),
            field_code.label("field_code"), fl.c.name.label("field_name"), d.c.received_date,
            d.c.deadline_date, d.c.end_date, d.c.overdue_date, d.c.status,
        )
        .select_from(
            d.outerjoin(p, p.c.code == d.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
        )
        .where(_overdue_dossier(start, end, list(unit_codes)))
    )
    return _frame(bind, stmt)


@statement("overdue_list", unit_code="502", start=EXAMPLE_START, end=EXAMPLE_END)
def overdue_list_stmt(unit_code: str, start: date, end: date) -> Select:
    """[code, procedure_code, procedure_name, field_code, field_name, received_date,
    deadline_date, end_date, overdue_date, status]: the overdue dossiers of a unit that a period
    acts on, as Biểu II.06a counts them: those still open and overdue at ``end`` (received on or
    before it, whenever: exactly ``overdue_backlog``), and those whose processing ended late in
    [start, end]."""
    d, p, fl = s.dossier, s.procedure, s.field
    field_code = func.coalesce(d.c.field_code, p.c.field_code)
    return (
        select(
            d.c.code, d.c.procedure_code, p.c.name.label("procedure_name"),
            field_code.label("field_code"), fl.c.name.label("field_name"), d.c.received_date,
            d.c.deadline_date, d.c.end_date, d.c.overdue_date, d.c.status,
        )
        .select_from(
            d.outerjoin(p, p.c.code == d.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
        )
        .where(
            and_(
                d.c.counted == 1,
                d.c.unit_code == unit_code,
                # overdue by the end (the (unit_code, overdue_date) index finds them); an
                # ended one became overdue before it ended, so it ended late
                d.c.overdue_date.is_not(None),
                d.c.overdue_date <= end,
                d.c.received_date <= end,
                # still open at the end, or ended inside the period
                or_(d.c.end_date.is_(None), d.c.end_date >= start),
            )
        )
        .order_by(d.c.overdue_date, d.c.code)
    )


def overdue_list(bind: Engine | Connection, unit_code: str, start: date, end: date) -> pd.DataFrame:
    """``overdue_list_stmt``, run: its rows as a frame."""
    return _frame(bind, overdue_list_stmt(unit_code, start, end))


def _bucket_aligned(start: date, end: date) -> bool:
    """Whether [start, end] is a union of buckets (slices of an ISO week and a calendar month):
    every week, month, quarter and year is; then the bucket aggregates answer exactly."""
    starts_slice = start.weekday() == 0 or start.day == 1
    ends_slice = end.weekday() == 6 or (end + timedelta(days=1)).day == 1
    return starts_slice and ends_slice and start <= end


def _overdue_source(bind: Engine | Connection, start: date, end: date):  # noqa: ANN202
    """agg_overdue_procedure as (unit_code, procedure_code, field_code, n) rows received in
    [start, end] and overdue by ``end`` (a sub-select), or None when only the dossiers can
    say: a period that is not a union of buckets, or a database without that aggregate yet."""
    a = s.agg_overdue_procedure
    if not _bucket_aligned(start, end):
        return None
    with _connect(bind) as conn:
        if not inspect(conn).has_table(a.name):
            return None
    # received in the period and overdue by its end: overdue_bucket <= end exactly when
    # overdue_date <= end, since the period ends where a bucket does
    return (
        select(a.c.unit_code, a.c.procedure_code, a.c.field_code, a.c.n)
        .where(and_(a.c.bucket.between(start, end), a.c.overdue_bucket <= end))
    )


def _overdue_rows(bind: Engine | Connection, start: date, end: date,
                  unit_codes: Sequence[str] | None, from_dossiers: bool):  # noqa: ANN202
    """(unit_code, procedure_code, field_code, n) of overdue dossiers received in [start, end]
    and overdue as of ``end``: from the aggregate when it can say, else one row a dossier."""
    src = None if from_dossiers else _overdue_source(bind, start, end)
    if src is not None:
        return src.where(_in_units(s.agg_overdue_procedure.c.unit_code, unit_codes)).subquery()
    d = s.dossier
    return (
        select(d.c.unit_code, d.c.procedure_code, d.c.field_code, literal_column("1").label("n"))
        .where(_overdue_dossier(start, end, unit_codes))
        .subquery()
    )


def overdue_by(
    bind: Engine | Connection,
    start: date,
    end: date,
    by: str = "procedure",
    unit_codes: Sequence[str] | None = None,
    from_dossiers: bool = False,
) -> pd.DataFrame:
    """[unit_code, key, name, overdue]: dossiers received in [start, end] and overdue as of
    ``end``, per unit and procedure (by="procedure") or field (by="field"). From
    agg_overdue_procedure when the period is whole buckets, else (or ``from_dossiers``) from
    the dossiers; both give the same counts."""
    if by not in ("procedure", "field"):
        raise ValueError(by)
    r, p, fl = _overdue_rows(bind, start, end, unit_codes, from_dossiers), s.procedure, s.field
    field_code = func.coalesce(r.c.field_code, p.c.field_code)
    if by == "procedure":
        key, name = r.c.procedure_code, p.c.name
        src = r.outerjoin(p, p.c.code == r.c.procedure_code)
    else:
        key, name = field_code, fl.c.name
        src = r.outerjoin(p, p.c.code == r.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
    stmt = (
        select(r.c.unit_code, key.label("key"), func.max(name).label("name"),
               func.sum(r.c.n).label("overdue"))
        .select_from(src)
        .group_by(r.c.unit_code, key)
    )
    return _ints(_frame(bind, stmt), ["overdue"])


def overdue_by_procedure_field(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
    from_dossiers: bool = False,
) -> pd.DataFrame:
    """[unit_code, procedure_code, procedure_name, field_code, field_name, overdue]: dossiers
    received in [start, end] and overdue as of ``end``, per unit, procedure and field (one
    query for both breakdowns of the lagging list); sources as ``overdue_by``."""
    r, p, fl = _overdue_rows(bind, start, end, unit_codes, from_dossiers), s.procedure, s.field
    field_code = func.coalesce(r.c.field_code, p.c.field_code)
    stmt = (
        select(
            r.c.unit_code, r.c.procedure_code, func.max(p.c.name).label("procedure_name"),
            field_code.label("field_code"), func.max(fl.c.name).label("field_name"),
            func.sum(r.c.n).label("overdue"),
        )
        .select_from(
            r.outerjoin(p, p.c.code == r.c.procedure_code).outerjoin(fl, fl.c.code == field_code)
        )
        .group_by(r.c.unit_code, r.c.procedure_code, field_code)
    )
    return _ints(_frame(bind, stmt), ["overdue"])


def overdue_backlog(
    bind: Engine | Connection, as_of: Sequence[date], unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """[unit_code, backlog_0, backlog_1, ...]: dossiers still open and overdue at each ``as_of``
    day (received on or before it, overdue by it, not ended by it), whatever their received day."""
    d = s.dossier
    cols = [
        _flag(
            and_(
                d.c.received_date <= t,
                d.c.overdue_date <= t,
                or_(d.c.end_date.is_(None), d.c.end_date > t),
            )
        ).label(f"backlog_{i}")
        for i, t in enumerate(as_of)
    ]
    stmt = (
        select(d.c.unit_code, *cols)
        .where(
            and_(
                d.c.counted == 1,
                d.c.overdue_date.is_not(None),
                d.c.overdue_date <= max(as_of),
                _in_units(d.c.unit_code, unit_codes),
            )
        )
        .group_by(d.c.unit_code)
    )
    return _ints(_frame(bind, stmt), [f"backlog_{i}" for i in range(len(as_of))])


