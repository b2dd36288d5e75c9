"""The Service API of docs/design.md: the one scorecard module that takes an Engine.

It glues ``data_access.queries`` to the pure scoring modules. Every function takes the engine
first and returns pandas frames (empty frames, never errors, when there is no data). Nothing is
cached here: the dashboard caches (st.cache_data) around these calls.

Periods may be given as a ``scorecard.periods.Period`` or as a label ("2024-W52", "2024-12",
"2024-Q4", "2024"); a bare week label means that week alone, use ``period_for_week("ytd", w)``
or ``parse_period(w, ytd=True)`` for the year-to-date ranking.

Weekly scores (kind "week" and "ytd") are precomputed by ``refresh`` into ``score_week``
(``build_snapshot``, with the same series code the on-demand path uses), so a cold dashboard reads
them instead of scoring every unit: ``scorecard`` (week, ytd), ``series`` and ``lagging`` read the
snapshot while it is current and compute on demand otherwise (a database built before the
snapshot existed, reference data edited since the last refresh, weeks outside it). Both paths
return the same frames. Component detail is always computed on demand, for the requested units
only, when ``ScoreResult.components`` is first read.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import wraps

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import queries as q
from scorecard import bieu06a as b06
from scorecard import compute, weekly
from scorecard import lagging as lag
from scorecard.methodology import component_levels, select_version, version_at
from scorecard.periods import (
    Period,
    iso_week_label,
    parse_period,
    previous_period,
    week_start,
    weeks_between,
    ytd_period,
)

SUMMARY_COLUMNS = [
    "unit_code", "unit_name", "level", "period", "total", "grade", "grade_color", "rank",
    "delta_week", *[f"group_{i}" for i in range(1, 7)], "dossiers", "methodology_version",
]
COMPONENT_COLUMNS = compute.COMPONENT_COLUMNS
# what ScoreResult.components holds: the design.md columns, the group maximum (for scaling) and
# the saturation applied (appended last so that positional readers keep working)
DETAIL_COLUMNS = [*COMPONENT_COLUMNS, "group_max", "saturation"]
SERIES_COLUMNS = ["week", "unit_code", "total", *[f"group_{i}" for i in range(1, 7)]]
UNIT_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "lat", "lon"]
PROVINCE = q.PROVINCE_LEVEL
Bind = Engine | Connection  # private helpers run on one connection per public call


ComponentLoader = Callable[[Sequence[str] | None], pd.DataFrame]


class ScoreResult:
    """A scorecard for one level and period: ``summary`` sorted by rank, ``components`` long
    (``DETAIL_COLUMNS``, in summary order). ``components`` is computed when first read, so a
    ranking alone (the overview, the snapshot) never pays for the per-unit detail."""

    def __init__(
        self,
        summary: pd.DataFrame,
        components: pd.DataFrame | None = None,
        period: Period | None = None,
        methodology_version: str | None = None,
        not_applicable: list[str] | None = None,
        loader: ComponentLoader | None = None,
    ) -> None:
        self.summary = summary
        self._components = components
        self._loader = loader
        self.period = period
        self.methodology_version = methodology_version
        # components left out for this level (the UI says the group was scaled over the others)
        self.not_applicable = list(not_applicable or [])

    @property
    def components(self) -> pd.DataFrame:
        if self._components is None:
            self._components = (
                self._loader(None) if self._loader else pd.DataFrame(columns=DETAIL_COLUMNS)
            )
            self._loader = None
        return self._components

    @components.setter
    def components(self, value: pd.DataFrame) -> None:
        self._components = value
        self._loader = None

    def __getstate__(self) -> dict:
        # a cache (st.cache_data) pickles results: load the detail, drop the loader (a closure
        # over an engine cannot be pickled)
        _ = self.components
        return {**self.__dict__, "_loader": None}

    def components_for(self, unit_codes: Sequence[str]) -> pd.DataFrame:
        """The component rows of some units only (computing just those when not loaded yet)."""
        if self._components is None and self._loader is not None:
            return self._loader(list(unit_codes))
        c = self.components
        return c[c["unit_code"].isin(list(unit_codes))].reset_index(drop=True)


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


# --- freshness, levels, units ------------------------------------------------------------------


def latest_week(engine: Engine) -> str | None:
    """The ISO week of the latest aggregated data ("2024-W52"), or None."""
    b = q.latest_bucket(engine)
    return iso_week_label(b) if b else None


def data_version(engine: Engine) -> str:
    """A cheap token that changes with every import, demo or refresh (cache key of the pages)."""
    return q.data_version(engine)


def data_until(engine: Engine) -> date | None:
    """The last day a dossier was received, or None."""
    return q.data_until(engine)


def available_weeks(engine: Engine) -> list[str]:
    """ISO weeks with data, oldest first."""
    return q.available_weeks(engine)["week"].tolist()


def levels(engine: Engine) -> pd.DataFrame:
    """[code, name, plural, sort_order, ranked]."""
    return q.levels(engine)


def units(engine: Engine, level: str | None = None, parent: str | None = None) -> pd.DataFrame:
    """[code, name, short_name, level, parent_code, lat, lon] of every unit of a level (merged
    units included, for history), optionally under a parent."""
    df = q.active_units(engine, level=level, parent=parent)
    return df[UNIT_COLUMNS].reset_index(drop=True)


def grade_bands(engine: Engine, version: str | None = None) -> pd.DataFrame:
    """[version, grade, min_score, color, sort_order] best first (all versions when None)."""
    return q.grade_bands(engine, version)


def targets(engine: Engine, on: date | None = None) -> pd.DataFrame:
    """Targets in force on ``on`` [indicator, valid_from, kind, value, name, legal_basis, illustrative]."""
    return q.targets(engine, on)


# --- scorecard --------------------------------------------------------------------------------


def _province_unit(engine: Bind, start: date, end: date) -> pd.DataFrame:
    return q.active_units(engine, level=PROVINCE, start=start, end=end)


def _scored_units(engine: Bind, level: str, p: Period, parent: str | None) -> pd.DataFrame:
    if level == PROVINCE:
        return _province_unit(engine, p.start, p.end)
    return q.active_units(engine, level=level, start=p.start, end=p.end, parent=parent)


def _measures(engine: Bind, level: str, p: Period, unit_frame: pd.DataFrame) -> pd.DataFrame:
    """Measures of the given units for the period, zeros where a unit had no activity."""
    if unit_frame.empty:
        return pd.DataFrame(columns=["unit_code", "level", *q.MEASURES])
    if level == PROVINCE:
        m = q.province_measures(engine, p.start, p.end, code=str(unit_frame["code"].iloc[0]))
    else:
        # only these units: a district's communes must not cost the whole province's query
        m = q.unit_measures(engine, p.start, p.end, unit_codes=unit_frame["code"].astype(str).tolist())
    base = unit_frame[["code", "level"]].rename(columns={"code": "unit_code"})
    out = base.merge(m, on="unit_code", how="left")
    out[list(q.MEASURES)] = out[list(q.MEASURES)].fillna(0).astype("int64")
    return out


def _methodology(engine: Bind, on: date) -> tuple[pd.DataFrame, str | None]:
    meth = q.methodology(engine)
    if meth.empty:
        return meth, None
    return select_version(meth, on), version_at(meth, on)


def _bands(engine: Bind, version: str | None) -> pd.DataFrame:
    bands = q.grade_bands(engine, version)
    if bands.empty:
        bands = q.grade_bands(engine)
        if not bands.empty:  # fall back to the latest band version
            bands = bands[bands["version"] == bands["version"].max()]
    return bands


def _is_ranked(engine: Bind, level: str) -> bool:
    lv = q.levels(engine)
    row = lv[lv["code"] == level]
    return bool(row["ranked"].iloc[0]) if not row.empty else True


def _score(engine: Bind, level: str, p: Period, parent: str | None) -> ScoreResult:
    unit_frame = _scored_units(engine, level, p, parent)
    meth, version = _methodology(engine, p.end)
    if unit_frame.empty or meth.empty or not q.has_data(engine, p.start, p.end):
        return ScoreResult(_empty_summary(), pd.DataFrame(columns=DETAIL_COLUMNS), p, version)
    measures = _measures(engine, level, p, unit_frame)
    comps = compute.score_components(measures, meth)
    group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
    summary = compute.summarize(measures, comps, _bands(engine, version), group_codes=group_codes)
    names = unit_frame.set_index("code")["name"]
    summary["unit_name"] = summary["unit_code"].map(names)
    summary["level"] = level
    summary["period"] = p.label
    summary["methodology_version"] = version
    summary["rank"] = (
        compute.rank_totals(summary["total"]) if _is_ranked(engine, level) else pd.Series(
            pd.NA, index=summary.index, dtype="Int64"
        )
    )
    applicable = set(comps["component"].unique())
    not_applicable = [c for c in meth["component"] if c not in applicable]
    return ScoreResult(summary, comps[DETAIL_COLUMNS], p, version, not_applicable)


def component_catalogue(engine: Engine, level: str, on: date) -> pd.DataFrame:
    """[component, name, group_code, group_max, max_points] of the methodology in force on
    ``on``, components that apply to ``level`` only ("province": all of them). What a page needs
    to label components and groups without scoring anything."""
    with engine.connect() as conn:
        meth, _ = _methodology(conn, on)
    cols = ["component", "name", "group_code", "group_max", "max_points"]
    if meth.empty:
        return pd.DataFrame(columns=cols)
    if level != PROVINCE:
        meth = meth[meth["levels"].map(lambda lv: level in component_levels(lv))]
    return meth[cols].reset_index(drop=True)


def _empty_summary() -> pd.DataFrame:
    return pd.DataFrame(columns=SUMMARY_COLUMNS)


def scorecard(
    engine: Engine, level: str, period: Period | str, parent: str | None = None
) -> ScoreResult:
    """Scores of every unit of ``level`` (under ``parent``) for ``period``, ranked within the
    returned units, with ``delta_week`` = total minus the previous period's total.
    ``level="province"`` gives the one province row (all units summed)."""
    p = _period(period)
    with engine.connect() as conn:
        snap = _snapshot_score(engine, conn, level, p, parent)
        if snap is not None:
            return snap
        res = _score(conn, level, p, parent)
        if res.summary.empty:
            return res
        prev = _score(conn, level, previous_period(p), parent)
    summary = compute.add_delta(res.summary, prev.summary if not prev.summary.empty else None)
    summary = summary.sort_values(["rank", "unit_code"], na_position="last").reset_index(drop=True)
    res.summary = summary[SUMMARY_COLUMNS]
    res.components = _in_summary_order(res.components, res.summary)
    return res


def _in_summary_order(components: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(summary["unit_code"])}
    return (
        components.assign(_o=components["unit_code"].map(order))
        .sort_values(["_o", "component"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def component_detail(
    engine: Engine,
    level: str,
    period: Period | str,
    summary: pd.DataFrame,
    unit_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``scorecard(...).components`` (or ``components_for(unit_codes)``) for a ``summary`` the
    caller already holds (a page's cached ranking): the same rows without reading the ranking
    again."""
    return _component_detail(engine, level, _period(period), summary, unit_codes)


