"""Profile one page's warm rerun: where the server time of a filter change goes.

Runs the real ``app.py`` through ``streamlit.testing`` (one fresh session per step, as
``bench/bench_app.py`` does), first a cold load and a warm load to fill the caches, then one
rerun per uncached week (a value nobody has opened in this process: computed, not cached), and
again the same weeks (cached: what drawing alone costs). It prints the times, the SQL statements
the uncached reruns ran (count, total and slowest time, via SQLAlchemy event hooks) and, with
``--profile``, the top cumulative cProfile entries of the uncached reruns.

    .venv/bin/python bench/profile_rerun.py --db postgresql+psycopg://postgres@127.0.0.1:5432/reform_bench_10m \
        --page 'unit?unit=SYT' --n 5 --profile --sql
    .venv/bin/python bench/profile_rerun.py --db ... --page all      # every page: the table
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "overview": "app_pages/overview.py",
    "departments": "app_pages/departments.py",
    "districts": "app_pages/districts.py",
    "trends": "app_pages/trends.py",
    "lagging": "app_pages/lagging.py",
    "unit": "app_pages/unit.py",
    "official": "app_pages/official.py",
}


class SqlLog:
    """Statement times through SQLAlchemy's cursor events (every engine of the process)."""

    def __init__(self) -> None:
        self.on = False
        self.stats: dict[str, list[float]] = defaultdict(list)

    def install(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        @event.listens_for(Engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, executemany):  # noqa: ANN001, ANN202
            conn.info.setdefault("_t0", []).append(time.perf_counter())

        @event.listens_for(Engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, executemany):  # noqa: ANN001, ANN202
            t0 = conn.info["_t0"].pop()
            if self.on:
                key = " ".join(statement.split())[:160]
                self.stats[key].append((time.perf_counter() - t0) * 1000)

    def report(self, runs: int, top: int) -> str:
        rows = sorted(self.stats.items(), key=lambda kv: -sum(kv[1]))
        total = sum(sum(v) for v in self.stats.values())
        n = sum(len(v) for v in self.stats.values())
        out = [f"SQL: {n} statements in {runs} rerun(s), {total:,.0f} ms "
               f"({total / max(runs, 1):,.0f} ms a rerun)",
               "  total ms   n   max ms  statement"]
        for stmt, v in rows[:top]:
            out.append(f"  {sum(v):8,.1f} {len(v):3d} {max(v):8,.1f}  {stmt}")
        return "\n".join(out)


def _time_service(timers: dict[str, list[float]], on: list[bool]) -> None:
    """Wrap every public function of scorecard.service (as ui.data calls them) with a timer."""
    import functools
    import inspect

    from scorecard import service

    for name, fn in list(vars(service).items()):
        if name.startswith("_") or not inspect.isfunction(fn):
            continue

        def wrap(f, name=name):  # noqa: ANN001, ANN202
            @functools.wraps(f)
            def timed(*a, **k):  # noqa: ANN002, ANN003, ANN202
                t0 = time.perf_counter()
                try:
                    return f(*a, **k)
                finally:
                    if on:
                        timers[name].append((time.perf_counter() - t0) * 1000)
            return timed

        setattr(service, name, wrap(fn))


def parse_spec(spec: str) -> tuple[str, dict[str, str], str | None]:
    """"unit?unit=SYT&period=week@2025-W26" -> ("unit", {"unit": "SYT", "period": "week"},
    "2025-W26"): the page, its query parameters, and the week its warm load shows (the uncached
    weeks are the ones just before it; default: the latest week)."""
    spec, _, at = spec.partition("@")
    name, _, query = spec.partition("?")
    if name not in PAGES:
        raise SystemExit(f"unknown page {name!r}: one of {', '.join(PAGES)}")
    params = dict(kv.split("=", 1) for kv in query.split("&") if kv)
    return name, params, at or None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL")
    ap.add_argument("--page", action="append", metavar="SPEC",
                    help="NAME[?k=v&k=v][@WEEK], repeatable, or 'all' (every page; the unit page "
                         "for SYT, and for district 510 with its communes in 2025)")
    ap.add_argument("--n", type=int, default=5, help="uncached weeks to time")
    ap.add_argument("--profile", nargs="?", const="change", choices=("change", "cached"),
                    help="cProfile the uncached reruns (change, the default) or the cached ones")
    ap.add_argument("--sql", action="store_true", help="list the uncached reruns' SQL")
    ap.add_argument("--timers", action="store_true",
                    help="time each scorecard.service call of the uncached reruns (no profiler)")
    ap.add_argument("--compile-each-step", action="store_true",
                    help="a new ScriptCache per step (AppTest's default): the scripts compiled "
                         "on every step, which a server does once")
    ap.add_argument("--top", type=int, default=40, help="rows of the profile and SQL tables")
    ap.add_argument("--sort", default="cumulative", help="pstats sort key")
    ap.add_argument("--callers", metavar="REGEX", help="also print the callers of these functions")
    ap.add_argument("--save", metavar="FILE", help="save the profile (pstats) of the last page")
    args = ap.parse_args(argv)

    os.environ["REFORM_DB_URL"] = args.db
    os.environ["REFORM_NO_PREWARM"] = "1"
    specs = args.page or ["unit?unit=SYT"]
    if specs == ["all"]:
        specs = [*(p for p in PAGES if p not in ("unit", "official")), "unit?unit=SYT",
                 "unit?unit=510@2025-W24", "official"]

    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.testing.v1 import AppTest

    from bench.bench_app import page_hashes, share_script_cache, wait_without_polling
    from data_access.engine import get_engine
    from scorecard import service

    eng = get_engine(args.db, read_only=True)
    all_weeks = service.available_weeks(eng)
    eng.dispose()
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    sql = SqlLog()
    sql.install()

    # The script runs in a thread of its own: profile inside it.
    profiling: list[cProfile.Profile] = []
    original = ScriptRunner._run_script

    def profiled(self, rerun_data):  # noqa: ANN001, ANN202
        if not profiling:
            return original(self, rerun_data)
        profiling[0].enable()
        try:
            return original(self, rerun_data)
        finally:
            profiling[0].disable()

    ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    if not args.compile_each_step:
        share_script_cache()
        wait_without_polling()
    hashes = page_hashes(components)
    timers: dict[str, list[float]] = defaultdict(list)
    timing: list[bool] = []
    if args.timers:
        _time_service(timers, timing)

    def run(path: str, params: dict[str, str], prof: cProfile.Profile | None = None) -> float:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at._bidi_component_manager = components  # private: see bench/bench_app.py
        for k, v in params.items():
            at.query_params[k] = v
        at._page_hash = hashes[path]  # private: see bench.bench_app.page_hashes
        profiling[:] = [prof] if prof is not None else []
        t0 = time.perf_counter()
        at.run()
        profiling.clear()
        ms = (time.perf_counter() - t0) * 1000
        if at.exception:
            raise SystemExit(f"{path} {params}: {at.exception[0].message}")
        return ms

    rows = []
    for spec in specs:
        name, params, last = parse_spec(spec)
        path = PAGES[name]
        last = last or all_weeks[-1]
        i = all_weeks.index(last)
        weeks = all_weeks[max(0, i - args.n):i][::-1]
        base = {**params, "week": last} if last != all_weeks[-1] else params
        load = os.getloadavg()[0]
        cold = run(path, base)
        warm = [run(path, base) for _ in range(3)]
        prof = cProfile.Profile() if args.profile else None
        sql.stats.clear()
        sql.on = True
        on_change = prof if args.profile == "change" else None
        timers.clear()
        timing[:] = [True]
        changed = [run(path, {**params, "week": w}, on_change) for w in weeks]
        timing.clear()
        sql.on = False
        on_cached = prof if args.profile == "cached" else None
        cached = [run(path, {**params, "week": w}, on_cached) for w in weeks]
        row = {"spec": spec, "cold": cold, "warm": statistics.median(warm),
               "change": statistics.median(changed), "cached": statistics.median(cached),
               "load": (load, os.getloadavg()[0])}
        rows.append(row)
        print(f"\n== {spec} on {args.db.rsplit('@', 1)[-1]}; "
              f"load average {load:.1f} → {os.getloadavg()[0]:.1f}")
        print(f"cold {cold:,.0f} ms; warm {row['warm']:,.0f} ms "
              f"({', '.join(f'{x:,.0f}' for x in warm)})")
        print(f"week change (uncached) median {row['change']:,.0f} ms: "
              + ", ".join(f"{w} {x:,.0f}" for w, x in zip(weeks, changed, strict=True)))
        print(f"same weeks (cached) median {row['cached']:,.0f} ms: "
              + ", ".join(f"{x:,.0f}" for x in cached))
        if args.sql:
            print(sql.report(len(weeks), args.top))
        else:
            print(sql.report(len(weeks), 0).splitlines()[0])
        if timers:
            print("service calls of the uncached reruns (ms a rerun, inclusive; calls):")
            for name, v in sorted(timers.items(), key=lambda kv: -sum(kv[1])):
                print(f"  {sum(v) / len(weeks):7.1f}  {len(v) / len(weeks):4.1f}  {name}")
        if prof is not None:
            buf = io.StringIO()
            st_ = pstats.Stats(prof, stream=buf).sort_stats(args.sort)
            st_.print_stats(args.top)
            if args.callers:
                st_.print_callers(args.callers)
            if args.save:
                st_.dump_stats(args.save)
            print(buf.getvalue())
    print("\n| page | warm load | week change (uncached) | same weeks (cached) | load average |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['spec']} | {r['warm']:,.0f} ms | {r['change']:,.0f} ms | {r['cached']:,.0f} ms "
              f"| {r['load'][0]:.1f} → {r['load'][1]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
