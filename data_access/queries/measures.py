"""The measures of one period, from the aggregate tables (one GROUP BY per table, never one query
per unit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
from data_access.queries.base import (
    ANNOUNCEMENT_MEASURES,
    BUCKET_MEASURES,
    MEASURES,
    OVERDUE_MEASURES,
    PROCEDURE_MEASURES,
    PROCEDURE_USE_MEASURES,
    _authority,
    _connect,
    _flag,
    _frame,
    _in_units,
    _ints,
    _sum,
    scoped_read,
    scoped_value,
)
from data_access.queries.registry import EXAMPLE_END, EXAMPLE_START, EXAMPLE_UNITS, statement

# --- measures for one period (aggregates) ---------------------------------------------------


def _unit_key(col, by_unit: bool):  # noqa: ANN001, ANN202
    return col if by_unit else literal(None)


@statement("bucket_totals", start=EXAMPLE_START, end=EXAMPLE_END, unit_codes=EXAMPLE_UNITS)
def bucket_totals_stmt(
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> Select:
    """[unit_code, <BUCKET_MEASURES>]: dossier and feedback counts received in [start, end] per
    unit (by_unit=False: one row for everything, unit_code None), from agg_unit_bucket; only the
    given units when ``unit_codes`` is not None."""
    a = s.agg_unit_bucket
    cols = [_sum(a.c[m]).label(m) for m in BUCKET_MEASURES]
    stmt = select(_unit_key(a.c.unit_code, by_unit).label("unit_code"), *cols).where(
        and_(a.c.bucket.between(start, end), _in_units(a.c.unit_code, unit_codes))
    )
    if by_unit:
        stmt = stmt.group_by(a.c.unit_code)
    return stmt


def bucket_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``bucket_totals_stmt``, run: its rows as a frame."""
    return _ints(_frame(bind, bucket_totals_stmt(start, end, by_unit, unit_codes)), BUCKET_MEASURES)


