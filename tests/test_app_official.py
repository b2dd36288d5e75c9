"""The dashboard with official scores (AppTest): the official score and rank sit beside ours
where they were imported for the period (overview, unit page, league table, reconciliation
view), with the figures the service gives; and nothing of them (no empty column, no empty box)
where they were not. A copy of the small SQLite demo with the provincial and national
documents of the month holding its latest week."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import official as fx
from helpers.app import PRE_REFORM, _app, _app_env, _metric, _no_exception, _texts  # noqa: F401 - autouse

from data_access.engine import get_engine
from scorecard import official_service as osv
from texts import fmt_date, fmt_delta, fmt_number, t

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("app_official")]
OFFICIAL_COLUMNS = ("official_total", "official_diff")


@pytest.fixture(scope="module")
def official_demo(demo_databases, tmp_path_factory) -> tuple[str, str, object]:
    return fx.demo_with_official(demo_databases.url("sqlite"), tmp_path_factory.mktemp("official_app"))


def _run(url: str, monkeypatch, page: str | None = None, **params: str):  # noqa: ANN001, ANN202
    at = _app(url, monkeypatch, **params)
    at.run()
    if page:
        at.switch_page(page).run()
    _no_exception(at)
    return at


def _metrics(at) -> dict[str, str]:  # noqa: ANN001
    return {m.label: m.value for m in at.metric}


def _source(period: str, snapshot) -> str:  # noqa: ANN001
    return t("ui.official.source", period=osv.words("month", period), date=fmt_date(snapshot))


def test_overview_shows_the_official_score_rank_and_national_average(official_demo, monkeypatch):
    url, period, snap = official_demo
    eng = get_engine(url)
    row = osv.comparison(eng, "province", period).iloc[0]
    eng.dispose()
    at = _run(url, monkeypatch)
    assert _source(period, snap) in _texts(at)
    assert _metric(at, t("ui.official.kpi.official")) == fmt_number(row["official_total"], 2)
    assert _metric(at, t("ui.official.kpi.diff")) == fmt_delta(row["diff_total"])
    # the national document: our province 2nd of 4, the national average 80,10
    assert _metric(at, t("ui.official.kpi.rank_nation")) == "2/4"
    assert _metric(at, t("ui.official.kpi.average")) == "80,10"
    # the groups' differences: official, computed, difference for the total and each group
    groups = at.table[0].value
    assert list(groups.index) == [t("ui.official.row.official"), t("ui.official.row.computed"), t("ui.official.row.diff")]
    assert groups.iloc[0, 0] == fmt_number(row["official_total"], 2)
    assert groups.iloc[2, 1] == fmt_delta(row["diff_group_1"])
    # the trend beside the national average, on request
    at.toggle(key="official_trend").set_value(True).run()
    _no_exception(at)
    assert t("ui.official.trend_caption", scope="thành phố")[:30] in _texts(at)


def test_nothing_official_where_nothing_was_imported(official_demo, monkeypatch):
    url, _, _ = official_demo
    for page in (None, "app_pages/departments.py"):
        at = _run(url, monkeypatch, page, week=PRE_REFORM)
        assert t("ui.official.kpi.official") not in _metrics(at)
        assert "Cổng DVC quốc gia, cập nhật" not in _texts(at)
        for df in at.dataframe:
            assert not set(OFFICIAL_COLUMNS) & set(df.value.columns)


def test_league_table_has_the_official_columns_where_imported(official_demo, monkeypatch):
    url, period, _ = official_demo
    at = _run(url, monkeypatch, "app_pages/departments.py")
    league = at.dataframe[0].value
    cols = list(league.columns)
    assert cols[cols.index("total") + 1: cols.index("total") + 3] == list(OFFICIAL_COLUMNS)
    eng = get_engine(url)
    cmp_ = osv.comparison(eng, "department", period).set_index("unit_code")
    eng.dispose()
    # the score and, in brackets, the portal's rank
    assert league.loc["STC", "official_total"] == f"{fmt_number(cmp_.loc['STC', 'official_total'], 2)} (1)"
    assert league.loc["STC", "official_diff"] == fmt_delta(cmp_.loc["STC", "diff_total"])
    # a department without an official figure: a dash, not an empty column
    assert league.loc["SCT", "official_total"] == "–"
    assert "Cổng DVC quốc gia, cập nhật" in _texts(at)


def test_unit_page_official_panel_and_its_absence(official_demo, monkeypatch):
    url, period, snap = official_demo
    at = _run(url, monkeypatch, "app_pages/unit.py", unit="48.20194", level="commune")
    eng = get_engine(url)
    rec = osv.reconciliation(eng, "48.20194", period)
    eng.dispose()
    assert rec is not None
    m = _metrics(at)
    assert m[t("ui.official.kpi.official")] == "80,55"
    assert m[t("ui.official.kpi.rank_portal")] == "31"
    assert m[t("ui.official.kpi.computed", period=rec.words)] == fmt_number(rec.computed_total, 2)
    assert _source(period, snap) in _texts(at)
    links = [p for p in at.get("page_link")]
    assert any("ky=" in str(p.proto) and "48.20194" in str(p.proto) for p in links)
    # Sở Công Thương has no official figure: no panel at all
    at = _run(url, monkeypatch, "app_pages/unit.py", unit="SCT", level="department")
    assert t("ui.official.kpi.official") not in _metrics(at)
    assert not [p for p in at.get("page_link") if "doi-chieu" in str(p.proto) or "official" in str(p.proto)]


def test_reconciliation_view_from_its_url(official_demo, monkeypatch):
    url, period, _ = official_demo
    at = _run(url, monkeypatch, "app_pages/official.py", unit="48.20194", ky=period)
    assert at.title[0].value == t("ui.official.page.title", name="Phường Hải Vân")
    eng = get_engine(url)
    rec = osv.reconciliation(eng, "48.20194", period)
    eng.dispose()
    table = at.dataframe[0].value
    assert len(table) == len(rec.components) == 17
    first = rec.components.iloc[0]
    assert table.iloc[0, 0] == f"{first['component']} {first['name']}"
    assert table.iloc[0][t("ui.official.col.diff_points")] == fmt_delta(first["diff_points"])
    diffs = rec.components["diff_points"].abs()
    above = rec.components["above"]
    assert diffs[above].is_monotonic_decreasing and (not above.any() or above.iloc[0])
    assert at.query_params["unit"] == "48.20194" and at.query_params["ky"] == period


def test_reconciliation_view_without_any_official_score(demo_url, monkeypatch):
    at = _run(demo_url, monkeypatch, "app_pages/official.py")
    assert at.title[0].value == t("ui.official.page.title_none")
    assert any("python -m data_access import" in str(c.value) for c in at.code)


def test_reconciliation_unit_not_in_period_is_a_notice(official_demo, monkeypatch):
    url, period, _ = official_demo
    at = _run(url, monkeypatch, "app_pages/official.py", unit="SCT", ky=period)
    assert t("ui.official.page.bad_unit", value="SCT") in _texts(at)
    assert at.title[0].value == t("ui.official.page.title_none")
    at = _run(url, monkeypatch, "app_pages/official.py", unit="STC", ky="1999-01")
    assert "1999-01" in _texts(at)  # said, then the period of the selected week
    assert isinstance(at.dataframe[0].value, pd.DataFrame)


def test_example_document_is_valid(tmp_path: Path, engine):
    """docs/examples: the committed examples import as documented."""
    from datetime import date

    from scorecard.pipeline import import_file

    root = Path(__file__).resolve().parent.parent / "docs" / "examples"
    for name in ("diem_chinh_thuc_vi_du.json", "diem_chinh_thuc_ca_nuoc_vi_du.json"):
        res = import_file(engine, root / name, snapshot_date=date(2026, 12, 5), today=date(2026, 12, 7))
        assert res.ok, res.messages
    eng_rows = osv.standing(engine, "2026-11")
    assert (eng_rows["rank"], eng_rows["n"], eng_rows["average"]) == (3, 8, 84.78)
    assert len(osv.official_wide(engine, "2026-11")) == 7
