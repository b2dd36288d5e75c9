"""Rebuild the weekly aggregates (agg_unit_bucket, agg_overdue, agg_overdue_procedure,
agg_unit_procedure).

``refresh(conn, buckets)`` recomputes only the given received buckets (what an import touched);
``refresh(conn)`` rebuilds everything. Each bucket is deleted and recomputed inside the caller's
transaction, so a failed refresh leaves the previous aggregates in place.

``snapshot``: the weekly score snapshot's builder (``scorecard.snapshot.build_snapshot``, passed
in by ``scorecard.pipeline``: data access does not depend on scoring), run after the aggregates in
the same transaction, from the aggregates, not the dossiers: from the week of the earliest bucket
the refresh touched to the last week (a weekly import recomputes one or two weeks; a change in
March recomputes March to December and beyond, since year-to-date scores and week-on-week deltas
carry it forward), or whole when the previous snapshot was not current. A refresh without it
leaves the snapshot stale (it is older than the latest refresh), so the dashboard computes on
demand until the next refresh through the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, delete, func, insert, inspect, literal, select
from sqlalchemy.sql import ColumnElement

from data_access import schema as s
from data_access import snapshot_store
from data_access.db import upgrade_schema
from data_access.queries.registry import statement

# (conn, refresh_id: this refresh's load_log id, since: the earliest bucket it touched or None
# for all) -> score_week rows written; run in the refresh's transaction
SnapshotBuilder = Callable[[Connection, int, "date | None"], int]

_CHUNK = 200  # bucket keys per IN (...) list
# example buckets for ``python -m data_access sql`` (a week split by a month's end)
_EXAMPLE_BUCKETS = [date(2024, 12, 29), date(2024, 12, 31)]


def _flag_sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expr), 0)


@statement("refresh_dossier_buckets", buckets=_EXAMPLE_BUCKETS)
def _dossier_bucket_query(buckets: list[date] | None):
    """agg_unit_bucket rows from the dossiers of ``buckets`` (None: all), per unit and bucket."""
    d, p = s.dossier, s.procedure
    cond = d.c.counted == 1
    if buckets is not None:
        cond = and_(cond, d.c.received_bucket.in_(buckets))

    def if_proc(flag):  # noqa: ANN001, ANN202
        return _flag_sum(case((flag == 1, 1), else_=0))

    return (
        select(
            d.c.unit_code,
            d.c.received_bucket.label("bucket"),
            func.min(d.c.received_week).label("week"),
            func.count().label("dossiers"),
            _flag_sum(d.c.synced).label("synced"),
            _flag_sum(case((d.c.channel == 2, 1), else_=0)).label("online"),
            if_proc(p.c.fee_bearing).label("fee_dossiers"),
            _flag_sum(
                case((and_(p.c.fee_bearing == 1, d.c.paid_online > 0), 1), else_=0)
            ).label("paid_online"),
            _flag_sum(d.c.complaint).label("complaint"),
            if_proc(p.c.issues_result).label("result_dossiers"),
            _flag_sum(case((and_(p.c.issues_result == 1, d.c.e_result == 1), 1), else_=0)).label(
                "e_result"
            ),
            _flag_sum(d.c.digitised).label("digitised"),
            if_proc(p.c.certification).label("cert_dossiers"),
            _flag_sum(case((and_(p.c.certification == 1, d.c.e_cert == 1), 1), else_=0)).label(
                "e_cert"
            ),
            _flag_sum(d.c.reused).label("reused"),
            _flag_sum(d.c.citizen_store).label("citizen_store"),
            _flag_sum(d.c.population_db).label("population_db"),
        )
        .select_from(d.outerjoin(p, p.c.code == d.c.procedure_code))
        .where(cond)
        .group_by(d.c.unit_code, d.c.received_bucket)
    )


@statement("refresh_feedback_buckets", buckets=_EXAMPLE_BUCKETS)
def _feedback_bucket_query(buckets: list[date] | None):
    """agg_unit_bucket's feedback columns from the feedback of ``buckets`` (None: all)."""
    f = s.feedback
    q = select(
        f.c.unit_code,
        f.c.received_bucket.label("bucket"),
        func.min(f.c.received_week).label("week"),
        func.count().label("feedback"),
        _flag_sum(case((f.c.satisfied == 0, 1), else_=0)).label("feedback_dissatisfied"),
        _flag_sum(f.c.re_raised).label("feedback_reraised"),
    ).group_by(f.c.unit_code, f.c.received_bucket)
    if buckets is not None:
        q = q.where(f.c.received_bucket.in_(buckets))
    return q


def _overdue_query(table, source: str, buckets: list[date] | None):  # noqa: ANN001
    cond = table.c.overdue_bucket.is_not(None)
    if table is s.dossier:
        cond = and_(cond, table.c.counted == 1)
    if buckets is not None:
        cond = and_(cond, table.c.received_bucket.in_(buckets))
    return (
        select(
            table.c.unit_code,
            table.c.received_bucket,
            table.c.overdue_bucket,
            literal(source),
            func.count(),
        )
        .where(cond)
        .group_by(table.c.unit_code, table.c.received_bucket, table.c.overdue_bucket)
    )


@statement("refresh_overdue_dossier", buckets=_EXAMPLE_BUCKETS)
def _overdue_dossier_query(buckets: list[date] | None):
    """agg_overdue rows of the dossiers (source "dossier") of ``buckets`` (None: all)."""
    return _overdue_query(s.dossier, "dossier", buckets)


@statement("refresh_overdue_feedback", buckets=_EXAMPLE_BUCKETS)
def _overdue_feedback_query(buckets: list[date] | None):
    """agg_overdue rows of the feedback (source "feedback") of ``buckets`` (None: all)."""
    return _overdue_query(s.feedback, "feedback", buckets)


