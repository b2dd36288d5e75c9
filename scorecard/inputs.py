"""What scoring reads besides the measures contract: the units scored for a period, the
methodology and grade bands in force, and the measures frames (one period, or week by week for
the series and the snapshot). Shared by the read API (``scorecard.service``) and the snapshot
build (``scorecard.snapshot``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import queries as q
from data_access.defaults import DEFAULTS_DIR, lagging_rules_frame
from scorecard import weekly
from scorecard.methodology import select_version, version_at
from scorecard.periods import (
    Period,
    as_date,
    iso_week_label,
    week_start,
    weeks_between,
)

PROVINCE = q.PROVINCE_LEVEL
Bind = Engine | Connection  # private helpers run on one connection per public call


def level_validity(engine: Bind, level: str) -> tuple[date | None, date | None] | None:
    """(valid_from, valid_to) of a level (None = open-ended), or None for an unknown level."""
    lv = q.levels(engine)
    row = lv[lv["code"] == level]
    if row.empty:
        return None
    return as_date(row["valid_from"].iloc[0]), as_date(row["valid_to"].iloc[0])


def level_exists(engine: Bind, level: str, on: date) -> bool:
    """Whether ``level`` exists on ``on`` (levels are data over time: no district level after
    30/06/2025). A period ranks a level only when it exists at the period's end."""
    v = level_validity(engine, level)
    if v is None:
        return False
    vf, vt = v
    return (vf is None or vf <= on) and (vt is None or vt >= on)


def province_unit(engine: Bind, start: date, end: date) -> pd.DataFrame:
    """The province's unit row as of ``end`` (the province of the period's end: a period that
    crosses a merger of provinces is the new province's, from its first day)."""
    return q.active_units(engine, level=PROVINCE, start=end, end=end)


def scored_units(engine: Bind, level: str, p: Period, parent: str | None) -> pd.DataFrame:
    """The units a scorecard of ``level`` (under ``parent``) lists for ``p``: those that exist
    at the period's end, of a level that exists then. A unit that began during the period is
    scored on its valid part (``period_measures``); one that ended during it is not listed (its
    successors are)."""
    if not level_exists(engine, level, p.end):
        return q.active_units(engine, level=level, start=p.end, end=p.end).iloc[0:0]
    if level == PROVINCE:
        return province_unit(engine, p.start, p.end)
    return q.active_units(engine, level=level, start=p.end, end=p.end, parent=parent)


def valid_start(p_start: date, valid_from: object) -> date:
    """The first day of a period a unit is scored on: the later of the period's start and the
    unit's first day (year to date 2025 of a unit born on 01/07/2025 starts then)."""
    vf = as_date(valid_from)
    return p_start if vf is None or vf <= p_start else vf


def period_measures(engine: Bind, level: str, p: Period, unit_frame: pd.DataFrame) -> pd.DataFrame:
    """Measures of the given units for the period, zeros where a unit had no activity. Each
    unit counts what it received from its first day in the period on (``valid_start``)."""
    if unit_frame.empty:
        return pd.DataFrame(columns=["unit_code", "level", *q.MEASURES])
    if level != PROVINCE and len(unit_frame) <= q.FEW_UNITS:
        return _few_period_measures(engine, p, unit_frame)
    starts = unit_frame["valid_from"].map(lambda v: valid_start(p.start, v))
    if level == PROVINCE:
        m = q.province_measures(engine, starts.iloc[0], p.end, code=str(unit_frame["code"].iloc[0]))
    else:
        # only these units: a district's communes must not cost the whole province's query;
        # one query per distinct first day (nearly always one: the period's start)
        parts = []
        for start, group in unit_frame.groupby(starts, sort=True):
            codes = group["code"].astype(str).tolist()
            parts.append(q.unit_measures(engine, start, p.end, unit_codes=codes))
        m = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    base = unit_frame[["code", "level"]].rename(columns={"code": "unit_code"})
    out = base.merge(m, on="unit_code", how="left")
    out[list(q.MEASURES)] = out[list(q.MEASURES)].fillna(0).astype("int64")
    return out


