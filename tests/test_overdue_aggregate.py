"""agg_overdue_procedure (built by ``refresh``): the lagging list and the Pareto chart count
overdue dossiers by procedure and field from it, and get exactly what a scan of the dossiers
gives; kept up to date by a partial refresh; an older database without it still answers, and
its first refresh fills it whole. Both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from helpers.scoring import load
from helpers.service_data import ANNOUNCEMENTS, DOSSIERS, FEEDBACK, PROCS
from sqlalchemy import Engine, func, inspect, select, update

from data_access import queries as q
from data_access import schema as s
from data_access.db import has_schema
from scorecard import service
from scorecard.periods import Period, iso_week_label, parse_period, week_start, ytd_period
from scorecard.pipeline import refresh

KEYS = ["unit_code", "procedure_code", "field_code"]


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def _assert_agg_equals_scan(engine: Engine, p: Period, codes: list[str] | None = None) -> int:
    """Both breakdowns and the combined one, from the aggregate and from the dossiers; returns
    the overdue dossiers counted."""
    agg = q.overdue_by_procedure_field(engine, p.start, p.end, codes)
    scan = q.overdue_by_procedure_field(engine, p.start, p.end, codes, from_dossiers=True)
    pd.testing.assert_frame_equal(_sorted(agg, KEYS), _sorted(scan, KEYS), obj=str(p))
    for by in ("procedure", "field"):
        a = q.overdue_by(engine, p.start, p.end, by, codes)
        b = q.overdue_by(engine, p.start, p.end, by, codes, from_dossiers=True)
        pd.testing.assert_frame_equal(_sorted(a, ["unit_code", "key"]),
                                      _sorted(b, ["unit_code", "key"]), obj=f"{p} by {by}")
    return int(scan["overdue"].sum())


@pytest.mark.slow
def test_demo_aggregate_equals_dossier_scan(demo_engine: Engine):
    latest = service.latest_week(demo_engine)
    earlier = iso_week_label(week_start(latest) - timedelta(days=140))
    counted = 0
    for p in (ytd_period(latest), parse_period(latest), ytd_period(earlier),
              parse_period(earlier[:4] + "-Q2"), parse_period(earlier[:4] + "-06")):
        counted += _assert_agg_equals_scan(demo_engine, p)
    codes = q.active_units(demo_engine, "district")["code"].head(4).tolist()
    counted += _assert_agg_equals_scan(demo_engine, ytd_period(latest), codes)
    assert counted > 0  # the demo has overdue dossiers to count


def test_aggregate_is_read_for_whole_buckets_only(demo_engine: Engine):
    """A period that is not a union of buckets is counted from the dossiers (still equal)."""
    p = ytd_period(service.latest_week(demo_engine))
    assert q._overdue_source(demo_engine, p.start, p.end) is not None
    odd = Period(kind="custom", label="odd", start=p.start + timedelta(days=2),
                 end=p.end - timedelta(days=3))
    assert q._overdue_source(demo_engine, odd.start, odd.end) is None
    _assert_agg_equals_scan(demo_engine, odd)


@pytest.mark.parametrize(("start", "end", "aligned"), [
    (date(2024, 1, 1), date(2024, 12, 22), True),  # year to date: Monday 1 January to a Sunday
    (date(2024, 3, 1), date(2024, 3, 31), True),  # a month
    (date(2024, 2, 26), date(2024, 3, 3), True),  # an ISO week across two months
    (date(2024, 3, 2), date(2024, 3, 31), False),  # starts mid-slice
    (date(2024, 3, 1), date(2024, 3, 20), False),  # ends mid-slice
])
def test_bucket_aligned(start: date, end: date, aligned: bool):
    assert q._bucket_aligned(start, end) is aligned


@pytest.fixture
def data(engine: Engine) -> Engine:
    load(engine, PROCS, DOSSIERS, FEEDBACK, ANNOUNCEMENTS)
    return engine


@pytest.mark.slow
def test_partial_refresh_keeps_it_equal(data: Engine):
    """An import's refresh of a few buckets recomputes them: an overdue dossier moves to
    another procedure and field, and both breakdowns follow."""
    d = s.dossier
    p = parse_period("2024-W52", ytd=True)
    before = _assert_agg_equals_scan(data, p)
    with data.begin() as c:
        code, unit, bucket = c.execute(
            select(d.c.code, d.c.unit_code, d.c.received_bucket).where(
                d.c.overdue_date.between(p.start, p.end), d.c.received_date >= p.start,
                d.c.counted == 1, d.c.procedure_code != "PD",
            ).order_by(d.c.code)
        ).first()
        c.execute(update(d).where(d.c.code == code).values(procedure_code="PD", field_code="F2"))
        refresh(c, [bucket])
    assert _assert_agg_equals_scan(data, p) == before > 0
    moved = q.overdue_by_procedure_field(data, p.start, p.end, [unit])
    assert ((moved["procedure_code"] == "PD") & (moved["field_code"] == "F2")).any()


@pytest.mark.slow
def test_older_database_without_it(data: Engine):
    """Dropped, as in a database made before it: the pages still get their counts (from the
    dossiers), `check`'s schema test still passes, and a refresh of one bucket fills it whole."""
    p = parse_period("2024-W52", ytd=True)
    expected = q.overdue_by_procedure_field(data, p.start, p.end, from_dossiers=True)
    with data.begin() as c:
        s.agg_overdue_procedure.drop(c)
    assert not inspect(data).has_table(s.agg_overdue_procedure.name)
    assert has_schema(data)
    assert q._overdue_source(data, p.start, p.end) is None
    pd.testing.assert_frame_equal(
        _sorted(q.overdue_by_procedure_field(data, p.start, p.end), KEYS), _sorted(expected, KEYS))
    lag = service.lagging(data, "district", "2024-W05")  # reads the counts: no error
    assert isinstance(lag, pd.DataFrame)

    d = s.dossier
    with data.connect() as c:
        one = c.execute(select(func.min(d.c.received_bucket))).scalar_one()
    with data.begin() as c:
        refresh(c, [one])
    assert q._overdue_source(data, p.start, p.end) is not None
    _assert_agg_equals_scan(data, p)
    with data.connect() as c:
        total = c.execute(select(func.sum(s.agg_overdue_procedure.c.n))).scalar_one()
        overdue = c.execute(select(func.count()).select_from(d).where(
            d.c.overdue_date.is_not(None), d.c.counted == 1)).scalar_one()
    assert total == overdue > 0  # every bucket, not only the refreshed one
