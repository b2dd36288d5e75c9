"""Concurrency benchmark: N simultaneous headless Chromium sessions clicking through the dashboard.

Starts the real dashboard (``streamlit run app.py``, the app's background prewarm left on, as in
production) on the given database, waits until ``/_stcore/health`` answers, then starts every
session at the same moment. Each session has its own browser context and walks a realistic path:

1. ``overview``       open the root URL (the overview page)
2. ``departments``    click "Sở, ban, ngành" in the sidebar navigation
3. ``unit_drill``     click a row of the departments league table (opens the unit page)
4. ``districts``      click "Địa phương" in the sidebar
5. ``trends``         click "Xu hướng" in the sidebar
6. ``lagging``        click "Đơn vị chậm tiến độ" in the sidebar
7. ``unit_link``      open a deep link ``/don-vi?unit=<district code>``
8. ``overview_week``  change a filter: open ``/?period=week``

``--rounds`` repeats the path. A step's page-load time runs from the action (goto or click) to
the moment the page became quiet: the expected page title and element are on screen, nothing is
stale or a placeholder, and the number of elements has not changed since (checked for
``SETTLE_MS`` more; that wait is not counted). Streamlit's running indicator (stStatusWidget) is
not relied on: with this app's minimal toolbar it is never in the DOM (see tests/e2e).

Errors: uncaught page errors, console errors (except the two 404 probes Streamlit makes on every
direct sub-page load, streamlit#7074), Streamlit exception boxes, ``st.error`` banners, and steps
that time out (``--timeout``, 60 s). Streamlit's "Page not found" dialog (streamlit#9992) is a
warning, reported separately. The server's RSS (with its children) is sampled every 0.5 s.

    .venv/bin/python bench/bench_concurrency.py --db sqlite:////tmp/demo.db --sessions 4
    .venv/bin/python bench/bench_concurrency.py --db postgresql+psycopg://u@host/db \\
        --sessions 20 --rounds 1 --json /tmp/conc.json

``--browsers`` spreads the sessions over fewer Chromium processes (default: one per session).
On a small machine the browsers, not the server, run out of CPU: 20 Chromium processes on 2 cores
time out (the sessions' websockets drop with "DoInitPings timed out"); there use ``--browsers 2
--timeout 180``. ``--file-watcher none`` (the default) keeps edits saved to the working tree
during a run from reloading modules under the running sessions. Exit code 1 when any error was
seen; the server's log is kept then and its path printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("REFORM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE_PATHS = ("tong-quan", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do", "don-vi")
MAIN_H1 = '[data-testid="stMainBlockContainer"] h1'
ROW_HEIGHT = 38  # ui.page.league_table draws rows (and the header) 38 px high
SETTLE_MS = 300
STEPS = ("overview", "departments", "unit_drill", "districts", "trends", "lagging", "unit_link",
         "overview_week")

# Resolves to the epoch ms at which the page last changed, once it has been quiet for settleMs:
# the expected element is visible, the title matches (or differs from ``notTitle``), nothing is
# pending and the number of elements is stable. ``window.__bench`` is reset before each action.
QUIET_JS = """([sel, title, notTitle, settleMs]) => {
    const busy = document.querySelector(
        '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]');
    const el = document.querySelector(sel);
    const h = document.querySelector('MAIN_H1');
    const text = h ? h.innerText.trim() : null;
    let ready = !!el && el.getClientRects().length > 0 && text !== null;
    if (ready && title !== null) ready = text === title;
    if (ready && notTitle !== null) ready = text !== notTitle;
    const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
    const w = window.__bench || (window.__bench = {n: -1, since: 0});
    const now = performance.now();
    if (document.querySelector('[data-testid="stException"]')) return -1;
    if (busy || !ready || n !== w.n) { w.n = n; w.since = now; return false; }
    return now - w.since >= settleMs ? Date.now() - (now - w.since) : false;
}""".replace("MAIN_H1", MAIN_H1)


# --- results ------------------------------------------------------------------------------------


@dataclass
class StepResult:
    session: int
    round: int
    step: str
    ms: float | None  # None: the step failed before the page was loaded
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class Sampler:
    """Samples the server's RSS (with its child processes), MemAvailable and the load average."""

    pid: int
    interval: float = 0.5
    peak_rss_kb: int = 0
    min_avail_kb: int | None = None
    peak_load1: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-sampler")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        self.peak_rss_kb = max(self.peak_rss_kb, tree_rss_kb(self.pid))
        avail = _meminfo_kb("MemAvailable")
        if avail is not None:
            self.min_avail_kb = avail if self.min_avail_kb is None else min(self.min_avail_kb, avail)
        self.peak_load1 = max(self.peak_load1, os.getloadavg()[0])