def _few_period_measures(engine: Bind, p: Period, unit_frame: pd.DataFrame) -> pd.DataFrame:
    """``period_measures`` of a few units (a unit page, the lagging units' detail), merged in
    plain Python: the same frame, without pandas' groupby, merge and casts on a handful of rows."""
    codes = [str(c) for c in unit_frame["code"]]
    by_start: dict[date, list[str]] = {}
    for code, vf in zip(codes, unit_frame["valid_from"], strict=True):
        by_start.setdefault(valid_start(p.start, vf), []).append(code)
    counts: dict[str, dict[str, int]] = {}
    for start in sorted(by_start):
        m = q.unit_measures(engine, start, p.end, unit_codes=by_start[start])
        for row in zip(m["unit_code"], *(m[c] for c in q.MEASURES), strict=True):
            counts[str(row[0])] = dict(zip(q.MEASURES, (int(v) for v in row[1:]), strict=True))
    zero: dict[str, int] = {}
    return pd.DataFrame({
        "unit_code": unit_frame["code"].to_numpy(),
        "level": unit_frame["level"].to_numpy(),
        **{c: np.array([counts.get(u, zero).get(c, 0) for u in codes], dtype="int64")
           for c in q.MEASURES},
    })


def methodology_at(engine: Bind, on: date) -> tuple[pd.DataFrame, str | None]:
    meth = q.methodology(engine)
    if meth.empty:
        return meth, None
    version = version_at(meth, on)
    # the version's rows, sorted, once per read scope (a page asks for them a dozen times)
    return q.scoped_read(engine, ("methodology_at", version), lambda: select_version(meth, on)), version


def grade_bands_for(engine: Bind, version: str | None) -> pd.DataFrame:
    bands = q.grade_bands(engine, version)
    if bands.empty:
        bands = q.grade_bands(engine)
        if not bands.empty:  # fall back to the latest band version
            bands = bands[bands["version"] == bands["version"].max()]
    return bands


def is_ranked(engine: Bind, level: str) -> bool:
    lv = q.levels(engine)
    row = lv[lv["code"] == level]
    return bool(row["ranked"].iloc[0]) if not row.empty else True



