"""What scoring reads besides the measures contract: the units scored for a period, the
methodology and grade bands in force, and the measures frames (one period, or week by week for
the series and the snapshot). Shared by the read API (``scorecard.service``) and the snapshot
build (``scorecard.snapshot``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from data_access import queries as q
from scorecard import weekly
from scorecard.methodology import select_version, version_at
from scorecard.periods import (
    Period,
    iso_week_label,
    week_start,
    weeks_between,
)

PROVINCE = q.PROVINCE_LEVEL
Bind = Engine | Connection  # private helpers run on one connection per public call


def province_unit(engine: Bind, start: date, end: date) -> pd.DataFrame:
    """The province's unit row (valid in [start, end]): the one row a province score has."""
    return q.active_units(engine, level=PROVINCE, start=start, end=end)


def scored_units(engine: Bind, level: str, p: Period, parent: str | None) -> pd.DataFrame:
    """The units a scorecard of ``level`` (under ``parent``) lists for ``p``: valid in it."""
    if level == PROVINCE:
        return province_unit(engine, p.start, p.end)
    return q.active_units(engine, level=level, start=p.start, end=p.end, parent=parent)


def period_measures(engine: Bind, level: str, p: Period, unit_frame: pd.DataFrame) -> pd.DataFrame:
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


def methodology_at(engine: Bind, on: date) -> tuple[pd.DataFrame, str | None]:
    meth = q.methodology(engine)
    if meth.empty:
        return meth, None
    return select_version(meth, on), version_at(meth, on)


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

