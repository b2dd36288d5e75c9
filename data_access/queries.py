"""Every SQL query the scorecard needs, as named functions (SQLAlchemy Core, portable).

Each function takes a ``bind`` (an Engine or an open Connection) and returns a pandas DataFrame
(or a scalar, when said so). Nothing here is dialect-specific: only comparisons, CASE, SUM,
COUNT and COUNT(DISTINCT), so SQLite and PostgreSQL give the same numbers.

The measures of docs/design.md come from three aggregate tables, one GROUP BY per table (never
one query per unit); ``raw_unit_measures`` recomputes the very same measures from the raw
dossier and feedback tables so that a test can prove the aggregates right.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    delete,
    distinct,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from data_access import bulk
from data_access import schema as s

PROVINCE_LEVEL = "province"

# Dossier and feedback counts summed from agg_unit_bucket (same names as its columns).
BUCKET_MEASURES: tuple[str, ...] = tuple(
    c.name for c in s.agg_unit_bucket.columns if c.name not in ("unit_code", "bucket", "week")
)
ANNOUNCEMENT_MEASURES = ("ann_total", "ann_on_time", "pub_due", "pub_on_time", "pub_total", "pub_full")
OVERDUE_MEASURES = ("overdue", "feedback_overdue")
PROCEDURE_MEASURES = ("procs", "procs_online", "procs_fee", "procs_fee_integrated")
PROCEDURE_USE_MEASURES = ("procs_online_used", "procs_fee_paid")
# The measures contract of docs/design.md: one column each in every measures frame.
MEASURES: tuple[str, ...] = (
    *ANNOUNCEMENT_MEASURES,
    *BUCKET_MEASURES,
    *OVERDUE_MEASURES,
    *PROCEDURE_MEASURES,
    *PROCEDURE_USE_MEASURES,
)


@contextmanager
def _connect(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def _frame(bind: Engine | Connection, stmt: Select, columns: Sequence[str] | None = None) -> pd.DataFrame:
    with _connect(bind) as conn:
        res = conn.execute(stmt)
        rows = res.all()
        cols = list(columns) if columns is not None else list(res.keys())
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _sum(expr) -> object:  # noqa: ANN001 - SQLAlchemy expression
    return func.coalesce(func.sum(expr), 0)


def _flag(cond) -> object:  # noqa: ANN001 - SQLAlchemy expression
    return _sum(case((cond, 1), else_=0))


def _ints(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            # PostgreSQL returns SUM(bigint) as Decimal: normalise to int64 everywhere.
            df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    return df


def _authority(p, u):  # noqa: ANN001, ANN202 - tables
    """Procedures under a unit's authority: its level, and its own agency for department ones."""
    return and_(p.c.level == u.c.level, or_(p.c.agency_code.is_(None), p.c.agency_code == u.c.code))


# --- units, levels, reference data -----------------------------------------------------------


def levels(bind: Engine | Connection) -> pd.DataFrame:
    """Unit levels [code, name, plural, sort_order, ranked] in display order."""
    lv = s.unit_level
    stmt = select(lv.c.code, lv.c.name, lv.c.plural, lv.c.sort_order, lv.c.ranked).order_by(
        lv.c.sort_order, lv.c.code
    )
    return _frame(bind, stmt)


def active_units(
    bind: Engine | Connection,
    level: str | None = None,
    start: date | None = None,
    end: date | None = None,
    parent: str | None = None,
) -> pd.DataFrame:
    """Units [code, name, short_name, level, parent_code, lat, lon, valid_from, valid_to] of a
    level (None: all) valid at some point in [start, end] (None: any time), optionally under a parent."""
    u = s.unit
    stmt = select(
        u.c.code, u.c.name, u.c.short_name, u.c.level, u.c.parent_code, u.c.lat, u.c.lon,
        u.c.valid_from, u.c.valid_to,
    )
    if level is not None:
        stmt = stmt.where(u.c.level == level)
    if parent is not None:
        stmt = stmt.where(u.c.parent_code == parent)
    if end is not None:
        stmt = stmt.where(or_(u.c.valid_from.is_(None), u.c.valid_from <= end))
    if start is not None:
        stmt = stmt.where(or_(u.c.valid_to.is_(None), u.c.valid_to >= start))
    return _frame(bind, stmt.order_by(u.c.code))


