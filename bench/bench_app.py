"""Benchmark the dashboard's server-side render time with streamlit.testing (no browser).

For each page: the first load with empty caches (cold), the same page again (warm), filter
changes (to the week alone, and to another week: the median over several values nobody had
opened), back to the first filters, and on the unit page a drill-down to other units (median).
AppTest runs the real app script in-process, so the times are the server's script time.

    .venv/bin/python bench/bench_app.py --db sqlite:////tmp/demo_full.db
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("Tổng quan", "app_pages/overview.py"),
    ("Sở, ban, ngành", "app_pages/departments.py"),
    ("Địa phương", "app_pages/districts.py"),
    ("Xu hướng", "app_pages/trends.py"),
    ("Chậm tiến độ", "app_pages/lagging.py"),
    ("Đơn vị", "app_pages/unit.py"),
]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _check(at, what: str) -> None:
    if at.exception:
        raise SystemExit(f"{what}: {at.exception[0].message}")


def share_script_cache() -> None:
    """Let every AppTest of this process share one ScriptCache, as a server's sessions do.

    A Streamlit server compiles ``app.py`` and each page once (its Runtime holds one
    ScriptCache) and every later rerun of any session execs the cached bytecode. AppTest makes
    a new ScriptCache per instance, so a bench that opens a fresh AppTest per step would time
    a compile of both scripts (with Streamlit's magic AST pass, about 20 ms) that no rerun of
    the server pays. Patched in streamlit.testing only (private names: checked on upgrade)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for mod in (app_test, local_script_runner):
        if getattr(mod, "ScriptCache", None) is not ScriptCache:
            raise SystemExit(f"{mod.__name__}.ScriptCache: streamlit.testing changed, see "
                             "bench/bench_app.share_script_cache")
        mod.ScriptCache = lambda: shared  # type: ignore[attr-defined]


def wait_without_polling() -> None:
    """Let AppTest wait for a run by joining the script thread rather than polling it.

    AppTest's ``require_widgets_deltas`` wakes every millisecond to look whether the script has
    stopped; each wake-up takes the GIL from the script thread, which then runs slower than in a
    server, whose main thread (the event loop) sleeps until there is I/O. Joining the thread
    sleeps the same way; a run that outlasts the timeout still fails as AppTest's does. Patched
    in streamlit.testing only (a private name and attribute: checked here on upgrade)."""
    from streamlit.testing.v1 import local_script_runner as lsr

    polling = lsr.require_widgets_deltas

    def wait(runner, timeout: float = 3) -> None:  # noqa: ANN001
        thread = getattr(runner, "_script_thread", None)
        if thread is None:
            return polling(runner, timeout)
        thread.join(timeout)
        if not runner.script_stopped():
            return polling(runner, 0)  # AppTest's own timeout error (it stops the runner)
        return None

    if not callable(polling) or "require_widgets_deltas" not in vars(lsr):
        raise SystemExit("streamlit.testing changed: see bench/bench_app.wait_without_polling")
    lsr.require_widgets_deltas = wait


def page_hashes(components=None) -> dict[str, str]:  # noqa: ANN001
    """{page file: the script hash a session opening it uses}. ``st.navigation`` registers the
    pages under their url_path, which AppTest.switch_page only knows after a first run of the
    app (before it, it hashes the file name and runs the default page instead): one run here,
    then every fresh session of a step is pointed at its page directly."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if components is not None:
        at._bidi_component_manager = components  # private: see measure_pages
    at.run()
    _check(at, "app.py")
    out = {}
    for _label, path in [*PAGES, ("Đối chiếu", "app_pages/official.py")]:
        out[path] = at.switch_page(path)._page_hash  # private: no public way to a page's hash
    return out


def measure_pages(url: str, unit: str | None = None, other_unit: str | None = None) -> list[dict]:
    """One dict per page: label and the milliseconds of each step (see the module docstring)."""
    os.environ["REFORM_DB_URL"] = url
    os.environ["REFORM_NO_PREWARM"] = "1"  # measure the page itself, not a background warm-up

    import streamlit as st
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest

    from data_access.engine import get_engine
    from scorecard import service
    from scorecard.periods import week_period

    eng = get_engine(url, read_only=True)
    weeks = service.available_weeks(eng)
    # units that exist in the weeks measured (a district of 2024 has no page in 2026)
    units = service.units(eng, level="department", on=week_period(weeks[-1 - SAMPLES]).end)
    units = units["code"].astype(str).tolist()
    eng.dispose()
    unit = unit or units[0]
    other_unit = other_unit or units[1]
    # AppTest scans every installed package for components on each new AppTest's first run
    # (a server does it once, at start-up): scan once here and share the result.
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    share_script_cache()  # the scripts compiled once, as in a server
    wait_without_polling()  # and no harness thread taking the GIL every millisecond
    hashes = page_hashes(components)

    def load(path: str, **params: str) -> float:
        # A fresh session per step, with the filters in the URL as a shared link carries them:
        # the server work equals a filter change in a running session (same cached loaders),
        # plus the session set-up, so these times are an upper bound.
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at._bidi_component_manager = components  # private: see above
        for k, v in params.items():
            at.query_params[k] = v
        at._page_hash = hashes[path]  # private: see page_hashes
        ms = _timed(at.run)
        _check(at, f"{path} {params}")
        return ms

    # A filter change is a value nobody has opened yet in this process, so each can be timed
    # once only; on two shared cores one timing varies by a third, so the changes are taken
    # over several values and the median reported (the samples are kept too).
    earlier = weeks[-1 - SAMPLES:-1][::-1]  # the five weeks before the latest, newest first
    others = [other_unit, *[c for c in units if c not in (unit, other_unit)][: SAMPLES - 2]]
    rows = []
    for label, path in PAGES:
        unit_q = {"unit": unit} if path.endswith("unit.py") else {}
        st.cache_data.clear()
        st.cache_resource.clear()
        row: dict = {"page": label, "cold": load(path, **unit_q), "warm": load(path, **unit_q)}
        period_samples = [load(path, period="week", **unit_q)]
        week_samples = []
        for w in earlier:
            week_samples.append(load(path, week=w, **unit_q))  # year to date, another week
            period_samples.append(load(path, period="week", week=w, **unit_q))
        row["back"] = load(path, **unit_q)
        drill_samples = [load(path, unit=o) for o in others] if unit_q else []
        for key, samples in (("period_change", period_samples), ("week_change", week_samples),
                             ("drill", drill_samples)):
            row[key] = statistics.median(samples) if samples else None
            row[f"{key}_samples"] = samples
        rows.append(row)
    return rows


SAMPLES = 5
STEPS = ("cold", "warm", "period_change", "week_change", "back", "drill")
HEAD = ("page", "cold load", "warm load", "period → week", "week change", "back (cached)", "drill-down")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="database URL")
    ap.add_argument("--unit", default=None,
                    help="unit code for the unit page (default: the first department in the weeks measured)")
    ap.add_argument("--other-unit", default="SYT", help="unit for the drill-down step")
    args = ap.parse_args()
    rows = measure_pages(args.db, args.unit, args.other_unit)
    print(f"Database: {args.db}")
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "---|" * len(HEAD))
    for r in rows:
        cells = ["–" if r[k] is None else f"{r[k]:,.0f} ms" for k in STEPS]
        print(f"| {r['page']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
