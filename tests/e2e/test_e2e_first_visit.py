"""End-to-end: the first visit. A shared link opened as the very first request of a server that
has just started, the overview's own path (``/tong-quan``), and the sidebar on a phone and on a
desktop.

Streamlit shows an English "Page not found" dialog when it cannot match the requested path to
a registered page. The first-visit tests use a server of their own (``fresh_server``), so their
request is the first the process ever serves, as after a restart; the others use the shared one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from helpers.browser import MAIN_H1, TIMEOUT_MS, settle
from sqlalchemy import Engine

from data_access.engine import get_engine
from scorecard import service
from texts import t
from ui.state import week_choice_label as week_label

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]
pytest.importorskip("playwright.sync_api")

DESKTOP = {"width": 1366, "height": 768}
NOT_FOUND = ("Page not found", "does not seem to exist", "no corresponding file")

# A card with scores: the unit page's st.metric, or the overview's headline cards.
CARDS = '[data-testid="stMetric"], .mon-card'


@pytest.fixture(scope="module")
def eng(e2e_db: str) -> Engine:
    e = get_engine(e2e_db, read_only=True)
    yield e
    e.dispose()


@pytest.fixture
def desk(browser, tmp_path: Path):
    """A fresh 1366×768 page (no cookies, no local storage) recording console errors."""
    ctx = browser.new_context(viewport=DESKTOP)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    yield pg
    pg.screenshot(path=str(tmp_path / "page.png"))  # what the test saw, for a failure
    ctx.close()


def h1(pg) -> str:
    return pg.locator(MAIN_H1).first.inner_text().strip()


def assert_no_dialog(pg) -> None:
    """No dialog of any kind, and no trace of Streamlit's page-not-found message."""
    dialogs = pg.locator('[role="dialog"]')
    assert dialogs.count() == 0, dialogs.all_inner_texts()
    body = pg.locator("body").inner_text()
    assert not [m for m in NOT_FOUND if m in body], body[:500]
    assert not [e for e in pg.console_errors if any(m in e for m in NOT_FOUND)], pg.console_errors


def query(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


def week_shown(pg) -> str:
    return pg.get_by_role("combobox", name=t("ui.filters.week")).input_value()


# --- the very first request of a fresh server ---------------------------------------------------


def test_shared_unit_link_opens_the_unit_on_a_fresh_server(fresh_server, desk, eng):
    weeks = service.available_weeks(eng)
    old = weeks[-6]  # not the latest week: the link's week must be the one shown
    unit = service.units(eng, level="department").iloc[2]
    code, name = str(unit["code"]), str(unit["name"])

    desk.goto(f"{fresh_server}/don-vi?unit={code}&week={old}")
    settle(desk, CARDS, TIMEOUT_MS * 2)  # the server's first run is slow

    assert_no_dialog(desk)
    assert h1(desk) == name
    assert urlparse(desk.url).path == "/don-vi"
    assert query(desk)["unit"] == [code] and query(desk)["week"] == [old]
    assert week_label(old) in week_shown(desk)


def test_overview_path_opens_the_overview_on_a_fresh_server(fresh_server, desk):
    desk.goto(f"{fresh_server}/tong-quan")
    settle(desk, CARDS, TIMEOUT_MS * 2)

    assert_no_dialog(desk)
    assert h1(desk) == t("ui.overview.title")
    assert urlparse(desk.url).path == "/tong-quan", "the link stays the one that was opened"


# --- a server that has been running -------------------------------------------------------------


def test_overview_path_with_week_on_a_running_server(app_server, desk, eng):
    old = service.available_weeks(eng)[-3]
    for path in ("/tong-quan", "/"):  # the second visit of the session server at least
        desk.goto(f"{app_server}{path}?week={old}")
        settle(desk, CARDS)
        assert_no_dialog(desk)
        assert h1(desk) == t("ui.overview.title"), path
        assert urlparse(desk.url).path == path
        assert query(desk)["week"] == [old], path
        assert week_label(old) in week_shown(desk), path


def test_root_opens_the_overview(app_server, desk):
    desk.goto(f"{app_server}/")
    settle(desk, CARDS)
    assert h1(desk) == t("ui.overview.title")
    assert_no_dialog(desk)


# --- the sidebar on a phone and on a desktop ----------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "collapsed"),
    [(390, 844, True), (1366, 768, False), (1920, 1080, False)],
)
def test_sidebar_starts_collapsed_on_a_phone_only(width, height, collapsed, browser, app_server):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        pg.goto(f"{app_server}/")
        settle(pg, CARDS)
        sidebar = pg.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("data-collapsed") == str(collapsed).lower()
        box = sidebar.bounding_box()
        if collapsed:  # off screen: the page is not covered
            assert box is None or box["x"] + box["width"] <= 0, box
        else:  # on screen, beside the page
            assert box is not None and box["x"] == 0 and box["width"] > 200, box
            main = pg.locator('[data-testid="stMainBlockContainer"]').bounding_box()
            assert main is not None and main["x"] >= box["width"], (box, main)
    finally:
        ctx.close()
