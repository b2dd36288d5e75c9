"""The Service API of docs/design.md: the one scorecard module that takes an Engine.

It glues ``data_access.queries`` to the pure scoring modules. Every function takes the engine
first and returns pandas frames (empty frames, never errors, when there is no data). Nothing is
cached here: the dashboard caches (st.cache_data) around these calls.

Periods may be given as a ``scorecard.periods.Period`` or as a label ("2024-W52", "2024-12",
"2024-Q4", "2024"); a bare week label means that week alone, use ``period_for_week("ytd", w)``
or ``parse_period(w, ytd=True)`` for the year-to-date ranking.

Weekly scores (kind "week" and "ytd") are precomputed after every refresh into ``score_week``
(``scorecard.snapshot.build_snapshot``, run by ``scorecard.pipeline``, with the same series code
the on-demand path uses), so a cold dashboard reads them instead of scoring every unit:
``scorecard`` (week, ytd), ``series`` and ``lagging`` read the snapshot while it is current
(``scorecard.snapshot_check``) and compute on demand otherwise (a database built before the
snapshot existed, reference data edited since the last refresh, weeks outside it). Both paths
return the same frames. Component detail is always computed on demand, for the requested units
only, when ``ScoreResult.components`` is first read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import queries as q
from scorecard import bieu06a as b06
from scorecard import compute, pack_reads, snapshot_rows
from scorecard import lagging as lag
from scorecard.inputs import (
    PROVINCE,
    Bind,
    grade_bands_for,
    is_ranked,
    lagging_rules_at,
    methodology_at,
    period_measures,
    scored_units,
    series_measures,
    weeks_with_units,
    within_validity,
)
from scorecard.lineage import (  # noqa: F401 (part of this API)
    change_day,
    predecessor_history,
    predecessor_measures,
    predecessors,
    successors,
)
from scorecard.methodology import component_levels
from scorecard.overdue import overdue_counts, overdue_list  # noqa: F401 (part of this API)
from scorecard.pack_reads import (  # noqa: F401 (the pack's reads)
    _as_of_end,
    group_info,
    overdue_by_procedure,
    overdue_dossiers_of,
)
from scorecard.periods import (
    Period,
    iso_week_label,
    parse_period,
    previous_period,
    week_start,
    weeks_between,
    ytd_period,
)

# snapshot_scope and start_snapshot_scope are part of this API (the dashboard opens a scope per
# page run), though defined with the snapshot check
from scorecard.snapshot_check import (  # noqa: F401
    GROUPS,
    SNAPSHOT_KINDS,
    one_snapshot_check,
    snapshot_scope,
    start_snapshot_scope,
)

# imported under its old private name, which the read paths below call: a test that sets
# ``service._current_snapshot`` to None-returning sees the on-demand path
from scorecard.snapshot_check import current_snapshot as _current_snapshot
from scorecard.structure import (  # noqa: F401 (part of this API)
    exists_in,
    level_span,
    levels_at,
    lineage,
    scored_from,
    unit,
)

# rank_prev: the unit's rank in the previous period among the same ranked set (Int64, NA when
# it had none then); rank_change = rank_prev - rank, positive = moved up (Int64, NA if either is)
SUMMARY_COLUMNS = snapshot_rows.SUMMARY_COLUMNS
COMPONENT_COLUMNS = compute.COMPONENT_COLUMNS
# what ScoreResult.components holds: the design.md columns, the group maximum (for scaling) and
# the saturation applied (appended last so that positional readers keep working)
DETAIL_COLUMNS = [*COMPONENT_COLUMNS, "group_max", "saturation"]
SERIES_COLUMNS = snapshot_rows.SERIES_COLUMNS
UNIT_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "lat", "lon", "valid_from", "valid_to", "kind"]


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


def units(
    engine: Engine, level: str | None = None, parent: str | None = None, on: date | None = None
) -> pd.DataFrame:
    """[code, name, short_name, level, parent_code, lat, lon] of every unit of a level (merged
    units included, for history), optionally under a parent; with ``on``, only the units that
    exist on that day."""
    df = q.active_units(engine, level=level, parent=parent, start=on, end=on)
    return df[UNIT_COLUMNS].reset_index(drop=True)


def grade_bands(engine: Engine, version: str | None = None) -> pd.DataFrame:
    """[version, grade, min_score, color, sort_order] best first (all versions when None)."""
    return q.grade_bands(engine, version)


def targets(engine: Engine, on: date | None = None) -> pd.DataFrame:
    """Targets in force on ``on`` [indicator, valid_from, kind, value, name, legal_basis, illustrative]."""
    return q.targets(engine, on)


# --- scorecard --------------------------------------------------------------------------------

def _score(engine: Bind, level: str, p: Period, parent: str | None) -> ScoreResult:
    unit_frame = scored_units(engine, level, p, parent)
    meth, version = methodology_at(engine, p.end)
    if unit_frame.empty or meth.empty or not q.has_data(engine, p.start, p.end):
        return ScoreResult(_empty_summary(), pd.DataFrame(columns=DETAIL_COLUMNS), p, version)
    measures = period_measures(engine, level, p, unit_frame)
    comps = compute.score_components(measures, meth)
    group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
    summary = compute.summarize(measures, comps, grade_bands_for(engine, version), group_codes=group_codes)
    names = unit_frame.set_index("code")["name"]
    summary["unit_name"] = summary["unit_code"].map(names)
    summary["level"] = level
    summary["period"] = p.label
    summary["methodology_version"] = version
    summary["rank"] = (
        compute.rank_totals(summary["total"]) if is_ranked(engine, level) else pd.Series(
            pd.NA, index=summary.index, dtype="Int64"
        )
    )
    applicable = set(comps["component"].unique())
    not_applicable = [c for c in meth["component"] if c not in applicable]
    return ScoreResult(summary, comps[DETAIL_COLUMNS], p, version, not_applicable)


def component_catalogue(engine: Engine, level: str, on: date) -> pd.DataFrame:
    """[component, name, group_code, group_max, max_points, saturation, basis] of the
    methodology in force on ``on`` (``basis``: the denominator expression), components that
    apply to ``level`` only ("province": all of them). What a page needs to label components
    and groups, and to say what winning points back takes, without scoring anything."""
    with engine.connect() as conn:
        meth, _ = methodology_at(conn, on)
    cols = ["component", "name", "group_code", "group_max", "max_points", "saturation", "basis"]
    if meth.empty:
        return pd.DataFrame(columns=cols)
    meth = meth.assign(basis=meth["denominator"])
    if level != PROVINCE:
        meth = meth[meth["levels"].map(lambda lv: level in component_levels(lv))]
    return meth[cols].reset_index(drop=True)


def _empty_summary() -> pd.DataFrame:
    return pd.DataFrame(columns=SUMMARY_COLUMNS)


def scorecard(
    engine: Engine, level: str, period: Period | str, parent: str | None = None
) -> ScoreResult:
    """Scores of every unit of ``level`` (under ``parent``) for ``period``, ranked within the
    returned units, with ``delta_week`` = total minus the previous period's total and
    ``rank_prev`` / ``rank_change`` (the rank in the previous period among the same set; the
    places gained).
    ``level="province"`` gives the one province row (all units summed)."""
    p = _period(period)
    with engine.connect() as conn:
        snap = _snapshot_score(engine, conn, level, p, parent)
        if snap is not None:
            snap.summary = _none_for_missing(snap.summary)
            return snap
        res = _score(conn, level, p, parent)
        if res.summary.empty:
            return res
        prev = _score(conn, level, previous_period(p), parent)
    summary = compute.add_delta(res.summary, prev.summary if not prev.summary.empty else None)
    summary = compute.add_rank_change(summary, prev.summary)
    summary = summary.sort_values(["rank", "unit_code"], na_position="last").reset_index(drop=True)
    res.summary = _none_for_missing(summary[SUMMARY_COLUMNS])
    res.components = _in_summary_order(res.components, res.summary)
    return res


def _none_for_missing(summary: pd.DataFrame) -> pd.DataFrame:
    """Grades of units without one (không phát sinh) as None on both paths (not NaN)."""
    out = summary.copy()
    for c in ("grade", "grade_color"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


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
        unit_frame = scored_units(conn, level, p, None)
        unit_frame = unit_frame[unit_frame["code"].astype(str).isin(codes)]
        meth, _ = methodology_at(conn, p.end)
        measures = period_measures(conn, level, p, unit_frame)
    comps = compute.score_components(measures, meth)[DETAIL_COLUMNS]
    return _in_summary_order(comps, summary[summary["unit_code"].astype(str).isin(codes)])



# --- weekly series ------------------------------------------------------------------------------

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
    # every unit that existed in some of the weeks (a province that ended included: its weeks
    # before the merger are its own)
    unit_frame = q.active_units(conn, level=level, start=start, end=end,
                                parent=None if level == PROVINCE else parent)
    meth, version = methodology_at(conn, end)
    if unit_frame.empty or meth.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    measures = series_measures(conn, level, week_list, kind, unit_frame)
    # a unit counts only in weeks it existed (merged units stop at valid_to)
    measures = within_validity(measures, unit_frame)
    keys = ["week", "unit_code"]
    comps = compute.score_components(measures, meth, keys=keys)
    group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
    bands = grade_bands_for(conn, version)
    summary = compute.summarize(measures, comps, bands, keys=keys, group_codes=group_codes)
    return summary[SERIES_COLUMNS].sort_values(keys).reset_index(drop=True)


# --- lagging units ------------------------------------------------------------------------------


@one_snapshot_check
def lagging(
    engine: Engine,
    level: str,
    week: str,
    rules: pd.DataFrame | None = None,
    bottom_n: int | None = None,
    below_grade: str | None = None,
    summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``scorecard.lagging.LAGGING_COLUMNS`` for the units that lag in the year-to-date ranking
    as of ``week`` under the lagging rule in force at the week's end (table ``lagging_rule``;
    the shipped assets/defaults/lagging_rules.csv for a database made before it), most urgent
    first; empty when none lags or there is no data. ``rules``: lagging_rule rows to apply
    instead (a what-if); ``bottom_n`` / ``below_grade``: override those two thresholds.
    ``summary``: that ranking (``scorecard(engine, level, ytd_period(week)).summary``) when the
    caller holds it already (the dashboard's cached one), so it is not read twice."""
    p = ytd_period(week)
    if summary is None:
        res = scorecard(engine, level, p)
    else:
        versions = [str(v) for v in summary["methodology_version"].dropna()] if not summary.empty else []
        res = ScoreResult(
            summary, None, p, versions[0] if versions else None,
            loader=lambda codes_: _component_detail(engine, level, p, summary, codes_),
        )
    if res.summary.empty:
        return pd.DataFrame(columns=lag.LAGGING_COLUMNS)
    rule = lag.rules_for(rules if rules is not None else lagging_rules_at(engine, p.end), level)
    if bottom_n is not None or below_grade is not None:
        rule = replace(rule, bottom_n=rule.bottom_n if bottom_n is None else bottom_n,
                       grade=below_grade or rule.grade)
    codes = res.summary["unit_code"].tolist()
    backlog = _snapshot_backlog(engine, level, week, codes)
    if backlog is None:
        backlog = q.overdue_backlog(engine, [p.end, p.end - timedelta(days=7)], codes)
    bands = grade_bands_for(engine, res.methodology_version)
    names = q.levels(engine).set_index("code")["name"].astype(str)
    plural = names.get(level, level)
    plural = plural[:1].lower() + plural[1:]

    # Whether a unit lags does not depend on its components (they only name the costly ones),
    # so find the units first and compute component detail for those few alone.
    weeks = ((p.end - p.start).days + 7) // 7  # weeks the year to date holds (a part one counts)
    found = lag.find_lagging(res.summary, pd.DataFrame(columns=DETAIL_COLUMNS), backlog, bands,
                             rule, plural, weeks=weeks)
    if found.empty:
        return found
    catalogue = component_catalogue(engine, level, p.end)
    basis = dict(zip(catalogue["component"].astype(str), catalogue["basis"].astype(str), strict=True))
    found = lag.find_lagging(res.summary, res.components_for(found["unit_code"].tolist()), backlog,
                             bands, rule, plural, basis=basis, weeks=weeks)
    # the procedures and fields behind the overdue dossiers, for the lagging units only
    overdue = q.overdue_by_procedure_field(engine, p.start, p.end, found["unit_code"].tolist())
    return lag.attach_overdue(found, overdue)


