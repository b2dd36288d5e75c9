"""What every query module shares: the measures contract, running a statement into a frame, small
SQL helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    func,
    or_,
    true,
)
from sqlalchemy.sql import ColumnElement, Select

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


# Reference reads (levels, units, methodology, grade bands, lineage) memoised within a read
# scope: one dashboard page run (scorecard.snapshot_check.start_snapshot_scope opens it) reads
# each once instead of once per loader and helper, a dozen times on a filter change.
_READS: ContextVar[dict | None] = ContextVar("reference_reads", default=None)


def start_read_scope(memo: dict | None = None) -> Token:
    """From here on in this context, reference reads are memoised (until ``end_read_scope``
    or the next start): in a new memo, or in ``memo``, one the caller keeps across scopes (the
    dashboard shares one between the runs of a data version, see ``ui.data.share_reads``)."""
    return _READS.set({} if memo is None else memo)


def has_read_scope() -> bool:
    """Whether reference reads are memoised here (a page run, a service call's scope)."""
    return _READS.get() is not None


def end_read_scope(token: Token) -> None:
    _READS.reset(token)


def scoped_read(bind: Engine | Connection, key: tuple, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``read()``, or within a read scope the frame read for ``key`` on this database earlier
    in the scope (a copy: callers may change what they get)."""
    memo = _READS.get()
    if memo is None:
        return read()
    full = (bind.engine.url, *key)
    hit = memo.get(full)
    if hit is None:
        hit = memo[full] = read()
    return hit.copy()


def scoped_value(bind: Engine | Connection, key: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, or within a read scope the value made for ``key`` on this database earlier in
    the scope: the same object, not a copy, so only for values callers never change (a lookup
    dict built from a reference frame)."""
    memo = _READS.get()
    if memo is None:
        return make()
    full = (bind.engine.url, "value", *key)
    if full not in memo:
        memo[full] = make()
    return memo[full]


def _frame(
    bind: Engine | Connection,
    stmt: Select,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    with _connect(bind) as conn:
        res = conn.execute(stmt)
        rows = res.all()
        cols = list(columns) if columns is not None else list(res.keys())
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def statement_rows(bind: Engine | Connection, stmt: Select) -> list[tuple]:
    """A statement's rows as the driver's tuples, for a caller that builds its own frame (a
    ranking is a hundred rows, where a frame costs more than the read)."""
    with _connect(bind) as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def _sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expr), 0)


def _flag(cond: ColumnElement[Any]) -> ColumnElement[Any]:
    return _sum(case((cond, 1), else_=0))


def _ints(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns and df[c].dtype != "int64":  # int64 already: nothing to change
            # PostgreSQL returns SUM(bigint) as Decimal: normalise to int64 everywhere.
            df[c] = pd.to_numeric(df[c]).fillna(0).astype("int64")
    return df


def _authority(p, u):  # noqa: ANN001, ANN202 - tables
    """Procedures under a unit's authority: its level, and its own agency for department ones."""
    return and_(p.c.level == u.c.level, or_(p.c.agency_code.is_(None), p.c.agency_code == u.c.code))



def _in_units(col, unit_codes: Sequence[str] | None):  # noqa: ANN001, ANN202
    return true() if unit_codes is None else col.in_(list(unit_codes))
