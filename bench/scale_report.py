"""Render bench_scale's results (results.json) as docs/benchmarks.md.

Pure formatting: every figure comes from the results; the targets are the issue's, checked here
so that a missed one is named in the document and not only in someone's notes.
"""

from __future__ import annotations

from datetime import datetime

# Issue 6's targets at 10 million dossiers (both backends).
TARGET_WARM_MS = 300
TARGET_COLD_MS = 3000
TARGET_REFRESH_S = 30
TARGET_RSS_MB = 1536
TARGET_RATIO = 20

STEPS = (
    ("cold", "cold load"),
    ("warm", "warm load"),
    ("period_change", "period → week"),
    ("week_change", "week change"),
    ("back", "back (cached)"),
    ("drill", "drill-down"),
)
LEVELS = ("department", "district", "commune", "province")


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f} ms"


def _s(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f} s"


def _mb(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f} MB"


def _n(v: int | None) -> str:
    return "–" if v is None else f"{v:,}"


def _load(r: dict) -> str:
    ld = r.get("load")
    if not ld:
        return ""
    probe = r.get("cpu_probe_ms")
    speed = "" if not probe else f"; CPU probe {probe[0]:.0f} → {probe[1]:.0f} ms"
    return f" (load average {ld[0]} → {ld[1]}{speed})"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _warm_steps(pages: list[dict]) -> list[tuple[str, str, float]]:
    """(page, step, ms) of the filter changes and the drill-down, in a process that has served
    the page once: what a user waits for after touching a filter."""
    out = []
    for p in pages:
        for key in ("warm", "period_change", "week_change", "back", "drill"):
            if p.get(key) is not None:
                out.append((p["page"], key, p[key]))
    return out


