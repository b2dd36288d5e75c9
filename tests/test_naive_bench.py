"""The naive counterpart of the benchmark (bench/naive.py, bench/naive_app.py) computes the
same numbers as the service, from the raw dossier table: otherwise the side-by-side timing of
issue 6 would compare different work."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from helpers.scoring import announcement, dossier, feedback, load, proc
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import naive  # noqa: E402
from data_access import queries as q  # noqa: E402
from scorecard import service  # noqa: E402
from scorecard.periods import Period, parse_period  # noqa: E402

WEEK = "2024-W52"
LEVELS = ("department", "district", "commune", "province")
J = lambda d: date(2024, 1, 1) + timedelta(days=d - 1)  # noqa: E731 - day d of 2024 (J(14): Sun W02)


@pytest.fixture(scope="module")
def raw(demo_engine: Engine) -> naive.RawData:
    return naive.read_raw(demo_engine)


def _totals(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    return df.set_index(keys)["total"].astype(float).sort_index()


@pytest.mark.slow
@pytest.mark.parametrize("ytd", [False, True], ids=["week", "ytd"])
def test_naive_measures_equal_aggregates(demo_engine, raw, ytd):
    p = parse_period(WEEK, ytd=ytd)
    for level in ("department", "district", "commune"):
        codes = q.active_units(demo_engine, level=level, start=p.start, end=p.end)["code"].tolist()
        want = q.unit_measures(demo_engine, p.start, p.end, unit_codes=codes)
        got = naive.naive_measures(raw, p.start, p.end, codes)
        assert list(got.columns) == list(want.columns)
        # units without a row have no activity: compare every unit of the level, zeros filled
        want = want.set_index("unit_code").reindex(codes).fillna(0).astype("int64")
        got = got.set_index("unit_code").reindex(codes).fillna(0).astype("int64")
        assert want.to_numpy().sum() > 0, "the demo has activity in the period"
        pd.testing.assert_frame_equal(got, want, check_names=False)
    want = q.province_measures(demo_engine, p.start, p.end, code="49").drop(columns="unit_code")
    got = naive.naive_measures(raw, p.start, p.end, by_unit=False).drop(columns="unit_code")
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("ytd", [False, True], ids=["week", "ytd"])
@pytest.mark.parametrize("level", LEVELS)
def test_naive_scorecard_equals_service(demo_engine, raw, level, ytd):
    p = parse_period(WEEK, ytd=ytd)
    want = service.scorecard(demo_engine, level, p).summary
    got = naive.naive_scorecard(demo_engine, level, p, raw=raw)
    assert not want.empty
    assert sorted(got["unit_code"]) == sorted(want["unit_code"])
    pd.testing.assert_series_equal(
        _totals(got, ["unit_code"]), _totals(want, ["unit_code"]), rtol=0, atol=1e-6
    )
    groups = naive.GROUPS
    g = got.set_index("unit_code")[groups].astype(float).sort_index()
    w = want.set_index("unit_code")[groups].astype(float).sort_index()
    pd.testing.assert_frame_equal(g, w, rtol=0, atol=1e-6)
    ranks = want.set_index("unit_code")["rank"].sort_index()
    assert got.set_index("unit_code")["rank"].sort_index().equals(ranks)


def test_naive_scorecard_reads_raw_itself(demo_engine):
    # the call a naive page makes: no pre-read frame, the raw tables are read inside
    p = parse_period(WEEK, ytd=True)
    got = naive.naive_scorecard(demo_engine, "district", p)
    want = service.scorecard(demo_engine, "district", p).summary
    pd.testing.assert_series_equal(
        _totals(got, ["unit_code"]), _totals(want, ["unit_code"]), rtol=0, atol=1e-6
    )


@pytest.mark.slow
def test_naive_series_equals_service(demo_engine, raw):
    want = service.series(demo_engine, "district", WEEK, weeks=8, kind="ytd")
    got = naive.naive_series(demo_engine, "district", WEEK, weeks=8, kind="ytd", raw=raw)
    assert len(want) == 8 * want["unit_code"].nunique() > 0
    pd.testing.assert_series_equal(
        _totals(got, ["week", "unit_code"]), _totals(want, ["week", "unit_code"]),
        rtol=0, atol=1e-6,
    )


@pytest.mark.slow
def test_naive_app_renders_rankings(demo_url, demo_engine, monkeypatch):
    monkeypatch.setenv("REFORM_DB_URL", demo_url)
    at = AppTest.from_file(str(ROOT / "bench" / "naive_app.py"), default_timeout=60)
    at.query_params["week"] = WEEK
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    p = parse_period(WEEK, ytd=True)
    sizes = [len(service.scorecard(demo_engine, lv, p).summary) for lv in ("department", "district")]
    assert [len(df.value) for df in at.dataframe] == sizes
    province = service.scorecard(demo_engine, "province", p).summary["total"].iloc[0]
    assert at.metric[0].value == f"{province:.2f}"


# --- edge cases the demo may not hold -----------------------------------------------------------

EDGE_PROCS = [
    proc("PD", level="district", fee=1, pay=1, cert=1),
    proc("PD0", level="district", online_level=0, fee=1, result=0),
    proc("PS", level="department", agency="STP", fee=1),
    proc("PX", level="department", agency="SYT"),  # not STP's: outside its authority
]
EDGE_DOSSIERS = [
    dossier("A", "502", J(8), proc="PD", due=J(10), finished=J(9), channel=2, paid_online=1,
            e_cert=1, e_result=1, synced=1),
    # becomes overdue on Sunday 14 January, the last day of 2024-W02: overdue as of that week
    dossier("B_edge", "502", J(8), proc="PD", due=J(13), status=4),
    # becomes overdue on Monday 15 January: in time as of 2024-W02
    dossier("C_after", "502", J(8), proc="PD", due=J(14), status=4),
    dossier("D_no_online", "502", J(9), proc="PD0", due=J(12), finished=J(10), channel=2,
            paid_online=2),
    dossier("E_unknown_proc", "502", J(9), proc="PZ", due=J(12), finished=J(10), channel=2,
            paid_online=1, e_result=1),
    dossier("F_not_counted", "502", J(9), proc="PD", due=J(10), status=3, channel=2),
    dossier("S1", "STP", J(10), proc="PS", due=J(11), finished=J(12), channel=2, paid_online=1),
    dossier("S2", "STP", J(10), proc="PX", due=J(12), finished=J(11), channel=2),
    dossier("W01", "503", J(2), proc="PD", due=J(3), finished=J(3), channel=2),
]
EDGE_FEEDBACK = [
    feedback("FB1", "502", J(9), J(13), J(12), satisfied=0, re_raised=1),
    feedback("FB2", "502", J(9), J(13), None),  # open past its due date: overdue from J(14)
]
EDGE_ANNOUNCEMENTS = [announcement("49", J(9), J(10), J(12), J(14), parts=6)]


@pytest.mark.slow
def test_naive_edge_cases_equal_service(engine):
    load(engine, EDGE_PROCS, EDGE_DOSSIERS, EDGE_FEEDBACK, EDGE_ANNOUNCEMENTS)
    raw = naive.read_raw(engine)
    # one database for both periods: a fresh engine costs more than the assertions
    for ytd in (False, True):
        _assert_edge_period(engine, raw, parse_period("2024-W02", ytd=ytd))


def _assert_edge_period(engine: Engine, raw: naive.RawData, p: Period) -> None:
    codes = q.active_units(engine)["code"].tolist()
    want = q.unit_measures(engine, p.start, p.end).set_index("unit_code").reindex(codes)
    got = naive.naive_measures(raw, p.start, p.end).set_index("unit_code").reindex(codes)
    pd.testing.assert_frame_equal(got.fillna(0), want.fillna(0), check_dtype=False)
    assert got.loc["502", "overdue"] == 1 and got.loc["502", "feedback_overdue"] == 1
    assert got.loc["STP", "procs_online_used"] == 1  # PX is SYT's
    for level in LEVELS:
        w = service.scorecard(engine, level, p).summary
        g = naive.naive_scorecard(engine, level, p, raw=raw)
        pd.testing.assert_series_equal(
            _totals(g, ["unit_code"]), _totals(w, ["unit_code"]), rtol=0, atol=1e-6
        )
