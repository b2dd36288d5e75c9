"""End-to-end: a unit's reconciliation with the national portal's official scores opens from the
unit page, and its URL reopens it in a fresh browser (the real server, headless Chromium).

A server of its own, on a copy of the shared e2e demo with the provincial and national official
documents of the month that holds the demo's latest week."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import official as fx
from helpers.browser import MAIN_H1, TIMEOUT_MS, settle
from helpers.server import streamlit_server

from scorecard import official_service as osv
from texts import t

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e")]
PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError

UNIT = "48.20194"  # Phường Hải Vân


@pytest.fixture(scope="module")
def official_server(e2e_db: str, browser, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("e2e_official")
    url, period, _ = fx.demo_with_official(e2e_db, tmp)
    with streamlit_server(url, tmp / "server.log") as base:
        # the first visit of a fresh server goes to its main page (see test_e2e._warm)
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
        pg = ctx.new_page()
        pg.goto(base + "/")
        pg.wait_for_selector(MAIN_H1, timeout=TIMEOUT_MS * 2)
        ctx.close()
        yield base, period, tmp / "server.log"



def _errors(page) -> list[str]:  # noqa: ANN001
    """Console errors but the 404s Streamlit logs on a direct load of a sub-page, when it first
    looks for its server under the page's path (streamlit#7074; see test_e2e.real_errors)."""
    probe = re.compile(r"/(don-vi|doi-chieu)/_stcore/(health|host-config)$")
    return [f"{text} @ {url}" for text, url in page.details
            if not (text.startswith("Failed to load resource") and "404" in text and probe.search(url))]


def _watch(page) -> None:  # noqa: ANN001
    page.details = []
    page.on("console", lambda m: page.details.append((m.text, m.location.get("url", "")))
            if m.type == "error" else None)
    page.on("pageerror", lambda e: page.details.append((str(e), "")))


def _clean(page, log: Path) -> None:
    if page.locator('[data-testid="stException"]').count():
        pytest.fail(f"exception on {page.url}:\n{log.read_text(encoding='utf-8', errors='replace')[-4000:]}")


def test_reconciliation_opens_from_the_unit_page_and_its_url_reopens_it(official_server, page, browser):
    base, period, log = official_server
    page.set_default_timeout(TIMEOUT_MS)
    _watch(page)
    page.goto(f"{base}/don-vi?unit={UNIT}&level=commune")
    settle(page)
    assert page.locator(MAIN_H1).first.inner_text().strip() == "Phường Hải Vân"
    link = page.get_by_role("link", name=t("ui.official.open"))
    link.scroll_into_view_if_needed()
    link.click()
    title = t("ui.official.page.title", name="Phường Hải Vân")
    page.wait_for_function(f"() => document.querySelector('{MAIN_H1}')?.innerText.trim() === {title!r}",
                           timeout=TIMEOUT_MS)  # fmt: skip
    settle(page, '[data-testid="stDataFrame"]')
    _clean(page, log)
    assert re.search(r"/doi-chieu\?", page.url)
    assert f"unit={UNIT}" in page.url and f"ky={period}" in page.url
    words = osv.words("month", period)
    assert words in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
    shown = page.url
    assert not _errors(page)
    # the copied address opens the same view in a browser that never saw the app
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    other = ctx.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    _watch(other)
    try:
        other.goto(shown)
        settle(other, '[data-testid="stDataFrame"]')
        _clean(other, log)
        assert other.locator(MAIN_H1).first.inner_text().strip() == title
        assert f"ky={period}" in other.url and f"unit={UNIT}" in other.url
        body = other.locator('[data-testid="stMainBlockContainer"]').inner_text()
        assert t("ui.official.page.components") in body
        assert not _errors(other)
    finally:
        ctx.close()
