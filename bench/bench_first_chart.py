"""What a person waits for, in one real browser: time to the first chart and to the whole page.

Starts the dashboard (``streamlit run app.py`` of the tree given by ``--app``, so an older
checkout can be measured the same way), then opens every page in one headless Chromium, each in a
fresh browser context (no cached front end: what the first visit of the morning costs), and a
second time in the same context (the front end cached, a new session: what opening a link later
costs). For each visit it records, from the address change:

- ``first_chart``: the first chart drawn on screen (a Plotly SVG, a Vega-Lite canvas or SVG, or the
  deck.gl map canvas: whichever library that checkout draws with), and
- ``quiet``: the page has stopped changing (the same test as bench_concurrency.py: the title is on
  screen, nothing stale or pending, the number of elements unchanged for 300 ms, not counted).

Each page is visited ``--repeat`` times; the table gives medians. One browser, one server, one
database on the same two cores: nothing else should run meanwhile.

    .venv/bin/python bench/bench_first_chart.py --db sqlite:////var/tmp/reform_1m.db \\
        --week 2024-W52 --json /tmp/first_chart.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_concurrency import (  # noqa: E402 - the path above makes the package importable
    CHROMIUM,
    CHROMIUM_ARGS,
    MAIN_H1,
    QUIET_JS,
    start_server,
    stop_server,
)

PAGES = ("tong-quan", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do", "don-vi")
CHARTS = ['.js-plotly-plot .main-svg', '[data-testid="stVegaLiteChart"] canvas',
          '[data-testid="stVegaLiteChart"] svg', '[data-testid="stArrowVegaLiteChart"] canvas',
          '[data-testid="stArrowVegaLiteChart"] svg', '[data-testid="stDeckGlJsonChart"] canvas']
# Installed in every document of the context: notes when the first chart is drawn (polled every
# 20 ms from the first script on), so the page can be waited for as a whole and read after.
WATCH_JS = """(() => {
    const sel = SELECTORS;
    const id = setInterval(() => {
        for (const s of sel) {
            for (const el of document.querySelectorAll(s)) {
                const r = el.getBoundingClientRect();
                if (r.width > 50 && r.height > 50) { window.__firstChart = Date.now(); clearInterval(id); return; }
            }
        }
    }, 20);
})();""".replace("SELECTORS", json.dumps(CHARTS))


def _visit(page, url: str, timeout_ms: int) -> dict[str, float | None]:  # noqa: ANN001
    """Milliseconds from the address change to the first chart (None: the page has none) and to
    the page being quiet."""
    t0 = time.time() * 1000
    page.goto(url, wait_until="commit")
    quiet = page.wait_for_function(QUIET_JS, arg=[MAIN_H1, None, None, 300], timeout=timeout_ms,
                                   polling=50).json_value()
    first = page.evaluate("window.__firstChart || null")
    return {"first_chart": None if first is None else float(first) - t0,
            "quiet": float(quiet) - t0}


def _week_label(week: str, back: int) -> str:
    """How the sidebar's week picker starts the label of the week ``back`` weeks before ``week``
    ("Tuần 40/2026 ·", ui.state.week_choice_label)."""
    y, w = (int(x) for x in week.split("-W"))
    iso = (date.fromisocalendar(y, w, 1) - timedelta(weeks=back)).isocalendar()
    return f"Tuần {iso.week}/{iso.year} ·"


def _week_change(page, week: str, back: int, timeout_ms: int) -> float:  # noqa: ANN001
    """Milliseconds from picking, in the sidebar, the week ``back`` weeks before ``week`` (each
    time another one, so a week nobody has opened on that page) until the page is quiet again;
    the address changing (the filters live in the URL) says the rerun has begun."""
    before = page.url
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.keyboard.type(_week_label(week, back))  # the picker filters its options as one types
    page.locator('[role="option"]').first.wait_for(timeout=timeout_ms)
    t0 = time.time() * 1000
    page.keyboard.press("Enter")
    page.wait_for_function("(u) => location.href !== u", arg=before, timeout=timeout_ms, polling=20)
    page.evaluate("delete window.__bench")  # quiet counts from changes after the pick
    quiet = page.wait_for_function(QUIET_JS, arg=[MAIN_H1, None, None, 300], timeout=timeout_ms,
                                   polling=50).json_value()
    return float(quiet) - t0


def _context(browser):  # noqa: ANN001, ANN202
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.add_init_script(WATCH_JS)
    return ctx


def measure(base: str, week: str, repeat: int, timeout_ms: int, week_change: bool = False) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A throwaway visit first: the server's own cold start (caches, imports) is not a page's.
        ctx = _context(browser)
        _visit(ctx.new_page(), f"{base}/tong-quan?week={week}", timeout_ms)
        ctx.close()
        back = 0  # weeks before ``week`` picked so far: every week change opens another week
        for path in PAGES:
            samples: dict[str, list[float | None]] = {"first_chart": [], "quiet": [], "first_chart_cached": [],
                                               "quiet_cached": [], "week_change": []}
            for _ in range(repeat):
                ctx = _context(browser)
                url = f"{base}/{path}?week={week}"
                r = _visit(ctx.new_page(), url, timeout_ms)
                samples["first_chart"].append(r["first_chart"])
                samples["quiet"].append(r["quiet"])
                cached = ctx.new_page()
                r = _visit(cached, url, timeout_ms)
                samples["first_chart_cached"].append(r["first_chart"])
                samples["quiet_cached"].append(r["quiet"])
                if week_change:
                    back += 1
                    samples["week_change"].append(_week_change(cached, week, back, timeout_ms))
                ctx.close()
            rows.append({"page": path, **{k: _median(v) for k, v in samples.items()},
                         "samples": samples})
            print(f"{path}: first chart {_ms(rows[-1]['first_chart'])}, "
                  f"quiet {_ms(rows[-1]['quiet'])}", file=sys.stderr)
        browser.close()
    return rows


def _median(v: list[float | None]) -> float | None:
    """None when the page drew no chart in any visit."""
    vals = [x for x in v if x is not None]
    return statistics.median(vals) if vals else None


def _ms(v: float | None) -> str:
    return "no chart" if v is None else f"{v:,.0f} ms"


def markdown(rows: list[dict]) -> str:
    weeks = any(r.get("week_change") is not None for r in rows)
    head = "| page | first chart | whole page | first chart (front end cached) | whole page (cached) |"
    out = [head + (" week change |" if weeks else ""), "|---|---|---|---|---|" + ("---|" if weeks else "")]
    for r in rows:
        out.append(f"| {r['page']} | {_ms(r['first_chart'])} | {_ms(r['quiet'])} | "
                   f"{_ms(r['first_chart_cached'])} | {_ms(r['quiet_cached'])} |"
                   + (f" {_ms(r.get('week_change'))} |" if weeks else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL the dashboard reads")
    ap.add_argument("--app", default=str(ROOT), help="the checkout whose app.py is served")
    ap.add_argument("--python", default=sys.executable, help="that checkout's interpreter")
    ap.add_argument("--week", required=True, help="the week every page opens on (?week=)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--port", type=int, default=8620)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per visit")
    ap.add_argument("--label", default="", help="what was measured (e.g. a commit), kept in the JSON")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--week-change", action="store_true",
                    help="also time picking another week in the sidebar on every page")
    args = ap.parse_args(argv)

    log = Path(tempfile.mkstemp(prefix="first_chart_", suffix=".log")[1])
    proc, startup = start_server(args.db, args.port, log, app=Path(args.app), python=args.python)
    try:
        rows = measure(f"http://127.0.0.1:{args.port}", args.week, args.repeat,
                       int(args.timeout * 1000), week_change=args.week_change)
    finally:
        stop_server(proc)
    report = {"label": args.label, "db": args.db.rsplit("/", 1)[-1], "week": args.week,
              "repeat": args.repeat, "server_start_s": startup, "load_after": os.getloadavg()[0],
              "pages": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
