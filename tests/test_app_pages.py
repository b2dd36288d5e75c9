"""The dashboard pages, run headless with streamlit.testing.v1.AppTest.

Every page is rendered through app.py (st.navigation) against the small demo database of each
backend and against an empty and an unreachable database. Numbers on screen are compared with
``scorecard.service`` for the same filters, and URL params are checked for selecting the week,
the period and the unit, and for falling back with a notice when they are wrong.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers.app import (  # noqa: F401 - _app_env: autouse
    APP,
    DEMO_COMMAND,
    PAGES,
    PRE_REFORM,
    ROOT,
    TIMEOUT,
    _app,
    _app_env,
    _kpi,
    _metric,
    _no_exception,
    _scores_shown,
    _texts,
)
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from data_access.db import init_db
from data_access.engine import get_engine
from scorecard import service
from scorecard.periods import period_for_week
from texts import CATALOGUE, fmt_number, t

# --- demo database ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_demo(page, demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    _no_exception(at)
    at.switch_page(page).run()
    _no_exception(at)
    assert at.title, "every page has a title"
    assert not at.error, [e.value for e in at.error]
    # Data freshness is on every page that shows data (the unit page once a unit is chosen).
    if page != "app_pages/unit.py":
        assert "Dữ liệu đến hết ngày" in _texts(at)


def test_overview_kpis_equal_service(demo_url, demo_engine: Engine, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    _no_exception(at)
    week = service.latest_week(demo_engine)
    assert at.query_params["week"] == week, "the default week is the latest week in the data"
    assert at.query_params["period"] == "ytd"
    res = service.scorecard(demo_engine, "province", period_for_week("ytd", week)).summary
    row = res.iloc[0]
    assert _kpi(at, "total") == fmt_number(row["total"], 2)
    for i in range(1, 7):
        assert _kpi(at, f"group_{i}") == fmt_number(row[f"group_{i}"], 2)
    freshness = t("ui.freshness", date=service.data_until(demo_engine).strftime("%d/%m/%Y"))
    assert freshness in _texts(at)


def test_week_and_period_from_url(demo_url, demo_engine: Engine, monkeypatch):
    weeks = service.available_weeks(demo_engine)
    week = weeks[-5]
    at = _app(demo_url, monkeypatch, week=week, period="week")
    at.run()
    _no_exception(at)
    assert at.query_params["week"] == week
    assert at.query_params["period"] == "week"
    row = service.scorecard(demo_engine, "province", period_for_week("week", week)).summary
    assert _kpi(at, "total") == fmt_number(row.iloc[0]["total"], 2)
    assert not at.info, "valid params give no notice"


@pytest.mark.slow
def test_departments_table_equals_service(demo_url, demo_engine: Engine, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    at.switch_page("app_pages/departments.py").run()
    _no_exception(at)
    week = service.latest_week(demo_engine)
    summary = service.scorecard(demo_engine, "department", period_for_week("ytd", week)).summary
    shown = at.dataframe[0].value
    assert len(shown) == len(summary)
    assert list(shown.index) == summary["unit_code"].astype(str).tolist(), "ranked order"
    assert shown["total"].round(2).tolist() == summary["total"].astype(float).round(2).tolist()
    assert shown["rank"].astype(int).tolist() == summary["rank"].astype(int).tolist()


@pytest.mark.slow
def test_unit_from_url(demo_url, demo_engine: Engine, monkeypatch):
    week = PRE_REFORM  # the districts exist until 30/06/2025
    summary = service.scorecard(demo_engine, "district", period_for_week("ytd", week)).summary
    row = summary.iloc[-1]  # the last-ranked district
    at = _app(demo_url, monkeypatch, week=PRE_REFORM, unit=str(row["unit_code"]))
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert at.title[0].value == row["unit_name"]
    assert _metric(at, t("ui.col.total")) == fmt_number(row["total"], 2)
    assert _metric(at, t("ui.col.grade")) == row["grade"]
    assert _metric(at, t("ui.col.rank")) == f"{int(row['rank'])}/{len(summary)}"
    assert at.query_params["unit"] == str(row["unit_code"])
    # A district lists its communes.
    communes = service.units(demo_engine, parent=str(row["unit_code"]))
    levels = service.levels(demo_engine).set_index("code")
    name = levels.loc[str(communes["level"].iloc[0]), "plural"]
    assert t("ui.unit.children", level=name, n=len(communes)) in _texts(at)


@pytest.mark.slow
def test_unit_rank_card_shows_the_rank_change(demo_url, demo_engine: Engine, monkeypatch):
    summary = service.scorecard(demo_engine, "district", period_for_week("ytd", PRE_REFORM)).summary
    moved = summary[summary["rank_change"].fillna(0).astype(int) != 0]
    assert not moved.empty, "the demo week has a district that changed place"
    row = moved.iloc[0]
    at = _app(demo_url, monkeypatch, week=PRE_REFORM, unit=str(row["unit_code"]))
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    card = next(m for m in at.metric if m.label == t("ui.col.rank"))
    n = int(row["rank_change"])
    assert card.delta == t("ui.rank_delta", n=abs(n))
    # up and green for places gained, down and red for places lost
    assert (card.proto.direction, card.proto.color) == ((1, 1) if n > 0 else (0, 0))
    assert card.proto.delta_description == t("ui.kpi.vs_last_week")


@pytest.mark.slow
def test_unit_and_week_from_url_together(demo_url, demo_engine: Engine, monkeypatch):
    weeks = service.available_weeks(demo_engine)
    week = weeks[-10]
    code = service.units(demo_engine, level="department")["code"].iloc[0]
    at = _app(demo_url, monkeypatch, unit=code, week=week, period="month")
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    summary = service.scorecard(demo_engine, "department", period_for_week("month", week)).summary
    row = summary[summary["unit_code"] == code].iloc[0]
    assert _metric(at, t("ui.col.total")) == fmt_number(row["total"], 2)


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"week": "2099-W01"}, "2099-W01"),
        ({"week": "not-a-week"}, "not-a-week"),
        ({"period": "decade"}, "decade"),
        ({"level": "galaxy"}, "galaxy"),
    ],
)
def test_bad_params_fall_back_with_notice(params, notice, demo_url, demo_engine, monkeypatch):
    at = _app(demo_url, monkeypatch, **params)
    at.run()
    _no_exception(at)
    assert any(notice in str(i.value) for i in at.info), [i.value for i in at.info]
    assert any(notice in str(x.value) for x in at.toast)
    assert at.query_params["week"] == service.latest_week(demo_engine)
    assert at.query_params["period"] in ("week", "month", "quarter", "ytd")
    assert _scores_shown(at), "the page still shows the scorecard"


def test_unknown_unit_asks_to_choose(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch, unit="NOPE")
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert any("NOPE" in str(i.value) for i in at.info)
    assert t("ui.unit.choose") in _texts(at)


@pytest.mark.slow
def test_lagging_opens_unit_page(demo_url, demo_engine, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    at.switch_page("app_pages/lagging.py").run()
    _no_exception(at)
    lag = service.lagging(demo_engine, "department", service.latest_week(demo_engine))
    if lag.empty:
        assert t("ui.lagging.none") in _texts(at)
        return
    first = lag.iloc[0]["unit_name"]
    from texts.safe import md as md_escape

    assert f"**1. [{md_escape(first)}](" in _texts(at), "most urgent first, its name a link"
    at.button(key="lag_open").click().run()
    _no_exception(at)
    assert at.title[0].value == first
    assert at.query_params["unit"] == str(lag.iloc[0]["unit_code"])
    assert at.query_params["period"] == "ytd", "filters survive the page switch"


@pytest.mark.slow
def test_period_change_in_sidebar_updates_url_and_numbers(demo_url, demo_engine, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    at.selectbox(key="f_period").set_value("quarter").run()
    _no_exception(at)
    assert at.query_params["period"] == "quarter"
    week = service.latest_week(demo_engine)
    row = service.scorecard(demo_engine, "province", period_for_week("quarter", week)).summary
    assert _kpi(at, "total") == fmt_number(row.iloc[0]["total"], 2)


def test_districts_map_uses_boundary_file(demo_url, monkeypatch, tmp_path):
    # A tiny boundary file naming two districts; the others must be named as missing.
    gj = tmp_path / "d.geojson"
    gj.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"code":"502","name":"Tam Kỳ"},'
        '"geometry":{"type":"Polygon","coordinates":[[[108.4,15.5],[108.5,15.5],[108.5,15.6],[108.4,15.5]]]}},'
        '{"type":"Feature","properties":{"name":"Thành phố Hội An"},'
        '"geometry":{"type":"Polygon","coordinates":[[[108.3,15.8],[108.4,15.8],[108.4,15.9],[108.3,15.8]]]}}'
        "]}",
        encoding="utf-8",
    )
    monkeypatch.setenv("REFORM_GEOJSON_DISTRICTS", str(gj))
    at = _app(demo_url, monkeypatch, week=PRE_REFORM)
    at.run()
    at.switch_page("app_pages/districts.py").run()
    _no_exception(at)
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Huyện Nam Giang" in warnings and "Thành phố Tam Kỳ" not in warnings
    assert "d.geojson" in _texts(at), "the caption names the boundary source"


# --- empty and unreachable databases ----------------------------------------------------------


@pytest.fixture
def empty_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    eng = get_engine(url)
    init_db(eng)  # schema and reference data, no dossiers
    eng.dispose()
    return url


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_empty_db(page, empty_url, monkeypatch):
    at = _app(empty_url, monkeypatch)
    at.run()
    at.switch_page(page).run()
    _no_exception(at)
    assert any(DEMO_COMMAND in str(c.value) for c in at.code)
    assert any("chưa có dữ liệu" in str(w.value) for w in at.warning)
    assert not _scores_shown(at)


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite: test_every_page_explains_empty_db
def test_empty_postgres_db(db_url, monkeypatch):
    eng = get_engine(db_url)
    init_db(eng)
    eng.dispose()
    at = _app(db_url, monkeypatch)
    at.run()
    _no_exception(at)
    assert any(DEMO_COMMAND in str(c.value) for c in at.code)


def test_unreachable_db(tmp_path, monkeypatch):
    at = _app(f"sqlite:///{tmp_path / 'no' / 'such.db'}", monkeypatch)
    at.run()
    _no_exception(at)
    assert any("Không kết nối được" in str(e.value) for e in at.error)
    assert any(DEMO_COMMAND in str(c.value) for c in at.code)
    assert not (tmp_path / "no" / "such.db").exists(), "the app never creates a configured DB"


def test_unreachable_postgres(monkeypatch):
    at = _app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", monkeypatch)
    at.run()
    _no_exception(at)
    assert any("Không kết nối được" in str(e.value) for e in at.error)


@pytest.mark.slow
def test_first_run_on_default_path_builds_demo(tmp_path, monkeypatch):
    """No REFORM_DB_URL and no data/reform.db: a small demo is built, then opened read-only."""
    from data_access import config
    from ui import data

    secrets = ROOT / ".streamlit" / "secrets.toml"
    if secrets.is_file() and "url" in secrets.read_text(encoding="utf-8"):
        pytest.skip("a database URL is configured in .streamlit/secrets.toml")
    target = tmp_path / "data" / "reform.db"
    monkeypatch.setattr(config, "DEFAULT_SQLITE_PATH", target)
    monkeypatch.setattr(data, "AUTO_DEMO_SCALE", 0.01)
    monkeypatch.delenv("REFORM_DB_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    _no_exception(at)
    assert target.exists()
    assert _scores_shown(at), "the overview shows the new demo data"
    assert any("dữ liệu mẫu" in str(x.value) for x in at.toast)


# --- strings ----------------------------------------------------------------------------------


def test_every_ui_key_is_in_the_catalogue():
    keys: set[str] = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        keys |= set(re.findall(r"[\"'](ui\.[a-z0-9_.]+[a-z0-9_])[\"']", path.read_text("utf-8")))
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in CATALOGUE)
    assert not missing
    for prefix in ("ui.period.", "ui.group.", "ui.gshort.", "ui.status.", "ui.lagging.by."):
        assert any(k.startswith(prefix) for k in CATALOGUE), prefix


@pytest.mark.slow
def test_districts_map_coloured_by_a_component(demo_url, demo_engine: Engine, monkeypatch):
    """The colour choice lists the level's components from the methodology (nothing scored for
    it); choosing one scores the component detail and the page still renders."""
    week = PRE_REFORM  # the districts exist until 30/06/2025
    p = period_for_week("ytd", week)
    comps = service.scorecard(demo_engine, "district", p).components
    at = _app(demo_url, monkeypatch, week=PRE_REFORM)
    at.run()
    at.switch_page("app_pages/districts.py").run()
    _no_exception(at)
    box = at.selectbox(key="district_map_metric")
    component_opts = [o for o in box.options if o.split(" ")[0] in set(comps["component"])]
    assert len(component_opts) == comps["component"].nunique()
    chosen = f"c:{component_opts[0].split(' ')[0]}"
    box.set_value(chosen).run()  # options are shown formatted: set the value itself
    _no_exception(at)
    assert at.selectbox(key="district_map_metric").value == chosen
    from ui import data as ui_data  # the loader the page called, outside a page run

    got = ui_data.load_metric_components(demo_url, "district", "ytd", week, chosen)
    pd.testing.assert_frame_equal(got, comps)
    assert ui_data.load_metric_components(demo_url, "district", "ytd", week, "total").empty
