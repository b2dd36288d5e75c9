"""End-to-end: the real `streamlit run` server in headless Chromium (fixtures in conftest.py).

What AppTest cannot see: the browser console, clicks on the canvas-drawn league table and the
deck.gl map, links reopened in a fresh browser, real downloads, presentation mode stepping
through pages, and the printed overview.

Streamlit renders asynchronously over a websocket, so "loaded" means: the page's own element is
visible, no placeholder (skeleton) or stale element is left, and the page has stopped growing for
a second (``settle``). The header's running indicator (stStatusWidget) is not relied on: with
this app's config (minimal toolbar) it is never in the DOM, even while a page runs for seconds.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest
from helpers.browser import MAIN_H1, TIMEOUT_MS, settle
from sqlalchemy import Engine

from data_access.engine import get_engine
from scorecard import service
from scorecard.periods import period_for_week
from texts import fmt_date, fmt_number, t
from ui import meeting
from ui.state import week_choice_label as week_label

# one worker runs them all: one server and one browser for the lot (pytest-xdist)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e")]
PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError

PAGE_PATHS = ("tong-quan", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do", "don-vi")
ROW_HEIGHT = 38  # page.league_table draws rows (and the header) 38 px high

# A card with scores: the unit page's st.metric, or the overview's headline cards.
CARDS = '[data-testid="stMetric"], .mon-card'


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eng(e2e_db: str) -> Engine:
    e = get_engine(e2e_db, read_only=True)
    yield e
    e.dispose()


@pytest.fixture(scope="module")
def week(eng: Engine) -> str:
    return service.latest_week(eng)


@pytest.fixture(scope="module", autouse=True)
def _warm(app_server: str, browser) -> None:
    """Open the main page once before any test: the server's first run (imports, cold caches)
    is slow, and the tests' timeouts are for pages, not for a server start. The first visit of a
    fresh server straight to a sub-page is tested on a server of its own (test_e2e_first_visit)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = ctx.new_page()
    pg.goto(app_server + "/")
    pg.wait_for_selector(MAIN_H1, timeout=TIMEOUT_MS * 2)
    ctx.close()


@pytest.fixture
def pg(page, app_server: str, server_log: Path):
    """The conftest page, plus console errors with the URL they are about (to tell the one
    benign Streamlit error apart, see ``real_errors``) and the server's log."""
    page.server_log = server_log
    page.error_details = []
    page.on("console", lambda m: page.error_details.append((m.text, m.location.get("url", "")))
            if m.type == "error" else None)
    page.on("pageerror", lambda e: page.error_details.append((str(e), "")))
    page.set_default_timeout(TIMEOUT_MS)
    return page


def real_errors(page, base: str) -> list[str]:
    """Console errors, without the one Streamlit logs on every direct load of a sub-page.

    Opened at ``/<page>``, the frontend first looks for its server under that path and fetches
    ``/<page>/_stcore/health`` and ``/<page>/_stcore/host-config`` (404), then finds it at the
    root (streamlit#7074, open). Only those two 404s, for our own page paths, are dropped.
    """
    probe = re.compile(
        rf"^{re.escape(base)}/({'|'.join(PAGE_PATHS)})/_stcore/(health|host-config)$"
    )
    out = []
    for text, url in page.error_details:
        if text.startswith("Failed to load resource") and "404" in text and probe.match(url):
            continue
        out.append(f"{text} @ {url}")
    assert len(out) <= len(page.console_errors), "every error seen is in the conftest list too"
    return out



def assert_clean(page, base: str) -> None:
    """No Streamlit exception box (the browser shows it redacted: the server log has the
    traceback) and no console error."""
    if page.locator('[data-testid="stException"]').count():
        log = page.server_log.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"exception on {page.url}; server log:\n{log[-4000:]}")
    assert not real_errors(page, base)


PRE_REFORM = "2024-W52"  # a demo week with districts (the demo starts on 01/01/2024)


