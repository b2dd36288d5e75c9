"""Benchmark the dashboard's server-side render time with streamlit.testing (no browser).

For each page: the first load with empty caches (cold), the same page again (warm), a filter
change (period type, then week), back to the first filters, and on the unit page a drill-down to
another unit.
AppTest runs the real app script in-process, so the times are the server's script time.

    .venv/bin/python bench/bench_app.py --db sqlite:////tmp/demo_full.db
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("Tổng quan", "pages/overview.py"),
    ("Sở, ban, ngành", "pages/departments.py"),
    ("Địa phương", "pages/districts.py"),
    ("Xu hướng", "pages/trends.py"),
    ("Chậm tiến độ", "pages/lagging.py"),
    ("Đơn vị", "pages/unit.py"),
]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _check(at, what: str) -> None:
    if at.exception:
        raise SystemExit(f"{what}: {at.exception[0].message}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL")
    ap.add_argument("--unit", default="510", help="unit code for the unit page")
    ap.add_argument("--other-unit", default="SYT", help="unit for the drill-down step")
    args = ap.parse_args()
    os.environ["REFORM_DB_URL"] = args.db
    os.environ["REFORM_NO_PREWARM"] = "1"  # measure the page itself, not a background warm-up

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_access.engine import get_engine
    from scorecard import service

    eng = get_engine(args.db, read_only=True)
    weeks = service.available_weeks(eng)
    eng.dispose()
    prev_week = weeks[-2] if len(weeks) > 1 else weeks[-1]

    def load(path: str, **params: str) -> float:
        # A fresh session per step, with the filters in the URL as a shared link carries them:
        # the server work equals a filter change in a running session (same cached loaders),
        # plus the session set-up, so these times are an upper bound.
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(path)
        ms = _timed(at.run)
        _check(at, f"{path} {params}")
        return ms

    rows = []
    for label, path in PAGES:
        unit = {"unit": args.unit} if path.endswith("unit.py") else {}
        st.cache_data.clear()
        st.cache_resource.clear()
        cold = load(path, **unit)
        warm = load(path, **unit)
        change = load(path, period="week", **unit)
        week_change = load(path, period="week", week=prev_week, **unit)
        back = load(path, **unit)
        drill = load(path, unit=args.other_unit) if unit else float("nan")
        rows.append((label, cold, warm, change, week_change, back, drill))

    print(f"Database: {args.db}")
    head = ("page", "cold load", "warm load", "period → week", "week change", "back (cached)", "drill-down")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, *vals in rows:
        cells = ["–" if v != v else f"{v:,.0f} ms" for v in vals]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