def unit_by_code(bind: Engine | Connection, code: str) -> pd.DataFrame:
    """The unit row [code, name, short_name, level, parent_code, valid_from, valid_to] (0 or 1 row)."""
    u = s.unit
    stmt = select(
        u.c.code, u.c.name, u.c.short_name, u.c.level, u.c.parent_code, u.c.valid_from, u.c.valid_to
    ).where(u.c.code == code)
    return _frame(bind, stmt)


def methodology(bind: Engine | Connection) -> pd.DataFrame:
    """All methodology rows joined to their version's valid_from (every version)."""
    m, v = s.methodology, s.methodology_version
    stmt = (
        select(
            m.c.version, v.c.valid_from, m.c.component, m.c.group_code, m.c.group_name,
            m.c.group_max, m.c.name, m.c.max_points, m.c.saturation, m.c.levels,
            m.c.numerator, m.c.denominator, m.c.empty_ratio,
        )
        .select_from(m.join(v, v.c.version == m.c.version))
        .order_by(v.c.valid_from, m.c.component)
    )
    return _frame(bind, stmt)


def grade_bands(bind: Engine | Connection, version: str | None = None) -> pd.DataFrame:
    """Grade bands [version, grade, min_score, color, sort_order], best first."""
    g = s.grade_band
    stmt = select(g.c.version, g.c.grade, g.c.min_score, g.c.color, g.c.sort_order)
    if version is not None:
        stmt = stmt.where(g.c.version == version)
    return _frame(bind, stmt.order_by(g.c.version, g.c.sort_order))


def targets(bind: Engine | Connection, on: date | None = None) -> pd.DataFrame:
    """Targets [indicator, valid_from, kind, value, name, legal_basis, illustrative] in force on
    ``on`` (the latest valid_from <= on per indicator); all rows when ``on`` is None."""
    t = s.target
    stmt = select(
        t.c.indicator, t.c.valid_from, t.c.kind, t.c.value, t.c.name, t.c.legal_basis,
        t.c.illustrative,
    )
    if on is not None:
        stmt = stmt.where(t.c.valid_from <= on)
    df = _frame(bind, stmt.order_by(t.c.indicator, t.c.valid_from))
    if on is not None and not df.empty:
        df = df.groupby("indicator", as_index=False).tail(1).reset_index(drop=True)
    return df


def holidays(bind: Engine | Connection) -> pd.DataFrame:
    """Public holidays [day, name]."""
    h = s.holiday
    return _frame(bind, select(h.c.day, h.c.name).order_by(h.c.day))


def latest_bucket(bind: Engine | Connection) -> date | None:
    """Scalar: the last bucket that has aggregated data, or None."""
    with _connect(bind) as conn:
        return conn.execute(select(func.max(s.agg_unit_bucket.c.bucket))).scalar()


def available_weeks(bind: Engine | Connection) -> pd.DataFrame:
    """ISO weeks [week] that have aggregated data, oldest first."""
    a = s.agg_unit_bucket
    return _frame(bind, select(a.c.week).distinct().order_by(a.c.week))


def data_until(bind: Engine | Connection) -> date | None:
    """Scalar: the last day a dossier was received (data freshness), or None."""
    last = latest_bucket(bind)
    if last is None:
        return None
    d = s.dossier
    # Restrict to the last bucket so the index on received_bucket does the work.
    with _connect(bind) as conn:
        return conn.execute(
            select(func.max(d.c.received_date)).where(d.c.received_bucket == last)
        ).scalar()


def has_data(bind: Engine | Connection, start: date, end: date) -> bool:
    """Scalar: whether any aggregated dossier or feedback exists in [start, end]."""
    a = s.agg_unit_bucket
    with _connect(bind) as conn:
        row = conn.execute(
            select(a.c.unit_code).where(a.c.bucket.between(start, end)).limit(1)
        ).first()
    return row is not None


# --- measures for one period (aggregates) ---------------------------------------------------


def _unit_key(col, by_unit: bool):  # noqa: ANN001, ANN202
    return col if by_unit else literal(None)


