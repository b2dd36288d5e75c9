"""The naive approach's side of bench_scale: its overview page, ranking and series, timed.

``measure_naive(url)`` runs ``bench/naive_app.py`` through streamlit.testing (first load, then a
filter change: with no cache both read the whole dossier table again), then the naive one-week
district ranking and 104-week district series, and checks that the naive scores equal the
engine's for every unit of every level, so the ratio compares two ways of computing the same
numbers.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("department", "district", "commune", "province")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_ms(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def measure_naive(url: str) -> dict:
    os.environ["REFORM_DB_URL"] = url
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest

    from bench import naive
    from data_access.engine import get_engine
    from scorecard import service
    from scorecard.periods import parse_period

    out: dict = {}
    # AppTest scans installed packages for components on its first run (a server does it once
    # at start-up): scan beforehand, as bench_app does, so neither side pays for it.
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    at = AppTest.from_file(str(ROOT / "bench" / "naive_app.py"), default_timeout=3600)
    at._bidi_component_manager = components  # private: see above
    out["overview_cold_ms"] = _timed_ms(at.run)
    if at.exception:
        raise SystemExit(f"naive_app: {at.exception[0].message}")
    at.query_params["period"] = "week"
    out["overview_change_ms"] = _timed_ms(at.run)
    if at.exception:
        raise SystemExit(f"naive_app: {at.exception[0].message}")
    out["app_rss_mb"] = _peak_mb()

    engine = get_engine(url, read_only=True)
    week = service.latest_week(engine)
    p = parse_period(week)
    t0 = time.perf_counter()
    naive.naive_scorecard(engine, "district", p)  # reads the table itself, as on every rerun
    out["ranking_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive.naive_series(engine, "district", week, weeks=104)
    out["series_s"] = time.perf_counter() - t0

    raw = naive.read_raw(engine)
    worst = 0.0
    for ytd in (False, True):
        period = parse_period(week, ytd=ytd)
        for level in LEVELS:
            mine = service.scorecard(engine, level, period).summary.set_index("unit_code")["total"]
            theirs = naive.naive_scorecard(engine, level, period, raw=raw).set_index("unit_code")["total"]
            if set(mine.index) != set(theirs.index):
                worst = float("inf")
                continue
            worst = max(worst, float((mine.astype(float) - theirs.reindex(mine.index).astype(float)).abs().max()))
    out["max_total_difference"] = worst
    out["agrees"] = worst < 1e-6
    engine.dispose()
    return out
