"""Waiting for a Streamlit page in Playwright, for the e2e tests (tests/e2e).

Streamlit renders asynchronously over a websocket, so "loaded" means: the page's own element is
visible, no placeholder (skeleton) or stale element is left, and the page has stopped growing for
a second. Every e2e test module waits through here.
"""

from __future__ import annotations

TIMEOUT_MS = 60_000
MAIN_H1 = '[data-testid="stMainBlockContainer"] h1'
# True once nothing is pending and the number of elements has not changed for a second.
QUIET_JS = """() => {
    const busy = document.querySelector(
        '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]');
    const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
    const w = window.__settle || (window.__settle = {n: -1, since: 0});
    const now = performance.now();
    if (busy || n !== w.n) { w.n = n; w.since = now; return false; }
    return now - w.since > 1000;
}"""


def settle(page, selector: str = MAIN_H1, timeout_ms: int = TIMEOUT_MS) -> None:  # noqa: ANN001
    """Wait until Streamlit has finished this run and ``selector`` is on screen."""
    page.locator(selector).first.wait_for(state="visible", timeout=timeout_ms)
    page.evaluate("delete window.__settle")
    page.wait_for_function(QUIET_JS, polling=200, timeout=timeout_ms)
