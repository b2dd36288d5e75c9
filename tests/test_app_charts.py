"""Charts are Plotly and drill: every page's charts are ``plotly_chart`` elements whose data
equal ``scorecard.service`` for the same filters, units in tables are links to their page, and
the Pareto filter of the overdue list lives in the URL (AppTest; the clicks themselves are in
tests/e2e).
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
from helpers.app import APP, PRE_REFORM, TIMEOUT, _app_env, _strip  # noqa: F401 - _app_env: autouse
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scorecard import service
from scorecard.periods import period_for_week
from texts import fmt_number, fmt_week, t
from texts.safe import md
from ui import links

# every test here runs the app (AppTest): the full run, not the fast lane
pytestmark = pytest.mark.slow



def _run(url: str, monkeypatch: pytest.MonkeyPatch, page: str | None = None,
         **params: str) -> AppTest:
    monkeypatch.setenv("REFORM_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [(e.value, e.stack_trace[-6:]) for e in at.exception]
    return at


def _values(v: object) -> list:
    """A Plotly array from the figure JSON: plain, or base64 typed (plotly >= 6)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v or [])


def _charts(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures (as sent to the browser) by element key."""
    return {el.key: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def _texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _no_vega(at: AppTest) -> None:
    assert not at.get("arrow_vega_lite_chart"), "every chart is Plotly"


# --- the charts and their data ------------------------------------------------------------------


def test_overview_charts_equal_service(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, week=PRE_REFORM)
    _no_vega(at)
    charts = _charts(at)
    assert {"overview_trend", "overview_grades", "overview_movers"} <= set(charts)
    week = PRE_REFORM  # the districts exist until 30/06/2025

    # the province trend: 26 weeks of the year-to-date total
    prov = service.series(demo_engine, "province", week, weeks=26, kind="ytd").sort_values("week")
    line = charts["overview_trend"]["data"][0]
    assert np.allclose(_values(line["y"]), prov["total"].astype(float).tolist())
    assert charts["overview_trend"]["layout"]["separators"] == ",."

    # the grade distribution: every unit of each level counted once, in its grade
    grades = charts["overview_grades"]["data"]
    p = period_for_week("ytd", week)
    plural = service.levels(demo_engine).set_index("code")["plural"]
    for lv in ("department", "district"):
        s = service.scorecard(demo_engine, lv, p).summary
        got: dict[str, int] = {}
        for tr in grades:
            for y, x in zip(tr["y"], _values(tr["x"]), strict=True):
                if int(x) and y == plural[lv]:
                    got[tr["name"]] = got.get(tr["name"], 0) + int(x)
        assert got == {g: n for g, n in s["grade"].value_counts().items()}

    # the movers: the five largest rises then the five largest falls, by unit code
    both = pd.concat([service.scorecard(demo_engine, lv, p).summary
                      for lv in ("department", "district")]).dropna(subset=["delta_week"])
    ups = both[both["delta_week"] > 0].nlargest(5, "delta_week")
    downs = both[both["delta_week"] < 0].nsmallest(5, "delta_week").iloc[::-1]
    bars = charts["overview_movers"]["data"][0]
    assert [c[0] for c in bars["customdata"]] == (
        ups["unit_code"].astype(str).tolist() + downs["unit_code"].astype(str).tolist())
    assert np.allclose(_values(bars["x"]),
                       pd.concat([ups, downs])["delta_week"].astype(float).tolist())


def test_trend_chart_equals_series(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, "app_pages/trends.py")
    _no_vega(at)
    fig = _charts(at)["trend_chart_department"]
    week = service.latest_week(demo_engine)
    dept = service.series(demo_engine, "department", week, weeks=26, kind="ytd")
    prov = service.series(demo_engine, "province", week, weeks=26, kind="ytd")
    prov_code = str(prov["unit_code"].iloc[0])
    lines = [tr for tr in fig["data"] if tr["type"] == "scatter"]
    assert len(lines) == 3, "the province, the best and the worst department"
    for tr in lines:
        code = tr["customdata"][0][0]
        src = (prov if code == "" else dept[dept["unit_code"].astype(str) == code])
        src = src.sort_values("week")
        assert np.allclose(_values(tr["y"]), src["total"].astype(float).tolist())
        assert code == "" or code != prov_code, "the province line does not drill"
        assert tr["customdata"][-1][1] == fmt_week(week, "short")
    # the grade bands (from grade_band, not hard-coded) and the target line
    bands = service.grade_bands(demo_engine)
    shapes = fig["layout"]["shapes"]
    fills = {s.get("fillcolor") for s in shapes if s.get("type") == "rect"}
    assert fills and fills <= set(bands["color"])
    target = service.targets(demo_engine, period_for_week("ytd", week).end)
    total_target = float(target.loc[target["indicator"] == "total", "value"].iloc[-1])
    assert any(s.get("type") == "line" and s.get("y0") == pytest.approx(total_target)
               for s in shapes)
    assert fig["layout"]["xaxis"]["hoverformat"] == "%d/%m/%Y", "dates as users write them"
    assert fig["layout"]["xaxis"]["tickformat"] == "%d/%m<br>%Y"


def test_unit_page_charts(demo_url, demo_engine: Engine, monkeypatch):
    code = service.units(demo_engine, level="district")["code"].astype(str).iloc[0]
    at = _run(demo_url, monkeypatch, "app_pages/unit.py", week=PRE_REFORM, unit=code)
    _no_vega(at)
    charts = _charts(at)
    assert {"unit_trend", "unit_components"} <= set(charts)
    week = PRE_REFORM  # the districts exist until 30/06/2025
    comps = service.scorecard(demo_engine, "district", period_for_week("ytd", week)).components
    comps = comps[comps["unit_code"].astype(str) == code]
    won = charts["unit_components"]["data"][0]
    assert np.allclose(sorted(_values(won["x"])), sorted(comps["points"].astype(float)))
    series = service.series(demo_engine, "district", week, weeks=26, kind="ytd")
    series = series[series["unit_code"].astype(str) == code].sort_values("week")
    mine = charts["unit_trend"]["data"][0]
    assert np.allclose(_values(mine["y"]), series["total"].astype(float).tolist())


def _lagging_unit_with_overdue(eng: Engine, week: str) -> tuple[str, pd.DataFrame]:
    lag = service.lagging(eng, "district", week)
    for code in lag["unit_code"].astype(str):
        par = service.overdue_pareto(eng, code, period_for_week("ytd", week), "procedure")
        if not par.empty and par["overdue"].sum():
            return code, par
    pytest.skip("no lagging district has overdue dossiers in the demo")


def test_pareto_chart_equals_service(demo_url, demo_engine: Engine, monkeypatch):
    week = PRE_REFORM  # the districts exist until 30/06/2025
    code, par = _lagging_unit_with_overdue(demo_engine, week)
    at = _run(demo_url, monkeypatch, "app_pages/lagging.py", week=PRE_REFORM, level="district", unit=code)
    _no_vega(at)
    assert at.query_params["unit"] == code, "the unit shown is in the URL"
    fig = next(f for k, f in _charts(at).items() if k.startswith(f"lag_pareto_{code}_"))
    got = {c[0]: int(x) for tr in fig["data"]
           for c, x in zip(tr["customdata"], _values(tr["x"]), strict=True)}
    top = par.head(12)
    assert got == dict(zip(top["key"].astype(str), top["overdue"].astype(int), strict=True))


def test_pareto_filter_from_url(demo_url, demo_engine: Engine, monkeypatch):
    week = PRE_REFORM  # the districts exist until 30/06/2025
    code, par = _lagging_unit_with_overdue(demo_engine, week)
    proc = str(par.iloc[-1]["key"])  # the smallest bar: a real filter, not the whole list
    # every overdue dossier (open and returned late), so the smallest bar has rows to show
    at = _run(demo_url, monkeypatch, "app_pages/lagging.py", week=PRE_REFORM, level="district", unit=code,
              proc=proc, overdue="all")
    overdue = service.overdue_list(demo_engine, code, period_for_week("ytd", week))
    shown = at.dataframe[-1].value
    assert set(shown[t("ui.col.procedure_code")]) == {proc}
    assert len(shown) == int((overdue["procedure_code"].astype(str) == proc).sum())
    assert at.query_params["proc"] == proc, "the filter stays in the URL"
    name = str(par.iloc[-1]["name"])
    assert t("ui.lagging.filtered.procedure", name=md(name)) in _texts(at)
    # the chart shows the filtered bar picked
    fig = next(f for k, f in _charts(at).items() if k.startswith(f"lag_pareto_{code}_"))
    picked = [c[0] for tr in fig["data"] for i, c in enumerate(tr["customdata"])
              if i in (tr.get("selectedpoints") or [])]
    assert picked == ([proc] if proc in set(par.head(12)["key"].astype(str)) else [])

    # "Bỏ lọc" lifts the filter
    at.button(key="lag_filter_clear").click().run()
    assert "proc" not in at.query_params and at.query_params["overdue"] == "all"
    assert len(at.dataframe[-1].value) == len(overdue)


@pytest.mark.parametrize("bad", ["NOPE-1", "**đậm** [x](http://evil)"])
def test_bad_pareto_filter_gives_escaped_notice(bad, demo_url, demo_engine, monkeypatch):
    week = PRE_REFORM  # the districts exist until 30/06/2025
    code, _ = _lagging_unit_with_overdue(demo_engine, week)
    at = _run(demo_url, monkeypatch, "app_pages/lagging.py", week=PRE_REFORM, level="district", unit=code,
              proc=bad, overdue="all")
    notice = t("ui.notice.bad_proc", value=md(bad[:20]))
    assert notice in [str(i.value) for i in at.info]
    assert "proc" not in at.query_params
    overdue = service.overdue_list(demo_engine, code, period_for_week("ytd", week))
    assert len(at.dataframe[-1].value) == len(overdue), "the whole list is shown"


# --- units in tables are links ------------------------------------------------------------------


def _link_parts(link: str) -> tuple[str, dict[str, str], str]:
    u = urlsplit(link)
    return u.path, {k: v[0] for k, v in parse_qs(u.query).items()}, unquote(u.fragment)


def test_league_table_names_are_links(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, "app_pages/departments.py", period="month")
    week = service.latest_week(demo_engine)
    summary = service.scorecard(demo_engine, "department", period_for_week("month", week)).summary
    shown = at.dataframe[0].value
    for link, (_, row) in zip(shown["unit"], summary.iterrows(), strict=True):
        path, q, fragment = _link_parts(link)
        assert path == links.UNIT_PATH and not path.startswith("/"), "relative: works under a prefix"
        assert q == {"week": week, "period": "month", "level": "department",
                     "unit": str(row["unit_code"])}
        assert fragment == row["unit_name"]
        assert re.search(links.NAME_IN_LINK, link).group(1) == link.split("#", 1)[1]


def test_overview_bottom_five_and_movers_link_units(demo_url, demo_engine, monkeypatch):
    """The first screen's tables: the bottom five of each ranked level (the engine's, worst
    last) and the week's movers, every name a link to its unit page with the filters."""
    at = _run(demo_url, monkeypatch)
    week = service.latest_week(demo_engine)
    strip = _strip(at)
    for level in ("department", "commune"):
        s = service.scorecard(demo_engine, level, period_for_week("ytd", week)).summary
        bottom = s[s["rank"].notna()].nlargest(5, "rank").iloc[::-1]
        rows = strip.boxes[f"bottom_{level}"]
        assert [r["cells"][1] for r in rows] == list(bottom["unit_name"]), level
        assert [r["cells"][0] for r in rows] == [str(int(x)) for x in bottom["rank"]]
        for r, (_, b) in zip(rows, bottom.iterrows(), strict=True):
            path, q, fragment = _link_parts(r["href"])
            assert path == links.UNIT_PATH
            # the filters ride along (the level filter is the default, departments)
            assert q == {"week": week, "period": "ytd", "level": "department",
                         "unit": str(b["unit_code"])}
            assert r["cells"][2] == fmt_number(b["total"], 2)
    # the movers: the largest rises and falls of the week, each linked
    movers = strip.boxes["movers"]
    assert movers, "the demo's units moved this week"
    deltas = []
    for r in movers:
        _, q, _ = _link_parts(r["href"])
        assert q["unit"] and q["week"] == week
        deltas.append(r["cells"][-2])
    assert any(d.startswith("+") for d in deltas) or any(d.startswith("−") for d in deltas)


