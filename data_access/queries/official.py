"""Reads of the official scores (``official_score``, newest snapshot of each unit, period and
code), the periods they cover, the portal's group codes and the reconciliation thresholds.

A database made before official scores existed has no such tables: every read then returns an
empty frame (checked first: on PostgreSQL a failed SELECT would abort the caller's transaction).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, inspect, select, true
from sqlalchemy.sql import Select

from data_access import schema as s
from data_access.queries.base import _connect, _frame
from data_access.queries.registry import EXAMPLE_UNITS, statement

OFFICIAL_COLUMNS = [
    "unit_key", "unit_code", "scope", "parent_key", "portal_id", "portal_name", "period_type",
    "period", "period_start", "period_end", "code", "kind", "name", "numerator", "denominator",
    "ratio", "score", "max_score", "rank", "snapshot_date",
]  # fmt: skip
PERIOD_COLUMNS = ["period_type", "period", "period_start", "period_end", "snapshot_date", "units"]


def has_official(bind: Engine | Connection) -> bool:
    """Scalar: whether the official tables exist (not in a database of an earlier release)."""
    with _connect(bind) as conn:
        names = set(inspect(conn).get_table_names())
    return {t.name for t in s.OFFICIAL_TABLES} <= names


@statement("official_latest", period_type="month", period="2024-12", unit_codes=EXAMPLE_UNITS)
def official_latest_stmt(period_type: str | None = None, period: str | None = None,
                         unit_codes: Sequence[str] | None = None, code: str | None = None) -> Select:  # fmt: skip
    """Official scores [OFFICIAL_COLUMNS]: the newest snapshot of each unit, period and code,
    optionally of one period, some of our units, or one code ("total")."""
    o = s.official_score.c
    where = and_(
        o.period_type == period_type if period_type is not None else true(),
        o.period == period if period is not None else true(),
        o.unit_code.in_(list(unit_codes)) if unit_codes is not None else true(),
        o.code == code if code is not None else true(),
    )
    newest = (
        select(o.unit_key, o.period_type, o.period, o.code, func.max(o.snapshot_date).label("snap"))
        .where(where)
        .group_by(o.unit_key, o.period_type, o.period, o.code)
        .subquery()
    )
    n = newest.c
    return (
        select(*(o[c] for c in OFFICIAL_COLUMNS))
        .join_from(s.official_score, newest, and_(
            o.unit_key == n.unit_key, o.period_type == n.period_type, o.period == n.period,
            o.code == n.code, o.snapshot_date == n.snap))  # fmt: skip
        .order_by(o.period_end, o.unit_key, o.code)
    )


def official_latest(bind: Engine | Connection, period_type: str | None = None, period: str | None = None,
                    unit_codes: Sequence[str] | None = None, code: str | None = None) -> pd.DataFrame:  # fmt: skip
    """``official_latest_stmt``, run (empty without the tables)."""
    with _connect(bind) as conn:
        if not has_official(conn):
            return pd.DataFrame(columns=OFFICIAL_COLUMNS)
        df = _frame(conn, official_latest_stmt(period_type, period, unit_codes, code), OFFICIAL_COLUMNS)
    for c in ("numerator", "denominator", "ratio", "score", "max_score"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["rank"] = pd.to_numeric(df["rank"], errors="coerce").astype("Int64")
    return df


@statement("official_periods")
def official_periods_stmt() -> Select:
    """Periods with official scores of our units [PERIOD_COLUMNS]: type, label, first and
    last day, newest snapshot, how many units, oldest period first."""
    o = s.official_score.c
    return (
        select(o.period_type, o.period, o.period_start, o.period_end,
               func.max(o.snapshot_date).label("snapshot_date"),
               func.count(func.distinct(o.unit_key)).label("units"))  # fmt: skip
        .where(o.scope == "unit")
        .group_by(o.period_type, o.period, o.period_start, o.period_end)
        .order_by(o.period_end, o.period_start)
    )


def official_periods(bind: Engine | Connection) -> pd.DataFrame:
    with _connect(bind) as conn:
        if not has_official(conn):
            return pd.DataFrame(columns=PERIOD_COLUMNS)
        df = _frame(conn, official_periods_stmt(), PERIOD_COLUMNS)
    df["units"] = pd.to_numeric(df["units"]).astype("int64")
    return df


def official_settings(bind: Engine | Connection) -> dict[str, float]:
    """{name: value} of the reconciliation thresholds (empty without the table)."""
    with _connect(bind) as conn:
        if not has_official(conn):
            return {}
        c = s.official_setting.c
        return {str(n): float(v) for n, v in conn.execute(select(c.name, c.value))}


def portal_groups(bind: Engine | Connection) -> pd.DataFrame:
    """[portal_code, group_code, name] of the portal's group codes."""
    with _connect(bind) as conn:
        if not has_official(conn):
            return pd.DataFrame(columns=["portal_code", "group_code", "name"])
        g = s.portal_group.c
        return _frame(conn, select(g.portal_code, g.group_code, g.name).order_by(g.group_code))


def unit_aliases(bind: Engine | Connection) -> pd.DataFrame:
    """[alias, unit_code] of the units' names on the portal."""
    with _connect(bind) as conn:
        if not has_official(conn):
            return pd.DataFrame(columns=["alias", "unit_code"])
        a = s.unit_alias.c
        return _frame(conn, select(a.alias, a.unit_code).order_by(a.unit_code, a.alias))