def _meminfo_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) is in parentheses and may contain spaces.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(d.name))
    return out


def tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in kB (0 when the process is gone)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
        todo.extend(_children(p))
    return total


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


# --- server -------------------------------------------------------------------------------------


def start_server(db: str, port: int, log_path: Path, file_watcher: str = "none",
                 timeout: float = 180, app: Path = ROOT,
                 python: str = sys.executable) -> tuple[subprocess.Popen, float]:
    """Start ``streamlit run app.py`` (of the checkout ``app``, with its interpreter ``python``)
    on ``db``; return the process and its start-to-healthy seconds. The file watcher is off by
    default: a file saved in the working tree during the run would make Streamlit drop modules
    from sys.modules while other sessions import them."""
    env = {**os.environ, "REFORM_DB_URL": db}
    log = log_path.open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "streamlit", "run", str(app / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", file_watcher],
        cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()  # the child keeps its own handle
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    raise SystemExit(f"streamlit did not become healthy on port {port}:\n{tail}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def district_codes(db: str) -> list[str]:
    """Codes of the current districts (for the deep-link step)."""
    from data_access import queries as q
    from data_access.engine import get_engine

    eng = get_engine(db, read_only=True)
    try:
        df = q.active_units(eng, level="district")
    finally:
        eng.dispose()
    if "valid_to" in df:
        df = df[df["valid_to"].isna()]
    codes = df["code"].astype(str).tolist()
    if not codes:
        raise SystemExit("no district in the database")
    return codes


# --- sessions -----------------------------------------------------------------------------------


class Session:
    """One browser context walking the path; records per-step times, errors and warnings."""

    def __init__(self, idx: int, browser: Any, base: str, units: list[str], timeout_ms: int,
                 titles: dict[str, str]) -> None:
        self.idx = idx
        self.browser = browser
        self.base = base
        self.units = units
        self.timeout_ms = timeout_ms
        self.titles = titles
        self.results: list[StepResult] = []
        self.current: StepResult | None = None
        self.benign = 0
        self.page: Any = None
        self.ctx: Any = None
        self._probe = re.compile(
            rf"^{re.escape(base)}/({'|'.join(PAGE_PATHS)})/_stcore/(health|host-config)$")

    async def open(self) -> None:
        self.ctx = await self.browser.new_context(viewport={"width": 1920, "height": 1080})
        self.page = await self.ctx.new_page()
        self.page.set_default_timeout(self.timeout_ms)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self._error(f"pageerror: {e}"))

    async def close(self) -> None:
        if self.ctx is not None:
            try:
                await self.ctx.close()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass

    def _on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and "404" in msg.text and self._probe.match(url):
            self.benign += 1
            return
        self._error(f"console: {msg.text[:300]} @ {url}")

    def _error(self, text: str) -> None:
        if self.current is not None:
            self.current.errors.append(text)
        elif self.results:
            self.results[-1].errors.append(text)

    # -- waiting --

    async def _quiet(self, t0_epoch_ms: float, selector: str, title: str | None = None,
                     not_title: str | None = None) -> float | None:
        """Milliseconds from ``t0_epoch_ms`` until the page became quiet; None when the page
        shows a Streamlit exception instead (recorded by ``_check_page``)."""
        handle = await self.page.wait_for_function(
            QUIET_JS, arg=[selector, title, not_title, SETTLE_MS], polling=250,
            timeout=self.timeout_ms)
        changed_at = float(await handle.json_value())
        return None if changed_at < 0 else max(0.0, changed_at - t0_epoch_ms)

    async def _reset(self) -> None:
        try:
            await self.page.evaluate("delete window.__bench")
        except Exception:  # noqa: BLE001 - a page in the middle of navigating
            pass

    async def _check_page(self, res: StepResult) -> None:
        pg = self.page
        dialogs = pg.locator('[role="dialog"]').filter(has_text="Page not found")
        if await dialogs.count():
            text = (await dialogs.first.inner_text()).replace("\n", " ")[:300]
            res.warnings.append(f"page-not-found dialog: {text}")
            await pg.keyboard.press("Escape")
        exc = pg.locator('[data-testid="stException"]')
        for i in range(await exc.count()):
            res.errors.append("stException: " + (await exc.nth(i).inner_text())[:300].replace("\n", " "))
        alerts = pg.locator('[data-testid="stAlertContentError"]')
        for i in range(await alerts.count()):
            a = alerts.nth(i)
            if await a.locator('xpath=ancestor::*[@data-testid="stException"]').count():
                continue
            res.errors.append("st.error: " + (await a.inner_text())[:300].replace("\n", " "))

    # -- steps --

    async def _goto(self, path: str, selector: str, title: str | None = None,
                    not_title: str | None = None) -> float | None:
        t0 = time.time() * 1000
        await self.page.goto(self.base + path, wait_until="commit")
        return await self._quiet(t0, selector, title, not_title)

    async def _nav(self, key: str, selector: str) -> float | None:
        link = self.page.locator('[data-testid="stSidebarNav"] a').filter(
            has_text=self.titles[f"nav.{key}"])
        await link.first.wait_for(state="visible")
        await self._reset()
        t0 = time.time() * 1000
        await link.first.click()
        return await self._quiet(t0, selector, title=self.titles[f"title.{key}"])

    async def _drill(self) -> float | None:
        grid = self.page.locator('[data-testid="stDataFrame"]').first
        box = await grid.bounding_box()
        if box is None:
            raise RuntimeError("no league table to click")
        row = 1 + self.idx % 5  # different sessions open different units
        await self._reset()
        t0 = time.time() * 1000
        await self.page.mouse.click(box["x"] + 14, box["y"] + ROW_HEIGHT * (row + 0.5))
        await self.page.wait_for_url(re.compile(r"/don-vi\?.*unit="), wait_until="commit")
        return await self._quiet(t0, '[data-testid="stMetric"]',
                                 not_title=self.titles["title.departments"])

    async def run_step(self, rnd: int, step: str) -> None:
        res = StepResult(self.idx, rnd, step, None)
        self.current = res
        unit = self.units[(self.idx + rnd) % len(self.units)]
        try:
            if step == "overview":
                res.ms = await self._goto("/", '[data-testid="stMetric"]',
                                          title=self.titles["title.overview"])
            elif step == "departments":
                res.ms = await self._nav("departments", '[data-testid="stDataFrame"] canvas')
            elif step == "unit_drill":
                res.ms = await self._drill()
            elif step == "districts":
                res.ms = await self._nav("districts", '[data-testid="stDataFrame"] canvas')
            elif step == "trends":
                res.ms = await self._nav("trends", '[data-testid="stPlotlyChart"]')
            elif step == "lagging":
                res.ms = await self._nav("lagging", MAIN_H1)
            elif step == "unit_link":
                res.ms = await self._goto(f"/don-vi?unit={unit}", '[data-testid="stMetric"]',
                                          not_title=self.titles["title.unit_none"])
            elif step == "overview_week":
                res.ms = await self._goto("/?period=week", '[data-testid="stMetric"]',
                                          title=self.titles["title.overview"])
            else:
                raise ValueError(step)
        except Exception as exc:  # noqa: BLE001 - every failure is a result, not a crash
            name = type(exc).__name__
            kind = "timeout" if "Timeout" in name else name
            res.errors.append(f"{kind}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
        try:
            res.url = self.page.url
            await self._check_page(res)
        except Exception as exc:  # noqa: BLE001
            res.errors.append(f"check failed: {type(exc).__name__}: {str(exc)[:200]}")
        self.current = None
        self.results.append(res)

    async def run(self, rounds: int, start: asyncio.Event) -> None:
        await start.wait()
        for rnd in range(rounds):
            for step in STEPS:
                await self.run_step(rnd, step)
        await asyncio.sleep(0.5)  # late console messages land on the last step


def _titles() -> dict[str, str]:
    from texts import t

    out = {f"nav.{k}": t(f"ui.nav.{k}") for k in
           ("overview", "departments", "districts", "trends", "lagging")}
    out |= {f"title.{k}": t(f"ui.{k}.title") for k in
            ("overview", "departments", "districts", "trends", "lagging")}
    out["title.unit_none"] = t("ui.unit.title_none")
    return out


async def run_sessions(base: str, n: int, n_browsers: int, rounds: int, units: list[str],
                       timeout_ms: int) -> tuple[list[Session], float]:
    """Open ``n`` sessions over ``n_browsers`` Chromium processes, start them together; return
    the sessions and the wall time (s) from the start signal to the last session's end."""
    from playwright.async_api import async_playwright

    titles = _titles()
    async with async_playwright() as pw:
        browsers: list[Any] = []
        sessions: list[Session] = []
        try:
            browsers = list(await asyncio.gather(*[
                pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(n_browsers)]))
            sessions = [Session(i, browsers[i % n_browsers], base, units, timeout_ms, titles)
                        for i in range(n)]
            await asyncio.gather(*(s.open() for s in sessions))
            start = asyncio.Event()
            tasks = [asyncio.create_task(s.run(rounds, start)) for s in sessions]
            t0 = time.perf_counter()
            start.set()
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
        finally:
            await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
            await asyncio.gather(*(b.close() for b in browsers), return_exceptions=True)
    return sessions, wall


# --- report -------------------------------------------------------------------------------------


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def summarise(results: list[StepResult]) -> dict[str, Any]:
    rows = []
    for step in STEPS:
        rs = [r for r in results if r.step == step]
        ms = [r.ms for r in rs if r.ms is not None]
        rows.append({
            "step": step, "n": len(rs), "ok": len(ms),
            "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
            "max_ms": max(ms) if ms else None,
            "errors": sum(len(r.errors) for r in rs),
            "warnings": sum(len(r.warnings) for r in rs),
        })
    ms = [r.ms for r in results if r.ms is not None]
    return {
        "steps": rows,
        "overall": {"n": len(results), "ok": len(ms), "p50_ms": percentile(ms, 50),
                    "p95_ms": percentile(ms, 95), "max_ms": max(ms) if ms else None,
                    "mean_ms": statistics.fmean(ms) if ms else None,
                    "errors": sum(len(r.errors) for r in results),
                    "warnings": sum(len(r.warnings) for r in results)},
    }


def markdown(report: dict[str, Any]) -> str:
    lines = ["| step | n | p50 ms | p95 ms | max ms | errors | warnings |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in report["summary"]["steps"]:
        lines.append(f"| {r['step']} | {r['n']} | {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} | "
                     f"{_fmt(r['max_ms'])} | {r['errors']} | {r['warnings']} |")
    o = report["summary"]["overall"]
    lines.append(f"| **all** | {o['n']} | **{_fmt(o['p50_ms'])}** | **{_fmt(o['p95_ms'])}** | "
                 f"{_fmt(o['max_ms'])} | {o['errors']} | {o['warnings']} |")
    m = report["meta"]
    lines += [
        "",
        f"- database: `{m['db']}`; {m['sessions']} sessions over {m['browsers']} Chromium "
        f"processes, {m['rounds']} round(s) of {len(STEPS)} steps; step timeout "
        f"{m['timeout_s']:.0f} s; file watcher {m['file_watcher']}",
        f"- server start to healthy: {m['server_start_s']:.1f} s; wall time of the sessions: "
        f"{m['wall_s']:.1f} s",
        f"- peak server RSS (with children): {m['peak_rss_mb']:.0f} MB; lowest MemAvailable: "
        f"{m['min_mem_available_mb']:.0f} MB" if m["min_mem_available_mb"] is not None else
        f"- peak server RSS (with children): {m['peak_rss_mb']:.0f} MB",
        f"- load average at the end: {' / '.join(f'{x:.2f}' for x in m['loadavg_end'])} "
        f"(1/5/15 min); peak 1-min during the run: {m['peak_load1']:.2f}; {m['cpus']} CPUs",
        f"- total errors: {o['errors']}; warnings: {o['warnings']}; benign sub-page 404 probes "
        f"ignored: {m['benign_404']}",
    ]
    details = [(r["session"], r["round"], r["step"], kind, text)
               for r in report["results"] for kind in ("errors", "warnings") for text in r[kind]]
    if details:
        lines += ["", "Errors and warnings (session, round, step):", ""]
        for s, rnd, step, kind, text in details[:200]:
            lines.append(f"- [{kind[:-1]}] s{s} r{rnd} {step}: {text}")
        if len(details) > 200:
            lines.append(f"- … {len(details) - 200} more (see --json)")
    return "\n".join(lines)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="database URL (REFORM_DB_URL for the server)")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1, help="passes through the path per session")
    ap.add_argument("--port", type=int, default=8599)
    ap.add_argument("--browsers", type=int, default=None,
                    help="Chromium processes to spread the sessions over (default: one each)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per step")
    ap.add_argument("--file-watcher", default="none", choices=("none", "auto", "poll", "watchdog"),
                    help="streamlit's server.fileWatcherType (default none, as in production)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--server-log", type=Path, default=None,
                    help="the server's output (default: a temporary file, kept on errors)")
    a = ap.parse_args(argv)
    n_browsers = max(1, min(a.browsers or a.sessions, a.sessions))
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (set REFORM_CHROMIUM)")

    units = district_codes(a.db)
    log_path = a.server_log or Path(tempfile.mkstemp(prefix="bench_conc_", suffix=".log")[1])
    # Ctrl-C and SIGTERM both unwind through the finally blocks below.
    signal.signal(signal.SIGTERM, _interrupt)
    proc, start_s = start_server(a.db, a.port, log_path, a.file_watcher)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        sessions, wall = asyncio.run(run_sessions(
            f"http://127.0.0.1:{a.port}", a.sessions, n_browsers, a.rounds, units,
            int(a.timeout * 1000)))
    finally:
        sampler.stop()
        stop_server(proc)
    results = [r for s in sessions for r in s.results]
    results.sort(key=lambda r: (r.session, r.round, STEPS.index(r.step)))
    report: dict[str, Any] = {
        "meta": {
            "db": re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", a.db),
            "sessions": a.sessions, "browsers": n_browsers, "rounds": a.rounds,
            "timeout_s": a.timeout, "settle_ms": SETTLE_MS, "file_watcher": a.file_watcher,
            "server_start_s": start_s, "wall_s": wall,
            "peak_rss_mb": sampler.peak_rss_kb / 1024,
            "min_mem_available_mb": (sampler.min_avail_kb / 1024
                                     if sampler.min_avail_kb is not None else None),
            "loadavg_end": list(os.getloadavg()), "peak_load1": sampler.peak_load1,
            "cpus": os.cpu_count(), "benign_404": sum(s.benign for s in sessions),
            "server_log": str(log_path),
        },
        "summary": summarise(results),
        "results": [r.__dict__ for r in results],
    }
    print(markdown(report))
    if a.json:
        a.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = report["summary"]["overall"]["errors"] > 0
    if failed:
        print(f"\nserver log: {log_path}")
    elif a.server_log is None:
        log_path.unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