def test_lagging_cards_link_units(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, "app_pages/lagging.py")
    lag = service.lagging(demo_engine, "department", service.latest_week(demo_engine))
    if lag.empty:
        pytest.skip("no lagging department in the demo")
    first = lag.sort_values("urgency", ascending=False).iloc[0]
    text = _texts(at)
    assert f"**1. [{md(first['unit_name'])}](don-vi?" in text
    assert f"unit={first['unit_code']}" in text


@pytest.mark.parametrize("page,params", [
    ("app_pages/overview.py", {}),
    ("app_pages/trends.py", {}),
    ("app_pages/unit.py", {"unit": "502", "week": PRE_REFORM}),
    ("app_pages/districts.py", {"week": PRE_REFORM}),
])
def test_charts_skip_plotly_validation_without_changing_them(demo_url, monkeypatch, page, params):
    """ui.charts builds figures without Plotly's validation (it was most of a chart's server
    time): the browser gets exactly the JSON a validated figure gives."""
    from ui import charts

    sent = []
    for validate in (True, False):
        monkeypatch.setattr(charts, "VALIDATE", validate)
        at = _run(demo_url, monkeypatch, page, **params)
        sent.append(_charts(at))
    assert sent[0], "the page draws charts"
    assert sent[0] == sent[1]
