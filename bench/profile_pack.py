"""Profile the meeting pack of a week: collect, the deck and the workbook, each timed, with
the top cProfile entries and SQL statement times (``bench/profile_rerun.py``'s hooks).

    .venv/bin/python bench/profile_pack.py --db sqlite:////var/tmp/full.db --week 2025-W20 --profile

``--dashboard`` times what the dashboard's button does (``ui.data.load_pack``: one fetch of
the week's data, the workbook built in a second thread while the deck is built, st.cache_data
emptied first); the default is the CLI's deck then workbook, one after the other.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL")
    ap.add_argument("--week", nargs="+", help="weeks (default: the latest)")
    ap.add_argument("--dashboard", action="store_true",
                    help="time ui.data.load_pack (the dashboard's button) instead of the CLI's build")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--sql", action="store_true", help="list the SQL statements by total time")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--save", metavar="FILE", help="save the profile (pstats)")
    ap.add_argument("--json", metavar="FILE",
                    help="add the timings to this file (bench_scale.py --pack renders them)")
    args = ap.parse_args(argv)
    from bench.bench_scale import cpu_probe_ms

    record: list[dict] = []

    from bench.profile_rerun import SqlLog
    from data_access.engine import get_engine
    from meeting_pack import build_deck, build_workbook, collect
    from scorecard import service

    sql = SqlLog()
    sql.install()
    engine = get_engine(args.db, read_only=True)
    weeks = args.week or [service.latest_week(engine)]
    for week in weeks:
        prof = cProfile.Profile() if args.profile else None
        sql.stats.clear()
        sql.on = True
        load = os.getloadavg()[0]
        times = {}
        if prof:
            prof.enable()
        if args.dashboard:
            os.environ["REFORM_DB_URL"] = args.db
            import streamlit as st

            from ui import data as ui_data

            st.cache_data.clear()
            ui_data.start_run()
            t0 = time.perf_counter()
            deck, book = ui_data.load_pack(args.db, week)
            total = time.perf_counter() - t0
            if prof:
                prof.disable()
            sql.on = False
            print(f"\n== {week} from the dashboard (ui.data.load_pack) on {args.db.rsplit('/', 1)[-1]}; "
                  f"load average {load:.1f} → {os.getloadavg()[0]:.1f}; deck {len(deck) / 1e6:.1f} MB, "
                  f"workbook {len(book) / 1e6:.1f} MB")
            print(f"total {total:.2f} s")
            record.append({"week": week, "from": "dashboard", "total_s": round(total, 2),
                           "deck_mb": round(len(deck) / 1e6, 1), "workbook_mb": round(len(book) / 1e6, 1),
                           "load": [round(load, 1), round(os.getloadavg()[0], 1)],
                           "cpu_probe_ms": cpu_probe_ms()})
            continue
        t0 = time.perf_counter()
        b = collect(engine, week, communes=True)
        times["collect"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        deck = build_deck(engine, week, b)
        times["deck"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        book = build_workbook(engine, week, b)
        times["workbook"] = time.perf_counter() - t2
        times["total"] = time.perf_counter() - t0
        if prof:
            prof.disable()
        sql.on = False
        print(f"\n== {week} on {args.db.rsplit('/', 1)[-1]}; load average {load:.1f} → "
              f"{os.getloadavg()[0]:.1f}; deck {len(deck) / 1e6:.1f} MB, workbook "
              f"{len(book) / 1e6:.1f} MB")
        print("  ".join(f"{k} {v:.2f} s" for k, v in times.items()))
        record.append({"week": week, "from": "cli", **{f"{k}_s": round(v, 2) for k, v in times.items()},
                       "deck_mb": round(len(deck) / 1e6, 1), "workbook_mb": round(len(book) / 1e6, 1),
                       "load": [round(load, 1), round(os.getloadavg()[0], 1)],
                       "cpu_probe_ms": cpu_probe_ms()})
        print(sql.report(1, args.top if args.sql else 0))
        if prof:
            buf = io.StringIO()
            st_ = pstats.Stats(prof, stream=buf).sort_stats(args.sort)
            st_.print_stats(args.top)
            if args.save:
                st_.dump_stats(args.save)
            print(buf.getvalue())
    engine.dispose()
    if args.json:
        import json

        path = Path(args.json)
        doc = json.loads(path.read_text()) if path.exists() else {"runs": []}
        doc["db"] = args.db.rsplit("/", 1)[-1]
        doc["runs"] = [r for r in doc["runs"]
                       if (r["week"], r["from"]) not in {(x["week"], x["from"]) for x in record}] + record
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