def targets(run: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, value, limit, met) for one 10M run; met None when not measured."""
    rows: list[tuple[str, str, str, bool | None]] = []
    pages = run.get("pages", {}).get("pages")
    if pages:
        worst = max(_warm_steps(pages), key=lambda x: x[2])
        rows.append((
            "warm filter change (slowest page and step)",
            f"{worst[2]:,.0f} ms ({worst[0]}, {dict(STEPS)[worst[1]]})",
            f"≤ {TARGET_WARM_MS} ms",
            worst[2] <= TARGET_WARM_MS,
        ))
        cold = max(pages, key=lambda p: p["cold"])
        rows.append((
            "cold page load (slowest page)",
            f"{cold['cold']:,.0f} ms ({cold['page']})",
            f"≤ {TARGET_COLD_MS:,} ms",
            cold["cold"] <= TARGET_COLD_MS,
        ))
    else:
        rows.append(("page render times", "not measured", "", None))
    week = run.get("week", {})
    if "refresh_s" in week:
        rows.append((
            "refresh after importing one week",
            f"{week['refresh_s']:.1f} s (the import itself, refresh included: {week['import_s']:.1f} s)",
            f"≤ {TARGET_REFRESH_S} s",
            week["refresh_s"] <= TARGET_REFRESH_S,
        ))
    rss = [run.get(ph, {}).get("rss_mb") for ph in ("pages", "engine")]
    rss = [r for r in rss if r is not None]
    if rss:
        rows.append(("app process peak memory", _mb(max(rss)), f"≤ {TARGET_RSS_MB:,} MB",
                     max(rss) <= TARGET_RSS_MB))
    ratio = overview_ratio(run)
    if ratio is not None:
        rows.append((
            "overview vs naive (cold; filter change)",
            f"{ratio[0]:,.0f}×; {ratio[1]:,.0f}×",
            f"≥ {TARGET_RATIO}×",
            min(ratio) >= TARGET_RATIO,
        ))
    return rows


# Why a page's first visit with a new filter value costs what it does: the reads behind it.
PAGE_WORK = {
    "Tổng quan": "reading four rankings, the previous period's and a 26-week series from the "
                 "snapshot, and the charts' data for the new period",
    "Đơn vị": "reading the unit's overdue dossiers from the dossier table, its component detail "
              "scored on demand, two 26-week series and its communes' ranking",
    "Chậm tiến độ": "finding the lagging units, scoring their component detail on demand and "
                    "counting their overdue dossiers by procedure and field in the dossier table",
    "Xu hướng": "reading the 26- to 104-week series of every unit of the level and the province",
}


def missed_notes(key: str, run: dict) -> list[str]:
    """Why the filter-change target is missed, from the figures: how much of the slowest steps
    is drawing the page (its time with every value cached) and how much is reading new data."""
    pages = run.get("pages", {}).get("pages") or []
    out = []
    for p in pages:
        worst = max((p[k] for k in ("period_change", "week_change", "drill") if p.get(k) is not None),
                    default=0)
        if worst <= TARGET_WARM_MS:
            continue
        cached = p["back"]
        work = PAGE_WORK.get(p["page"], "its data")
        out.append(
            f"- {key}, {p['page']}: {worst:,.0f} ms for a value nobody had opened; the same page "
            f"with every value cached takes {cached:,.0f} ms (drawing it: Streamlit elements, "
            f"charts, tables), so about {max(worst - cached, 0):,.0f} ms is {work}."
        )
    return out


def overview_ratio(run: dict) -> tuple[float, float] | None:
    naive = run.get("naive", {})
    pages = run.get("pages", {}).get("pages")
    if not pages or "overview_cold_ms" not in naive:
        return None
    ov = pages[0]
    return naive["overview_cold_ms"] / ov["cold"], naive["overview_change_ms"] / ov["period_change"]


def _run_section(key: str, run: dict) -> list[str]:
    size, backend = key.split("/")
    out = [f"## {size} dossiers, {backend}", ""]
    b = run.get("build", {})
    if "seconds" in b:
        out.append(
            f"- **Build** (demo at scale {b['scale']:.3f}: {_n(b['dossiers'])} dossiers, load, full "
            f"refresh, score snapshot): {_s(b['seconds'], 0)}, peak RSS {_mb(b['rss_mb'])}{_load(b)}."
        )
    w = run.get("week", {})
    if "import_s" in w:
        out.append(
            f"- **Weekly import** of {w['week']} ({_n(w['rows'])} dossiers as a CSV export, upserted): "
            f"{_s(w['import_s'])} including its refresh; the refresh of that week's "
            f"{w['buckets']} bucket(s) and the snapshot on its own: {_s(w['refresh_s'])}{_load(w)}."
        )
    sz = run.get("size", {})
    if "bytes" in sz:
        out.append(f"- **Database size:** {sz['bytes'] / 2**30:,.2f} GiB.")
    for ph in ("build", "week", "engine", "pages", "naive", "size"):
        if "error" in run.get(ph, {}):
            out.append(f"- **{ph} failed:** `{run[ph]['error']}`")
    out.append("")

    e = run.get("engine", {})
    if "ranking_s" in e:
        out += [f"**Scorecard engine** (each call on a new engine, week {e['week']}){_load(e)}:", ""]
        rows = []
        for lv in LEVELS:
            rows.append([
                lv,
                _s(e["ranking_s"][lv], 3), _s(e["ranking_on_demand_s"][lv], 3),
                _s(e["series_s"][lv], 3), _s(e["series_on_demand_s"][lv], 3),
            ])
        out += _table(
            ["level", "week's ranking (snapshot)", "week's ranking (computed)",
             "104-week series (snapshot)", "104-week series (computed)"],
            rows,
        )
        out.append("")

    pg = run.get("pages", {})
    if pg.get("pages"):
        out += [f"**Pages**, server time per step; app process peak RSS {_mb(pg['rss_mb'])}{_load(pg)}:", ""]
        out += _table(["page", *[h for _, h in STEPS]],
                      [[p["page"], *[_ms(p.get(k)) for k, _ in STEPS]] for p in pg["pages"]])
        out.append("")

    nv = run.get("naive", {})
    if "overview_cold_ms" in nv:
        ratio = overview_ratio(run)
        out += [f"**Naive approach** (`bench/naive_app.py`: read the dossier table into pandas and "
                f"aggregate on every rerun){_load(nv)}:", ""]
        ours = pg.get("pages", [{}])[0] if pg.get("pages") else {}
        rows = [
            ["overview, first load", _ms(nv["overview_cold_ms"]), _ms(ours.get("cold")),
             f"{ratio[0]:,.0f}×" if ratio else "–"],
            ["overview, filter change", _ms(nv["overview_change_ms"]), _ms(ours.get("period_change")),
             f"{ratio[1]:,.0f}×" if ratio else "–"],
        ]
        if "ranking_s" in nv and "ranking_s" in e:
            rows.append(["district ranking, one week", _s(nv["ranking_s"], 2),
                         _s(e["ranking_s"]["district"], 3),
                         f"{nv['ranking_s'] / e['ranking_s']['district']:,.0f}×"])
        if "series_s" in nv and "series_s" in e:
            rows.append(["district 104-week series", _s(nv["series_s"], 1),
                         _s(e["series_s"]["district"], 3),
                         f"{nv['series_s'] / e['series_s']['district']:,.0f}×"])
        rows.append(["app process peak memory", _mb(nv.get("app_rss_mb", nv.get("rss_mb"))),
                     _mb(pg.get("rss_mb")), "–"])
        out += _table(["measurement", "naive", "this app", "ratio"], rows)
        agree = nv.get("agrees")
        if agree is not None:
            out += ["", f"The naive scores {'equal' if agree else 'DIFFER FROM'} the engine's for "
                        f"every unit of every level (checked in the same run)."]
        out.append("")
    return out


def _concurrency(c: dict) -> list[str]:
    """The bench_concurrency.py --json document: {"meta", "summary": {"steps", "overall"}}."""
    meta, summary = c.get("meta", {}), c.get("summary", {})
    overall = summary.get("overall", {})
    db = str(meta.get("db", "?")).rsplit("@", 1)[-1]
    out = ["## Concurrency", ""]
    out.append(
        f"{meta.get('sessions')} simultaneous headless Chromium sessions (browser contexts in "
        f"{meta.get('browsers')} Chromium processes) on `{db}`, each clicking through the pages "
        f"({meta.get('rounds')} round(s)), against one `streamlit run app.py` with its background "
        f"pre-warming on. The browsers run on the same {meta.get('cpus', '?')} cores as the server "
        f"and the database. Errors: **{overall.get('errors', '?')}**; warnings "
        f"{overall.get('warnings', '?')}; wall time {_s(meta.get('wall_s'), 0)}; server peak RSS "
        f"{_mb(meta.get('peak_rss_mb'))}; peak load average {meta.get('peak_load1', 0):.0f}."
    )
    out.append("")
    steps = summary.get("steps") or []
    if steps:
        out += _table(
            ["step", "n", "p50", "p95", "max", "errors"],
            [[s["step"], str(s["n"]), _ms(s["p50_ms"]), _ms(s["p95_ms"]), _ms(s["max_ms"]),
              str(s["errors"])] for s in steps],
        )
        out.append("")
    if overall:
        out.append(f"All {overall.get('n')} page loads: p50 {_ms(overall.get('p50_ms'))}, "
                   f"p95 {_ms(overall.get('p95_ms'))}, max {_ms(overall.get('max_ms'))}.")
        out.append("")
    out.append(
        "A page load is timed in the browser, from the click or address change until the page "
        "has stopped changing, so it includes each browser parsing Streamlit's front end and "
        "drawing the charts and maps. Here twenty browsers, the server and PostgreSQL share two "
        "cores (see the load average), which is what the times measure; the first step is the "
        "slowest because every browser loads the front end at the same moment. The server's "
        "own time per page is in the tables above."
    )
    out.append("")
    return out


def render(results: dict, baseline: dict[str, list[dict]] | None = None,
           baseline_label: str = "") -> str:
    m = results.get("machine", {})
    runs = results.get("runs", {})
    out = [
        "# Benchmarks",
        "",
        "Generated by `bench/bench_scale.py` (do not edit by hand: run it again). "
        f"Last written {datetime.now():%d/%m/%Y %H:%M}.",
        "",
        f"**Machine:** {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gb', '?')} GiB "
        f"RAM, {m.get('os', '?')}, Python {m.get('python', '?')}, SQLite {m.get('sqlite', '?')}, "
        f"{m.get('postgresql', 'PostgreSQL ?')}. The database server runs on the same machine and "
        "shares its two cores.",
        "",
        "**How it is measured.** Each phase runs in a child process of its own, so its peak RSS is "
        "its own. The demo data is Quảng Nam's (18 departments, 18 districts, 241 communes) from "
        "01/01/2024, then the new Đà Nẵng's (13 departments, 94 communes) from 01/07/2025, up to "
        "the last complete week (runs before 02/12/2026: Quảng Nam over 2023–2024), scaled to "
        "the dossier count. Page times are the server's script time through "
        "`streamlit.testing` (the real `app.py`, one fresh session per step, caches cleared before "
        "each page's cold load, background pre-warming off; the scripts compiled once, as a server "
        "compiles them, not on every step; AppTest waiting for a run by joining its thread, not "
        "by waking every millisecond to poll it, as a server's idle event loop does not); browser "
        "rendering is not included. "
        "A \"filter change\" is a value nobody has opened yet in that process, so it is computed, "
        "not served from the cache; since each value can be timed once only, and one timing on "
        "two shared cores varies by about a third, the filter changes and the drill-down are each "
        "timed over several values (the week alone for the latest and five earlier weeks, the "
        "year to date of five earlier weeks, four other units) and the table gives the median; "
        "`results.json` keeps every sample. The load average before and after each phase is shown where it "
        "was taken: times taken on a busy machine are longer than on a quiet one. So is a CPU probe "
        "(milliseconds a fixed Python loop takes, best of five): on this shared virtual machine the "
        "cores' speed itself varies from minute to minute (the probe from about 40 to 75 ms with "
        "the load average near zero), and page times follow it.",
        "",
    ]
    ten = {k: v for k, v in runs.items() if k.startswith("10M/")}
    if ten:
        out += ["## Targets at 10 million dossiers", ""]
        rows = []
        for key, run in sorted(ten.items()):
            for name, value, limit, met in targets(run):
                mark = "–" if met is None else ("met" if met else "**missed**")
                rows.append([key.split("/")[1], name, value, limit, mark])
        out += _table(["backend", "target", "measured", "limit", ""], rows)
        out.append("")
        notes = [n for key, run in sorted(ten.items()) for n in missed_notes(key, run)]
        if notes:
            out += [
                "**Why the filter-change target is missed** (pages at or under 300 ms are not "
                "listed). Rankings and series come from the weekly score snapshot in tens of "
                "milliseconds whatever the dossier count; what is left is drawing the page on "
                "two shared cores and the reads that still touch dossiers or score component "
                "detail on demand. Storing the component detail in the snapshot was tried and "
                "dropped: a million component rows to rewrite made every refresh 10–20 s "
                "slower. In the running dashboard a background thread pre-computes the latest "
                "week (year to date and the week alone) for every level, so the first change "
                "most users make is served from the cache; these figures are with it off.",
                "",
                *notes,
                "",
            ]
    out += office_targets(results)
    if baseline:
        out += before_after(results, baseline, baseline_label)
    for key in sorted(runs, key=lambda k: (int(k.split("M")[0]), k)):
        out += _run_section(key, runs[key])
    if results.get("concurrency"):
        out += _concurrency(results["concurrency"])
    if results.get("load"):
        out += _load_runs(results["load"])
    if results.get("browser"):
        out += _browser(results["browser"])
    if results.get("pack"):
        out += _pack(results["pack"])
    return "\n".join(out).rstrip() + "\n"


def office_targets(results: dict) -> list[str]:
    """Issue 14's limits judged from the load runs, the browser run and the 10 M PostgreSQL
    pages (whatever of them is in the results)."""
    rows: list[list[str]] = []

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    loads = list((results.get("load") or {}).values())
    think = [d for d in loads if not d.get("meta", {}).get("burst")]
    for d in think:
        m, o = d["meta"], d["summary"]["overall"]
        rows.append([f"{m.get('sessions')} sessions, think time, p95 per rerun", _ms(o.get("p95_ms")),
                     "≤ 2,000 ms", mark(o.get("p95_ms", 1e9) <= 2000)])
        rows.append(["… errors", str(o.get("errors")), "0", mark(o.get("errors") == 0)])
        rows.append([f"… server memory ({m.get('rss_processes')} process(es))", _mb(m.get("peak_rss_mb")),
                     "≤ 1,536 MB", mark((m.get("peak_rss_mb") or 1e9) <= 1536)])
    bursts = {d["meta"].get("rss_processes"): d for d in loads if d.get("meta", {}).get("burst")}
    one, two = bursts.get(1), bursts.get(2)
    if one:
        p95 = one["summary"]["overall"].get("p95_ms", 1e9)
        rows.append([f"burst of {one['meta'].get('sessions')}, one process, p95", _ms(p95), "≤ 3,000 ms",
                     mark(p95 <= 3000)])
    if one and two:
        a, b = one["summary"]["overall"]["p95_ms"], two["summary"]["overall"]["p95_ms"]
        rows.append(["… two processes behind nginx, p95 (ratio to one)", f"{_ms(b)} ({b / a:.2f})",
                     "the ratio", "–"])
    pack = results.get("pack") or {}
    for r in pack.get("runs", []):
        if r["from"] == "dashboard":
            rows.append([f"meeting pack from the dashboard, {r['week']} ({pack.get('db')})",
                         _s(r["total_s"]), "≤ 10 s", mark(r["total_s"] <= 10)])
        else:
            rows.append([f"meeting pack by the command line (deck and workbook), {r['week']} "
                         f"({pack.get('db')})", _s(r["total_s"]), "≤ 15 s", mark(r["total_s"] <= 15)])
    pages = ((results.get("runs") or {}).get("10M/postgresql") or {}).get("pages", {}).get("pages", [])
    for pg in pages:
        v = pg.get("week_change")
        if v is not None:
            rows.append([f"{pg['page']}: warm rerun, week change (10M PostgreSQL)", _ms(v), "≤ 150 ms",
                         mark(v <= 150)])
    if not rows:
        return []
    return ["## Targets of the whole office at once", "",
            *_table(["target", "measured", "limit", ""], rows), ""]


def _load_runs(loads: dict) -> list[str]:
    """bench_load.py --json documents, by label: the server at the protocol level."""
    out = ["## The whole office at once (protocol level, `bench/bench_load.py`)", "",
           "Sessions speak Streamlit's own protocol over the websocket (no browser): each loads the "
           "page's HTML, opens `/_stcore/stream` and asks for a page with its query string, timed "
           "until the script has finished; an exception element, a lost connection or a timeout "
           "is an error. Peak memory is the sum over the app processes (nginx not counted).", ""]
    for label, doc in loads.items():
        meta, summ = doc.get("meta", {}), doc.get("summary", {})
        lo, hi = meta.get("think_s") or ("?", "?")
        mode = (f"burst: all click at once, {meta.get('rounds')} round(s) after the opening"
                if meta.get("burst") else f"think time {lo}–{hi} s, {meta.get('clicks')} clicks each")
        over = summ.get("overall", {})
        db = str(meta.get("db", "?")).rsplit("/", 1)[-1]
        out.append(f"### {label}")
        out.append("")
        out.append(f"{meta.get('sessions')} sessions, {mode}, on `{db}` through {meta.get('url')} "
                   f"({meta.get('rss_processes', '?')} app process(es)); wall time "
                   f"{_s(meta.get('wall_s'), 0)}; {summ.get('reruns_per_s', 0):.2f} reruns/s; "
                   f"errors **{over.get('errors', '?')}**; peak memory {_mb(meta.get('peak_rss_mb'))}.")
        out.append("")
        rows = [*summ.get("pages", []), summ.get("opens", {}), summ.get("clicks", {}), over]
        rows = [r for r in rows if r]
        out += _table(["page", "n", "p50", "p95", "max", "errors"],
                      [[str(r.get("page")), str(r.get("n")), _ms(r.get("p50_ms")), _ms(r.get("p95_ms")),
                        _ms(r.get("max_ms")), str(r.get("errors"))] for r in rows])
        out.append("")
    return out


def _browser(doc: dict) -> list[str]:
    """bench_first_chart.py --week-change --json: what a person waits for in one browser."""
    out = ["## In one real browser (`bench/bench_first_chart.py --week-change`)", "",
           f"Headless Chromium at 1920×1080 on `{doc.get('db')}`, week {doc.get('week')}, medians of "
           f"{doc.get('repeat')} visits per page. A cold page is a fresh browser context (no front "
           "end cached, a new session: the first visit of the morning), timed from the address "
           "change until the first chart is drawn and the page has stopped changing, whichever "
           "is later; a week change is another week picked in the sidebar, each time one nobody "
           "had opened, until the page is quiet again.", ""]
    rows = []
    for r in doc.get("pages", []):
        cold = max(x for x in (r.get("first_chart"), r.get("quiet")) if x is not None)
        rows.append([r["page"], _ms(cold), _ms(r.get("week_change")),
                     "met" if cold <= 3000 and (r.get("week_change") or 0) <= 1000 else "**missed**"])
    out += _table(["page", "cold page (≤ 3 s)", "week change (≤ 1 s)", ""], rows)
    out.append("")
    return out


def _pack(doc: dict) -> list[str]:
    """bench/profile_pack.py --json: the meeting pack's build times."""
    out = ["## The meeting pack (`bench/profile_pack.py`)", "",
           f"On `{doc.get('db')}`. From the dashboard: what its button waits for "
           "(`ui.data.load_pack`, caches emptied first: one fetch of the week's data, the workbook "
           "built in a second thread beside the deck). By the command line: the week's data, then "
           "the deck, then the workbook, one after the other. A late week of the year lists more "
           "overdue dossiers (the workbook's list of the dossiers behind every overdue count).", ""]
    rows = []
    for r in doc.get("runs", []):
        parts = ("–" if r["from"] == "dashboard" else
                 f"{_s(r.get('collect_s')).removesuffix(' s')} + {_s(r.get('deck_s')).removesuffix(' s')} + "
                 f"{_s(r.get('workbook_s'))}")
        probe = r.get("cpu_probe_ms")
        rows.append([r["week"], "dashboard" if r["from"] == "dashboard" else "command line",
                     _s(r["total_s"]), parts, f"{r.get('workbook_mb')} MB",
                     f"{r['load'][0]} → {r['load'][1]}" + (f"; {probe:.0f} ms" if probe else "")])
    out += _table(["week", "from", "total", "data + deck + workbook", "workbook",
                   "load average; CPU probe after"], rows)
    out.append("")
    return out