def series_measures(
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
    province = level == PROVINCE
    if province and len(unit_frame) > 1:
        # provinces that follow one another (Quảng Nam until 30/06/2025, then Đà Nẵng): each
        # sums every unit over its own days, in the weeks it overlaps
        parts = []
        for i in range(len(unit_frame)):
            one = unit_frame.iloc[i : i + 1]
            vf, vt = as_date(one["valid_from"].iloc[0]), as_date(one["valid_to"].iloc[0])
            own = [w for w in weeks if (vf is None or week_start(w) + timedelta(days=6) >= vf)
                   and (vt is None or week_start(w) <= vt)]
            if own:
                parts.append(series_measures(engine, level, own, kind, one, shared))
        return pd.concat(parts, ignore_index=True) if parts else series_measures(
            engine, level, weeks, kind, unit_frame.iloc[0:1], shared)
    last_end = week_start(weeks[-1]) + timedelta(days=6)
    first_end = week_start(weeks[0]) + timedelta(days=6)
    start = date(first_end.year, 1, 1) if kind == "ytd" else week_start(weeks[0])
    if province:
        # the province counts from its own first day (and up to its last)
        start = valid_start(start, unit_frame["valid_from"].iloc[0])
        vt = as_date(unit_frame["valid_to"].iloc[0]) if "valid_to" in unit_frame else None
        last_end = min(last_end, vt) if vt is not None and vt >= start else last_end
    grid_weeks = weeks_between(iso_week_label(start), weeks[-1])
    codes = unit_frame["code"].astype(str).tolist()
    filt = None if province else codes
    valid = None if province else _validity_filter(unit_frame, start, last_end)

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

    def within(df: pd.DataFrame) -> pd.DataFrame:
        # a unit counts only what it received while it existed (its valid part of the period)
        return df if valid is None or df.empty else valid(df)

    buckets = collapse(within(fetch(q.bucket_measure_rows, start, last_end)))
    bm = list(q.BUCKET_MEASURES)
    ev = buckets.assign(anchor=buckets["bucket"], effective=buckets["bucket"]) if not buckets.empty else buckets
    add = weekly.effective_events(ev, bm, kind) if not ev.empty else pd.DataFrame(columns=["unit_code", "week", *bm])
    out = weekly.accumulate(add, codes, grid_weeks, bm, kind)

    od = collapse(within(fetch(q.bucket_overdue_rows, start, last_end)))
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
    use = collapse(within(fetch(use_rows, start, last_end, authority=not province)))
    for flag, measure in (("online_used", "procs_online_used"), ("fee_paid", "procs_fee_paid")):
        add = weekly.first_use_events(use, flag, kind).rename(columns={"value": measure})
        out = out.merge(
            weekly.accumulate(add, codes, grid_weeks, [measure], kind), on=["week", "unit_code"]
        )

    ann = q.announcement_rows(engine, start, last_end)
    am = list(q.ANNOUNCEMENT_MEASURES)
    events = announcement_events(collapse(ann), start, last_end)
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


def _validity_filter(
    unit_frame: pd.DataFrame, start: date, end: date
) -> Callable[[pd.DataFrame], pd.DataFrame] | None:
    """A filter keeping the bucket rows of each unit inside its validity, or None when every
    unit existed over all of [start, end] (the common case: nothing to filter)."""
    vf = unit_frame["valid_from"].map(as_date)
    vt = unit_frame["valid_to"].map(as_date)
    if all(f is None or f <= start for f in vf) and all(t is None or t >= end for t in vt):
        return None
    codes = unit_frame["code"].astype(str)
    lo = dict(zip(codes, [pd.Timestamp(f or date(1900, 1, 1)) for f in vf], strict=True))
    hi = dict(zip(codes, [pd.Timestamp(t or date(2200, 1, 1)) for t in vt], strict=True))

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        day = pd.to_datetime(df["bucket"])
        ok = (day >= df["unit_code"].map(lo)) & (day <= df["unit_code"].map(hi))
        return df[ok.astype(bool)].reset_index(drop=True)

    return keep


def announcement_events(ann: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
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


def within_validity(measures: pd.DataFrame, unit_frame: pd.DataFrame) -> pd.DataFrame:
    """The rows [week, unit_code, …] of weeks in which the unit existed (a merged unit stops at
    its valid_to)."""
    vf = unit_frame.set_index("code")["valid_from"]
    vt = unit_frame.set_index("code")["valid_to"]
    ends = measures["week"].map({w: week_start(w) + timedelta(days=6) for w in measures["week"].unique()})
    starts = ends - timedelta(days=6)
    f = measures["unit_code"].map(vf)
    t = measures["unit_code"].map(vt)
    ok = (f.isna() | (f <= ends)) & (t.isna() | (t >= starts))
    return measures[ok.astype(bool)]


def weeks_with_units(week_list: list[str], units_: pd.DataFrame) -> set[str]:
    """The weeks of ``week_list`` in which at least one of the units existed (a series of the
    districts stops at 30/06/2025)."""
    spans = [(valid_start(date.min, f), t) for f, t in zip(units_["valid_from"], units_["valid_to"], strict=True)]
    out = set()
    for w in week_list:
        lo = week_start(w)
        hi = lo + timedelta(days=6)
        if any(f <= hi and (t is None or pd.isna(t) or t >= lo) for f, t in spans):
            out.add(w)
    return out


def lagging_rules_at(engine: Bind, on: date) -> pd.DataFrame:
    """The lagging_rule rows in force on ``on`` [valid_from, level, criterion, param, value];
    the shipped assets/defaults/lagging_rules.csv when the database has no such table (made
    before it and opened read-only, so nothing upgraded it yet)."""
    rows = q.lagging_rules(engine, on)
    if rows is not None:
        return rows
    shipped = _shipped_rules((DEFAULTS_DIR / "lagging_rules.csv").stat().st_mtime_ns)
    return shipped[shipped["valid_from"] <= on].reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def _shipped_rules(mtime_ns: int) -> pd.DataFrame:  # noqa: ARG001 - the key: an edited file is read again
    """The shipped lagging rules, read and checked once per process (and file version): an
    older database reads them on every lagging page run. Callers filter, never change, it."""
    return lagging_rules_frame()