def lagging_rule(engine: Engine, level: str, week: str) -> lag.Rules:
    """The lagging rule ``lagging`` applies to ``level`` as of ``week`` (for the page to say it)."""
    return lag.rules_for(lagging_rules_at(engine, ytd_period(week).end), level)


def _snapshot_score(
    engine: Engine, conn: Connection, level: str, p: Period, parent: str | None
) -> ScoreResult | None:
    """``scorecard`` for a week or year-to-date from score_week, or None to compute it. The
    ranking is built from the rows in plain Python and made a frame once: every page reads a few
    rankings per run, and pandas' per-operation cost was most of their time."""
    state = None if p.kind not in SNAPSHOT_KINDS else _current_snapshot(conn, [p.label])
    if state is None:
        return None
    prev = previous_period(p)
    # the previous period's rows come in the same read when the snapshot holds that week
    prev_held = prev.label >= str(state["first_week"])
    unit_frame = q.active_units(conn, level=level, start=p.start, end=p.end, parent=parent)
    codes = None if parent is None else q.active_units(
        conn, level=level, start=min(prev.start, p.start), end=p.end, parent=parent
    )["code"].astype(str).tolist()
    recs = q.statement_rows(conn, q.score_week_rows_stmt(
        level, p.kind, [p.label, prev.label] if prev_held else [p.label], codes))
    c = snapshot_rows.COLUMN
    week_i = c["week"]
    now = [r for r in recs if r[week_i] == p.label]
    if not now:
        return None  # no data in the period: the on-demand path says so just as quickly
    before = [r for r in recs if r[week_i] == prev.label]
    meth, version = methodology_at(conn, p.end)
    names = dict(zip(unit_frame["code"].astype(str), unit_frame["name"], strict=True))
    if parent is None:
        rank = None  # the snapshot's own ranks
    elif is_ranked(conn, level):  # ranked within the returned units, as a drill-down is
        rank = pd.array(compute.rank_totals(pd.Series(snapshot_rows.floats(now, c["total"]))),
                        dtype="Int64")
    else:
        rank = pd.array([None] * len(now), dtype="Int64")
    summary = snapshot_rows.ranking_frame(
        now, names, p.label, _previous_ranks(conn, level, prev, parent, before), rank)
    not_applicable = [
        str(c_) for c_, lv in zip(meth["component"], meth["levels"], strict=True)
        if level not in component_levels(lv)
    ]
    return ScoreResult(
        summary, None, p, version, not_applicable,
        loader=lambda codes_: _component_detail(engine, level, p, summary, codes_),
    )