# --- before and after a change (issue 11: Altair → Plotly) ---------------------------------------


def parse_pages(doc: str) -> dict[str, list[dict]]:
    """The "Pages" tables of an earlier benchmarks.md, by run ("10M/postgresql"): the figures of
    a run made before a change, kept as that run wrote them (bench/baselines/)."""
    runs: dict[str, list[dict]] = {}
    key = None
    heads = {h: k for k, h in STEPS}
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## ") and " dossiers, " in line:
            size, backend = line[3:].split(" dossiers, ")
            key = f"{size.strip()}/{backend.strip()}"
        if key and line.startswith("| page |"):
            cols = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in row.strip("|").split("|")]
                r: dict = {"page": cells[0]}
                for head, cell in zip(cols[1:], cells[1:], strict=True):
                    r[heads[head]] = None if cell == "–" else float(cell.removesuffix(" ms").replace(",", ""))
                rows.append(r)
            runs[key] = rows
            key = None
    return runs


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "–"
    return f"{_ms(before)} → {_ms(after)} ({after - before:+,.0f} ms)"


def before_after(results: dict, baseline: dict[str, list[dict]], label: str) -> list[str]:
    """Server time per page before and after, for the runs measured in both; then the browser's
    time to the first chart, before and after, when bench_first_chart.py results are given."""
    out = [f"## Before and after: {label}", ""]
    runs = results.get("runs", {})
    shared = [k for k in sorted(runs) if k in baseline and runs[k].get("pages", {}).get("pages")]
    for key in shared:
        after = {p["page"]: p for p in runs[key]["pages"]["pages"]}
        out += [f"**{key}, server time per page** (before: the run in the baseline document; "
                f"after: this run{_load(runs[key]['pages'])}):", ""]
        rows = []
        for b in baseline[key]:
            a = after.get(b["page"], {})
            worst = max((a.get(k) or 0) for k in ("warm", "period_change", "week_change", "back"))
            rows.append([b["page"], _change(b.get("cold"), a.get("cold")),
                         _change(b.get("warm"), a.get("warm")),
                         _change(b.get("week_change"), a.get("week_change")),
                         "met" if a.get("warm") is not None and a["warm"] <= TARGET_WARM_MS
                         else "**missed**",
                         _ms(worst)])
        out += _table(["page", "cold load", "warm load", "week change",
                       f"warm ≤ {TARGET_WARM_MS} ms", "slowest warm step (after)"], rows)
        out.append("")
    fc = results.get("first_chart", {})
    if fc.get("before") and fc.get("after"):
        b, a = fc["before"], fc["after"]
        out += [f"**In one real browser** (`bench/bench_first_chart.py`, headless Chromium at "
                f"1920×1080, week {a['week']}, median of {a['repeat']}; before: {b['label']} on "
                f"`{b['db']}`, after: {a['label']} on `{a['db']}`; each visit in a fresh browser "
                "context, then again with the front end cached):", ""]
        bb = {p["page"]: p for p in b["pages"]}
        rows = []
        for p in a["pages"]:
            q = bb.get(p["page"], {})
            rows.append([p["page"], _change(q.get("first_chart"), p["first_chart"]),
                         _change(q.get("quiet"), p["quiet"]),
                         _change(q.get("first_chart_cached"), p["first_chart_cached"]),
                         _change(q.get("quiet_cached"), p["quiet_cached"])])
        out += _table(["page", "first chart", "whole page", "first chart (front end cached)",
                       "whole page (cached)"], rows)
        out.append("")
    return out