def bucket_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
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
    return _ints(_frame(bind, stmt), BUCKET_MEASURES)


def overdue_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
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
    return _frame(bind, stmt)


def _unit_levels(bind: Engine | Connection) -> pd.DataFrame:
    u = s.unit
    return _frame(bind, select(u.c.code.label("unit_code"), u.c.level.label("unit_level")))


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
        flagged = _use_flags(rows, procedure_flags(conn), _unit_levels(conn) if by_unit else None)
    cols = ["unit_code", *PROCEDURE_USE_MEASURES]
    if not by_unit:
        return pd.DataFrame(
            [[None, flagged.loc[flagged["online_used"] > 0, "procedure_code"].nunique(),
              flagged.loc[flagged["fee_paid"] > 0, "procedure_code"].nunique()]],
            columns=cols,
        )
    if flagged.empty:
        return pd.DataFrame(columns=cols)
    out = flagged.groupby("unit_code", as_index=False).agg(
        procs_online_used=("online_used", "sum"), procs_fee_paid=("fee_paid", "sum")
    )
    return _ints(out, PROCEDURE_USE_MEASURES)[cols]


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
    return _ints(_frame(bind, stmt), PROCEDURE_MEASURES)


def announcement_totals(
    bind: Engine | Connection,
    start: date,
    end: date,
    by_unit: bool = True,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
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
    with _connect(bind) as conn:
        frames = [
            bucket_totals(conn, start, end, unit_codes=unit_codes),
            overdue_totals(conn, start, end, unit_codes=unit_codes),
            procedure_use_totals(conn, start, end, unit_codes=unit_codes),
            procedure_counts(conn, unit_codes=unit_codes),
            announcement_totals(conn, start, end, unit_codes=unit_codes),
        ]
    return _merge_measures(frames, ["unit_code"])


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


# --- the same measures straight from raw dossiers (proof that aggregates are right) ----------


def raw_unit_measures(
    bind: Engine | Connection, start: date, end: date, by_unit: bool = True
) -> pd.DataFrame:
    """[unit_code, <MEASURES>] recomputed from the raw dossier, feedback, procedure and
    announcement tables by received *date* (not bucket) for [start, end], as of ``end``."""
    d, p, f, u = s.dossier, s.procedure, s.feedback, s.unit
    key = _unit_key(d.c.unit_code, by_unit).label("unit_code")
    in_p = and_(d.c.counted == 1, d.c.received_date.between(start, end))
    dcols = [
        func.count().label("dossiers"),
        _sum(d.c.synced).label("synced"),
        _flag(d.c.channel == 2).label("online"),
        _flag(p.c.fee_bearing == 1).label("fee_dossiers"),
        _flag(and_(p.c.fee_bearing == 1, d.c.paid_online > 0)).label("paid_online"),
        _sum(d.c.complaint).label("complaint"),
        _flag(p.c.issues_result == 1).label("result_dossiers"),
        _flag(and_(p.c.issues_result == 1, d.c.e_result == 1)).label("e_result"),
        _sum(d.c.digitised).label("digitised"),
        _flag(p.c.certification == 1).label("cert_dossiers"),
        _flag(and_(p.c.certification == 1, d.c.e_cert == 1)).label("e_cert"),
        _sum(d.c.reused).label("reused"),
        _sum(d.c.citizen_store).label("citizen_store"),
        _sum(d.c.population_db).label("population_db"),
        _flag(and_(d.c.overdue_date.is_not(None), d.c.overdue_date <= end)).label("overdue"),
    ]
    stmt = select(key, *dcols).select_from(d.outerjoin(p, p.c.code == d.c.procedure_code)).where(in_p)
    if by_unit:
        stmt = stmt.group_by(d.c.unit_code)
    dos = _frame(bind, stmt)

    fkey = _unit_key(f.c.unit_code, by_unit).label("unit_code")
    fstmt = select(
        fkey,
        func.count().label("feedback"),
        _flag(f.c.satisfied == 0).label("feedback_dissatisfied"),
        _sum(f.c.re_raised).label("feedback_reraised"),
        _flag(and_(f.c.overdue_date.is_not(None), f.c.overdue_date <= end)).label("feedback_overdue"),
    ).where(f.c.received_date.between(start, end))
    if by_unit:
        fstmt = fstmt.group_by(f.c.unit_code)
    fb = _frame(bind, fstmt)

    used = case((and_(d.c.channel == 2, p.c.online_level >= 1), d.c.procedure_code), else_=None)
    paid = case((and_(d.c.paid_online > 0, p.c.fee_bearing == 1), d.c.procedure_code), else_=None)
    ucols = [
        func.count(distinct(used)).label("procs_online_used"),
        func.count(distinct(paid)).label("procs_fee_paid"),
    ]
    if by_unit:
        ustmt = (
            select(d.c.unit_code, *ucols)
            .select_from(d.join(p, p.c.code == d.c.procedure_code).join(u, u.c.code == d.c.unit_code))
            .where(and_(in_p, _authority(p, u)))
            .group_by(d.c.unit_code)
        )
    else:
        ustmt = (
            select(literal(None).label("unit_code"), *ucols)
            .select_from(d.join(p, p.c.code == d.c.procedure_code))
            .where(in_p)
        )
    use = _frame(bind, ustmt)
    frames = [
        dos, fb, use,
        procedure_counts(bind, by_unit=by_unit),
        announcement_totals(bind, start, end, by_unit=by_unit),
    ]
    if not by_unit:
        for fr in frames:
            fr["unit_code"] = None
    return _merge_measures(frames, ["unit_code"])


# --- bucket-level frames for weekly series ---------------------------------------------------


def _in_units(col, unit_codes: Sequence[str] | None):  # noqa: ANN001, ANN202
    return true() if unit_codes is None else col.in_(list(unit_codes))


def bucket_measure_rows(
    bind: Engine | Connection, start: date, end: date, unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """[unit_code, bucket, week, <BUCKET_MEASURES>]: agg_unit_bucket rows in [start, end]."""
    a = s.agg_unit_bucket
    stmt = select(a.c.unit_code, a.c.bucket, a.c.week, *[a.c[m] for m in BUCKET_MEASURES]).where(
        and_(a.c.bucket.between(start, end), _in_units(a.c.unit_code, unit_codes))
    )
    return _ints(_frame(bind, stmt), BUCKET_MEASURES)


def bucket_overdue_rows(
    bind: Engine | Connection, start: date, end: date, unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
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
    return _ints(_frame(bind, stmt), ["n"])


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


def overdue_dossiers(
    bind: Engine | Connection, unit_code: str, start: date, end: date, limit: int | None = None
) -> pd.DataFrame:
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
    return _frame(bind, stmt)


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


def bieu06a_counts(
    bind: Engine | Connection, start: date, end: date, unit_codes: Sequence[str] | None = None
) -> pd.DataFrame:
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
                d.c.received_date <= end,
                or_(d.c.end_date.is_(None), d.c.end_date >= start),
                _in_units(d.c.unit_code, unit_codes),
            )
        )
        .group_by(d.c.unit_code, field_code)
    )
    return _ints(_frame(bind, stmt), BIEU06A_COUNTS)


# --- score snapshot (score_week, score_snapshot) ---------------------------------------------

# Reference tables every score depends on besides the aggregates: a change to any of them (a new
# methodology version, a renamed or merged unit) makes the snapshot stale without a refresh.
SNAPSHOT_INPUT_TABLES = (
    s.unit_level,
    s.unit,
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


def previous_refresh_id(bind: Engine | Connection, refresh_id: int) -> int | None:
    """Scalar: the id of the refresh logged just before ``refresh_id`` (None if none)."""
    log = s.load_log.c
    with _connect(bind) as conn:
        return conn.execute(
            select(func.max(log.id)).where(and_(log.action == "refresh", log.id < refresh_id))
        ).scalar()


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


def score_week_rows(
    bind: Engine | Connection,
    level: str,
    kind: str,
    weeks: Sequence[str],
    unit_codes: Sequence[str] | None = None,
    flag: str | None = "scored",
) -> pd.DataFrame:
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
    return _frame(bind, stmt, SCORE_WEEK_COLUMNS)
