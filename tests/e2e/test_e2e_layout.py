"""Every page at the three screens people use (a 1920×1080 meeting-room screen, a 1366×768
office laptop, a 390×844 phone): nothing overflows its container, no card or table header is cut
with an ellipsis, the sidebar does not cover the page on the phone, and on the overview the
bottom five are on the first screen at 1920×1080.

At the real province's size: ``REFORM_E2E_DB=sqlite:////path/to/full.db pytest tests/e2e/test_e2e_layout.py``
(CI runs it on the small demo). Screenshots of every view are written to
``$REFORM_E2E_SHOTS`` when set, to be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.browser import settle

from scorecard import service
from texts import t

pytestmark = [pytest.mark.slow, pytest.mark.browser]

VIEWPORTS = [(1920, 1080), (1366, 768), (390, 844)]
PRE_REFORM = "2024-W52"  # districts and departments; the latest week has communes instead


def _pages(eng) -> list[tuple[str, str]]:  # noqa: ANN001
    week = service.latest_week(eng)
    dep = str(service.units(eng, level="department")["code"].iloc[0])
    return [
        ("overview", "/"),
        ("overview_2024", f"/?week={PRE_REFORM}"),
        ("departments", "/so-ban-nganh"),
        ("local", "/dia-phuong"),
        ("local_2024", f"/dia-phuong?week={PRE_REFORM}"),
        ("trends", "/xu-huong"),
        ("lagging", "/cham-tien-do"),
        ("lagging_2024", f"/cham-tien-do?week={PRE_REFORM}&level=district"),
        ("unit", f"/don-vi?unit={dep}&week={week}"),
    ]


# Everything that is a box of its own on the page: it must stay inside the main column.
BOXES = ", ".join([
    '[data-testid="stMetric"]', ".mon-card", ".mon-box", '[data-testid="stDataFrame"]',
    '[data-testid="stTable"]', '[data-testid="stPlotlyChart"]', '[data-testid="stDeckGlJsonChart"]',
    '[data-testid="stHorizontalBlock"]', '[data-testid="stAlert"]', '[data-testid="stButton"]',
    '[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]',
])
# Text that must be read whole: card labels and values, table headers, selected options.
CUT_TEXT = ", ".join([
    '[data-testid="stMetric"] *', ".mon-card *", ".mon-table th", '[data-testid="stTable"] th',
    '[data-baseweb="select"] *', '[data-testid="stButton"] p', '[data-testid="stDownloadButton"] p',
])

LAYOUT_JS = """([boxes, cut]) => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const m = main.getBoundingClientRect();
    const out = {overflow: [], cut: [], gridScroll: [], pageScroll: 0};
    const label = (el) => (el.getAttribute('data-testid') || el.className || el.tagName)
        + ': ' + (el.innerText || '').trim().slice(0, 40);
    for (const el of main.querySelectorAll(boxes)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < m.left - 1 || r.right > m.right + 1) out.overflow.push(
            label(el) + ' [' + Math.round(r.left) + ',' + Math.round(r.right) + '] in ['
            + Math.round(m.left) + ',' + Math.round(m.right) + ']');
    }
    for (const el of document.querySelectorAll(cut)) {
        const s = getComputedStyle(el);
        if (el.offsetParent === null || !el.innerText || !el.innerText.trim()) continue;
        if (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) out.cut.push(label(el));
    }
    // a data grid wider than its box scrolls sideways: some of its columns are out of sight
    for (const el of main.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')) {
        if (el.scrollWidth > el.clientWidth + 2) out.gridScroll.push(
            el.scrollWidth + ' > ' + el.clientWidth);
    }
    out.pageScroll = document.documentElement.scrollWidth - window.innerWidth;
    return out;
}"""


@pytest.fixture(scope="module")
def eng(e2e_db):  # noqa: ANN001, ANN201
    from data_access.engine import get_engine

    e = get_engine(e2e_db, read_only=True)
    yield e
    e.dispose()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=lambda v: str(v))
def test_every_page_fits_the_screen(browser, app_server, eng, width, height):
    shots = os.environ.get("REFORM_E2E_SHOTS")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    problems: dict[str, dict] = {}
    try:
        pg = ctx.new_page()
        for name, path in _pages(eng):
            pg.goto(f"{app_server}{path}")
            settle(pg)
            pg.wait_for_timeout(500)  # charts and grids size themselves after the run
            found = pg.evaluate(LAYOUT_JS, [BOXES, CUT_TEXT])
            if width < 1000:
                # On a phone a league table keeps its columns and scrolls sideways inside its
                # own box (rank and name first); on a laptop or larger every column is in view.
                found.pop("gridScroll")
            bad = {k: v for k, v in found.items() if v and (k != "pageScroll" or v > 0)}
            if bad:
                problems[name] = bad
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=f"{shots}/{name}_{width}x{height}.png")
            assert pg.locator('[data-testid="stException"]').count() == 0, name
        if width <= 640:
            # a phone opens on the page, the sidebar folded away
            assert pg.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    finally:
        ctx.close()
    assert not problems, problems


def test_overview_bottom_five_on_the_first_screen(browser, app_server, eng):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        pg = ctx.new_page()
        pg.goto(f"{app_server}/")
        settle(pg, ".mon-box")
        levels = [lv for lv in ("department", "district", "commune")
                  if pg.locator(f'[data-box="bottom_{lv}"]').count()]
        assert len(levels) == 2, "departments and the local level"
        for lv in levels:
            names = pg.locator(f'[data-box="bottom_{lv}"] td.mon-unit a')
            assert names.count() == 5
            for i in range(5):
                box = names.nth(i).bounding_box()
                assert box is not None and box["y"] + box["height"] <= 1080, (lv, i, box)
        movers = pg.locator('[data-box="movers"] td.mon-unit a')
        for i in range(movers.count()):
            box = movers.nth(i).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 1080, ("movers", i, box)
        cards = pg.locator(".mon-card")
        assert cards.count() == 7
        assert t("mon.bottom5", plural="").split("·")[0].strip() in pg.locator(".mon-h").first.inner_text()
    finally:
        ctx.close()