@statement("refresh_overdue_procedure", buckets=_EXAMPLE_BUCKETS)
def _overdue_procedure_query(buckets: list[date] | None):
    """agg_overdue_procedure rows: overdue dossiers of ``buckets`` by procedure and field."""
    d = s.dossier
    cond = and_(d.c.counted == 1, d.c.overdue_bucket.is_not(None))
    if buckets is not None:
        cond = and_(cond, d.c.received_bucket.in_(buckets))
    keys = (d.c.unit_code, d.c.received_bucket, d.c.overdue_bucket, d.c.procedure_code,
            d.c.field_code)
    return select(*keys, func.count()).where(cond).group_by(*keys)


def _fill_overdue_procedure(conn: Connection, buckets: list[date] | None) -> None:
    t = s.agg_overdue_procedure
    stmt = delete(t)
    if buckets is not None:
        stmt = stmt.where(t.c.bucket.in_(buckets))
    conn.execute(stmt)
    conn.execute(
        insert(t).from_select(
            [t.c.unit_code, t.c.bucket, t.c.overdue_bucket, t.c.procedure_code, t.c.field_code,
             t.c.n],
            _overdue_procedure_query(buckets),
        )
    )


@statement("refresh_unit_procedure", buckets=_EXAMPLE_BUCKETS)
def _procedure_query(buckets: list[date] | None):
    """agg_unit_procedure rows: dossiers, online and paid online per unit, bucket, procedure."""
    d = s.dossier
    cond = d.c.counted == 1
    if buckets is not None:
        cond = and_(cond, d.c.received_bucket.in_(buckets))
    return (
        select(
            d.c.unit_code,
            d.c.received_bucket,
            d.c.procedure_code,
            func.count(),
            _flag_sum(case((d.c.channel == 2, 1), else_=0)),
            _flag_sum(case((d.c.paid_online > 0, 1), else_=0)),
        )
        .where(cond)
        .group_by(d.c.unit_code, d.c.received_bucket, d.c.procedure_code)
    )


_MEASURES = [
    c.name for c in s.agg_unit_bucket.columns if c.name not in ("unit_code", "bucket", "week")
]


def _refresh_chunk(conn: Connection, buckets: list[date] | None) -> int:
    for table in (s.agg_unit_bucket, s.agg_overdue, s.agg_unit_procedure):
        stmt = delete(table)
        if buckets is not None:
            stmt = stmt.where(table.c.bucket.in_(buckets))
        conn.execute(stmt)

    dos = pd.DataFrame(conn.execute(_dossier_bucket_query(buckets)).mappings().all())
    fb = pd.DataFrame(conn.execute(_feedback_bucket_query(buckets)).mappings().all())
    frames = [f for f in (dos, fb) if not f.empty]
    rows = 0
    if frames:
        merged = pd.concat(frames, ignore_index=True)
        merged = merged.groupby(["unit_code", "bucket"], as_index=False).agg(
            {"week": "min", **{m: "sum" for m in _MEASURES if m in merged.columns}}
        )
        for m in _MEASURES:
            if m not in merged.columns:
                merged[m] = 0
            merged[m] = merged[m].fillna(0).astype("int64")
        records = merged[["unit_code", "bucket", "week", *_MEASURES]].to_dict("records")
        for r in records:
            for m in _MEASURES:
                r[m] = int(r[m])
        conn.execute(insert(s.agg_unit_bucket), records)
        rows = len(records)

    ov = s.agg_overdue.c
    target_cols = [ov.unit_code, ov.bucket, ov.overdue_bucket, ov.source, ov.n]
    conn.execute(
        insert(s.agg_overdue).from_select(target_cols, _overdue_dossier_query(buckets))
    )
    conn.execute(
        insert(s.agg_overdue).from_select(
            target_cols, _overdue_feedback_query(buckets)
        )
    )
    _fill_overdue_procedure(conn, buckets)
    up = s.agg_unit_procedure.c
    conn.execute(
        insert(s.agg_unit_procedure).from_select(
            [up.unit_code, up.bucket, up.procedure_code, up.dossiers, up.online, up.paid_online],
            _procedure_query(buckets),
        )
    )
    return rows


def refresh(
    conn: Connection,
    buckets: Iterable[date] | None = None,
    snapshot: SnapshotBuilder | None = None,
) -> int:
    """Recompute aggregates for ``buckets`` (None: all), then run ``snapshot`` (if given) in the
    same transaction. Returns the unit-bucket rows written."""
    since = None
    upgrade_schema(conn)  # a database of an earlier release gains what this code reads
    if not inspect(conn).has_table(s.agg_overdue_procedure.name):
        # A database made before this aggregate: create it and fill it whole once, so a
        # refresh of a few buckets does not leave it holding only those.
        s.agg_overdue_procedure.create(conn)
        if buckets is not None:
            _fill_overdue_procedure(conn, None)
    if buckets is None:
        rows = _refresh_chunk(conn, None)
        detail = "all"
    else:
        keys = sorted(set(buckets))
        rows = 0
        for i in range(0, len(keys), _CHUNK):
            rows += _refresh_chunk(conn, keys[i : i + _CHUNK])
        detail = f"{len(keys)} buckets"
        since = keys[0] if keys else None
    pk = conn.execute(
        insert(s.load_log).values(at=datetime.now(), action="refresh", detail=detail, rows=rows)
    ).inserted_primary_key
    # typed Optional for executemany; a single-row INSERT always has its key
    assert pk is not None
    refresh_id = pk[0]
    if snapshot is not None:
        snapshot_store.ensure_tables(conn)
        snapshot(conn, int(refresh_id), since)
    return rows