def local_title(eng: Engine, week: str) -> str:
    """The "Địa phương" page's title in ``week``: the local level of the period's end."""
    end = period_for_week("ytd", week).end
    lv = service.levels_at(eng, end)
    local = lv[(lv["local"] == 1) & (lv["ranked"] == 1)].sort_values("sort_order").iloc[0]
    return t("ui.districts.title", level=str(local["plural"]).lower())


def h1(page) -> str:
    return page.locator(MAIN_H1).first.inner_text().strip()


def metric_value(page, label: str) -> str:
    card = page.locator(CARDS).filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return card.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def goto(page, url: str, selector: str = MAIN_H1) -> None:
    page.goto(url)
    settle(page, selector)


# --- every page -----------------------------------------------------------------------------------
# The overview, the departments, the districts and the unit page are opened (and checked the same
# way) by the click, download and print tests below; here are the two pages no other test opens.


@pytest.mark.parametrize(
    ("path", "title_key", "element"),
    [
        ("xu-huong", "ui.trends.title", '[data-testid="stPlotlyChart"]'),
        ("cham-tien-do", "ui.lagging.title", MAIN_H1),
    ],
)
def test_page_loads_cleanly(path, title_key, element, pg, app_server):
    goto(pg, f"{app_server}/{path}", element)
    assert h1(pg) == t(title_key)
    assert "week=" in pg.url, "the filters are written to the URL"
    assert_clean(pg, app_server)


# --- clicks that open a unit --------------------------------------------------------------------


def test_department_row_opens_unit(pg, app_server, eng, week):
    summary = service.scorecard(eng, "department", period_for_week("ytd", week)).summary
    second = summary.iloc[1]  # the second row: not merely the first thing under the header
    goto(pg, f"{app_server}/so-ban-nganh", '[data-testid="stDataFrame"] canvas')
    assert h1(pg) == t("ui.departments.title")
    assert_clean(pg, app_server)
    grid = pg.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    # Row 2's centre, in the row-selection column at the left edge of the grid.
    pg.mouse.click(box["x"] + 14, box["y"] + ROW_HEIGHT * 2.5)
    pg.wait_for_url(re.compile(rf"/don-vi\?.*unit={second['unit_code']}"))
    settle(pg, CARDS)
    assert h1(pg) == second["unit_name"]
    assert metric_value(pg, t("ui.col.total")) == fmt_number(second["total"], 2)
    assert_clean(pg, app_server)


