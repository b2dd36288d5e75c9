"""Load generator at the protocol level: N Streamlit sessions over the websocket, no browser.

Each session is a user with the dashboard open: it GETs the page's HTML (the sticky-routing
cookie behind nginx), opens ``/_stcore/stream`` and asks for a page with a ``rerun_script``
``BackMsg``, then "clicks" (another ``rerun_script``: the next page, a query string) after a
think time drawn uniformly between ``--think MIN MAX`` seconds (5 to 15). ``--burst`` replaces the
think times with a barrier: all sessions open at once, then click at once, ``--rounds`` times
(the office opening the link at 8:00, then the meeting room all clicking the same tab).

A rerun is timed from the message sent (from the HTML request for a session's first page) to
the script's final ``script_finished`` (bench/st_protocol.py speaks the protocol). Errors: an
exception element on the page (``st.exception``, an uncaught error), a compile error, a page
not found, a disconnect, a timeout (``--timeout``, 60 s). ``st.error`` banners are counted apart.

Pages are templates, ``--page 'don-vi?unit={unit}&week={week}'`` (repeatable; the default walks
every page of the app); ``{unit}`` and ``{week}`` are drawn from ``--db`` (units and weeks with
data), a parameter left empty is dropped. Session i starts at the i-th page and walks the list
in turn. The app reads ``week``/``period``/``level`` from the URL only on a session's first run
(ui/state.py), so ``--new-session-per-click`` opens every click in a new session, like a user
opening links from a chat.

The server's memory: the summed RSS of the processes listening on ``--rss-port`` (repeatable;
default the target's port) or given by ``--server-pid``, with their descendants, sampled every
0.5 s. Behind nginx name the app processes' ports (``--rss-port 8601 --rss-port 8602``).

    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8501 --sessions 10 --clicks 5
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8600 --sessions 10 --burst \\
        --rounds 3 --db sqlite:////tmp/demo.db --rss-port 8601 --rss-port 8602 --json /tmp/l.json

Exit code 1 when any rerun failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procmem import RssSampler  # noqa: E402
from bench.st_protocol import RerunResult, Session  # noqa: E402

DEFAULT_PAGES = ("", "so-ban-nganh", "dia-phuong", "xu-huong", "cham-tien-do",
                 "don-vi?unit={unit}&week={week}", "doi-chieu")


@dataclass
class Sample:
    """A rerun with its place in the run."""

    session: int
    step: int  # 0 = the session's first page
    t_start: float  # seconds since the run began
    result: RerunResult


@dataclass
class Plan:
    url: str
    sessions: int
    pages: list[str]
    clicks: int = 5  # clicks after the first page, per session (think mode)
    think: tuple[float, float] = (5.0, 15.0)
    burst: bool = False
    rounds: int = 3  # burst mode: clicks after the opening round
    new_session_per_click: bool = False
    timeout: float = 60.0
    ramp: float = 0.0  # think mode: session starts spread over this many seconds
    seed: int = 766
    units: list[str] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)


def fill(template: str, rng: random.Random, units: list[str], weeks: list[str]) -> str:
    """A page template with ``{unit}``/``{week}`` drawn; parameters left empty are dropped."""
    path, _, query = template.partition("?")
    values = {"unit": rng.choice(units) if units else "", "week": rng.choice(weeks) if weeks else ""}
    pairs = [(k, v.format(**values)) for k, v in parse_qsl(query, keep_blank_values=True)]
    pairs = [(k, v) for k, v in pairs if v]
    return path + (f"?{urlencode(pairs)}" if pairs else "")


def discover(db_url: str, recent_weeks: int = 26) -> tuple[list[str], list[str]]:
    """Unit codes (every ranked unit, not the province) and the last ``recent_weeks`` weeks
    with data, to fill page templates."""
    from data_access import queries as q
    from data_access.engine import get_engine

    eng = get_engine(db_url, read_only=True)
    try:
        units = q.active_units(eng)
        weeks = q.available_weeks(eng)["week"].astype(str).tolist()
    finally:
        eng.dispose()
    codes = units[units["level"].astype(str) != "province"]["code"].astype(str).tolist()
    return sorted(codes), weeks[-recent_weeks:]


async def _session(plan: Plan, i: int, t0: float, out: list[Sample],
                   barrier: asyncio.Barrier | None) -> None:
    rng = random.Random(plan.seed * 1000 + i)
    s = Session(plan.url, timeout=plan.timeout)
    steps = 1 + (plan.rounds if plan.burst else plan.clicks)
    try:
        if barrier is None and plan.ramp > 0:
            await asyncio.sleep(plan.ramp * i / max(1, plan.sessions))
        for step in range(steps):
            if barrier is not None:
                await barrier.wait()
            elif step > 0:
                await asyncio.sleep(rng.uniform(*plan.think))
            target = fill(plan.pages[(i + step) % len(plan.pages)], rng, plan.units, plan.weeks)
            start = time.perf_counter() - t0
            if step == 0 or plan.new_session_per_click or not s.connected:
                await s.close()
                res = await s.open(target)
            else:
                res = await s.rerun(target)
            out.append(Sample(i, step, start, res))
    finally:
        await s.close()


async def run(plan: Plan) -> tuple[list[Sample], float]:
    """Every session of ``plan``, concurrently: the samples and the wall time in seconds."""
    out: list[Sample] = []
    barrier = asyncio.Barrier(plan.sessions) if plan.burst else None
    t0 = time.perf_counter()
    await asyncio.gather(*(_session(plan, i, t0, out, barrier) for i in range(plan.sessions)))
    return out, time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def _stats(label: str, samples: list[Sample]) -> dict[str, Any]:
    ms = [s.result.ms for s in samples if not s.result.error]
    return {"page": label, "n": len(samples), "ok": len(ms), "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95), "max_ms": max(ms) if ms else None,
            "errors": sum(s.result.error for s in samples),
            "error_alerts": sum(s.result.error_alerts for s in samples)}


def summarise(samples: list[Sample], wall_s: float) -> dict[str, Any]:
    by_page: dict[str, list[Sample]] = {}
    for s in samples:
        by_page.setdefault("/" + s.result.page, []).append(s)
    outcomes = Counter(s.result.outcome for s in samples if s.result.error)
    upstreams = Counter(s.result.upstream for s in samples if s.step == 0 and s.result.upstream)
    return {
        "pages": [_stats(p, v) for p, v in sorted(by_page.items())],
        "opens": _stats("first page of a session", [s for s in samples if s.step == 0]),
        "clicks": _stats("later clicks", [s for s in samples if s.step > 0]),
        "overall": _stats("all", samples),
        "reruns_per_s": len(samples) / wall_s if wall_s > 0 else None,
        "errors_by_outcome": dict(outcomes),
        "sessions_by_upstream": dict(upstreams),
        # sessions whose websocket went to another process than their HTML page: not sticky
        "unsticky_sessions": sum(1 for s in samples if s.result.upstream and s.result.ws_upstream
                                 and s.result.upstream != s.result.ws_upstream),
    }


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def markdown(report: dict[str, Any]) -> str:
    summ, m = report["summary"], report["meta"]
    lines = ["| page | n | p50 ms | p95 ms | max ms | errors | st.error |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    rows = [*summ["pages"], summ["opens"], summ["clicks"], summ["overall"]]
    for r in rows:
        name = f"**{r['page']}**" if r in (summ["opens"], summ["clicks"], summ["overall"]) else \
            f"`{r['page']}`"
        lines.append(f"| {name} | {r['n']} | {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} | "
                     f"{_fmt(r['max_ms'])} | {r['errors']} | {r['error_alerts']} |")
    mode = (f"burst: all sessions at once, 1 opening round + {m['rounds']} click round(s)"
            if m["burst"] else
            f"think time {m['think_s'][0]:g}–{m['think_s'][1]:g} s, {m['clicks']} click(s) "
            f"per session after the first page")
    rate = summ["reruns_per_s"]
    lines += [
        "",
        f"- target: {m['url']}; {m['sessions']} sessions; {mode}"
        + ("; every click in a new session" if m["new_session_per_click"] else ""),
        (f"- wall time {m['wall_s']:.1f} s; throughput {rate:.2f} reruns/s" if rate else
         f"- wall time {m['wall_s']:.1f} s")
        + f"; the generator's own CPU time {m['client_cpu_s']:.1f} s",
        f"- errors: {summ['overall']['errors']}"
        + (f" ({', '.join(f'{k} {v}' for k, v in summ['errors_by_outcome'].items())})"
           if summ["errors_by_outcome"] else ""),
        f"- server peak RSS: {m['peak_rss_mb']:.0f} MB over {m['rss_processes']} process(es) "
        f"({m['rss_source']})" if m["peak_rss_mb"] else "- server RSS: not sampled (no process found)",
    ]
    if summ["sessions_by_upstream"]:
        lines.append("- sessions per upstream (nginx X-Upstream): " + ", ".join(
            f"{k} {v}" for k, v in sorted(summ["sessions_by_upstream"].items()))
            + f"; websocket on another process than the page: {summ['unsticky_sessions']}")
    errs = [s for s in report["samples"] if s["outcome"] != "ok"]
    if errs:
        lines += ["", "Errors (session, step, page):", ""]
        for e in errs[:50]:
            lines.append(f"- s{e['session']} #{e['step']} /{e['page']}?{e['query']}: "
                         f"{e['outcome']}: {e['detail']}")
        if len(errs) > 50:
            lines.append(f"- … {len(errs) - 50} more (see --json)")
    return "\n".join(lines)


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def build_report(plan: Plan, samples: list[Sample], wall_s: float,
                 sampler: RssSampler | None, rss_source: str) -> dict[str, Any]:
    samples = sorted(samples, key=lambda s: (s.session, s.step))
    return {
        "meta": {
            "url": plan.url, "sessions": plan.sessions, "burst": plan.burst,
            "rounds": plan.rounds, "clicks": plan.clicks, "think_s": list(plan.think),
            "new_session_per_click": plan.new_session_per_click, "timeout_s": plan.timeout,
            "pages": plan.pages, "wall_s": wall_s,
            "peak_rss_mb": sampler.peak_kb / 1024 if sampler else 0.0,
            "rss_processes": sampler.processes if sampler else 0, "rss_source": rss_source,
            # the generator's own CPU: near wall time x cores means it, not the server, was busy
            "client_cpu_s": _cpu_s(),
        },
        "summary": summarise(samples, wall_s),
        "samples": [{"session": s.session, "step": s.step, "t_start_s": round(s.t_start, 3),
                     **s.result.as_dict()} for s in samples],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8501",
                    help="the dashboard (a Streamlit process or nginx in front of several)")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--page", action="append", default=None,
                    help="page template 'path?query' with {unit} and {week} (repeatable)")
    ap.add_argument("--db", default=None, help="database to draw {unit} and {week} from")
    ap.add_argument("--clicks", type=int, default=5, help="clicks per session after the first page")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="think time between clicks, seconds (uniform)")
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="spread the sessions' starts over this many seconds (think mode)")
    ap.add_argument("--burst", action="store_true", help="all sessions click at once (barrier)")
    ap.add_argument("--rounds", type=int, default=3, help="burst: click rounds after the opening")
    ap.add_argument("--new-session-per-click", action="store_true",
                    help="open every click in a new session (URL filters read afresh)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per rerun")
    ap.add_argument("--server-pid", type=int, action="append", default=[],
                    help="a server process to sample (repeatable; with its descendants)")
    ap.add_argument("--rss-port", type=int, action="append", default=[],
                    help="sample the processes listening on this port (repeatable)")
    ap.add_argument("--seed", type=int, default=766)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    a = ap.parse_args(argv)
    if a.sessions < 1:
        ap.error("--sessions must be at least 1")
    if a.think[0] < 0 or a.think[1] < a.think[0]:
        ap.error("--think MIN MAX needs 0 <= MIN <= MAX")

    units, weeks = discover(a.db) if a.db else ([], [])
    plan = Plan(url=a.url.rstrip("/"), sessions=a.sessions, pages=a.page or list(DEFAULT_PAGES),
                clicks=a.clicks, think=(a.think[0], a.think[1]), burst=a.burst, rounds=a.rounds,
                new_session_per_click=a.new_session_per_click, timeout=a.timeout, ramp=a.ramp,
                seed=a.seed, units=units, weeks=weeks)
    ports = a.rss_port or ([] if a.server_pid else [urlsplit(plan.url).port or 80])
    source = ", ".join([*(f"pid {p}" for p in a.server_pid), *(f"port {p}" for p in ports)])
    with RssSampler(pids=a.server_pid, ports=ports) as sampler:
        samples, wall = asyncio.run(run(plan))
    report = build_report(plan, samples, wall, sampler, source)
    report["meta"]["db"] = redact(a.db) if a.db else None
    print(markdown(report))
    if a.json:
        a.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if report["summary"]["overall"]["errors"] else 0


def redact(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


if __name__ == "__main__":
    sys.exit(main())
