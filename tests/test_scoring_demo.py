"""On the demo data (both backends): aggregates == raw dossiers, II.06a identities, and the
same numbers from SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import _require_pg
from helpers.oracle import raw_unit_measures

from data_access import queries as q
from data_access.engine import get_engine
from scorecard import bieu06a as b06
from scorecard import service
from scorecard.bieu06a import check_identities
from scorecard.periods import parse_period

PERIODS = [("2024-W10", False), ("2024-W52", True), ("2024-06", False), ("2024-Q3", False),
           ("2025-W30", True), ("2024", False)]


@pytest.mark.parametrize(("label", "ytd"), PERIODS)
def test_aggregates_equal_raw(demo_engine, label, ytd):
    p = parse_period(label, ytd=ytd)
    agg = q.unit_measures(demo_engine, p.start, p.end).set_index("unit_code").sort_index()
    raw = raw_unit_measures(demo_engine, p.start, p.end).set_index("unit_code").sort_index()
    assert agg["dossiers"].sum() > 0
    idx = agg.index.union(raw.index)
    pd.testing.assert_frame_equal(agg.reindex(idx, fill_value=0), raw.reindex(idx, fill_value=0),
                                  check_dtype=False)
    prov_agg = q.province_measures(demo_engine, p.start, p.end, "49").drop(columns="unit_code")
    prov_raw = raw_unit_measures(demo_engine, p.start, p.end, by_unit=False).drop(columns="unit_code")
    pd.testing.assert_frame_equal(prov_agg, prov_raw, check_dtype=False)


@pytest.mark.parametrize(("label", "ytd"), PERIODS)
def test_few_unit_measures_equal_the_frame_path(demo_engine, monkeypatch, label, ytd):
    """A unit page's few units: the plain-Python merge gives the very frame the pandas one does."""
    from data_access.queries import measures

    p = parse_period(label, ytd=ytd)
    every = q.unit_measures(demo_engine, p.start, p.end)
    picks = [every["unit_code"].iloc[:3].tolist(), every["unit_code"].iloc[-2:].tolist(),
             ["SYT"], ["no-such-unit"], every["unit_code"].iloc[::7].tolist()[:20]]
    for codes in picks:
        fast = q.unit_measures(demo_engine, p.start, p.end, unit_codes=codes)
        with monkeypatch.context() as m:
            m.setattr(measures, "FEW_UNITS", -1)
            slow = q.unit_measures(demo_engine, p.start, p.end, unit_codes=codes)
        if slow.empty:
            assert fast.empty and list(fast.columns) == list(slow.columns)
            continue
        pd.testing.assert_frame_equal(fast, slow)


@pytest.mark.parametrize("label", ["2024-W10", "2025-W30", "2025-W52"])
def test_few_unit_period_measures_equal_the_frame_path(demo_engine, monkeypatch, label):
    """``period_measures`` of a few units (the one a unit page shows, the lagging ones), merged
    in plain Python, equals the pandas merge, communes that began mid-period included."""
    from scorecard import inputs

    for p in (parse_period(label), parse_period(label, ytd=True)):
        for level in ("department", "district", "commune"):
            units = inputs.scored_units(demo_engine, level, p, None)
            for sub in (units.iloc[:1], units.iloc[-3:], units.iloc[::9].iloc[:20]):
                if sub.empty:
                    continue
                fast = inputs.period_measures(demo_engine, level, p, sub)
                with monkeypatch.context() as m:
                    m.setattr(q, "FEW_UNITS", -1)
                    slow = inputs.period_measures(demo_engine, level, p, sub)
                pd.testing.assert_frame_equal(fast, slow)


def test_scores_from_aggregates_equal_scores_from_raw(demo_engine, monkeypatch):
    p = parse_period("2024-W40", ytd=True)
    levels = ("department", "district", "commune", "province")
    from_agg = {lv: service.scorecard(demo_engine, lv, p).summary for lv in levels}
    # swap the aggregate queries for the raw ones: every score must come out the same
    monkeypatch.setattr(q, "unit_measures", lambda b, s, e: raw_unit_measures(b, s, e))

    def raw_province(b, s, e, code):
        return raw_unit_measures(b, s, e, by_unit=False).assign(unit_code=code)

    monkeypatch.setattr(q, "province_measures", raw_province)
    for lv in levels:
        from_raw = service.scorecard(demo_engine, lv, p).summary
        assert len(from_raw) == len(from_agg[lv]) > 0
        pd.testing.assert_frame_equal(from_agg[lv], from_raw, obj=lv)


