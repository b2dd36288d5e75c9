"""The dashboard follows the period in a real browser, on the default demo (Quảng Nam until the
2025 reorganisation, then today's Đà Nẵng): the latest week has no district anywhere and its
"Địa phương" page lists the 2025 communes; 2024-W52 shows the districts; a new commune's page
draws its predecessors' history as a separate, dashed, labelled segment."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from data_access.engine import get_engine
from scorecard import service
from scorecard.periods import period_for_week
from texts import fmt_date, t

pytestmark = pytest.mark.browser
H1 = '[data-testid="stMain"] h1'
QUIET = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
         " && !document.querySelector('[data-testid=\"stSkeleton\"]')")
PRE_REFORM = "2024-W52"


@pytest.fixture(scope="module")
def eng(e2e_db: str) -> Engine:
    e = get_engine(e2e_db, read_only=True)
    yield e
    e.dispose()


def _open(page, url: str, selector: str = H1) -> None:
    page.set_default_timeout(60_000)
    page.goto(url)
    page.locator(selector).first.wait_for(state="visible")
    page.wait_for_function(QUIET, polling=250)
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stException"]').count() == 0, page.url


def _level_options(page) -> list[str]:
    box = page.get_by_role("combobox", name=t("ui.filters.level"))
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


def _local_title(eng: Engine, week: str) -> str:
    lv = service.levels_at(eng, period_for_week("ytd", week).end)
    local = lv[(lv["local"] == 1) & (lv["ranked"] == 1)].sort_values("sort_order").iloc[0]
    return t("ui.districts.title", level=str(local["plural"]).lower())


def test_latest_week_has_no_district_anywhere(page, app_server, eng):
    levels = service.levels(eng).set_index("code")
    district_words = [str(levels.at["district", "name"]), str(levels.at["district", "plural"])]
    district_names = service.units(eng, level="district")["name"].astype(str).tolist()
    week = service.latest_week(eng)
    for path in ("", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do"):
        _open(page, f"{app_server}/{path}")
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert not [w for w in district_words + district_names if w in text], path
        options = _level_options(page)
        assert str(levels.at["district", "name"]) not in options, path
        assert str(levels.at["commune", "name"]) in options, path
    _open(page, f"{app_server}/dia-phuong", '[data-testid="stDeckGlJsonChart"] canvas')
    assert page.locator(H1).first.inner_text().strip() == _local_title(eng, week)
    assert "thanglequoc" in page.locator('[data-testid="stMain"]').inner_text(), "the 2025 map"


def test_pre_reform_week_shows_the_districts(page, app_server, eng):
    _open(page, f"{app_server}/dia-phuong?week={PRE_REFORM}")
    assert page.locator(H1).first.inner_text().strip() == _local_title(eng, PRE_REFORM)
    levels = service.levels(eng).set_index("code")
    assert str(levels.at["district", "name"]) in _level_options(page)
    want = service.scorecard(eng, "district", period_for_week("ytd", PRE_REFORM)).summary
    assert len(want) == 18


def test_new_commune_page_draws_the_predecessor_segment(page, app_server, eng):
    code = "48.20335"
    assert not service.predecessors(eng, code).empty
    _open(page, f"{app_server}/don-vi?unit={code}&week=2025-W40&period=ytd&level=commune",
          ".st-key-unit_trend .legendtext")
    chart = page.locator(".st-key-unit_trend")
    chart.scroll_into_view_if_needed()
    # SVG text has no innerText: read its text content
    legend = [str(s).strip() for s in chart.locator(".legendtext").evaluate_all(
        "els => els.map(e => e.textContent)")]
    label = t("ui.unit.predecessor_line", date=fmt_date(date(2025, 7, 1)))
    assert label in legend and "Phường Bàn Thạch" in legend, legend
    dashed = chart.locator("path.js-line").evaluate_all(
        "els => els.filter(e => (e.style.strokeDasharray || '') !== '' && "
        "e.style.strokeDasharray !== 'none').length")
    assert dashed >= 2, "the predecessors' line is dashed (the target line is dashed too)"
    caption = page.locator('[data-testid="stMain"]').inner_text()
    assert "Thành phố Tam Kỳ" in caption
