"""The Service API of docs/design.md: the one scorecard module that takes an Engine.

It glues ``data_access.queries`` to the pure scoring modules. Every function takes the engine
first and returns pandas frames (empty frames, never errors, when there is no data). Nothing is
cached here: the dashboard caches (st.cache_data) around these calls.

Periods may be given as a ``scorecard.periods.Period`` or as a label ("2024-W52", "2024-12",
"2024-Q4", "2024"); a bare week label means that week alone, use ``period_for_week("ytd", w)``
or ``parse_period(w, ytd=True)`` for the year-to-date ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import queries as q
from scorecard import bieu06a as b06
from scorecard import compute, weekly
from scorecard import lagging as lag
from scorecard.methodology import select_version, version_at
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
SERIES_COLUMNS = ["week", "unit_code", "total", *[f"group_{i}" for i in range(1, 7)]]
UNIT_COLUMNS = ["code", "name", "short_name", "level", "parent_code", "lat", "lon"]
PROVINCE = q.PROVINCE_LEVEL
Bind = Engine | Connection  # private helpers run on one connection per public call


@dataclass
class ScoreResult:
    """A scorecard for one level and period: ``summary`` sorted by rank, ``components`` long."""

    summary: pd.DataFrame
    components: pd.DataFrame
    period: Period | None = None
    methodology_version: str | None = None
    # components left out for this level (the UI says the group was scaled over the others)
    not_applicable: list[str] = field(default_factory=list)


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


# --- freshness, levels, units ------------------------------------------------------------------


def latest_week(engine: Engine) -> str | None:
    """The ISO week of the latest aggregated data ("2024-W52"), or None."""
    b = q.latest_bucket(engine)
    return iso_week_label(b) if b else None


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
        m = q.unit_measures(engine, p.start, p.end)
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
        return ScoreResult(_empty_summary(), pd.DataFrame(columns=COMPONENT_COLUMNS), p, version)
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
    return ScoreResult(summary, comps[[*COMPONENT_COLUMNS, "group_max"]], p, version, not_applicable)


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
        res = _score(conn, level, p, parent)
        if res.summary.empty:
            return res
        prev = _score(conn, level, previous_period(p), parent)
    summary = compute.add_delta(res.summary, prev.summary if not prev.summary.empty else None)
    summary = summary.sort_values(["rank", "unit_code"], na_position="last").reset_index(drop=True)
    res.summary = summary[SUMMARY_COLUMNS]
    order = {c: i for i, c in enumerate(summary["unit_code"])}
    res.components = (
        res.components.assign(_o=res.components["unit_code"].map(order))
        .sort_values(["_o", "component"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    return res


# --- weekly series ------------------------------------------------------------------------------


def _series_measures(
    engine: Bind, level: str, weeks: list[str], kind: str, unit_frame: pd.DataFrame
) -> pd.DataFrame:
    """[week, unit_code, level, <MEASURES>] for every unit and week, from bucket-level frames."""
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

    buckets = collapse(q.bucket_measure_rows(engine, start, last_end, filt))
    bm = list(q.BUCKET_MEASURES)
    ev = buckets.assign(anchor=buckets["bucket"], effective=buckets["bucket"]) if not buckets.empty else buckets
    add = weekly.effective_events(ev, bm, kind) if not ev.empty else pd.DataFrame(columns=["unit_code", "week", *bm])
    out = weekly.accumulate(add, codes, grid_weeks, bm, kind)

    od = collapse(q.bucket_overdue_rows(engine, start, last_end, filt))
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
    use = use_rows(engine, start, last_end, filt, authority=not province)
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
    backlog = q.overdue_backlog(engine, as_of, codes)
    bands = _bands(engine, res.methodology_version)
    found = lag.find_lagging(
        res.summary,
        res.components,
        hist,
        backlog,
        bands,
        bottom_n=bottom_n,
        below_grade=below_grade,
        falling_weeks=falling_weeks,
    )
    if found.empty:
        return found
    # the procedures and fields behind the overdue dossiers, for the lagging units only
    overdue = q.overdue_by_procedure_field(engine, p.start, p.end, found["unit_code"].tolist())
    return lag.attach_overdue(found, overdue)


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
