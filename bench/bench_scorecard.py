"""Benchmark the scorecard service on a database: prints one table row per measurement.

    python bench/bench_scorecard.py [--db URL] [--week 2024-W52] [--repeat 3]

First the cold calls the overview page makes (each run once on a fresh engine, so nothing is
cached in the process: what the first visitor waits for), then the rows below. Rows: one week's
ranking of each level (the week alone, and year-to-date as of it), and the 104-week year-to-date
series of every unit of each level. Times are the best of --repeat runs (seconds, wall clock),
nothing cached between runs. ``--overview-only`` stops after the cold table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from data_access import schema  # noqa: E402
from data_access.engine import get_engine  # noqa: E402
from scorecard import service  # noqa: E402
from scorecard.periods import parse_period  # noqa: E402

LEVELS = ("department", "district", "commune", "province")


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _print(rows: list[tuple[str, str, int, float]]) -> None:
    w = max(len(r[0]) for r in rows)
    print(f"{'operation':<{w}}  {'level':<10}  {'rows':>7}  {'seconds':>8}")
    print(f"{'-' * w}  {'-' * 10}  {'-' * 7}  {'-' * 8}")
    for op, level, nrows, t in rows:
        print(f"{op:<{w}}  {level:<10}  {nrows:>7}  {t:>8.3f}")


def _overview_cold(url: str | None, week: str) -> list[tuple[str, str, int, float]]:
    """The overview page's service calls, once each, in the order the page makes them (plus the
    lagging list the dashboard prewarms), on a new engine: the cold first page load."""
    engine = get_engine(url, read_only=True)
    ytd = parse_period(week, ytd=True)
    calls = [
        ("cold scorecard ytd", "province", lambda: service.scorecard(engine, "province", ytd)),
        ("cold series ytd 26 weeks", "province",
         lambda: service.series(engine, "province", week, weeks=26, kind="ytd")),
        ("cold scorecard ytd", "department", lambda: service.scorecard(engine, "department", ytd)),
        ("cold scorecard ytd", "district", lambda: service.scorecard(engine, "district", ytd)),
        ("cold lagging", "district", lambda: service.lagging(engine, "district", week)),
    ]
    rows = []
    for op, level, fn in calls:
        t0 = time.perf_counter()
        out = fn()
        t = time.perf_counter() - t0
        frame = getattr(out, "summary", out)
        rows.append((op, level, len(frame), t))
        if isinstance(out, service.ScoreResult):
            # ui.data.load_scorecard reads the component detail too (computed on first read)
            t0 = time.perf_counter()
            comps = out.components
            rows.append(("  + its .components", level, len(comps), time.perf_counter() - t0))
    rows.append(("cold overview total", "", sum(r[2] for r in rows), sum(r[3] for r in rows)))
    engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database URL (default: configured)")
    ap.add_argument("--week", help="ISO week (default: latest week with data)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--overview-only", action="store_true", help="only the cold overview calls")
    args = ap.parse_args(argv)
    engine = get_engine(args.db, read_only=True)
    week = args.week or service.latest_week(engine)
    if week is None:
        print("no data", file=sys.stderr)
        return 2
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(schema.dossier)).scalar_one()
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"dossiers: {n:,}   week: {week}   best of {args.repeat}")
    _print(_overview_cold(args.db, week))
    if args.overview_only:
        engine.dispose()
        return 0
    print()
    rows = []
    for level in LEVELS:
        for kind in ("week", "ytd"):
            p = parse_period(week, ytd=kind == "ytd")
            t, res = _best(lambda p=p, level=level: service.scorecard(engine, level, p), args.repeat)
            rows.append((f"ranking {kind}", level, len(res.summary), t))
    total = 0.0
    for level in LEVELS:
        t, ser = _best(
            lambda level=level: service.series(engine, level, week, weeks=args.weeks, kind="ytd"),
            args.repeat,
        )
        total += t
        rows.append((f"series ytd {args.weeks} weeks", level, len(ser), t))
    rows.append((f"series ytd {args.weeks} weeks", "all units", sum(r[2] for r in rows[-4:]), total))
    t, lag = _best(lambda: service.lagging(engine, "district", week), args.repeat)
    rows.append(("lagging (ytd + 4-week series)", "district", len(lag), t))
    _print(rows)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