def _mercator(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """deck.gl's Web Mercator pixel coordinates (the world is 512 px wide at zoom 0)."""
    size = 512 * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return size * (lon + 180) / 360, size * (1 - y / math.pi) / 2


def _inside(x: float, y: float, ring: list) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _deep_point(ring: list) -> tuple[float, float]:
    """A point well inside a polygon ring (far from its edge), for a click that cannot miss."""
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    best, best_d = (sum(xs) / len(xs), sum(ys) / len(ys)), -1.0
    for i in range(1, 30):
        for j in range(1, 30):
            x = min(xs) + (max(xs) - min(xs)) * i / 30
            y = min(ys) + (max(ys) - min(ys)) * j / 30
            if _inside(x, y, ring):
                d = min(math.hypot(x - px, y - py) for px, py in ring)
                if d > best_d:
                    best, best_d = (x, y), d
    return best


def _map_target(eng: Engine) -> tuple[str, float, float, object]:
    """(unit code, lon, lat, view state) of a district to click, as ui.mapview draws the map.

    The server runs with no boundary configured (conftest.app_server), so the map is the shipped
    default: assets/geo's districts, rebuilt from the 2025 communes."""
    from data_access import geo
    from ui import maps

    units = service.units(eng, level="district")
    path = geo.DEFAULT_FILES["district"]
    assert path.exists(), f"the shipped default boundaries are missing: {path}"
    res = geo.match_features(geo.load_boundaries(path).geojson, units, strict=False)
    assert len(res.features) == len(units), "every district has a polygon in the default file"
    lons: list[float] = []
    lats: list[float] = []
    for f in res.features:
        for lo, la in maps._coords(f["geometry"]):
            lons.append(lo)
            lats.append(la)
    view = maps.view_for(lons, lats, height_px=480)

    def outer(f: dict) -> list:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        return max((p[0] for p in polys), key=len)

    # The largest district: a wide target.
    f = max(res.features, key=lambda f: len(outer(f)))
    lon, lat = _deep_point([tuple(p) for p in outer(f)])
    return str(f["properties"]["unit_code"]), lon, lat, view


def test_map_click_opens_unit(pg, app_server, eng):
    code, lon, lat, view = _map_target(eng)
    name = service.units(eng, level="district").set_index("code").loc[code, "name"]
    # a week of 2024: the districts (the latest week's local level is the 2025 commune)
    goto(pg, f"{app_server}/dia-phuong?week={PRE_REFORM}", '[data-testid="stDeckGlJsonChart"] canvas')
    assert h1(pg) == local_title(eng, PRE_REFORM)
    assert_clean(pg, app_server)
    pg.wait_for_timeout(500)  # deck.gl draws its first frame after the canvas appears
    box = pg.locator('[data-testid="stDeckGlJsonChart"] canvas').first.bounding_box()
    cx, cy = _mercator(view.longitude, view.latitude, view.zoom)
    px, py = _mercator(lon, lat, view.zoom)
    x, y = box["x"] + box["width"] / 2 + px - cx, box["y"] + box["height"] / 2 + py - cy
    assert box["x"] < x < box["x"] + box["width"] and box["y"] < y < box["y"] + box["height"]
    # Hover until deck.gl's tooltip names the district: the projection is right and the map is
    # ready to pick (a click on a map still drawing its first frames selects nothing).
    tip = pg.locator(".deck-tooltip").filter(has_text=name)
    for _ in range(10):
        pg.mouse.move(x, y - 3)
        pg.mouse.move(x, y)
        try:
            tip.wait_for(state="visible", timeout=2_000)
            break
        except PlaywrightTimeout:
            continue
    assert tip.is_visible(), f"no tooltip for {name} at ({x:.0f}, {y:.0f})"
    # deck.gl's events come from hammer.js, whose tap is a press released within 250 ms as the
    # page's main thread sees it; on a busy machine (CI: two test workers on two cores) that
    # thread can stall between press and release, and the click is taken for a long press (one
    # CI run timed out here after a single click). A user clicks again; so does the test, three
    # times at most.
    unit_url = re.compile(rf"/don-vi\?.*unit={code}")
    for _ in range(3):
        pg.mouse.click(x, y)
        try:
            pg.wait_for_url(unit_url, timeout=15_000)
            break
        except PlaywrightTimeout:
            assert "/dia-phuong" in pg.url, f"left the map for {pg.url}"
    assert unit_url.search(pg.url), f"three clicks on {name} did not open its page"
    settle(pg, CARDS)
    assert h1(pg) == name
    assert_clean(pg, app_server)


def _blend(rgba: list[int], bg: tuple[int, int, int]) -> tuple[int, int, int]:
    a = rgba[3] / 255 if len(rgba) > 3 else 1.0
    return tuple(round(c * a + b * (1 - a)) for c, b in zip(rgba[:3], bg, strict=True))


def test_default_district_map_is_coloured_by_score(pg, app_server, eng, tmp_path):
    """No boundary configured: each district filled with its own score's colour on the
    continuous scale centred on the target (the engine's scores), and a numeric legend."""
    from PIL import Image

    from ui import maps

    goto(pg, f"{app_server}/dia-phuong?week={PRE_REFORM}", '[data-testid="stDeckGlJsonChart"] canvas')
    assert_clean(pg, app_server)
    pg.wait_for_timeout(1_000)  # deck.gl's first frames
    shot = tmp_path / "default_map.png"
    pg.locator('[data-testid="stDeckGlJsonChart"] canvas').first.screenshot(path=str(shot))
    img = Image.open(shot).convert("RGB")
    bg = img.getpixel((2, 2))  # no map tiles: the corner is the plain background
    colours = {(r // 2, g // 2, b // 2) for _, (r, g, b) in img.getcolors(maxcolors=1 << 24)}

    period = period_for_week("ytd", PRE_REFORM)
    summary = service.scorecard(eng, "district", period).summary
    targets = service.targets(eng, period.end)
    target = float(targets.loc[targets["indicator"].astype(str) == "total", "value"].iloc[-1])
    totals = [float(v) for v in summary["total"].dropna()]
    scale = maps.score_scale(totals, target)
    expected = {_blend(maps.score_fill(v, scale), bg) for v in totals}

    def drawn(c: tuple[int, int, int]) -> bool:
        return any((c[0] // 2 + dr, c[1] // 2 + dg, c[2] // 2 + db) in colours
                   for dr in (-1, 0, 1) for dg in (-1, 0, 1) for db in (-1, 0, 1))

    # Continuous: the districts' scores give many distinct fills (grade bands would give 3-4),
    # and each is on the map (a grade-coloured map fails here).
    assert len(expected) >= 10, f"only {len(expected)} distinct score colours"
    missing = [c for c in expected if not drawn(c)]
    assert len(missing) <= 2, f"{len(missing)} of {len(expected)} score colours not on the map"
    # The legend under it: a gradient bar whose ticks are the lowest score, the target, the highest.
    legend = pg.locator(".st-key-district_map_legend .js-plotly-plot").first
    legend.scroll_into_view_if_needed()
    legend.wait_for(state="visible")
    ticks = legend.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")
    assert t("ui.map.legend_target", v=fmt_number(target, 1)) in ticks, ticks
    assert t("ui.map.legend_min", v=fmt_number(min(totals), 1)) in ticks, ticks


# --- a copied link ------------------------------------------------------------------------------


def view_of(page) -> tuple[str, str, str, str]:
    """Unit name, total score, period caption and the week shown in the sidebar."""
    return (h1(page), metric_value(page, t("ui.col.total")),
            page.locator('[data-testid="stCaptionContainer"]').first.inner_text(),
            page.get_by_role("combobox", name=t("ui.filters.week")).input_value())


def test_copied_url_shows_the_same_view(pg, browser, app_server, eng):
    weeks = service.available_weeks(eng)
    old = weeks[-6]
    code = service.units(eng, level="department")["code"].astype(str).iloc[2]
    goto(pg, f"{app_server}/don-vi?unit={code}&week={old}&period=month&level=commune",
         CARDS)
    copied = pg.url
    assert all(p in copied for p in (f"unit={code}", f"week={old}", "period=month",
                                     "level=commune"))
    seen = view_of(pg)
    summary = service.scorecard(eng, "department", period_for_week("month", old)).summary
    row = summary[summary["unit_code"].astype(str) == code].iloc[0]
    assert seen[:2] == (row["unit_name"], fmt_number(row["total"], 2))
    assert week_label(old) in seen[3]

    other = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        pg2 = other.new_page()
        pg2.goto(copied)
        settle(pg2, CARDS)
        again = view_of(pg2)
        assert again == seen, "same unit, same week and period, same score"
        assert pg2.url == copied
        assert pg2.locator('[data-testid="stException"]').count() == 0
    finally:
        other.close()
    assert_clean(pg, app_server)


# --- downloads ----------------------------------------------------------------------------------


def _unit_with_overdue(eng: Engine, week: str) -> tuple[str, int]:
    period = period_for_week("ytd", week)
    # the local units of the week (the 2025 communes in the demo's latest week)
    local = service.scorecard(eng, "commune", period).summary
    for code in local["unit_code"].astype(str):
        n = service.overdue_counts(service.overdue_list(eng, code, period))["open"]
        if n:
            return code, n
    pytest.skip("no commune has open overdue dossiers in the demo")


def test_overdue_list_downloads_as_excel(pg, app_server, eng, week, tmp_path):
    from openpyxl import load_workbook

    code, n = _unit_with_overdue(eng, week)
    goto(pg, f"{app_server}/don-vi?unit={code}", '[data-testid="stDownloadButton"]')
    button = pg.locator('[data-testid="stDownloadButton"]').filter(has_text=t("ui.lagging.download"))
    with pg.expect_download() as dl:
        button.click()
    path = tmp_path / "overdue.xlsx"
    dl.value.save_as(path)
    assert dl.value.suggested_filename == f"ho-so-qua-han_{code}_{week}_open.xlsx"
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert t("ui.overdue.title_state.open") in rows[0][0], "a title row above the header"
    assert list(rows[1]) == [t(k) for k in (
        "ui.col.dossier_code", "ui.col.procedure", "ui.col.procedure_code", "ui.col.field",
        "ui.col.received", "ui.col.due", "ui.overdue.col.end", "ui.col.days_overdue",
        "ui.overdue.col.state", "ui.overdue.col.status_now")]
    assert len(rows) - 2 == n, "the open dossiers, the list's default"
    days = [r[7] for r in rows[2:]]
    assert days == sorted(days, reverse=True) and all(d > 0 for d in days), "most overdue first"
    assert ws.freeze_panes == "A3" and ws["E3"].is_date
    assert_clean(pg, app_server)


def test_meeting_pack_downloads(pg, app_server, week, tmp_path):
    from openpyxl import load_workbook
    from pptx import Presentation

    goto(pg, f"{app_server}/", CARDS)
    assert h1(pg) == t("ui.overview.title")
    assert_clean(pg, app_server)
    pg.get_by_role("button", name=t("ui.pack.prepare")).click()
    deck_button = pg.locator('[data-testid="stDownloadButton"]').filter(has_text=t("ui.pack.deck"))
    deck_button.wait_for(timeout=TIMEOUT_MS * 2)  # building the pack takes a few seconds
    settle(pg)
    with pg.expect_download() as dl:
        deck_button.click()
    assert dl.value.suggested_filename == f"giao-ban_{week}.pptx"
    deck = Presentation(io.BytesIO(Path(dl.value.path()).read_bytes()))
    assert len(deck.slides) >= 4
    first = " ".join(sh.text_frame.text for sh in deck.slides[0].shapes if sh.has_text_frame)
    assert t("brief.title") in first
    with pg.expect_download() as dl2:
        pg.locator('[data-testid="stDownloadButton"]').filter(has_text=t("ui.pack.workbook")).click()
    wb = load_workbook(io.BytesIO(Path(dl2.value.path()).read_bytes()))
    assert len(wb.sheetnames) >= 3
    assert_clean(pg, app_server)


# --- presentation mode and print ------------------------------------------------------------------


def test_presentation_mode_steps_through_the_meeting(pg, app_server, week, eng):
    goto(pg, f"{app_server}/?present=1", CARDS)
    assert not pg.locator('[data-testid="stSidebar"]').is_visible(), "no sidebar on the projector"
    assert pg.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px"
    titles = [t("ui.overview.title"), t("ui.departments.title"), local_title(eng, week),
              t("ui.lagging.title")]
    # a ranking longer than a slide is shown over several (ui.meeting.ROWS_PER_PART rows each)
    ytd = period_for_week("ytd", week)
    lv = service.levels_at(eng, ytd.end)
    local = str(lv[(lv["local"] == 1) & (lv["ranked"] == 1)].sort_values("sort_order").iloc[0]["code"])
    parts = {"so-ban-nganh": meeting.parts_needed(len(service.scorecard(eng, "department", ytd).summary)),
             "dia-phuong": meeting.parts_needed(len(service.scorecard(eng, local, ytd).summary))}
    slides = meeting.sequence(parts)
    assert len(slides) > len(titles), "the demo's communes take more than one slide"
    stepper = ".st-key-present_stepper"
    assert h1(pg) == titles[0]
    assert t("ui.present.step", n=1, total=len(slides)) in pg.locator(stepper).inner_text()
    for i, (step, part, _n) in enumerate(slides[1:], start=2):
        pg.locator(".st-key-present_next button").click()
        label = t("ui.present.step", n=i, total=len(slides))
        pg.wait_for_function(f"() => document.querySelector('{stepper}')?.innerText.includes({label!r})")
        pg.wait_for_function(f"() => document.querySelector('{MAIN_H1}')?.innerText.trim() === "
                             f"{titles[step]!r}")
        settle(pg)
        assert "present=1" in pg.url and f"week={week}" in pg.url, "the filters travel along"
        assert (f"phan={part}" in pg.url) == (part > 1), (i, pg.url)
        assert not pg.locator('[data-testid="stSidebar"]').is_visible()
    assert pg.locator(".st-key-present_next button").is_disabled(), "the last slide"
    pg.keyboard.press("ArrowLeft")  # a presenter's remote sends arrow keys
    pg.wait_for_function(f"() => document.querySelector('{MAIN_H1}')?.innerText.trim() === "
                         f"{titles[2]!r}")
    settle(pg)
    pg.locator(".st-key-present_exit button").click()
    pg.locator('[data-testid="stSidebar"]').wait_for(state="visible")
    assert "present=1" not in pg.url
    assert_clean(pg, app_server)


def test_overview_prints_without_app_chrome(pg, app_server, tmp_path):
    goto(pg, f"{app_server}/", '[data-testid="stPlotlyChart"]')
    pg.emulate_media(media="print")
    for hidden in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]',
                   '[data-testid="stButton"]'):
        assert not pg.locator(hidden).first.is_visible(), hidden
    assert pg.locator(CARDS).first.is_visible()
    pdf = tmp_path / "overview.pdf"
    pg.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 2 <= pages <= 6, pages
    assert_clean(pg, app_server)


# --- Plotly charts and links that drill ------------------------------------------------------------


def click_svg(page, locator) -> None:
    """Click a Plotly mark at its centre. Plotly picks the point under the pointer on mouse
    move (its hover), so the pointer rests there before the press."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y - 2)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def test_charts_have_no_english_mode_bar(pg, app_server):
    requested: list[str] = []
    pg.on("request", lambda r: requested.append(r.url))
    goto(pg, f"{app_server}/xu-huong", '[data-testid="stPlotlyChart"] .main-svg')
    # Offline: plotly.js and the fonts come with the app, nothing from a CDN.
    outside = [u for u in requested if not u.startswith((app_server, "data:", "blob:"))]
    assert not outside, outside
    chart = pg.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    assert pg.locator(".modebar").count() == 0, "no mode bar: its tooltips are English"
    assert pg.locator(".modebar-btn").count() == 0
    assert "Plotly" not in chart.inner_text()
    assert_clean(pg, app_server)


def test_movers_bar_opens_unit(pg, app_server, eng, week):
    p = period_for_week("ytd", week)
    # the overview's levels in that week: departments and the 2025 communes
    both = [service.scorecard(eng, lv, p).summary for lv in ("department", "commune")]
    rises = [s[s["delta_week"] > 0] for s in both]
    top = max((r.nlargest(1, "delta_week").iloc[0] for r in rises if not r.empty),
              key=lambda r: r["delta_week"], default=None)
    if top is None:
        pytest.skip("no unit rose in the demo's latest week")
    goto(pg, f"{app_server}/", '.st-key-overview_movers .bars path')
    click_svg(pg, pg.locator(".st-key-overview_movers .bars path").first)  # the largest rise
    pg.wait_for_url(re.compile(rf"/don-vi\?.*unit={re.escape(str(top['unit_code']))}"))
    settle(pg, CARDS)
    assert h1(pg) == top["unit_name"]
    assert f"week={week}" in pg.url and "period=ytd" in pg.url, "the filters travel along"
    assert_clean(pg, app_server)


def test_bottom_five_name_opens_unit(pg, app_server, eng, week):
    """The overview's first screen: the last department's name opens its page (the same tab:
    the view is a URL, the browser's Back returns to the overview)."""
    s = service.scorecard(eng, "department", period_for_week("ytd", week)).summary
    last = s.nlargest(1, "rank").iloc[0]
    box = '[data-box="bottom_department"] a'
    goto(pg, f"{app_server}/?period=ytd", box)
    link = pg.locator(box, has_text=re.compile(rf"^{re.escape(last['unit_name'])}$")).first
    assert link.bounding_box()["y"] < 1080, "in the first screen"
    link.click()
    pg.wait_for_url(re.compile(rf"/don-vi\?.*unit={re.escape(str(last['unit_code']))}"))
    settle(pg, CARDS)
    assert h1(pg) == last["unit_name"]
    assert metric_value(pg, t("ui.col.total")) == fmt_number(last["total"], 2)
    assert pg.locator('[data-testid="stException"]').count() == 0
    pg.go_back()
    pg.wait_for_url(re.compile(r"/(\?|$)"))
    settle(pg, box)
    assert_clean(pg, app_server)


def test_pareto_bar_filters_overdue_list(pg, app_server, eng, week):
    p = period_for_week("ytd", week)
    lag = service.lagging(eng, "commune", week)  # the latest week's local level
    for code in lag["unit_code"].astype(str):
        par = service.overdue_pareto(eng, code, p, "procedure")
        if len(par) >= 2:
            break
    else:
        pytest.skip("no lagging commune with two procedures overdue in the demo")
    first = par.iloc[0]
    goto(pg, f"{app_server}/cham-tien-do?level=commune&unit={code}", ".plotly .bars path")
    assert f"unit={code}" in pg.url
    click_svg(pg, pg.locator(".plotly .bars path").first)  # the largest bar
    pg.wait_for_url(re.compile(rf"[?&]proc={re.escape(str(first['key']))}(&|$)"))
    settle(pg)
    listing = service.overdue_list(eng, code, p)
    mine = service.overdue_counts(listing[listing["procedure_code"].astype(str) == str(first["key"])])
    everything = service.overdue_counts(listing)
    shown = t("ui.overdue.counts", all=fmt_number(mine["all"], 0), open=fmt_number(mine["open"], 0),
              late=fmt_number(mine["late"], 0), end=fmt_date(p.end))
    pg.get_by_text(shown, exact=True).wait_for()
    assert mine["all"] < everything["all"], "the list is filtered, not whole"
    filtered = t("ui.lagging.filtered.procedure", name=str(first["name"]))
    assert filtered in pg.locator('[data-testid="stMain"]').inner_text()
    # The filtered view is a link: reopened elsewhere it shows the same list.
    again = pg.context.new_page()
    try:
        again.goto(pg.url)
        settle(again)
        again.get_by_text(shown, exact=True).wait_for()
        assert again.locator('[data-testid="stException"]').count() == 0
    finally:
        again.close()
    assert_clean(pg, app_server)


def test_presentation_charts_are_large_and_full_width(pg, app_server):
    goto(pg, f"{app_server}/?present=1", '.st-key-overview_movers .bars path')
    sizes = pg.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stPlotlyChart"] svg text')].map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert sizes and min(sizes) >= 20, "chart text read from the back of a meeting room"
    widths = pg.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .map(e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width])""")
    assert len(widths) == 3 and all(abs(w - cw) <= 1 for w, cw in widths), widths
    assert_clean(pg, app_server)
