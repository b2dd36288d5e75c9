"""Units, levels and reference data (methodology, grade bands, targets, holidays) and what weeks
hold data."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import _connect, _frame, has_read_scope, scoped_read
from data_access.queries.registry import EXAMPLE_END, EXAMPLE_START, statement

# --- units, levels, reference data -----------------------------------------------------------


LEVEL_COLUMNS = ["code", "name", "plural", "sort_order", "ranked", "local", "valid_from", "valid_to"]


@statement("levels")
def levels_stmt() -> Select:
    """Unit levels [code, name, plural, sort_order, ranked, local, valid_from, valid_to] in
    display order (validity NULL = open-ended)."""
    lv = s.unit_level
    stmt = select(*(lv.c[c] for c in LEVEL_COLUMNS)).order_by(lv.c.sort_order, lv.c.code)
    return stmt


def levels(bind: Engine | Connection) -> pd.DataFrame:
    """``levels_stmt``, run: its rows as a frame. A database of an earlier release (no level
    validity yet, read by the read-only dashboard before any write upgraded it) gives the
    levels as always existing and the local flag from nothing: not local."""
    return scoped_read(bind, ("levels",), lambda: _levels(bind))


def _levels(bind: Engine | Connection) -> pd.DataFrame:
    try:
        return _frame(bind, levels_stmt())
    except (OperationalError, ProgrammingError):
        lv = s.unit_level
        old = select(lv.c.code, lv.c.name, lv.c.plural, lv.c.sort_order, lv.c.ranked)
        df = _frame(bind, old.order_by(lv.c.sort_order, lv.c.code))
        return df.assign(local=0, valid_from=None, valid_to=None)[LEVEL_COLUMNS]


def lineage(bind: Engine | Connection) -> pd.DataFrame:
    """Lineage rows [old_code, new_code, valid_from, share] (share NULL = all), by date."""
    g = s.unit_lineage
    stmt = select(g.c.old_code, g.c.new_code, g.c.valid_from, g.c.share).order_by(
        g.c.valid_from, g.c.new_code, g.c.old_code
    )

    def read() -> pd.DataFrame:
        try:
            return _frame(bind, stmt)
        except (OperationalError, ProgrammingError):  # a database of an earlier release
            return pd.DataFrame(columns=["old_code", "new_code", "valid_from", "share"])

    return scoped_read(bind, ("lineage",), read)


@statement("active_units", level="commune", start=EXAMPLE_START, end=EXAMPLE_END, parent="502")
def active_units_stmt(
    level: str | None = None,
    start: date | None = None,
    end: date | None = None,
    parent: str | None = None,
) -> Select:
    """Units [code, name, short_name, level, parent_code, lat, lon, valid_from, valid_to, kind] of a
    level (None: all) valid at some point in [start, end] (None: any time), optionally under a parent."""
    u = s.unit
    stmt = select(
        u.c.code, u.c.name, u.c.short_name, u.c.level, u.c.parent_code, u.c.lat, u.c.lon,
        u.c.valid_from, u.c.valid_to, u.c.kind,
    )
    if level is not None:
        stmt = stmt.where(u.c.level == level)
    if parent is not None:
        stmt = stmt.where(u.c.parent_code == parent)
    if end is not None:
        stmt = stmt.where(or_(u.c.valid_from.is_(None), u.c.valid_from <= end))
    if start is not None:
        stmt = stmt.where(or_(u.c.valid_to.is_(None), u.c.valid_to >= start))
    stmt = stmt.order_by(u.c.code)
    return stmt


def active_units(
    bind: Engine | Connection,
    level: str | None = None,
    start: date | None = None,
    end: date | None = None,
    parent: str | None = None,
) -> pd.DataFrame:
    """``active_units_stmt``'s rows as a frame. Within a read scope the whole unit table is read
    once (in the statement's order) and each call filters it as the statement would: a page asks
    for a dozen level and date combinations, and a week change for new ones each time."""
    if not has_read_scope():
        return _frame(bind, active_units_stmt(level, start, end, parent))
    # kept as the driver's values (object columns): the subset is then built like ``_frame``
    # builds a query's rows, so its column types are those the statement's own rows would get
    every = scoped_read(bind, ("active_units:raw",), lambda: _raw_frame(bind, active_units_stmt()))
    keep = [
        (level is None or lv == level)
        and (parent is None or pc == parent)
        and (end is None or _missing(vf) or vf <= end)
        and (start is None or _missing(vt) or vt >= start)
        for lv, pc, vf, vt in zip(every["level"], every["parent_code"], every["valid_from"],
                                  every["valid_to"], strict=True)
    ]
    return pd.DataFrame(every[keep].to_numpy().tolist(), columns=list(every.columns))


def _raw_frame(bind: Engine | Connection, stmt: Select) -> pd.DataFrame:
    with _connect(bind) as conn:
        res = conn.execute(stmt)
        return pd.DataFrame([tuple(r) for r in res.all()], columns=list(res.keys()), dtype=object)


def _missing(v: object) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and v != v)


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
    return scoped_read(bind, ("methodology",), lambda: _frame(bind, stmt))


def grade_bands(bind: Engine | Connection, version: str | None = None) -> pd.DataFrame:
    """Grade bands [version, grade, min_score, color, sort_order], best first."""
    g = s.grade_band
    stmt = select(g.c.version, g.c.grade, g.c.min_score, g.c.color, g.c.sort_order)
    if version is not None:
        stmt = stmt.where(g.c.version == version)
    return scoped_read(bind, ("grade_bands", version),
                       lambda: _frame(bind, stmt.order_by(g.c.version, g.c.sort_order)))


def targets(bind: Engine | Connection, on: date | None = None) -> pd.DataFrame:
    """Targets [indicator, valid_from, kind, value, name, legal_basis, illustrative] in force on
    ``on`` (the latest valid_from <= on per indicator); all rows when ``on`` is None."""
    t = s.target
    stmt = select(
        t.c.indicator, t.c.valid_from, t.c.kind, t.c.value, t.c.name, t.c.legal_basis,
        t.c.illustrative,
    ).order_by(t.c.indicator, t.c.valid_from)
    if on is not None and has_read_scope():
        # the whole table once per read scope, filtered here (each week asks for its own day)
        every = scoped_read(bind, ("targets:raw",), lambda: _raw_frame(bind, stmt))
        keep = [not _missing(v) and v <= on for v in every["valid_from"]]
        df = pd.DataFrame(every[keep].to_numpy().tolist(), columns=list(every.columns))
    else:
        df = _frame(bind, stmt.where(t.c.valid_from <= on) if on is not None else stmt)
    if on is not None and not df.empty:
        df = df.groupby("indicator", as_index=False).tail(1).reset_index(drop=True)
    return df


LAGGING_RULE_COLUMNS = ["valid_from", "level", "criterion", "param", "value"]


@statement("lagging_rules", on=EXAMPLE_END)
def lagging_rules_stmt(on: date | None = None) -> Select:
    """The lagging rule's parameters dated on or before ``on`` (all when None), oldest first."""
    r = s.lagging_rule
    stmt = select(r.c.valid_from, r.c.level, r.c.criterion, r.c.param, r.c.value)
    if on is not None:
        stmt = stmt.where(r.c.valid_from <= on)
    return stmt.order_by(r.c.level, r.c.criterion, r.c.param, r.c.valid_from)


def lagging_rules(bind: Engine | Connection, on: date) -> pd.DataFrame | None:
    """[valid_from, level, criterion, param, value] in force on ``on``: per level ("*" = every
    level), criterion and parameter, the row with the latest valid_from <= on. None when the
    database has no lagging_rule table (one made before it, opened read-only). Within a read
    scope the table is read once and each call filters it (a lagging page asks three times, and
    each week for its own day)."""
    every = scoped_read(bind, ("lagging_rules:raw",), lambda: _lagging_rules_raw(bind))
    if _NO_RULE_TABLE in every.columns:
        return None
    # the statement's rows dated on or before ``on``, in its order: the latest of each stays
    latest: dict[tuple, list] = {}
    for row in every.to_numpy().tolist():
        if not _missing(row[0]) and row[0] <= on:
            latest[(row[1], row[2], row[3])] = row
    return pd.DataFrame(list(latest.values()), columns=LAGGING_RULE_COLUMNS)


def _lagging_rules_raw(bind: Engine | Connection) -> pd.DataFrame:
    """Every lagging_rule row in ``lagging_rules_stmt``'s order, as the driver gave them."""
    with _connect(bind) as conn:
        # checked first: on PostgreSQL a failed SELECT would abort the caller's transaction
        if not inspect(conn).has_table(s.lagging_rule.name):
            return pd.DataFrame(columns=[_NO_RULE_TABLE])
        rows = conn.execute(lagging_rules_stmt()).all()
    return pd.DataFrame([tuple(x) for x in rows], columns=LAGGING_RULE_COLUMNS, dtype=object)


_NO_RULE_TABLE = "_no_lagging_rule_table"  # the memoised answer "no such table"


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


