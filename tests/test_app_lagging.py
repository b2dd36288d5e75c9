"""The lagging page (AppTest): each lagging unit's card leads with why — the three components
costing it most points in the total, its ratio, the ratio for full marks and the cases missing —
and those numbers are the service's (recomputed here from the component detail); both ranked
levels one after the other when presenting, before and after the 2025 reform."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from helpers.app import (
    PRE_REFORM,
    _app,
    _app_env,  # noqa: F401 - autouse
    _no_exception,
    _texts,
)
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from scorecard import service
from scorecard.periods import ytd_period
from texts import fmt_number, fmt_percent, t
from texts.safe import md
from ui import lagging_view, state

pytestmark = pytest.mark.slow  # every test here runs the app
CSS_DIR = Path(__file__).resolve().parent.parent / "assets" / "css"


def _run(url: str, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    at = _app(url, monkeypatch, **params)
    at.run()
    at.switch_page("app_pages/lagging.py").run()
    _no_exception(at)
    return at


def _why_tables(at: AppTest) -> list[pd.DataFrame]:
    return [el.value.reset_index(drop=True) for el in at.table]


def _expected_why(engine: Engine, level: str, week: str, code: str) -> pd.DataFrame:
    """The why table of a unit, recomputed from the scorecard's component detail: the loss in
    the total (points lost x group max / the maxima that apply), the ratio, the saturation as
    the ratio for full marks, ceil(s x den) - num cases missing."""
    comps = service.scorecard(engine, level, ytd_period(week)).components_for([code])
    applicable = comps.groupby("group_code")["max_points"].transform("sum")
    comps = comps.assign(lost=comps["points_lost"] * comps["group_max"] / applicable)
    comps = comps[comps["lost"] > 0.005].sort_values(["lost", "component"], ascending=[False, True])
    rows = []
    for r in comps.head(3).itertuples(index=False):
        more = math.ceil(r.saturation * r.denominator - 1e-9) - int(round(r.numerator))
        rows.append([f"{r.component} {r.name}", fmt_number(r.lost, 2),
                     t("ui.no_activity") if r.empty else fmt_percent(r.ratio),
                     "–" if r.empty else fmt_percent(r.saturation),
                     "–" if r.empty or more <= 0 else fmt_number(more, 0)])
    return pd.DataFrame(rows, columns=[t(f"ui.lagging.col.{c}") for c in lagging_view.WHY_COLUMNS])


def _assert_cards(at: AppTest, engine: Engine, levels: list[str], week: str) -> None:
    tables = _why_tables(at)
    text = _texts(at)
    i = 0
    for level in levels:
        lag = service.lagging(engine, level, week)
        assert not lag.empty, f"the demo has lagging units of {level} (the bottom three at least)"
        for n, r in enumerate(lag.itertuples(index=False), start=1):
            assert f"**{n}. [{md(r.unit_name)}](don-vi?" in text, "most urgent first, a link"
            for reason in r.reasons:
                assert md(reason) in text
            got = tables[i]
            want = _expected_why(engine, level, week, str(r.unit_code))
            # the count comes with its noun ("200 hồ sơ"): compare the number
            got_more = got[want.columns[-1]].str.split(" ").str[0]
            pd.testing.assert_frame_equal(got.drop(columns=want.columns[-1]),
                                          want.drop(columns=want.columns[-1]), obj=str(r.unit_code))
            assert got_more.tolist() == want[want.columns[-1]].tolist(), r.unit_code
            # and the page shows exactly what the service returned
            pd.testing.assert_frame_equal(got, lagging_view.why_frame(r.worst))
            i += 1
    assert i == len(tables), "one why table per lagging unit"


def test_department_cards_lead_with_why(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, week=PRE_REFORM, level="department")
    _assert_cards(at, demo_engine, ["department"], PRE_REFORM)
    # one level: no level headings; the rule in words is folded away
    suffix = t("ui.lagging.level_title", level="", n=0)[len(": 0"):]
    assert not [h for h in at.subheader if h.value.endswith(suffix)]
    assert at.expander[0].label == t("ui.lagging.rule_title")


def test_district_cards(demo_url, demo_engine: Engine, monkeypatch):
    at = _run(demo_url, monkeypatch, week=PRE_REFORM, level="district")
    _assert_cards(at, demo_engine, ["district"], PRE_REFORM)


def test_presenting_shows_both_ranked_levels(demo_url, demo_engine: Engine, monkeypatch):
    """Before the reform: departments, then districts; today: departments, then communes."""
    latest = service.latest_week(demo_engine)
    for week, levels in ((PRE_REFORM, ["department", "district"]), (latest, ["department", "commune"])):
        at = _run(demo_url, monkeypatch, week=week, level="department", present="1")
        heads = [h.value for h in at.subheader]
        for level in levels:
            n = len(service.lagging(demo_engine, level, week))
            assert t("ui.lagging.level_title", level=md(state.level_plural(level)), n=n) in heads
        _assert_cards(at, demo_engine, levels, week)


def test_css_never_holds_a_tag_opening():
    """The frontend drops a whole <style> whose text holds "<" (ui.meeting.apply_style): one
    stray "<code>" in a comment silently unstyled the whole app."""
    for path in CSS_DIR.glob("*.css"):
        assert "<" not in path.read_text(encoding="utf-8"), path.name
