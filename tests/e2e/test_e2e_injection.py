"""End-to-end: hostile URL parameters in a real browser. No link or image to evil.example in the
DOM, no element the app did not make, no request to evil.example, no bidi control on screen; the
ignored value is shown as the text it is (complements tests/test_markdown_injection.py, which
checks the markdown Streamlit receives).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import pytest
from helpers.payloads import BROWSER_PAYLOADS as PAYLOADS
from helpers.payloads import PARAMS

from ui.state import PERIOD_KINDS  # noqa: F401 - the parameters below are those of ui.state

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e")]
pytest.importorskip("playwright.sync_api")

TIMEOUT_MS = 60_000
MAIN_H1 = '[data-testid="stMainBlockContainer"] h1'
PAGE_PATHS = ("tong-quan", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do", "don-vi")

FOREIGN = ('a[href*="evil"], img[src*="evil"], [src*="evil"], [href*="evil"], '
           '[data-testid="stAlert"] img, [data-testid="stAlert"] a, [data-testid="stToast"] img, '
           '[data-testid="stToast"] a, [data-testid="stMainBlockContainer"] iframe[src*="evil"]')


@pytest.fixture
def watched(page):
    """The conftest page, with every request the browser makes."""
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.fixture(scope="module", autouse=True)
def _warm(app_server: str, browser) -> None:
    """The server's slow first run happens before the timed page loads (see test_e2e._warm)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    pg = ctx.new_page()
    pg.goto(app_server + "/")
    pg.wait_for_selector(MAIN_H1, timeout=TIMEOUT_MS * 2)
    ctx.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.locator(MAIN_H1).first.wait_for(state="visible")
    # the notice of ignored parameters is drawn with the page; give the toasts and images time to
    # start loading by waiting for the network to go quiet
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: repr(p)[:22])
def test_url_payloads_stay_text_in_the_browser(payload, watched, app_server):
    query = urlencode(dict.fromkeys(PARAMS, payload))
    for path in PAGE_PATHS:
        _open(watched, f"{app_server}/{path}?{query}")
        found = watched.locator(FOREIGN)
        assert found.count() == 0, (path, found.first.evaluate("e => e.outerHTML"))
        body = watched.locator("body").inner_text()
        assert "\u202e" not in body, path
        if path == "tong-quan":
            # the word joiners md() puts into "://", "www." and "@" are invisible
            notice = [n.replace("\u2060", "") for n in
                      watched.locator('[data-testid="stAlert"]').all_inner_texts()]
            shown = payload.replace("\u202e", "")[:19]
            assert any(shown in n for n in notice), (notice, "shown as text, without backslashes")
    # the app's own URLs carry the payload in their query; no request may go to another host
    hosts = {urlparse(u).hostname for u in watched.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts <= {urlparse(app_server).hostname}, hosts
