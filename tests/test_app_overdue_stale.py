"""The Monday view, run headless with AppTest on the small demo (both backends): the overdue list
on the lagging and unit pages (filter in the URL, counts, rows), the stale data banner on every
page, and the sentence that reconciles weekly and year-to-date scores."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from helpers.app import PAGES, _app, _app_env, _no_exception, _texts  # noqa: F401 - _app_env: autouse
from sqlalchemy import Engine

from scorecard import service
from scorecard.overdue import ALL, LATE, OPEN
from scorecard.periods import period_for_week
from texts import fmt_date, fmt_number, t
from texts.safe import tm


def _lagging_unit(engine: Engine, week: str) -> tuple[str, str, dict[str, int]]:
    """A lagging unit of the latest week with both open and returned-late overdue dossiers."""
    p = period_for_week("ytd", week)
    for level in ("department", "commune", "district"):
        if not service.exists_in(engine, level, p):
            continue
        for code in service.lagging(engine, level, week)["unit_code"].astype(str):
            n = service.overdue_counts(service.overdue_list(engine, code, p))
            if n[OPEN] and n[LATE]:
                return level, code, n
    pytest.skip("no lagging unit with open and returned-late dossiers in the demo")


def _overdue_rows(at) -> pd.DataFrame:  # noqa: ANN001
    frames = [d.value for d in at.dataframe if t("ui.col.dossier_code") in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def _counts_line(n: dict[str, int], end: str) -> str:
    return t("ui.overdue.counts", all=fmt_number(n[ALL], 0), open=fmt_number(n[OPEN], 0),
             late=fmt_number(n[LATE], 0), end=end)


def _states(frame: pd.DataFrame) -> set[str]:
    return set(frame[t("ui.overdue.col.state")])


@pytest.mark.slow
def test_lagging_page_filter_counts_and_link(demo_url, demo_engine, monkeypatch):
    week = service.latest_week(demo_engine)
    level, code, n = _lagging_unit(demo_engine, week)
    end = fmt_date(period_for_week("ytd", week).end)
    at = _app(demo_url, monkeypatch, level=level, unit=code)
    at.run()
    at.switch_page("app_pages/lagging.py").run()
    _no_exception(at)
    assert _counts_line(n, end) in _texts(at), "one line: all, open, returned late"
    rows = _overdue_rows(at)
    assert len(rows) == n[OPEN] and _states(rows) == {t("ui.overdue.row.open")}, "open by default"
    assert "overdue" not in at.query_params, "the default is not written into the link"
    at.button_group(key="lag_download_state").set_value(LATE).run()
    _no_exception(at)
    assert at.query_params["overdue"] == LATE
    rows = _overdue_rows(at)
    assert len(rows) == n[LATE] and _states(rows) == {t("ui.overdue.row.late")}
    at.button_group(key="lag_download_state").set_value(ALL).run()
    assert len(_overdue_rows(at)) == n[ALL] and at.query_params["overdue"] == ALL
    # the link reopens the same list in a new session
    again = _app(demo_url, monkeypatch, level=level, unit=code, overdue=LATE)
    again.run()
    again.switch_page("app_pages/lagging.py").run()
    _no_exception(again)
    assert len(_overdue_rows(again)) == n[LATE]
    assert again.button_group(key="lag_download_state").value == LATE


@pytest.mark.slow
def test_unit_page_filter_from_url_and_bad_value(demo_url, demo_engine, monkeypatch):
    week = service.latest_week(demo_engine)
    _, code, n = _lagging_unit(demo_engine, week)
    at = _app(demo_url, monkeypatch, unit=code, overdue=ALL)
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert len(_overdue_rows(at)) == n[ALL]
    assert at.button_group(key="unit_download_state").value == ALL
    at.button_group(key="unit_download_state").set_value(OPEN).run()
    assert len(_overdue_rows(at)) == n[OPEN]
    assert "overdue" not in at.query_params
    # the week alone: the same open dossiers (the same day), returned late in that week only
    week_n = service.overdue_counts(service.overdue_list(demo_engine, code, week))
    at.selectbox(key="f_period").set_value("week").run()
    assert week_n[OPEN] == n[OPEN]
    end = fmt_date(period_for_week("week", week).end)
    assert _counts_line(week_n, end) in _texts(at)
    # a made-up value: said once, escaped, and the default list shown
    bad = _app(demo_url, monkeypatch, unit=code, overdue="<b>x</b>")
    bad.run()
    bad.switch_page("app_pages/unit.py").run()
    _no_exception(bad)
    assert tm("ui.overdue.bad_state", value="<b>x</b>") in [str(i.value) for i in bad.info]
    assert len(_overdue_rows(bad)) == n[OPEN]


def _banner(at) -> list[str]:  # noqa: ANN001
    return [str(w.value) for w in at.warning if "Số liệu đã cũ" in str(w.value)]


def test_stale_banner_shown_when_old_absent_when_fresh(demo_url, demo_engine, monkeypatch):
    until = service.data_until(demo_engine)
    monkeypatch.setenv("REFORM_TODAY", (until + timedelta(days=30)).isoformat())
    monkeypatch.delenv("REFORM_STALE_DAYS", raising=False)
    at = _app(demo_url, monkeypatch)
    at.run()
    _no_exception(at)
    expected = t("ui.stale.banner", date=fmt_date(until), days="30", limit="8")
    assert _banner(at) == [expected]
    # fresh: a day after the data's last day
    monkeypatch.setenv("REFORM_TODAY", (until + timedelta(days=1)).isoformat())
    fresh = _app(demo_url, monkeypatch)
    fresh.run()
    assert _banner(fresh) == []
    assert t("ui.freshness", date=fmt_date(until)) in _texts(fresh)
    # the number of days is configuration
    monkeypatch.setenv("REFORM_TODAY", (until + timedelta(days=30)).isoformat())
    monkeypatch.setenv("REFORM_STALE_DAYS", "45")
    assert _banner(_app(demo_url, monkeypatch).run()) == []


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_stale_banner_on_every_page(page, demo_url, demo_engine, monkeypatch):
    until = service.data_until(demo_engine)
    monkeypatch.setenv("REFORM_TODAY", (until + timedelta(days=9)).isoformat())
    monkeypatch.delenv("REFORM_STALE_DAYS", raising=False)
    at = _app(demo_url, monkeypatch)
    at.run()
    at.switch_page(page).run()
    _no_exception(at)
    assert _banner(at) == [t("ui.stale.banner", date=fmt_date(until), days="9", limit="8")], page


@pytest.mark.slow
def test_week_versus_year_to_date_is_explained(demo_url, demo_engine, monkeypatch):
    code = str(service.units(demo_engine, level="department")["code"].iloc[0])
    at = _app(demo_url, monkeypatch, unit=code, period="week")
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert t("ui.week_vs_ytd") in _texts(at), "week alone above, year-to-date lines below"
    at.selectbox(key="f_period").set_value("ytd").run()
    assert t("ui.week_vs_ytd") not in _texts(at), "nothing to reconcile: both year to date"
    at.switch_page("app_pages/trends.py").run()
    _no_exception(at)
    assert t("ui.week_vs_ytd") in _texts(at)
    at.toggle(key="trend_week_only").set_value(True).run()
    assert t("ui.week_vs_ytd") in _texts(at)