def _previous_ranks(
    conn: Connection, level: str, prev: Period, parent: str | None, rows: list[tuple]
) -> dict[str, int | None]:
    """{unit_code: rank} of the previous period, ranked as ``scorecard`` ranks it: from its
    snapshot rows (re-ranked within the parent's units for a drill-down), or scored on demand
    when the snapshot does not hold them (before its first week, a long gap it leaves out; no
    data at all costs a single query)."""
    c = snapshot_rows.COLUMN
    if not rows:
        df = _score(conn, level, prev, parent).summary[["unit_code", "rank"]]
        codes, ranks = df["unit_code"].astype(str).tolist(), list(df["rank"])
    elif parent is None:
        codes = [str(r[c["unit_code"]]) for r in rows]
        ranks = [r[c["rank"]] for r in rows]
    else:
        codes = [str(r[c["unit_code"]]) for r in rows]
        if is_ranked(conn, level):
            totals = pd.Series(snapshot_rows.floats(rows, c["total"]))
            ranks = list(compute.rank_totals(totals))
        else:
            ranks = [None] * len(rows)
    return {code: None if snapshot_rows.na(rk) or rk is pd.NA else int(rk) for code, rk in zip(codes, ranks, strict=True)}


def _snapshot_series(
    conn: Connection, level: str, week_list: list[str], kind: str, parent: str | None
) -> pd.DataFrame | None:
    """``series`` from score_week, or None to compute it."""
    if kind not in SNAPSHOT_KINDS or _current_snapshot(conn, week_list) is None:
        return None
    start, end = week_start(week_list[0]), week_start(week_list[-1]) + timedelta(days=6)
    units_ = q.active_units(conn, level=level, start=start, end=end,
                            parent=None if level == PROVINCE else parent)
    codes = None if parent is None else units_["code"].astype(str).tolist()
    rows = q.statement_rows(conn, q.score_week_rows_stmt(level, kind, week_list, codes, flag="in_series"))
    c = snapshot_rows.COLUMN
    # every week asked for in which a unit of the level existed, or compute: the snapshot
    # leaves out long gaps between weeks with data (scorecard.snapshot.MAX_GAP_WEEKS)
    if not rows or {r[c["week"]] for r in rows} != weeks_with_units(week_list, units_):
        return None
    # The on-demand series scores every week with the methodology in force at its last week's
    # end; the snapshot holds each week's own. Equal only when one version spans the weeks.
    _, version = methodology_at(conn, week_start(week_list[-1]) + timedelta(days=6))
    if {r[c["methodology_version"]] for r in rows} != {version}:
        return None
    return snapshot_rows.series_frame(rows)


