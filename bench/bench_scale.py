"""Scale benchmark: 1 and 10 million dossiers, SQLite and PostgreSQL, against the naive approach.

    .venv/bin/python bench/bench_scale.py                       # everything, then docs/benchmarks.md
    .venv/bin/python bench/bench_scale.py --sizes 1M --backends sqlite --phases build pages
    .venv/bin/python bench/bench_scale.py --render-only          # rewrite the doc from results

For each size and backend it builds a demo database (``data_access.demo`` at the scale that gives
that many dossiers), then measures, each phase in a child process of its own so that its peak
RSS is its own:

- build: generating and loading the demo, its full refresh and the score snapshot;
- week: importing one more week of dossiers (a CSV in the province's export format, as the
  weekly upload is), and the refresh of what that week touched, on its own;
- engine: the scorecard engine's one-week ranking and 104-week series, cold;
- pages: every page's server-side render time (``streamlit.testing``: the real app script),
  cold and warm, a filter change, a week change and a drill-down; peak memory of that process;
- naive: the same for a typical Streamlit app that reads the dossier table into pandas and
  aggregates on every rerun (``bench/naive_app.py``, ``bench/naive.py``);
- size: the database's size on disk.

Results accumulate in ``<workdir>/results.json`` (so phases can be re-run one at a time) and are
rendered, with the machine's description, to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_report import parse_pages, render  # noqa: E402

SIZES = {"1M": 1_000_000, "10M": 10_000_000}
PHASES = ("build", "week", "engine", "pages", "naive", "size")
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def db_url(size: str, backend: str, workdir: Path, pg_admin: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'reform_{size.lower()}.db'}"
    base = pg_admin.rsplit("/", 1)[0]
    return f"{base}/reform_bench_{size.lower()}"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- phases (each runs in a child process and returns a JSON-able dict) -----------------------


def phase_build(url: str, size: str) -> dict:
    # scorecard.service is loaded now although only the snapshot at the very end needs it: a
    # long build must not pick up files edited in the working tree while it runs
    import scorecard.service  # noqa: F401
    from data_access.demo import planned_dossiers
    from data_access.engine import get_engine
    from scorecard.pipeline import generate_demo

    engine = get_engine(url)
    # the demo's volume depends on its span (up to last week) and the provinces in it
    scale = SIZES[size] / planned_dossiers(engine)
    t0 = time.perf_counter()
    counts = generate_demo(engine, scale=scale, progress=os.environ.get("BENCH_PROGRESS") == "1")
    seconds = time.perf_counter() - t0
    engine.dispose()
    return {"dossiers": counts["dossier"], "scale": scale, "seconds": seconds, "rss_mb": _peak_mb()}


def _last_week(engine) -> str:  # noqa: ANN001
    from scorecard import service

    week = service.latest_week(engine)
    if week is None:
        raise SystemExit("no data: run the build phase first")
    return week


def write_week_csv(engine, path: Path, week: str) -> int:  # noqa: ANN001
    """The week's dossiers as the province's export (the importer's column headers), as the weekly
    upload brings them: every dossier received that week, upserted by its code."""
    import pandas as pd
    from sqlalchemy import select

    from data_access import formats as fm
    from data_access import schema as s

    cols = list(fm.DOSSIER.columns)
    stmt = select(*[s.dossier.c[c.column] for c in cols]).where(s.dossier.c.received_week == week)
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for c in cols:
        if c.type == fm.DATETIME:
            df[c.column] = pd.to_datetime(df[c.column]).dt.strftime("%Y-%m-%d %H:%M:%S")
    df.columns = [c.header for c in cols]
    df.to_csv(path, index=False)
    return len(df)


def phase_week(url: str, size: str) -> dict:
    """Import one week's dossiers (the weekly upload), then the refresh of that week alone."""
    import tempfile

    from sqlalchemy import select

    from data_access import schema as s
    from data_access.engine import get_engine
    from scorecard.pipeline import import_file, refresh

    engine = get_engine(url)
    week = _last_week(engine)
    with tempfile.TemporaryDirectory(prefix="bench_week_") as tmp:
        path = Path(tmp) / "ho_so_tuan.csv"
        rows = write_week_csv(engine, path, week)
        t0 = time.perf_counter()
        res = import_file(engine, path)
        import_s = time.perf_counter() - t0
    if not res.ok:
        raise SystemExit("; ".join(res.messages))
    with engine.connect() as conn:
        buckets = conn.execute(
            select(s.dossier.c.received_bucket).distinct().where(s.dossier.c.received_week == week)
        ).scalars().all()
    t0 = time.perf_counter()
    with engine.begin() as conn:
        refresh(conn, buckets)
    refresh_s = time.perf_counter() - t0
    engine.dispose()
    return {
        "week": week, "rows": rows, "inserted": res.inserted, "updated": res.updated,
        "import_s": import_s, "refresh_s": refresh_s, "buckets": len(buckets), "rss_mb": _peak_mb(),
    }


def phase_engine(url: str, size: str) -> dict:
    """The scorecard engine, each call on a new engine (nothing cached in the process): one
    week's ranking of each level and the 104-week year-to-date series of every unit, from the
    score snapshot (what the app does) and computed from the aggregates (the snapshot's own cost)."""
    from data_access.engine import get_engine
    from scorecard import service
    from scorecard.periods import parse_period, weeks_between

    url_engine = get_engine(url, read_only=True)
    week = _last_week(url_engine)
    url_engine.dispose()
    levels = ("department", "district", "commune", "province")

    def timed(fn) -> float:  # noqa: ANN001
        engine = get_engine(url, read_only=True)
        try:
            t0 = time.perf_counter()
            fn(engine)
            return time.perf_counter() - t0
        finally:
            engine.dispose()

    p = parse_period(week)
    first = weeks_between("2023-W01", week)[-104]
    week_list = weeks_between(first, week)
    out: dict = {"week": week}
    out["ranking_s"] = {lv: timed(lambda e, lv=lv: service.scorecard(e, lv, p)) for lv in levels}
    out["series_s"] = {lv: timed(lambda e, lv=lv: service.series(e, lv, week, weeks=104)) for lv in levels}

    # Bypassing the snapshot: the private on-demand paths the snapshot is built from.
    def ranking_on_demand(e, lv):  # noqa: ANN001, ANN202
        with e.connect() as conn:
            service._score(conn, lv, p, None)

    def series_on_demand(e, lv):  # noqa: ANN001, ANN202
        with e.connect() as conn:
            service._series(conn, lv, week_list, "ytd", None)

    out["ranking_on_demand_s"] = {lv: timed(lambda e, lv=lv: ranking_on_demand(e, lv)) for lv in levels}
    out["series_on_demand_s"] = {lv: timed(lambda e, lv=lv: series_on_demand(e, lv)) for lv in levels}
    out["rss_mb"] = _peak_mb()
    return out


def phase_pages(url: str, size: str) -> dict:
    """Every page's server time through streamlit.testing, in this process (whose peak RSS is
    then the app's): see bench/bench_app.py for the steps."""
    from bench.bench_app import measure_pages

    rows = measure_pages(url)
    return {"pages": rows, "rss_mb": _peak_mb()}


def phase_size(url: str, size: str) -> dict:
    from sqlalchemy import text

    from data_access.engine import get_engine

    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        engine = get_engine(url)
        with engine.begin() as conn:  # fold the WAL into the file so its size is the database's
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        files = [path, path.with_name(path.name + "-wal")]
        return {"bytes": sum(f.stat().st_size for f in files if f.exists())}
    engine = get_engine(url)
    with engine.connect() as conn:  # PostgreSQL's own size function: this is a bench, not a query
        n = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return {"bytes": int(n)}


def phase_naive(url: str, size: str) -> dict:
    from bench.naive_bench import measure_naive

    return {**measure_naive(url), "rss_mb": _peak_mb()}


PHASE_FUNCS = {
    "build": phase_build,
    "week": phase_week,
    "engine": phase_engine,
    "pages": phase_pages,
    "naive": phase_naive,
    "size": phase_size,
}


# --- driver -----------------------------------------------------------------------------------


def _create_pg_database(url: str, pg_admin: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _run_child(phase: str, url: str, size: str, timeout: float) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", phase, url, size],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    if out.returncode != 0:
        lines = (out.stderr or out.stdout or "no output").strip().splitlines()
        return {"error": lines[-1][:300] if lines else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    mem_kb = int(next(ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")).split()[1])
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    import sqlite3

    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(PG_ADMIN)
        with admin.connect() as c:
            pg = "PostgreSQL " + str(c.execute(text("SHOW server_version")).scalar_one()).split()[0]
        admin.dispose()
    except Exception:  # noqa: BLE001 - the description only; the runs report their own errors
        pg = "PostgreSQL (not reachable)"
    return {
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def _merge(into: dict, new: dict, path: tuple[str, ...] = ()) -> None:
    """Merge down to a run's phases ({"runs": {key: {phase: result}}}) and to the load runs'
    labels ({"load": {label: result}}); a phase's result, a load run, the machine and the
    concurrency results are replaced whole."""
    for k, v in new.items():
        nested = isinstance(v, dict) and isinstance(into.get(k), dict)
        if nested and ((not path and k in ("runs", "load")) or path == ("runs",)):
            _merge(into[k], v, (*path, k))
        else:
            into[k] = v


def save(path: Path, update: dict) -> None:
    """Merge ``update`` into the results file under a lock: runs of other sizes or backends may
    be writing to it from another shell at the same time."""
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = json.loads(path.read_text()) if path.exists() else {}
        _merge(results, update)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        tmp.replace(path)


def cpu_probe_ms() -> float:
    """Milliseconds a fixed pure-Python loop takes (best of five): the speed of a core right
    now. On this shared virtual machine the same loop takes from about 40 to 75 ms from one
    minute to the next, with the load average near zero, and page times follow it."""
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        acc = 0
        for i in range(1_000_000):
            acc += i * i
        best = min(best, time.perf_counter() - t0)
    return round(best * 1000, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES)
    ap.add_argument("--workdir", default="/var/tmp/reform-bench", help="databases and results.json")
    ap.add_argument("--pg-admin", default=PG_ADMIN, help="URL of a PostgreSQL maintenance database")
    ap.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per phase")
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--concurrency", metavar="JSON",
                    help="add bench_concurrency.py --json results to the document")
    ap.add_argument("--baseline", metavar="MD",
                    default=str(ROOT / "bench" / "baselines" / "2026-11-28_altair.md"),
                    help="an earlier benchmarks.md to compare page times with ('' for none)")
    ap.add_argument("--baseline-label", default="Altair (commit 4f32baf, 28/11/2026) → Plotly",
                    help="what changed between the baseline and this run")
    ap.add_argument("--first-chart", nargs=2, metavar=("BEFORE_JSON", "AFTER_JSON"),
                    help="add bench_first_chart.py --json results (before, after) to the document")
    ap.add_argument("--load", nargs=2, action="append", metavar=("LABEL", "JSON"),
                    help="add a bench_load.py --json result under this heading (repeatable)")
    ap.add_argument("--browser", metavar="JSON",
                    help="add a bench_first_chart.py --week-change --json result")
    ap.add_argument("--pack", metavar="JSON",
                    help="add bench/profile_pack.py --json timings (the meeting pack) to the document")
    ap.add_argument("--child", nargs=3, metavar=("PHASE", "URL", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        phase, url, size = args.child
        print(json.dumps(PHASE_FUNCS[phase](url, size)))
        return 0

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = workdir / "results.json"
    if args.concurrency:
        save(results_path, {"concurrency": json.loads(Path(args.concurrency).read_text())})
    for label, path in args.load or []:
        doc = json.loads(Path(path).read_text())
        doc.pop("samples", None)  # every rerun's timing stays in the run's own JSON
        save(results_path, {"load": {label: doc}})
    if args.browser:
        save(results_path, {"browser": json.loads(Path(args.browser).read_text())})
    if args.pack:
        save(results_path, {"pack": json.loads(Path(args.pack).read_text())})
    if args.first_chart:
        before, after = (json.loads(Path(f).read_text()) for f in args.first_chart)
        save(results_path, {"first_chart": {"before": before, "after": after}})
    if not args.render_only:
        save(results_path, {"machine": machine()})
        for size in args.sizes:
            for backend in args.backends:
                url = db_url(size, backend, workdir, args.pg_admin)
                key = f"{size}/{backend}"
                for phase in args.phases:
                    if phase not in PHASE_FUNCS:
                        continue
                    if phase == "build":
                        if backend == "sqlite":
                            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
                        else:
                            _create_pg_database(url, args.pg_admin)
                    print(f"[{datetime.now():%H:%M:%S}] {key} {phase} ...", flush=True)
                    load, probe = os.getloadavg()[0], cpu_probe_ms()
                    res = _run_child(phase, url, size, args.timeout)
                    res["at"] = datetime.now().isoformat(timespec="seconds")
                    # the 1-minute load average before and after: a busy machine shows here
                    res["load"] = [round(load, 1), round(os.getloadavg()[0], 1)]
                    # and the speed of the cores themselves (a shared virtual machine's vary)
                    res["cpu_probe_ms"] = [probe, cpu_probe_ms()]
                    print(f"    {json.dumps(res)}", flush=True)
                    save(results_path, {"runs": {key: {phase: res}}})
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    baseline = parse_pages(Path(args.baseline).read_text(encoding="utf-8")) if args.baseline else None
    doc = render(results, baseline, args.baseline_label)
    Path(args.doc).write_text(doc, encoding="utf-8")
    print(doc)
    print(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
