"""The Service API on hand-made data, both backends: province row, weekly series, New Year,
drill-down, lagging units, methodology versions, empty results, SQLite == PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import fresh_engine
from helpers.scoring import load
from helpers.service_data import ANNOUNCEMENTS, DOSSIERS, FEEDBACK, PROCS, J
from sqlalchemy import insert

from data_access import queries as q
from data_access import schema as s
from data_access.db import init_db
from data_access.engine import get_engine
from scorecard import lagging as lag_mod
from scorecard import service
from scorecard.periods import parse_period
from texts import t


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def data(request, tmp_path_factory):
    """The hand-made rows, loaded once per backend (and xdist worker): the tests only read them,
    except the one that adds a methodology version, which loads its own (``engine``)."""
    with fresh_engine(request.param, tmp_path_factory.mktemp(f"svc_{request.param}")) as eng:
        load(eng, PROCS, DOSSIERS, FEEDBACK, ANNOUNCEMENTS)
        yield eng


@pytest.mark.slow
def test_province_row_sums_every_unit(data):
    p = parse_period("2024-W01")
    prov = q.province_measures(data, p.start, p.end, "49").iloc[0]
    units = q.unit_measures(data, p.start, p.end)
    for m in ("dossiers", "synced", "online", "overdue", "feedback", "feedback_overdue", "e_cert"):
        assert prov[m] == units[m].sum(), m
    assert prov["dossiers"] == 2 + 2 + 2  # 502 x2, communes x2, STP x2
    assert prov["procs"] == len(PROCS)
    assert prov["ann_total"] == 2 and prov["ann_on_time"] == 1
    assert prov["pub_total"] == 1 and prov["pub_full"] == 1  # the second is published on day 9
    res = service.scorecard(data, "province", "2024-W01")
    assert len(res.summary) == 1 and res.summary.iloc[0]["unit_code"] == "49"
    comps = res.components.set_index("component")
    assert {"1.1", "1.2", "1.3"} <= set(comps.index)
    # 1.1 = max 6 x announced on time / announced = 6 x 1/2 (saturation 1)
    assert comps.at["1.1", "points"] == pytest.approx(6 * 1 / 2)


def test_authority_limits_procedure_counts(data):
    m = q.unit_measures(data, J(1), J(7)).set_index("unit_code")
    assert m.at["STP", "procs"] == 1  # PS only; PX belongs to SYT
    assert m.at["STP", "procs_online_used"] == 1  # its online PX dossier is not counted
    assert m.at["502", "procs"] == 2 and m.at["502", "procs_online"] == 1
    assert m.at["STP", "procs_fee"] == 1 and m.at["STP", "procs_fee_integrated"] == 0
    assert m.at["STP", "procs_fee_paid"] == 1


def test_department_group_1_scaled_from_1_4(data):
    res = service.scorecard(data, "department", "2024-W01")
    assert "1.1" in res.not_applicable
    stp = res.summary.set_index("unit_code").loc["STP"]
    comps = res.components[res.components["unit_code"] == "STP"].set_index("component")
    assert "1.1" not in comps.index
    # only 1.4 (max 6) applies: scaled to group 1's 18 points, x 18/6
    assert stp["group_1"] == pytest.approx(comps.at["1.4", "points"] * 18 / 6)


@pytest.mark.slow
@pytest.mark.parametrize("level", ["district", "province", "commune"])
@pytest.mark.parametrize("kind", ["ytd", "week"])
def test_series_equals_scorecard(data, level, kind):
    ser = service.series(data, level, "2025-W02", weeks=56, kind=kind)
    assert set(ser.columns) == set(service.SERIES_COLUMNS)
    for week in ("2024-W01", "2024-W03", "2024-W05", "2025-W01", "2025-W02"):
        res = service.scorecard(data, level, parse_period(week, ytd=kind == "ytd"))
        if res.summary.empty:
            continue
        got = ser[ser["week"] == week].set_index("unit_code")
        want = res.summary.set_index("unit_code")
        cols = ["total", *[f"group_{i}" for i in range(1, 7)]]
        pd.testing.assert_frame_equal(got.loc[want.index, cols], want[cols].astype(float),
                                      check_exact=False, atol=1e-9)


def test_new_year_bucket(data):
    m = lambda p: q.unit_measures(data, p.start, p.end).set_index("unit_code").at["503", "dossiers"]  # noqa: E731
    assert m(parse_period("2025-W01")) == 2  # the whole ISO week
    assert m(parse_period("2025-W01", ytd=True)) == 1  # from 1 January 2025 only
    assert m(parse_period("2024")) == 1 and m(parse_period("2024-12")) == 1
    assert m(parse_period("2024-W52", ytd=True)) == 0  # ends Sunday 29 December


def test_drill_down_ranks_communes_of_a_district(data):
    res = service.scorecard(data, "commune", "2024-W01", parent="502")
    assert set(res.summary["unit_code"]) == set(
        q.active_units(data, "commune", parent="502")["code"]
    )
    assert res.summary["rank"].min() == 1
    assert res.summary.iloc[0]["unit_code"] == "20335"  # the only one without an overdue dossier
    assert list(res.summary.columns) == service.SUMMARY_COLUMNS


def test_delta_and_sorting(data):
    res = service.scorecard(data, "district", parse_period("2024-W05", ytd=True))
    prev = service.scorecard(data, "district", parse_period("2024-W04", ytd=True))
    a = res.summary.set_index("unit_code")
    b = prev.summary.set_index("unit_code")
    assert a.at["504", "delta_week"] == pytest.approx(a.at["504", "total"] - b.at["504", "total"])
    assert a.at["504", "delta_week"] < 0
    ranked = res.summary["rank"].notna()
    assert res.summary.loc[ranked, "rank"].is_monotonic_increasing
    # the districts with no dossier and no feedback ("không phát sinh") come last, ungraded
    idle = res.summary[~ranked]
    assert ranked.sum() == 2 and len(idle) == 16
    assert not ranked.iloc[:2].eq(False).any() and idle["total"].isna().all()
    assert idle["grade"].isna().all()


def _rules(*params: tuple[str, str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"valid_from": date(2020, 1, 1), "level": "*", "criterion": c, "param": p,
                          "value": str(v)} for c, p, v in params])


def test_lagging_reasons(data):
    # the shipped rule: 504's year-to-date total fell 4,06 points in 2024-W05 (it is in its
    # fifth week); 502 did not fall; nobody is "the bottom three" of two ranked districts
    lag = service.lagging(data, "district", "2024-W05")
    assert list(lag.columns) == lag_mod.LAGGING_COLUMNS
    assert list(lag["unit_code"]) == ["504"] and list(lag["criteria"].iloc[0]) == ["falling"]
    row = lag.iloc[0]
    assert row["reasons"] == [t("lag.falling_points", drop="4,06", before="73,69", now="69,63")]
    assert row["worst_components"] and "mất" in row["worst_components"][0]
    assert row["worst"][0]["component"] == row["worst_components"][0].split(" ")[0]
    assert any("Thủ tục PD" in p for p in row["overdue_procedures"])
    assert any("Đất đai" in f for f in row["overdue_fields"])
    assert (row["backlog"], row["backlog_prev"]) == (3, 2)
    # other thresholds, other units: the rule is data (what-if rows, or overrides)
    strict = service.lagging(data, "district", "2024-W05", rules=_rules(
        ("below_grade", "grade", "Xuất sắc"), ("backlog", "dossiers", 1)))
    assert set(strict["unit_code"]) == {"502", "504"}
    assert "tăng từ 2 lên 3 hồ sơ" in " ".join(strict.set_index("unit_code").at["504", "reasons"])
    assert strict["urgency"].is_monotonic_decreasing
    assert set(service.lagging(data, "district", "2024-W05", below_grade="Xuất sắc")["unit_code"]) == {
        "502", "504"}
    # given the ranking the caller holds (the dashboard's cached one): the same rows, and
    # that ranking, not a read of its own, is what it judges
    ranking = service.scorecard(data, "district", service.ytd_period("2024-W05")).summary
    given = service.lagging(data, "district", "2024-W05", rules=_rules(
        ("below_grade", "grade", "Xuất sắc"), ("backlog", "dossiers", 1)), summary=ranking)
    pd.testing.assert_frame_equal(given, strict)
    lowered = ranking.assign(total=ranking["total"] - 60.0, grade="Yếu")
    assert set(service.lagging(data, "district", "2024-W05", summary=lowered)["unit_code"]) == {
        "502", "504"}


@pytest.mark.slow
def test_methodology_version_by_period_end(engine):
    load(engine, PROCS, DOSSIERS, FEEDBACK, ANNOUNCEMENTS)
    data = engine
    with data.begin() as c:
        c.execute(insert(s.methodology_version).values(
            version="766-2024H2", name="test", valid_from=date(2024, 7, 1)))
        rows = [dict(r._mapping) for r in c.execute(s.methodology.select())]
        for r in rows:
            r["version"] = "766-2024H2"
            if r["component"] == "2.1":
                r["saturation"] = 0.5
        c.execute(insert(s.methodology), rows)
    june = service.scorecard(data, "district", "2024-W01")
    assert june.methodology_version == "766-2024"
    assert set(june.summary["methodology_version"]) == {"766-2024"}
    later = service.scorecard(data, "district", "2025-W01")
    assert later.methodology_version == "766-2024H2"
    c21 = later.components.set_index(["unit_code", "component"]).loc[("503", "2.1")]
    # 503 in 2025-W01: Y1 on time, Y2 open past its due date -> ratio (2 - 1)/2; under the new
    # saturation 0.5 that earns 20 x min(1, 0.5 / 0.5) = the full 20 (the old 1.0 gave 10)
    assert c21["ratio"] == pytest.approx((2 - 1) / 2)
    assert c21["points"] == pytest.approx(20 * min(1, 0.5 / 0.5))


def test_empty_results_are_frames(data):
    assert service.scorecard(data, "district", "2023-W10").summary.empty
    assert list(service.scorecard(data, "district", "2023-W10").summary.columns) == service.SUMMARY_COLUMNS
    assert service.lagging(data, "district", "2023-W10").empty
    assert service.overdue_dossiers(data, "505", "2024-W01").empty
    assert service.overdue_pareto(data, "505", "2024-W01").empty
    assert service.bieu06a(data, date(2023, 1, 1), date(2023, 1, 31)).empty


def test_freshness_and_reference(data):
    assert service.latest_week(data) == "2025-W01"
    assert service.data_until(data) == date(2025, 1, 2)
    weeks = service.available_weeks(data)
    assert weeks[0] == "2024-W01" and weeks[-1] == "2025-W01"
    assert service.levels(data)["code"].tolist() == ["province", "department", "district", "commune"]
    assert len(service.units(data, "district")) == 18
    assert set(service.units(data, "commune", parent="519")["parent_code"]) == {"519"}
    assert service.grade_bands(data, "766-2024")["grade"].iloc[0] == "Xuất sắc"
    t = service.targets(data, date(2024, 6, 1))
    assert "total" in set(t["indicator"])


def test_empty_database(engine):
    assert service.latest_week(engine) is None and service.data_until(engine) is None
    assert service.available_weeks(engine) == []
    assert service.series(engine, "district", "2024-W05", weeks=4).shape[1] == len(service.SERIES_COLUMNS)


def _all_results(engine) -> dict[str, pd.DataFrame]:
    out = {}
    for level in ("department", "district", "commune", "province"):
        for label, ytd in (("2024-W01", False), ("2024-W05", True), ("2024-01", False),
                           ("2025-W01", False)):
            res = service.scorecard(engine, level, parse_period(label, ytd=ytd))
            out[f"{level} {label} {ytd}"] = res.summary.drop(columns="grade_color")
            out[f"{level} {label} {ytd} c"] = res.components
        out[f"series {level}"] = service.series(engine, level, "2025-W01", weeks=10)
    out["lagging"] = service.lagging(engine, "district", "2024-W05").astype(str)
    out["b06"] = service.bieu06a(engine, J(1), J(31))
    return out


@pytest.mark.slow
def test_sqlite_and_postgresql_agree(tmp_path):
    import conftest

    if not conftest.pg_available():
        conftest._require_pg()
    results = []
    for backend in ("sqlite", "postgresql"):
        url, sch = conftest._make_url(backend, tmp_path)
        eng = get_engine(url)
        try:
            init_db(eng)
            load(eng, PROCS, DOSSIERS, FEEDBACK, ANNOUNCEMENTS)
            results.append(_all_results(eng))
        finally:
            eng.dispose()
            if sch:
                sch.drop()
    a, b = results
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(
            a[k].reset_index(drop=True), b[k].reset_index(drop=True), check_dtype=False, obj=k
        )


def test_component_catalogue_matches_scored_components(data):
    """The catalogue the pages label maps and group maxima with, without scoring, lists exactly
    the components a scorecard of each level scores, with the same maxima; and one unit's
    component detail (the unit page) equals its rows in the level's."""
    p = parse_period("2024-W05", ytd=True)
    for level in ("province", "department", "district", "commune"):
        comps = service.scorecard(data, level, p).components
        cat = service.component_catalogue(data, level, p.end)
        assert not cat.empty
        assert set(cat["component"]) == set(comps["component"]), level
        scored = comps.drop_duplicates("component").set_index("component")
        for row in cat.itertuples(index=False):
            assert scored.loc[row.component, "max_points"] == row.max_points
            assert str(scored.loc[row.component, "group_code"]) == str(row.group_code)
            # saturation and the group's maximum are the methodology row's, on both
            assert scored.loc[row.component, "saturation"] == row.saturation
            assert scored.loc[row.component, "group_max"] == row.group_max
        if level == "province":  # every component applies: the published 18/20/12/10/18/22
            assert cat.groupby("group_code")["max_points"].sum().tolist() == [18, 20, 12, 10, 18, 22]
    all_units = service.scorecard(data, "district", p).components
    one = service.scorecard(data, "district", p).components_for(["505"])
    expected = all_units[all_units["unit_code"] == "505"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one, expected)


def test_reference_reads_are_read_once_per_scope_and_copied(demo_engine):
    """Within a page run's scope (service.snapshot_scope) a reference read goes to the database
    once; each caller gets its own copy; outside a scope every read is a query."""
    from sqlalchemy import event

    from scorecard.snapshot_check import snapshot_scope

    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        if "unit_level" in statement:
            statements.append(statement)

    event.listen(demo_engine, "before_cursor_execute", count)
    try:
        with snapshot_scope():
            first = q.levels(demo_engine)
            first["name"] = "changed by a caller"
            second = q.levels(demo_engine)
            assert len(statements) == 1
            assert (second["name"] != "changed by a caller").all()
        q.levels(demo_engine)
        q.levels(demo_engine)
        assert len(statements) == 3
    finally:
        event.remove(demo_engine, "before_cursor_execute", count)