def _component_detail(
    engine: Engine, level: str, p: Period, summary: pd.DataFrame, unit_codes: Sequence[str] | None
) -> pd.DataFrame:
    """``ScoreResult.components`` computed on demand for the summary's units (or some of them):
    one period, one level, only those units' measures."""
    codes = summary["unit_code"].astype(str).tolist()
    if unit_codes is not None:
        wanted = {str(c) for c in unit_codes}
        codes = [c for c in codes if c in wanted]
    if not codes:
        return pd.DataFrame(columns=DETAIL_COLUMNS)
    with engine.connect() as conn:
        unit_frame = _scored_units(conn, level, p, None)
        unit_frame = unit_frame[unit_frame["code"].astype(str).isin(codes)]
        meth, _ = _methodology(conn, p.end)
        measures = _measures(conn, level, p, unit_frame)
    comps = compute.score_components(measures, meth)[DETAIL_COLUMNS]
    return _in_summary_order(comps, summary[summary["unit_code"].astype(str).isin(codes)])


# --- weekly series ------------------------------------------------------------------------------


def _series_measures(
    engine: Bind,
    level: str,
    weeks: list[str],
    kind: str,
    unit_frame: pd.DataFrame,
    shared: dict | None = None,
) -> pd.DataFrame:
    """[week, unit_code, level, <MEASURES>] for every unit and week, from bucket-level frames.

    ``shared``: a dict that keeps each bucket-level query's rows for all units between calls,
    so that scoring every level (``build_snapshot``) reads each aggregate table once, not once
    per level; every query filters rows by unit only, so filtering afterwards is the same."""
    last_end = week_start(weeks[-1]) + timedelta(days=6)
    first_end = week_start(weeks[0]) + timedelta(days=6)
    start = date(first_end.year, 1, 1) if kind == "ytd" else week_start(weeks[0])
    grid_weeks = weeks_between(iso_week_label(start), weeks[-1])
    province = level == PROVINCE
    codes = unit_frame["code"].astype(str).tolist()
    filt = None if province else codes

    def collapse(df: pd.DataFrame) -> pd.DataFrame:
        # the province is all units summed: relabel every row with its code
        if province and not df.empty:
            df = df.assign(unit_code=codes[0])
        return df

    def fetch(fn: Callable[..., pd.DataFrame], *args: date, **kw: bool) -> pd.DataFrame:
        if shared is None:
            return fn(engine, *args, filt, **kw)
        key = (fn.__name__, args, tuple(sorted(kw.items())))
        if key not in shared:
            shared[key] = fn(engine, *args, None, **kw)
        df = shared[key]
        return df if filt is None else df[df["unit_code"].isin(filt)].reset_index(drop=True)

    buckets = collapse(fetch(q.bucket_measure_rows, start, last_end))
    bm = list(q.BUCKET_MEASURES)
    ev = buckets.assign(anchor=buckets["bucket"], effective=buckets["bucket"]) if not buckets.empty else buckets
    add = weekly.effective_events(ev, bm, kind) if not ev.empty else pd.DataFrame(columns=["unit_code", "week", *bm])
    out = weekly.accumulate(add, codes, grid_weeks, bm, kind)

    od = collapse(fetch(q.bucket_overdue_rows, start, last_end))
    if not od.empty:
        od = od.assign(
            anchor=od["bucket"],
            effective=od[["bucket", "overdue_bucket"]].max(axis=1),
            overdue=od["n"].where(od["source"] == "dossier", 0),
            feedback_overdue=od["n"].where(od["source"] == "feedback", 0),
        )
        od["effective"] = od["effective"].map(lambda d: d if isinstance(d, date) else d.date())
    oc = list(q.OVERDUE_MEASURES)
    add = weekly.effective_events(od, oc, kind) if not od.empty else pd.DataFrame(columns=["unit_code", "week", *oc])
    out = out.merge(weekly.accumulate(add, codes, grid_weeks, oc, kind), on=["week", "unit_code"])

    # year-to-date distinct counts need only each procedure's first use in the year
    use_rows = q.first_use_rows if kind == "ytd" else q.bucket_procedure_use_rows
    use = fetch(use_rows, start, last_end, authority=not province)
    use = collapse(use)
    for flag, measure in (("online_used", "procs_online_used"), ("fee_paid", "procs_fee_paid")):
        add = weekly.first_use_events(use, flag, kind).rename(columns={"value": measure})
        out = out.merge(
            weekly.accumulate(add, codes, grid_weeks, [measure], kind), on=["week", "unit_code"]
        )

    ann = q.announcement_rows(engine, start, last_end)
    am = list(q.ANNOUNCEMENT_MEASURES)
    events = _announcement_events(collapse(ann), start, last_end)
    events = events[events["unit_code"].isin(codes)] if not events.empty else events
    add = weekly.effective_events(events, am, kind) if not events.empty else pd.DataFrame(columns=["unit_code", "week", *am])
    out = out.merge(weekly.accumulate(add, codes, grid_weeks, am, kind), on=["week", "unit_code"])

    procs = q.procedure_counts(engine, by_unit=not province)
    if province:
        procs["unit_code"] = codes[0]
    out = out.merge(procs, on="unit_code", how="left")
    out = out[out["week"].isin(weeks)]
    out["level"] = out["unit_code"].map(unit_frame.set_index("code")["level"])
    out[list(q.MEASURES)] = out[list(q.MEASURES)].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def _announcement_events(ann: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Announcement facts as dated events with the announcement measures as values."""
    am = list(q.ANNOUNCEMENT_MEASURES)
    cols = ["unit_code", "anchor", "effective", *am]
    if ann.empty:
        return pd.DataFrame(columns=cols)
    parts = []

    def add(day_col: str, values: dict[str, pd.Series]) -> None:
        ok = ann[day_col].notna()
        sub = ann[ok]
        days = sub[day_col].map(lambda d: d if isinstance(d, date) else d.date())
        inside = (days >= start) & (days <= end)
        frame = pd.DataFrame({"unit_code": sub["unit_code"], "anchor": days, "effective": days})
        for m in am:
            frame[m] = values[m][ok].astype("int64") if m in values else 0
        parts.append(frame[inside])

    one = pd.Series(1, index=ann.index)
    add("decision_date", {
        "ann_total": one,
        "ann_on_time": (ann["decision_date"] <= ann["decision_deadline"]).astype(int),
    })
    published_by = ann["published_date"].notna() & (
        ann["published_date"].fillna(date.max) <= ann["publication_deadline"]
    )
    add("publication_deadline", {"pub_due": one, "pub_on_time": published_by.astype(int)})
    add("published_date", {"pub_total": one, "pub_full": (ann["parts_complete"] >= 7).astype(int)})
    return pd.concat(parts, ignore_index=True)[cols]


def series(
    engine: Engine,
    level: str,
    last_week: str,
    weeks: int = 104,
    kind: str = "ytd",
    parent: str | None = None,
) -> pd.DataFrame:
    """[week, unit_code, total, group_1 ... group_6] for the ``weeks`` weeks ending at
    ``last_week``: the year-to-date score as of each week's end (kind "ytd", the weekly ranking)
    or the week's own score (kind "week")."""
    first = iso_week_label(week_start(last_week) - timedelta(days=7 * (weeks - 1)))
    week_list = weeks_between(first, last_week)
    with engine.connect() as conn:
        snap = _snapshot_series(conn, level, week_list, kind, parent)
        if snap is not None:
            return snap
        return _series(conn, level, week_list, kind, parent)


def _series(conn: Bind, level: str, week_list: list[str], kind: str, parent: str | None) -> pd.DataFrame:
    start = week_start(week_list[0])
    end = week_start(week_list[-1]) + timedelta(days=6)
    unit_frame = (
        _province_unit(conn, start, end)
        if level == PROVINCE
        else q.active_units(conn, level=level, start=start, end=end, parent=parent)
    )
    meth, version = _methodology(conn, end)
    if unit_frame.empty or meth.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    measures = _series_measures(conn, level, week_list, kind, unit_frame)
    # a unit counts only in weeks it existed (merged units stop at valid_to)
    measures = _within_validity(measures, unit_frame)
    keys = ["week", "unit_code"]
    comps = compute.score_components(measures, meth, keys=keys)
    group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
    bands = _bands(conn, version)
    summary = compute.summarize(measures, comps, bands, keys=keys, group_codes=group_codes)
    return summary[SERIES_COLUMNS].sort_values(keys).reset_index(drop=True)


def _within_validity(measures: pd.DataFrame, unit_frame: pd.DataFrame) -> pd.DataFrame:
    vf = unit_frame.set_index("code")["valid_from"]
    vt = unit_frame.set_index("code")["valid_to"]
    ends = measures["week"].map({w: week_start(w) + timedelta(days=6) for w in measures["week"].unique()})
    starts = ends - timedelta(days=6)
    f = measures["unit_code"].map(vf)
    t = measures["unit_code"].map(vt)
    ok = (f.isna() | (f <= ends)) & (t.isna() | (t >= starts))
    return measures[ok.astype(bool)]


# --- lagging units ------------------------------------------------------------------------------


def _one_snapshot_check(fn: Callable) -> Callable:
    """Run ``fn`` in a snapshot scope unless one is open (a page run): its reads of the
    snapshot check it once."""
    @wraps(fn)
    def run(*args: object, **kwargs: object) -> object:
        if _CHECKED.get() is not None:
            return fn(*args, **kwargs)
        with snapshot_scope():
            return fn(*args, **kwargs)

    return run


@_one_snapshot_check
def lagging(
    engine: Engine,
    level: str,
    week: str,
    bottom_n: int = 5,
    below_grade: str | None = None,
    falling_weeks: int = 3,
) -> pd.DataFrame:
    """[unit_code, unit_name, level, urgency, reasons, worst_components, total, grade, rank,
    overdue_procedures, overdue_fields] for units that lag in the year-to-date ranking as of
    ``week`` (most urgent first); empty when none lags or there is no data."""
    p = ytd_period(week)
    res = scorecard(engine, level, p)
    if res.summary.empty:
        return pd.DataFrame(columns=lag.LAGGING_COLUMNS)
    hist = series(engine, level, week, weeks=falling_weeks + 1, kind="ytd")
    end = p.end
    as_of = [end, end - timedelta(days=7)]
    codes = res.summary["unit_code"].tolist()
    backlog = _snapshot_backlog(engine, level, week, codes)
    if backlog is None:
        backlog = q.overdue_backlog(engine, as_of, codes)
    bands = _bands(engine, res.methodology_version)

    def find(components: pd.DataFrame) -> pd.DataFrame:
        return lag.find_lagging(
            res.summary,
            components,
            hist,
            backlog,
            bands,
            bottom_n=bottom_n,
            below_grade=below_grade,
            falling_weeks=falling_weeks,
        )

    # Whether a unit lags does not depend on its components (they only name the costly ones),
    # so find the units first and compute component detail for those few alone.
    found = find(pd.DataFrame(columns=DETAIL_COLUMNS))
    if found.empty:
        return found
    found = find(res.components_for(found["unit_code"].tolist()))
    # the procedures and fields behind the overdue dossiers, for the lagging units only
    overdue = q.overdue_by_procedure_field(engine, p.start, p.end, found["unit_code"].tolist())
    return lag.attach_overdue(found, overdue)


# --- the weekly score snapshot (score_week) -------------------------------------------------

# Bumped when what build_snapshot writes changes meaning: an older snapshot is then ignored.
SNAPSHOT_FORMAT = 1
SNAPSHOT_KINDS = ("ytd", "week")
_GROUPS = [f"group_{i}" for i in range(1, 7)]


# database URL -> the snapshot's checked state, within one snapshot_scope (a page run)
_CHECKED: ContextVar[dict[str, dict | None] | None] = ContextVar("snapshot_checked", default=None)


def start_snapshot_scope() -> None:
    """From here on in this thread (a page run: the dashboard calls it first thing each run),
    check the snapshot once per database, not once per ranking or series read: the check reads
    and hashes the reference tables, about 10 ms each time, and a page reads four to six."""
    _CHECKED.set({})


@contextmanager
def snapshot_scope() -> Iterator[None]:
    """``start_snapshot_scope`` for a block (a service call that reads the snapshot several
    times), then back to what was before."""
    token = _CHECKED.set({})
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _checked_state(conn: Bind) -> dict | None:
    """The snapshot's state if it is current: built by this code's format, by the latest
    refresh, from the reference data as it is now."""
    state = q.snapshot_state(conn)
    if state is None or state["format"] != SNAPSHOT_FORMAT:
        return None
    if state["refresh_id"] != state["latest_refresh"] or not state["first_week"]:
        return None
    if state["inputs"] != q.snapshot_inputs_hash(conn):
        return None
    return state


def _current_snapshot(conn: Bind, weeks: Sequence[str]) -> dict | None:
    """The snapshot's state if it can answer for ``weeks``: current (``_checked_state``; once
    per database within a snapshot scope) and covering every week asked for."""
    checked = _CHECKED.get()
    if checked is None:
        state = _checked_state(conn)
    else:
        key = conn.engine.url.render_as_string(hide_password=False)
        if key not in checked:
            checked[key] = _checked_state(conn)
        state = checked[key]
    if state is None:
        return None
    if min(weeks) < state["first_week"] or max(weeks) > state["last_week"]:
        return None
    return state


def _snapshot_score(
    engine: Engine, conn: Connection, level: str, p: Period, parent: str | None
) -> ScoreResult | None:
    """``scorecard`` for a week or year-to-date from score_week, or None to compute it."""
    if p.kind not in SNAPSHOT_KINDS or _current_snapshot(conn, [p.label]) is None:
        return None
    unit_frame = q.active_units(conn, level=level, start=p.start, end=p.end, parent=parent)
    codes = None if parent is None else unit_frame["code"].astype(str).tolist()
    rows = q.score_week_rows(conn, level, p.kind, [p.label], codes)
    if rows.empty:
        return None  # no data in the period: the on-demand path says so just as quickly
    meth, version = _methodology(conn, p.end)
    summary = rows.assign(
        unit_name=rows["unit_code"].map(unit_frame.set_index("code")["name"]),
        period=p.label,
        total=rows["total"].astype("float64"),
        dossiers=rows["dossiers"].astype("int64"),
        delta_week=pd.to_numeric(rows["delta_week"], errors="coerce").astype("float64"),
        rank=pd.array(rows["rank"], dtype="Int64"),
    )
    summary[_GROUPS] = summary[_GROUPS].astype("float64")
    # compute.grade_for builds these as object columns (None where no band applies)
    summary[["grade", "grade_color"]] = summary[["grade", "grade_color"]].astype(object)
    if parent is not None:
        # ranked within the returned units, as the on-demand path ranks a drill-down
        summary["rank"] = (
            compute.rank_totals(summary["total"]) if _is_ranked(conn, level)
            else pd.Series(pd.NA, index=summary.index, dtype="Int64")
        )
    summary = summary.sort_values(["rank", "unit_code"], na_position="last").reset_index(drop=True)
    summary = summary[SUMMARY_COLUMNS]
    not_applicable = [
        str(c) for c, lv in zip(meth["component"], meth["levels"], strict=True)
        if level not in component_levels(lv)
    ]
    return ScoreResult(
        summary, None, p, version, not_applicable,
        loader=lambda codes_: _component_detail(engine, level, p, summary, codes_),
    )


def _snapshot_series(
    conn: Connection, level: str, week_list: list[str], kind: str, parent: str | None
) -> pd.DataFrame | None:
    """``series`` from score_week, or None to compute it."""
    if kind not in SNAPSHOT_KINDS or _current_snapshot(conn, week_list) is None:
        return None
    codes = None
    if parent is not None:
        start, end = week_start(week_list[0]), week_start(week_list[-1]) + timedelta(days=6)
        codes = q.active_units(conn, level=level, start=start, end=end, parent=parent)["code"]
        codes = codes.astype(str).tolist()
    rows = q.score_week_rows(conn, level, kind, week_list, codes, flag="in_series")
    if rows.empty:
        return None
    # The on-demand series scores every week with the methodology in force at its last week's
    # end; the snapshot holds each week's own. Equal only when one version spans the weeks.
    _, version = _methodology(conn, week_start(week_list[-1]) + timedelta(days=6))
    if set(rows["methodology_version"]) != {version}:
        return None
    out = rows[SERIES_COLUMNS].copy()
    out[["total", *_GROUPS]] = out[["total", *_GROUPS]].astype("float64")
    return out.sort_values(["week", "unit_code"]).reset_index(drop=True)


def _snapshot_backlog(engine: Engine, level: str, week: str, codes: list[str]) -> pd.DataFrame | None:
    """[unit_code, backlog_0, backlog_1] (at the week's end, a week earlier) from score_week, or
    None when the snapshot cannot say (then ``q.overdue_backlog`` scans the dossiers)."""
    before = iso_week_label(week_start(week) - timedelta(days=7))
    with engine.connect() as conn:
        if _current_snapshot(conn, [before, week]) is None:
            return None
        rows = q.score_week_rows(conn, level, "ytd", [before, week], codes, flag=None)
    wide = rows.pivot_table(index="unit_code", columns="week", values="backlog", aggfunc="sum")
    if week not in wide.columns or before not in wide.columns:
        return None
    out = pd.DataFrame(
        {"unit_code": wide.index, "backlog_0": wide[week].values, "backlog_1": wide[before].values}
    )
    out[["backlog_0", "backlog_1"]] = out[["backlog_0", "backlog_1"]].astype("int64")
    return out.reset_index(drop=True)


def build_snapshot(conn: Connection, refresh_id: int, since: date | None = None) -> int:
    """Recompute score_week for every unit of every level, every week with data and both kinds,
    in the caller's transaction (``refresh`` calls it after the aggregates); returns its rows.
    With ``since`` (the earliest bucket the refresh changed), only the weeks from its week on,
    when the snapshot was current before this refresh (``_update_snapshot``).

    Uses the series path (``_series_measures``: cumulative sums over bucket rows), scoring each
    week with the methodology in force at its end, so every row equals what ``scorecard`` and
    ``series`` compute on demand."""
    weeks = q.available_weeks(conn)["week"].tolist()
    meth_all = q.methodology(conn)
    if since is not None and weeks and not meth_all.empty:
        written = _update_snapshot(conn, refresh_id, since, weeks, meth_all)
        if written is not None:
            return written
    week_list: list[str] = []
    cols = list(q.SCORE_WEEK_COLUMNS)
    rows = pd.DataFrame(columns=cols)
    if weeks and not meth_all.empty:
        week_list = weeks_between(weeks[0], weeks[-1])
        rows = _snapshot_rows(conn, week_list, meth_all)
    meta = {
        "built_at": datetime.now(),
        "refresh_id": refresh_id,
        "format": SNAPSHOT_FORMAT,
        "inputs": q.snapshot_inputs_hash(conn),
        "first_week": week_list[0] if week_list else None,
        "last_week": week_list[-1] if week_list else None,
    }
    return q.write_score_snapshot(conn, rows.reindex(columns=cols), meta)


def _snapshot_rows(conn: Connection, week_list: list[str], meth_all: pd.DataFrame) -> pd.DataFrame:
    """score_week rows of both kinds for ``week_list`` (consecutive weeks), with the backlog."""
    buckets = q.data_buckets(conn)
    lv = q.levels(conn)
    ranked = {str(c): bool(r) for c, r in zip(lv["code"], lv["ranked"], strict=True)}
    shared: dict = {}  # bucket-level rows read once for every level (_series_measures)
    rows = pd.concat(
        [_snapshot_kind(conn, ranked, week_list, kind, meth_all, buckets, shared)
         for kind in SNAPSHOT_KINDS],
        ignore_index=True,
    )
    if not rows.empty:
        backlog = _backlog_grid(q.backlog_events(conn), rows["unit_code"].unique(), week_list)
        rows = rows.drop(columns="backlog").merge(backlog, on=["unit_code", "week"], how="left")
        rows["backlog"] = rows["backlog"].fillna(0).astype("int64")
    return rows


def _update_snapshot(
    conn: Connection, refresh_id: int, since: date, weeks: list[str], meth_all: pd.DataFrame
) -> int | None:
    """Recompute score_week from the week of ``since`` on, or None when only a whole rebuild
    is right: no snapshot, one of another format or from other reference data, one that the
    refresh before this one did not build, or a change before the snapshot's first week.

    Nothing before that week can have changed: every measure of a week counts dossiers received
    up to its end (overdue ones included), and the backlog only dossiers received by then. The
    week before is computed too, for the first week's delta, and not written."""
    state = q.snapshot_state(conn)
    if state is None or state["format"] != SNAPSHOT_FORMAT or not state["first_week"]:
        return None
    if state["refresh_id"] != q.previous_refresh_id(conn, refresh_id):
        return None
    if state["inputs"] != q.snapshot_inputs_hash(conn):
        return None
    w0 = iso_week_label(since)
    all_weeks = weeks_between(weeks[0], weeks[-1])
    if weeks[0] != state["first_week"] or w0 not in all_weeks or w0 == all_weeks[0]:
        return None
    rows = _snapshot_rows(conn, all_weeks[all_weeks.index(w0) - 1 :], meth_all)
    rows = rows[rows["week"] >= w0]
    meta = {
        "built_at": datetime.now(),
        "refresh_id": refresh_id,
        "format": SNAPSHOT_FORMAT,
        "inputs": state["inputs"],
        "first_week": all_weeks[0],
        "last_week": all_weeks[-1],
    }
    return q.replace_score_weeks(conn, rows.reindex(columns=list(q.SCORE_WEEK_COLUMNS)), w0, meta)


def _snapshot_kind(
    conn: Connection,
    ranked: dict[str, bool],
    week_list: list[str],
    kind: str,
    meth_all: pd.DataFrame,
    buckets: list[date],
    shared: dict,
) -> pd.DataFrame:
    """score_week rows of one kind: every unit of every level that existed in the weeks x every
    week. The units of all levels but the province are measured and scored together (every
    row is scored on its own, so batching changes no number, only pandas' per-call overhead)."""
    ends = {w: week_start(w) + timedelta(days=6) for w in week_list}
    first_end, last_end = ends[week_list[0]], ends[week_list[-1]]
    start = date(first_end.year, 1, 1) if kind == "ytd" else week_start(week_list[0])
    units = {lv: q.active_units(conn, level=lv, start=start, end=last_end) for lv in ranked}
    parts = []
    province = units.pop(PROVINCE, pd.DataFrame())
    others = pd.concat([u for u in units.values() if not u.empty] or [pd.DataFrame()], ignore_index=True)
    for level, unit_frame in (("units", others), (PROVINCE, province)):
        if not unit_frame.empty:
            m = _series_measures(conn, level, week_list, kind, unit_frame, shared)
            v = unit_frame.set_index("code")
            parts.append(m.assign(_vf=m["unit_code"].map(v["valid_from"]),
                                  _vt=m["unit_code"].map(v["valid_to"])))
    if not parts:
        return pd.DataFrame(columns=list(q.SCORE_WEEK_COLUMNS))
    measures = pd.concat(parts, ignore_index=True)

    # the period behind each row, as scorecard() would take it: which rows it returns
    p_end = measures["week"].map(ends)
    w_start = p_end - timedelta(days=6)
    p_start = p_end.map(lambda d: date(d.year, 1, 1)) if kind == "ytd" else w_start
    with_data = {
        w: _any_between(buckets, date(e.year, 1, 1) if kind == "ytd" else e - timedelta(days=6), e)
        for w, e in ends.items()
    }
    vf, vt = measures["_vf"], measures["_vt"]

    def valid(lo: pd.Series, hi: pd.Series) -> np.ndarray:
        ok = (vf.isna() | (vf <= hi)) & (vt.isna() | (vt >= lo))
        return ok.astype(bool).to_numpy()

    measures = measures.drop(columns=["_vf", "_vt"]).assign(
        scored=(valid(p_start, p_end) & measures["week"].map(with_data).astype(bool).to_numpy()),
        in_series=valid(w_start, p_end),
    )
    keys = ["week", "unit_code"]
    versions = _versions_at(meth_all, ends)
    scored_parts = []
    for version in sorted(set(versions.values()), key=str):
        vweeks = [w for w in week_list if versions[w] == version]
        m = measures[measures["week"].isin(vweeks)]
        meth = select_version(meth_all, ends[vweeks[0]])
        comps = compute.score_components(m, meth, keys=keys)
        group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
        summ = compute.summarize(m, comps, _bands(conn, version), keys=keys, group_codes=group_codes)
        summ = summ.merge(m[[*keys, "level", "scored", "in_series"]], on=keys)
        summ["methodology_version"] = version
        scored_parts.append(summ)
    out = pd.concat(scored_parts, ignore_index=True)
    out["kind"] = kind
    # rank within the level and week, among the rows scorecard() returns
    rankable = out["scored"].astype(bool) & out["level"].map(ranked).fillna(False).astype(bool)
    out["rank"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    if rankable.any():
        out.loc[rankable, "rank"] = compute.rank_totals(
            out.loc[rankable, "total"], by=out.loc[rankable, "level"] + "|" + out.loc[rankable, "week"]
        )
    # delta_week: against the previous week's row of the same unit, if scorecard() returns it
    scored = out["scored"].astype(bool)
    next_week = {w: week_list[i + 1] for i, w in enumerate(week_list[:-1])}
    prev = out.loc[scored, ["unit_code", "week", "total"]].rename(columns={"total": "_prev"})
    prev["week"] = prev["week"].map(next_week)
    out = out.merge(prev.dropna(subset=["week"]), on=["unit_code", "week"], how="left")
    out["delta_week"] = (out["total"] - out["_prev"]).where(out["scored"].astype(bool))
    out["scored"] = out["scored"].astype("int64")
    out["in_series"] = out["in_series"].astype("int64")
    out["backlog"] = 0  # filled for both kinds at once by build_snapshot
    return out[list(q.SCORE_WEEK_COLUMNS)]


def _versions_at(meth_all: pd.DataFrame, ends: dict[str, date]) -> dict[str, str | None]:
    """{week: version_at(meth_all, its end)} with one sort and a bisection per week: version_at
    itself is a few pandas operations per call, too slow for every week of every level."""
    if meth_all.empty:
        return dict.fromkeys(ends)
    # the very frame version_at builds and sorts, so that ties break the same way
    v = meth_all[["version", "valid_from"]].drop_duplicates()
    v = v.assign(valid_from=pd.to_datetime(v["valid_from"]).dt.date).sort_values("valid_from")
    froms, names = v["valid_from"].tolist(), v["version"].tolist()
    out: dict[str, str | None] = {}
    for w, e in ends.items():
        i = bisect_right(froms, e) - 1
        out[w] = str(names[i] if i >= 0 else names[0])
    return out


def _any_between(buckets: list[date], lo: date, hi: date) -> bool:
    i = bisect_left(buckets, lo)
    return i < len(buckets) and buckets[i] <= hi


def _backlog_grid(events: pd.DataFrame, units: Sequence[str], week_list: list[str]) -> pd.DataFrame:
    """[unit_code, week, backlog]: the sum of each unit's backlog events up to each week's end."""
    if events.empty or not week_list:
        return pd.DataFrame(columns=["unit_code", "week", "backlog"])
    ends = np.array([np.datetime64(week_start(w) + timedelta(days=6)) for w in week_list])
    days = np.array([np.datetime64(d) for d in events["day"]])
    # index of the first week ending on or after the event: it counts from that week on
    idx = np.searchsorted(ends, days, side="left")
    e = events.assign(_i=idx)
    e = e[(e["_i"] < len(week_list)) & e["unit_code"].isin(list(units))]
    grid = (
        e.groupby(["unit_code", "_i"])["n"].sum().unstack(fill_value=0)
        .reindex(columns=range(len(week_list)), fill_value=0)
        .cumsum(axis=1)
    )
    grid.columns = week_list
    out = grid.stack().rename("backlog").reset_index()
    return out.rename(columns={"level_1": "week"})


# --- overdue dossiers ------------------------------------------------------------------------


OVERDUE_COLUMNS = [
    "code", "procedure_code", "procedure_name", "field_name", "received_date", "deadline_date",
    "end_date", "days_overdue", "status",
]


def overdue_dossiers(engine: Engine, unit_code: str, period: Period | str) -> pd.DataFrame:
    """Dossiers of a unit received in the period and overdue as of its end, longest first.
    ``days_overdue`` counts to the end of processing, or to the period end if still open then."""
    p = _period(period)
    df = q.overdue_dossiers(engine, unit_code, p.start, p.end)
    if df.empty:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    stop = df["end_date"].map(lambda d: p.end if d is None or pd.isna(d) or d > p.end else d)
    df["days_overdue"] = [(a - b).days for a, b in zip(stop, df["deadline_date"], strict=True)]
    df["end_date"] = df["end_date"].map(lambda d: None if d is None or pd.isna(d) or d > p.end else d)
    df = df.sort_values(["days_overdue", "code"], ascending=[False, True])
    return df[OVERDUE_COLUMNS].reset_index(drop=True)


def overdue_pareto(
    engine: Engine, unit_code: str, period: Period | str, by: str = "procedure"
) -> pd.DataFrame:
    """[key, name, overdue, share, cumulative_share]: overdue dossiers (received in the period,
    overdue as of its end) by procedure or field, largest first."""
    p = _period(period)
    df = q.overdue_by(engine, p.start, p.end, by, [unit_code])
    return lag.pareto(df)


# --- Biểu II.06a ---------------------------------------------------------------------------


def bieu06a(engine: Engine, start: date, end: date, unit_code: str | None = None) -> pd.DataFrame:
    """The official report per unit and field for [start, end] (columns: bieu06a.COLUMNS)."""
    codes = [unit_code] if unit_code else None
    counts = q.bieu06a_counts(engine, start, end, codes)
    names = q.active_units(engine)[["code", "name", "level"]]
    return b06.build(counts, names)