@statement("overdue_totals", start=EXAMPLE_START, end=EXAMPLE_END, unit_codes=EXAMPLE_UNITS)
def overdue_totals_stmt(
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> Select:
    """[unit_code, overdue, feedback_overdue]: dossiers / feedback received in [start, end] that
    are overdue as of ``end``, from agg_overdue (only ``unit_codes`` when given)."""
    o = s.agg_overdue
    stmt = select(
        _unit_key(o.c.unit_code, by_unit).label("unit_code"),
        _flag_n(o, "dossier").label("overdue"),
        _flag_n(o, "feedback").label("feedback_overdue"),
    ).where(
        and_(
            o.c.bucket.between(start, end),
            o.c.overdue_bucket <= end,
            _in_units(o.c.unit_code, unit_codes),
        )
    )
    if by_unit:
        stmt = stmt.group_by(o.c.unit_code)
    return stmt


def overdue_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``overdue_totals_stmt``, run: its rows as a frame."""
    stmt = overdue_totals_stmt(start, end, by_unit, unit_codes)
    return _ints(_frame(bind, stmt), OVERDUE_MEASURES)


def _flag_n(o, source: str):  # noqa: ANN001, ANN202
    return _sum(case((o.c.source == source, o.c.n), else_=0))


def procedure_flags(bind: Engine | Connection) -> pd.DataFrame:
    """Procedures [procedure_code, proc_level, agency_code, online_level, fee_bearing]."""
    p = s.procedure
    stmt = select(
        p.c.code.label("procedure_code"), p.c.level.label("proc_level"), p.c.agency_code,
        p.c.online_level, p.c.fee_bearing,
    )
    return scoped_read(bind, ("procedure_flags",), lambda: _frame(bind, stmt))


def _unit_levels(bind: Engine | Connection) -> pd.DataFrame:
    u = s.unit
    stmt = select(u.c.code.label("unit_code"), u.c.level.label("unit_level"))
    return scoped_read(bind, ("unit_levels",), lambda: _frame(bind, stmt))


def _use_flags(
    rows: pd.DataFrame, procs: pd.DataFrame, unit_levels: pd.DataFrame | None
) -> pd.DataFrame:
    """Mark rows [unit_code, procedure_code, online, paid_online, ...] with ``online_used`` and
    ``fee_paid``, keeping only procedures under the unit's authority when ``unit_levels`` is
    given. Done in pandas on small frames: a three-way join in SQL is at the mercy of the
    planner's statistics (PostgreSQL picks a nested loop on freshly loaded tables)."""
    r = rows.merge(procs, on="procedure_code", how="inner")
    if unit_levels is not None:
        r = r.merge(unit_levels, on="unit_code", how="inner")
        own = (r["proc_level"] == r["unit_level"]) & (
            r["agency_code"].isna() | (r["agency_code"] == r["unit_code"])
        )
        r = r[own]
    r = r.assign(
        online_used=((r["online"] > 0) & (r["online_level"] >= 1)).astype("int64"),
        fee_paid=((r["paid_online"] > 0) & (r["fee_bearing"] == 1)).astype("int64"),
    )
    return r[(r["online_used"] > 0) | (r["fee_paid"] > 0)]


def procedure_use_rows(
    bind: Engine | Connection, start: date, end: date, unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """[unit_code, procedure_code, online, paid_online]: per unit and procedure, online and
    paid-online dossiers received in [start, end] (only pairs with either), from agg_unit_procedure."""
    a = s.agg_unit_procedure
    stmt = (
        select(
            a.c.unit_code, a.c.procedure_code, _sum(a.c.online).label("online"),
            _sum(a.c.paid_online).label("paid_online"),
        )
        .where(
            and_(
                a.c.bucket.between(start, end),
                or_(a.c.online > 0, a.c.paid_online > 0),
                _in_units(a.c.unit_code, unit_codes),
            )
        )
        .group_by(a.c.unit_code, a.c.procedure_code)
    )
    return _ints(_frame(bind, stmt), ["online", "paid_online"])


def procedure_use_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """[unit_code, procs_online_used, procs_fee_paid]: distinct online procedures under the
    unit's authority with >= 1 online dossier in [start, end], and distinct fee-bearing ones with
    >= 1 paid-online dossier (by_unit=False: distinct over all units and procedures); only the
    dossiers of ``unit_codes`` when given."""
    with _connect(bind) as conn:
        rows = procedure_use_rows(conn, start, end, unit_codes)
        # ``_use_flags`` in plain Python: a unit page scores one unit, a few dozen rows, where
        # pandas' merges and groupby cost ten times the queries; the lookups made once a scope
        flags = scoped_value(conn, ("procedure_use_flags",), lambda: _flags(procedure_flags(conn)))
        level_of = None if not by_unit else scoped_value(
            conn, ("unit_level_of",), lambda: _level_of(_unit_levels(conn)))
    online_used: dict[str, int] = {}
    fee_paid: dict[str, int] = {}
    used_procs: set[str] = set()
    paid_procs: set[str] = set()
    for unit, proc, online, paid in zip(rows["unit_code"], rows["procedure_code"], rows["online"],
                                        rows["paid_online"], strict=True):
        f = flags.get(proc)
        if f is None:
            continue
        proc_level, agency, online_level, fee_bearing = f
        if level_of is not None:
            if unit not in level_of:
                continue
            # under the unit's authority: its level's procedure, of no agency or its own
            if _missing(proc_level) or proc_level != level_of[unit]:
                continue
            if not (_missing(agency) or agency == unit):
                continue
        used = int(online > 0 and not _missing(online_level) and online_level >= 1)
        fee = int(paid > 0 and not _missing(fee_bearing) and fee_bearing == 1)
        if not (used or fee):
            continue
        online_used[unit] = online_used.get(unit, 0) + used
        fee_paid[unit] = fee_paid.get(unit, 0) + fee
        if used:
            used_procs.add(proc)
        if fee:
            paid_procs.add(proc)
    cols = ["unit_code", *PROCEDURE_USE_MEASURES]
    if not by_unit:
        return pd.DataFrame([[None, len(used_procs), len(paid_procs)]], columns=cols)
    if not online_used:
        return pd.DataFrame(columns=cols)
    units = sorted(online_used)
    return pd.DataFrame({
        "unit_code": units,
        "procs_online_used": pd.array([online_used[u] for u in units], dtype="int64"),
        "procs_fee_paid": pd.array([fee_paid[u] for u in units], dtype="int64"),
    })[cols]


def _flags(procs: pd.DataFrame) -> dict[object, tuple]:
    """procedure_code -> (level, agency_code, online_level, fee_bearing)."""
    return {
        code: (lv, ag, ol, fb)
        for code, lv, ag, ol, fb in zip(procs["procedure_code"], procs["proc_level"],
                                        procs["agency_code"], procs["online_level"],
                                        procs["fee_bearing"], strict=True)
    }


def _level_of(levels: pd.DataFrame) -> dict[object, object]:
    return dict(zip(levels["unit_code"], levels["unit_level"], strict=True))


def _missing(v: object) -> bool:
    """None or NaN (a NULL read into a frame)."""
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def procedure_counts(
    bind: Engine | Connection, by_unit: bool = True, unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """[unit_code, procs, procs_online, procs_fee, procs_fee_integrated]: procedures under each
    unit's authority (by_unit=False: all procedures), offered online, fee-bearing, integrated;
    only ``unit_codes`` when given."""
    p, u = s.procedure, s.unit
    cols = [
        func.count(p.c.code).label("procs"),
        _flag(p.c.online_level >= 1).label("procs_online"),
        _flag(p.c.fee_bearing == 1).label("procs_fee"),
        _flag(and_(p.c.fee_bearing == 1, p.c.online_payment == 1)).label("procs_fee_integrated"),
    ]
    if by_unit:
        stmt = (
            select(u.c.code.label("unit_code"), *cols)
            .select_from(u.join(p, _authority(p, u)))
            .where(_in_units(u.c.code, unit_codes))
            .group_by(u.c.code)
        )
    else:
        stmt = select(literal(None).label("unit_code"), *cols).select_from(p)
    # reference data only (units and procedures): read once per read scope (a page run)
    key = ("procedure_counts", by_unit, None if unit_codes is None else tuple(unit_codes))
    return scoped_read(bind, key, lambda: _ints(_frame(bind, stmt), PROCEDURE_MEASURES))


@statement("announcement_totals", start=EXAMPLE_START, end=EXAMPLE_END)
def announcement_totals_stmt(
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> Select:
    """[unit_code, ann_total, ann_on_time, pub_due, pub_on_time, pub_total, pub_full]:
    announcement decisions dated in [start, end] and those on time; publications due in it and
    those published by their deadline; publications dated in it and those with all 7 parts."""
    a = s.procedure_announcement
    in_p = lambda c: c.between(start, end)  # noqa: E731
    cols = [
        _flag(in_p(a.c.decision_date)).label("ann_total"),
        _flag(and_(in_p(a.c.decision_date), a.c.decision_date <= a.c.decision_deadline)).label(
            "ann_on_time"
        ),
        _flag(in_p(a.c.publication_deadline)).label("pub_due"),
        _flag(
            and_(
                in_p(a.c.publication_deadline),
                a.c.published_date.is_not(None),
                a.c.published_date <= a.c.publication_deadline,
            )
        ).label("pub_on_time"),
        _flag(in_p(a.c.published_date)).label("pub_total"),
        _flag(and_(in_p(a.c.published_date), a.c.parts_complete >= 7)).label("pub_full"),
    ]
    stmt = select(_unit_key(a.c.unit_code, by_unit).label("unit_code"), *cols).where(
        _in_units(a.c.unit_code, unit_codes)
    )
    if by_unit:
        stmt = stmt.group_by(a.c.unit_code)
    return stmt


def announcement_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``announcement_totals_stmt``, run: its rows as a frame."""
    stmt = announcement_totals_stmt(start, end, by_unit, unit_codes)
    return _ints(_frame(bind, stmt), ANNOUNCEMENT_MEASURES)


def _merge_measures(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    # one outer join on the keys for all the frames, not four pairwise merges (a unit page
    # scores one unit on demand: pandas' per-call overhead is most of its time)
    out = pd.concat([f.set_index(keys) for f in frames], axis=1, join="outer")
    out = out.reindex(columns=list(MEASURES)).sort_index().reset_index()
    # each frame's counts are int64 already (its own _ints); missing ones are NaN here
    out[list(MEASURES)] = out[list(MEASURES)].fillna(0).astype("int64")
    return out[[*keys, *MEASURES]]


def unit_measures(
    bind: Engine | Connection,
    start: date,
    end: date,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """[unit_code, <MEASURES>]: the design.md measures of every unit that has any (of
    ``unit_codes`` only, when given: a level or a district's communes, not the whole province),
    for the period [start, end] judged as of ``end``, from the aggregate tables. Units without a
    row have no activity (all measures 0 apart from their procedure counts)."""
    if unit_codes is not None and len(unit_codes) <= FEW_UNITS:
        return _few_unit_measures(bind, start, end, list(unit_codes))
    with _connect(bind) as conn:
        frames = [
            bucket_totals(conn, start, end, unit_codes=unit_codes),
            overdue_totals(conn, start, end, unit_codes=unit_codes),
            procedure_use_totals(conn, start, end, unit_codes=unit_codes),
            procedure_counts(conn, unit_codes=unit_codes),
            announcement_totals(conn, start, end, unit_codes=unit_codes),
        ]
    return _merge_measures(frames, ["unit_code"])


# Up to this many units (a unit page, the lagging units' detail), ``unit_measures`` merges the
# five reads in plain Python: the same frame, without pandas' per-frame overhead (most of the
# time for a handful of rows).
FEW_UNITS = 24


def _few_unit_measures(
    bind: Engine | Connection, start: date, end: date, codes: list[str]
) -> pd.DataFrame:
    """``unit_measures`` for a few units, built from the statements' rows directly."""
    acc: dict[object, dict[str, int]] = {}

    def add(names: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            counts = acc.setdefault(row[0], {})
            for name, v in zip(names, row[1:], strict=True):
                counts[name] = 0 if _missing(v) else int(v)  # type: ignore[call-overload]

    with _connect(bind) as conn:
        for stmt in (
            bucket_totals_stmt(start, end, unit_codes=codes),
            overdue_totals_stmt(start, end, unit_codes=codes),
            announcement_totals_stmt(start, end, unit_codes=codes),
        ):
            res = conn.execute(stmt)
            add(list(res.keys())[1:], res.all())
        for frame in (
            procedure_use_totals(conn, start, end, unit_codes=codes),
            procedure_counts(conn, unit_codes=codes),
        ):
            names = [c for c in frame.columns if c != "unit_code"]
            add(names, zip(frame["unit_code"], *(frame[c] for c in names), strict=True))
    units = sorted(acc, key=str)
    return pd.DataFrame({
        "unit_code": units,
        **{m: pd.array([acc[u].get(m, 0) for u in units], dtype="int64") for m in MEASURES},
    })


def province_measures(bind: Engine | Connection, start: date, end: date, code: str) -> pd.DataFrame:
    """One row [unit_code=code, <MEASURES>]: all units of every level summed, distinct procedures
    across all of them, from the aggregate tables."""
    with _connect(bind) as conn:
        frames = [
            bucket_totals(conn, start, end, by_unit=False),
            overdue_totals(conn, start, end, by_unit=False),
            procedure_use_totals(conn, start, end, by_unit=False),
            procedure_counts(conn, by_unit=False),
            announcement_totals(conn, start, end, by_unit=False),
        ]
    for f in frames:
        f["unit_code"] = code
    return _merge_measures(frames, ["unit_code"])