@pytest.mark.parametrize(("start", "end"), [(date(2024, 7, 1), date(2024, 9, 30)),
                                            (date(2025, 7, 1), date(2025, 7, 31))])
def test_bieu06a_identities_every_unit_and_field(demo_engine, start, end):
    df = service.bieu06a(demo_engine, start, end)
    assert len(df) > 20
    assert check_identities(df).empty
    assert (df["received_total"] == df["resolved_total"] + df["pending_total"]).all()
    # newly received in the period = the scorecard's dossiers measure
    m = raw_unit_measures(demo_engine, start, end).set_index("unit_code")["dossiers"]
    new = (df["received_online"] + df["received_direct"]).groupby(df["unit_code"]).sum()
    pd.testing.assert_series_equal(new[new > 0].sort_index(), m[m > 0].sort_index(), check_names=False,
                                   check_dtype=False)
    # carried over = still open at the end of the day before
    prev = service.bieu06a(demo_engine, date(2023, 1, 1), start - pd.Timedelta(days=1).to_pytimedelta())
    carried = df.groupby("unit_code")["carried_over"].sum()
    # units that ended before the range carry their backlog in one row (b06.ENDED_UNITS)
    listed = set(df["unit_code"])
    prev = prev.assign(unit_code=prev["unit_code"].where(prev["unit_code"].isin(listed), b06.ENDED_UNITS))
    open_before = prev.groupby("unit_code")["pending_total"].sum()
    pd.testing.assert_series_equal(carried[carried > 0].sort_index(),
                                   open_before[open_before > 0].sort_index(), check_names=False)


def test_series_matches_scorecard_on_demo(demo_engine):
    ser = service.series(demo_engine, "district", "2024-W52", weeks=104)
    assert ser["week"].nunique() == 104
    for week in ("2023-W01", "2023-W52", "2024-W01", "2024-W30", "2024-W52"):
        want = service.scorecard(demo_engine, "district", parse_period(week, ytd=True)).summary
        got = ser[ser["week"] == week].set_index("unit_code").loc[want["unit_code"]]
        assert got["total"].to_numpy() == pytest.approx(want["total"].to_numpy(dtype=float), nan_ok=True)


def test_demo_scores_are_realistic(demo_engine):
    s = service.scorecard(demo_engine, "province", parse_period("2024-W34", ytd=True)).summary
    assert 50 < s.iloc[0]["total"] < 100
    d = service.scorecard(demo_engine, "department", parse_period("2024-W52", ytd=True)).summary
    assert d["rank"].iloc[0] == 1 and len(d) == 18


# --- SQLite == PostgreSQL --------------------------------------------------------------------


def _results(engine) -> dict[str, pd.DataFrame]:
    out = {}
    for level in ("department", "district", "commune", "province"):
        for label, ytd in (("2024-W52", True), ("2024-Q2", False), ("2024-W10", False)):
            res = service.scorecard(engine, level, parse_period(label, ytd=ytd))
            out[f"{level} {label} {ytd}"] = res.summary
            out[f"{level} {label} {ytd} components"] = res.components
        out[f"series {level}"] = service.series(engine, level, "2024-W52", weeks=20)
    out["lagging"] = service.lagging(engine, "district", "2024-W52").astype(str)
    out["bieu06a"] = service.bieu06a(engine, date(2024, 7, 1), date(2024, 9, 30))
    codes = out["district 2024-W52 True"]["unit_code"].tolist()[-3:]
    for c in codes:
        out[f"overdue {c}"] = service.overdue_dossiers(engine, c, parse_period("2024-W52", ytd=True))
        out[f"pareto {c}"] = service.overdue_pareto(engine, c, "2024-Q4", by="field")
    return out


@pytest.mark.slow
def test_sqlite_and_postgresql_give_the_same_numbers(demo_databases):
    """The same demo (same seed and scale) on both backends in one test: every report frame the
    pages and the meeting pack read is equal. PostgreSQL missing: skipped outside CI, an error
    under CI."""
    _require_pg()
    results = {}
    for backend in ("sqlite", "postgresql"):
        eng = get_engine(demo_databases.url(backend), read_only=True)
        try:
            results[backend] = _results(eng)
        finally:
            eng.dispose()
    a, b = results["sqlite"], results["postgresql"]
    assert a.keys() == b.keys()
    assert not a["district 2024-W52 True"].empty and not a["bieu06a"].empty  # something to compare
    for k in a:
        pd.testing.assert_frame_equal(a[k].reset_index(drop=True), b[k].reset_index(drop=True),
                                      check_dtype=False, obj=k)
