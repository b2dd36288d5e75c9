"""Scoring across the 2025 reorganisation on hand-made units and dossiers, both backends
(the structure: tests/helpers/two_tier.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from conftest import fresh_engine
from helpers.scoring import load
from helpers.two_tier import MERGER, NEW, load_two_tier, two_tier_dossiers, unit_row
from sqlalchemy import insert

from data_access import queries as q
from data_access import schema as s
from scorecard import service
from scorecard.inputs import series_measures
from scorecard.periods import parse_period, weeks_between


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def data(request, tmp_path_factory):
    with fresh_engine(request.param, tmp_path_factory.mktemp(f"two_tier_{request.param}")) as eng:
        load_two_tier(eng)
        yield eng


def _codes(engine, level: str, label: str, ytd: bool = False) -> set[str]:
    return set(service.scorecard(engine, level, parse_period(label, ytd=ytd)).summary["unit_code"])


def test_abolished_district_ranked_before_absent_after(data):
    assert _codes(data, "district", "2025-W26") == {"D1", "D2"}
    assert _codes(data, "district", "2025-W26", ytd=True) == {"D1", "D2"}
    ranked = service.scorecard(data, "district", parse_period("2025-W26")).summary
    assert ranked["rank"].notna().all() and ranked["grade"].notna().all()
    # from the week holding 01/07/2025 on there is no district level: nothing to rank
    for label, ytd in (("2025-W27", False), ("2025-W28", True), ("2025-Q3", False)):
        assert service.scorecard(data, "district", parse_period(label, ytd=ytd)).summary.empty
        assert not service.exists_in(data, "district", parse_period(label, ytd=ytd))
    assert service.exists_in(data, "district", parse_period("2025-Q2"))
    assert _codes(data, "district", "2025-Q2") == {"D1", "D2"}
    levels = set(service.levels_at(data, date(2025, 7, 7))["code"])
    assert "district" not in levels and {"province", "department", "commune"} <= levels


def test_merged_departments_listed_by_period_end(data):
    assert _codes(data, "department", "2025-W07") == {"DA", "DB", "DC"}
    # year to date as of a March week: the departments that exist then, DM on its own days
    assert _codes(data, "department", "2025-W11", ytd=True) == {"DM", "DC"}
    assert service.scored_from(data, "department", parse_period("2025-W11", ytd=True)) == {"DM": MERGER}


def test_merged_department_history_is_the_sum_of_its_predecessors(data):
    weeks = weeks_between("2025-W06", "2025-W12")
    units = q.active_units(data, level="department")
    for kind in ("ytd", "week"):
        combined = service.predecessor_measures(data, "DM", weeks, kind).set_index("week")
        # only the weeks before the merger (W09 ends on 02/03/2025, after it: DM's own)
        assert list(combined.index) == weeks_between("2025-W06", "2025-W08")
        parts = series_measures(data, "units", list(combined.index), kind,
                                units[units["code"].isin(["DA", "DB"])])
        summed = parts.groupby("week")[list(q.MEASURES)].sum()
        for m in ("dossiers", "overdue", "online", "synced"):
            assert combined[m].tolist() == pytest.approx(summed.loc[combined.index, m].tolist()), (kind, m)
    hist = service.predecessor_history(data, "DM", weeks).set_index("week")
    assert len(hist) == 3 and hist["total"].between(0, 100).all()
    # a unit with no predecessors has no combined history
    assert service.predecessor_history(data, "DC", weeks).empty


def test_merged_department_history_equals_one_unit_holding_both(engine):
    """The combined history scores exactly as if one unit had received DA's and DB's dossiers."""
    load_two_tier(engine)
    with engine.begin() as conn:
        conn.execute(insert(s.unit), [unit_row("X", "department", "49")])
    both = [dict(r, code="X-" + r["code"], unit_code="X") for r in two_tier_dossiers() if r["unit_code"] in ("DA", "DB")]
    load(engine, dossiers=both, fields={"F9": "Khác"})
    weeks = weeks_between("2025-W06", "2025-W08")
    hist = service.predecessor_history(engine, "DM", weeks).set_index("week")
    x = service.series(engine, "department", "2025-W08", weeks=3)
    x = x[x["unit_code"] == "X"].set_index("week")
    cols = ["total", *[f"group_{i}" for i in range(1, 7)]]
    assert hist.loc[weeks, cols].to_numpy() == pytest.approx(x.loc[weeks, cols].to_numpy())


def test_commune_split_between_successors_by_share(data):
    weeks = weeks_between("2025-W23", "2025-W26")
    units = q.active_units(data, level="district")
    d = series_measures(data, "units", weeks, "week", units[units["code"].isin(["D1", "D2"])])
    d = d.set_index(["unit_code", "week"])
    n1 = service.predecessor_measures(data, "N1", weeks, "week").set_index("week")
    n2 = service.predecessor_measures(data, "N2", weeks, "week").set_index("week")
    for w in weeks:
        for m in ("dossiers", "overdue", "online"):
            assert n1.at[w, m] == pytest.approx(0.6 * d.at[("D1", w), m])
            assert n2.at[w, m] == pytest.approx(0.4 * d.at[("D1", w), m] + d.at[("D2", w), m])
    # what each successor took of D1 adds up to D1
    assert (n1["dossiers"] + n2["dossiers"] - d.xs("D2")["dossiers"]).tolist() == pytest.approx(
        d.xs("D1")["dossiers"].tolist())
    succ = service.successors(data, "D1").set_index("code")
    assert succ["share"].to_dict() == {"N1": pytest.approx(0.6), "N2": pytest.approx(0.4)}
    assert set(service.predecessors(data, "N2")["code"]) == {"D1", "D2"}


def test_unit_without_activity_is_shown_not_ranked(data):
    for label, ytd in (("2025-W28", False), ("2025-W28", True), ("2025-Q3", False)):
        summ = service.scorecard(data, "commune", parse_period(label, ytd=ytd)).summary.set_index("unit_code")
        assert set(summ.index) == {"N1", "N2", "N3"}, label
        assert pd.isna(summ.at["N3", "total"]) and pd.isna(summ.at["N3", "rank"]), label
        assert summ.at["N3", "grade"] is None or pd.isna(summ.at["N3", "grade"])
        assert sorted(summ.loc[["N1", "N2"], "rank"].tolist()) == [1, 2], label
        assert summ.index[-1] == "N3"  # listed last


def test_periods_that_cross_the_reform(data):
    # the week holding 30/06 and 01/07: the new province, counting from 01/07 only
    prov = service.scorecard(data, "province", parse_period("2025-W27")).summary
    assert prov["unit_code"].tolist() == ["48"]
    w27 = [r for r in two_tier_dossiers() if date(2025, 7, 1) <= r["received_at"].date() <= date(2025, 7, 6)]
    assert int(prov.iloc[0]["dossiers"]) == len(w27)
    # year to date: 48's starts on 01/07/2025, as on the national portal
    ytd = service.scorecard(data, "province", parse_period("2025-W29", ytd=True)).summary
    since = [r for r in two_tier_dossiers() if NEW <= r["received_at"].date() <= date(2025, 7, 20)]
    assert int(ytd.iloc[0]["dossiers"]) == len(since)
    assert service.scored_from(data, "commune", parse_period("2025-W29", ytd=True)) == {
        "N1": NEW, "N2": NEW, "N3": NEW}
    # DC continues: its year to date keeps February and March
    dc = service.scorecard(data, "department", parse_period("2025-W29", ytd=True)).summary
    dc_rows = [r for r in two_tier_dossiers() if r["unit_code"] == "DC"]
    assert int(dc.set_index("unit_code").at["DC", "dossiers"]) == len(dc_rows)
    # quarters on either side
    assert service.scorecard(data, "province", "2025-Q2").summary["unit_code"].tolist() == ["49"]
    assert _codes(data, "commune", "2025-Q2") == {"C1"}
    assert _codes(data, "commune", "2025-Q3") == {"N1", "N2", "N3"}
    # the province series: Quảng Nam's weeks, then the new city's
    ser = service.series(data, "province", "2025-W28", weeks=4)
    assert ser.groupby("unit_code")["week"].apply(list).to_dict() == {
        "49": ["2025-W25", "2025-W26", "2025-W27"], "48": ["2025-W27", "2025-W28"]}


def test_snapshot_equals_on_demand_across_the_reform(data, monkeypatch):
    cases = [(lv, label, ytd) for lv in ("province", "department", "district", "commune")
             for label, ytd in (("2025-W26", True), ("2025-W27", False), ("2025-W28", True),
                                ("2025-W10", True), ("2025-W08", False))]
    snap = {c: service.scorecard(data, c[0], parse_period(c[1], ytd=c[2])).summary for c in cases}
    series_snap = {lv: service.series(data, lv, "2025-W29", weeks=30) for lv in ("province", "commune")}
    monkeypatch.setattr(service, "_current_snapshot", lambda *a, **k: None)
    for c in cases:
        fresh = service.scorecard(data, c[0], parse_period(c[1], ytd=c[2])).summary
        pd.testing.assert_frame_equal(snap[c], fresh, check_dtype=False, atol=1e-9, obj=str(c))
    for lv, got in series_snap.items():
        fresh = service.series(data, lv, "2025-W29", weeks=30)
        pd.testing.assert_frame_equal(got, fresh, check_dtype=False, atol=1e-9, obj=lv)


def test_report_says_the_level_did_not_exist(data):
    url = data.url.render_as_string(hide_password=False)
    out = subprocess.run(
        [sys.executable, "-m", "scorecard", "--db", url, "report", "--level", "district",
         "--period", "2025-W40"], capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 2
    assert "không tồn tại" in out.stderr and "30/06/2025" in out.stderr
    assert "Traceback" not in out.stderr