def _snapshot_backlog(engine: Engine, level: str, week: str, codes: list[str]) -> pd.DataFrame | None:
    """[unit_code, backlog_0, backlog_1] (at the week's end, a week earlier) from score_week, or
    None when the snapshot cannot say (then ``q.overdue_backlog`` scans the dossiers)."""
    before = iso_week_label(week_start(week) - timedelta(days=7))
    with engine.connect() as conn:
        if _current_snapshot(conn, [before, week]) is None:
            return None
        rows = q.score_week_rows(conn, level, "ytd", [before, week], codes, flag=None)
    return snapshot_rows.backlog_frame(rows, week, before)


# --- overdue dossiers ------------------------------------------------------------------------


OVERDUE_COLUMNS = pack_reads.OVERDUE_COLUMNS


def overdue_dossiers(engine: Engine, unit_code: str, period: Period | str) -> pd.DataFrame:
    """Dossiers of a unit received in the period and overdue as of its end, longest first.
    ``days_overdue`` counts to the end of processing, or to the period end if still open then."""
    p = _period(period)
    df = q.overdue_dossiers(engine, unit_code, p.start, p.end)
    if df.empty:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    df = _as_of_end(df, p).sort_values(["days_overdue", "code"], ascending=[False, True])
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
    """The official report per unit and field for [start, end] (columns: bieu06a.COLUMNS):
    the units valid in the range, each under its own name, with a validity note when it began or
    ended inside it (a range across 01/07/2025 lists both structures). Dossiers still open at
    units that ended before the range (a district's backlog after 30/06/2025) are one row,
    ``b06.ENDED_UNITS`` "Đơn vị đã kết thúc trước kỳ": dropping them would lose the backlog the
    previous report carried over, naming them would list abolished units in today's report."""
    codes = [unit_code] if unit_code else None
    counts = q.bieu06a_counts(engine, start, end, codes)
    units_ = q.active_units(engine)
    valid = set(q.active_units(engine, start=start, end=end)["code"].astype(str))
    return b06.build(b06.fold_ended(counts, valid), b06.with_ended_row(units_), start, end)

