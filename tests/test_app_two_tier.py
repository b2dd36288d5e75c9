"""The pages follow the period on the default demo (today's Đà Nẵng after Quảng Nam): the
latest week shows departments and the 94 communes and no district anywhere; a week of 2024
shows the 18 districts; a new commune's page shows its predecessors' labelled history; a link
of the other period gives a notice, never an error. Both backends."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers.app import PRE_REFORM, _app, _app_env, _no_exception, _scores_shown, _texts  # noqa: F401 - autouse
from sqlalchemy import Engine

from scorecard import service
from scorecard.periods import period_for_week, week_period
from texts import fmt_date, t

pytestmark = pytest.mark.slow
REFORM = date(2025, 7, 1)


def _run(url: str, monkeypatch, page: str | None = None, **params: str):  # noqa: ANN001, ANN202
    at = _app(url, monkeypatch, **params)
    at.run()
    if page:
        at.switch_page(page).run()
    _no_exception(at)
    return at


def _everything(at) -> str:  # noqa: ANN001
    """Every text the page shows, the tables' cells and the sidebar's choices included."""
    parts = [_texts(at)]
    for df in at.dataframe:
        parts.append(df.value.to_string())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def _communes_now(engine: Engine) -> set[str]:
    end = week_period(service.latest_week(engine)).end
    u = service.units(engine, level="commune")
    alive = (u["valid_from"].isna() | (u["valid_from"] <= end)) & (u["valid_to"].isna() | (u["valid_to"] >= end))
    return set(u.loc[alive, "code"].astype(str))


def test_latest_week_is_todays_structure(demo_url, demo_engine: Engine, monkeypatch):
    communes = _communes_now(demo_engine)
    assert len(communes) == 94
    district_names = set(service.units(demo_engine, level="district")["name"])
    district_level = service.levels(demo_engine).set_index("code").loc["district"]
    for page in ("app_pages/overview.py", "app_pages/departments.py", "app_pages/districts.py",
                 "app_pages/trends.py", "app_pages/lagging.py"):
        at = _run(demo_url, monkeypatch, page)
        text = _everything(at)
        level_box = at.selectbox(key="f_level")
        assert district_level["name"] not in level_box.options, page
        assert district_level["name"] not in text and district_level["plural"] not in text, page
        assert not [n for n in district_names if n in text], page
    # "Địa phương" lists the 94 communes of today, not the 241 of 2022
    at = _run(demo_url, monkeypatch, "app_pages/districts.py")
    league = at.dataframe[0].value
    assert set(league.index.astype(str)) == communes
    # the overview ranks departments and communes
    at = _run(demo_url, monkeypatch)
    text = _texts(at)
    assert service.levels(demo_engine).set_index("code").at["commune", "plural"] in text


def test_pre_reform_week_shows_the_districts(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, "app_pages/districts.py", week=PRE_REFORM)
    league = at.dataframe[0].value
    want = service.scorecard(demo_engine, "district", period_for_week("ytd", PRE_REFORM)).summary
    assert len(league) == 18 and set(league.index.astype(str)) == set(want["unit_code"].astype(str))
    names = service.levels(demo_engine).set_index("code")["name"]
    assert names["district"] in at.selectbox(key="f_level").options


def test_new_commune_page_shows_predecessor_history(demo_url, demo_engine: Engine, monkeypatch):
    # a week three months after the reform: the 26-week trend reaches back before it
    week = "2025-W40"
    lin = service.predecessors(demo_engine, "48.20335")
    assert not lin.empty, "the demo lineage gives the commune its district"
    at = _run(demo_url, monkeypatch, "app_pages/unit.py", week=week, unit="48.20335")
    trend = {el.key: json.loads(el.proto.spec) for el in at.get("plotly_chart")}["unit_trend"]
    label = t("ui.unit.predecessor_line", date=fmt_date(REFORM))
    before = [tr for tr in trend["data"] if tr["name"] == label]
    assert len(before) == 1 and before[0]["line"].get("dash") == "dash"
    own = [tr for tr in trend["data"] if tr["name"] == "Phường Bàn Thạch"]
    assert own, [tr["name"] for tr in trend["data"]]
    assert max(before[0]["x"]) < min(own[0]["x"]), "two segments, never one line"
    hist = service.predecessor_history(demo_engine, "48.20335",
                                       [w for w in service.available_weeks(demo_engine) if "2025-W15" <= w <= week])
    assert len(before[0]["y"]) == len(hist)
    assert before[0]["y"] == pytest.approx(hist.sort_values("week")["total"].astype(float).tolist())
    text = _texts(at)
    assert t("ui.unit.predecessor_caption", date=fmt_date(REFORM), names="").split("(")[0] in text
    assert "Thành phố Tam Kỳ" in text  # the predecessor is named (and linked)


def test_links_of_the_other_period_give_notices(demo_url, demo_engine: Engine, monkeypatch):
    # a district level in a week after the reform: a notice, the default level instead
    at = _app(demo_url, monkeypatch, level="district")
    at.run()  # the notice is shown once, on the first page of the session
    _no_exception(at)
    assert at.selectbox(key="f_level").value == "department"
    assert "30/06/2025" in " ".join(str(i.value) for i in at.info)
    # an abolished district's page in today's week: when it existed, and its successors
    at = _run(demo_url, monkeypatch, "app_pages/unit.py", unit="502")
    text = _texts(at)
    assert "30/06/2025" in text and "Phường Bàn Thạch" in text
    assert not _scores_shown(at), "no empty scores for a unit that did not exist"
    # a 2025 commune in a 2024 week
    at = _run(demo_url, monkeypatch, "app_pages/unit.py", week=PRE_REFORM, unit="48.20335")
    assert "01/07/2025" in _texts(at)
