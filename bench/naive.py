"""The naive counterpart of the dashboard, for the side-by-side benchmark of issue 6.

A typical Streamlit app reads the dossier table into pandas and aggregates it on every rerun.
This module is that app's data layer, written to compute *the same numbers* as
``scorecard.service`` (which reads the pre-aggregated tables and the score snapshot), so that
the timing comparison is honest: same measures, same scoring functions, only the data path
differs. No Streamlit here; ``bench/naive_app.py`` is the page around it.

Why each measure matches the aggregates:

- ``agg_unit_bucket`` / ``agg_overdue`` / ``agg_unit_procedure`` are keyed by received bucket,
  and every week and year-to-date period is an exact union of buckets whose end is a bucket end,
  so "received_bucket in [start, end]" equals "received_date in [start, end]" and "overdue_bucket
  <= end" equals "overdue_date <= end". The naive code filters on the dates, as a naive app would.
- The dossier measures join the procedure table the way ``data_access.refresh`` does (a left
  join: a dossier of an unknown procedure still counts in ``dossiers``, never in ``fee_dossiers``).
- Distinct procedure use follows ``queries.procedure_use_totals``: procedures under the unit's
  authority (province: every procedure, no authority test), online ones with an online dossier,
  fee-bearing ones with a paid-online dossier.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine, select

from data_access import queries as q
from data_access import schema as s
from scorecard import compute
from scorecard.methodology import select_version, version_at
from scorecard.periods import Period, iso_week_label, parse_period, week_start, weeks_between

PROVINCE = q.PROVINCE_LEVEL
GROUPS = [f"group_{i}" for i in range(1, 7)]
SUMMARY_COLUMNS = ["unit_code", "total", *GROUPS, "grade", "rank", "dossiers"]
SERIES_COLUMNS = ["week", "unit_code", "total"]

# Only the dossier columns the scorecard needs: the one kindness we grant the naive app (a
# SELECT * would also drag the timestamps, codes and derived keys nobody reads here).
DOSSIER_COLUMNS = (
    "unit_code", "procedure_code", "channel", "counted", "received_date", "overdue_date",
    "synced", "paid_online", "e_result", "e_cert", "digitised", "reused", "citizen_store",
    "population_db", "complaint",
)
FEEDBACK_COLUMNS = ("unit_code", "received_date", "overdue_date", "satisfied", "re_raised")
_DOSSIER_FLAGS = ("synced", "complaint", "digitised", "reused", "citizen_store", "population_db")


class RawData(NamedTuple):
    """Everything a naive page reads per rerun: the two fact tables whole, and the small
    reference tables (procedures, units, announcements) the measures join against."""

    dossiers: pd.DataFrame
    feedback: pd.DataFrame
    procedures: pd.DataFrame
    units: pd.DataFrame
    announcements: pd.DataFrame


def _read(engine: Engine, table, columns: tuple[str, ...], dates: tuple[str, ...]) -> pd.DataFrame:  # noqa: ANN001
    stmt = select(*[table.c[c] for c in columns])
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    # datetime64 rather than Python date objects: vectorised comparisons on every filter below
    for c in dates:
        df[c] = pd.to_datetime(df[c])
    return df


def read_dossiers(engine: Engine) -> pd.DataFrame:
    """The whole dossier table (one SELECT, no WHERE: that is the naive part), but only the
    columns in ``DOSSIER_COLUMNS``: the kind choice a careful naive app would make."""
    return _read(engine, s.dossier, DOSSIER_COLUMNS, ("received_date", "overdue_date"))


def read_feedback(engine: Engine) -> pd.DataFrame:
    """The whole feedback (PAKN) table, the needed columns only, read the same way."""
    return _read(engine, s.feedback, FEEDBACK_COLUMNS, ("received_date", "overdue_date"))


def read_raw(engine: Engine) -> RawData:
    """Dossiers and feedback whole, plus the small reference tables, as a naive rerun reads them."""
    p, a = s.procedure, s.procedure_announcement
    procedures = _read(
        engine, p,
        ("code", "level", "agency_code", "online_level", "fee_bearing", "online_payment",
         "issues_result", "certification"),
        (),
    ).rename(columns={"code": "procedure_code", "level": "proc_level"})
    units = _read(engine, s.unit, ("code", "level"), ()).rename(
        columns={"code": "unit_code", "level": "unit_level"}
    )
    announcements = _read(
        engine, a,
        ("unit_code", "decision_date", "decision_deadline", "published_date",
         "publication_deadline", "parts_complete"),
        ("decision_date", "decision_deadline", "published_date", "publication_deadline"),
    )
    return RawData(read_dossiers(engine), read_feedback(engine), procedures, units, announcements)


def available_weeks(raw: RawData) -> list[str]:
    """ISO weeks with a counted dossier or any feedback, oldest first (what the page offers)."""
    days = pd.concat(
        [raw.dossiers.loc[raw.dossiers["counted"] == 1, "received_date"], raw.feedback["received_date"]]
    ).dropna().dt.date.unique()
    return sorted({iso_week_label(d) for d in days})


# --- measures -------------------------------------------------------------------------------


def _between(col: pd.Series, start: date, end: date) -> pd.Series:
    return (col >= pd.Timestamp(start)) & (col <= pd.Timestamp(end))


def _group(df: pd.DataFrame, by_unit: bool, cols: dict[str, pd.Series]) -> pd.DataFrame:
    """Sum 0/1 columns per unit (or over everything, unit_code None), like a GROUP BY."""
    frame = pd.DataFrame({k: v.astype("int64") for k, v in cols.items()}, index=df.index)
    if by_unit:
        return frame.groupby(df["unit_code"]).sum().reset_index()
    return pd.DataFrame([{"unit_code": None, **frame.sum().to_dict()}])


def naive_measures(
    raw: RawData,
    start: date,
    end: date,
    unit_codes: list[str] | None = None,
    by_unit: bool = True,
) -> pd.DataFrame:
    """[unit_code, <queries.MEASURES>] for [start, end] judged as of ``end``, from the raw
    frames, in the shape of ``queries.unit_measures`` (``by_unit=False``: one row, unit_code
    None, everything summed and distinct procedures over all units, as ``province_measures``)."""
    d, f = raw.dossiers, raw.feedback
    keep = (d["counted"] == 1) & _between(d["received_date"], start, end)
    fkeep = _between(f["received_date"], start, end)
    if unit_codes is not None:
        keep &= d["unit_code"].isin(unit_codes)
        fkeep &= f["unit_code"].isin(unit_codes)
    # left join, as refresh's dossier query: unknown procedures give NaN flags, never == 1
    d = d[keep].merge(raw.procedures, on="procedure_code", how="left")
    f = f[fkeep]
    fee, res, cert = d["fee_bearing"] == 1, d["issues_result"] == 1, d["certification"] == 1
    end_ts = pd.Timestamp(end)
    dos = _group(d, by_unit, {
        "dossiers": pd.Series(1, index=d.index),
        **{c: d[c] for c in _DOSSIER_FLAGS},
        "online": d["channel"] == 2,
        "fee_dossiers": fee,
        "paid_online": fee & (d["paid_online"] > 0),
        "result_dossiers": res,
        "e_result": res & (d["e_result"] == 1),
        "cert_dossiers": cert,
        "e_cert": cert & (d["e_cert"] == 1),
        # NaT compares False: never overdue
        "overdue": d["overdue_date"] <= end_ts,
    })
    fb = _group(f, by_unit, {
        "feedback": pd.Series(1, index=f.index),
        "feedback_dissatisfied": f["satisfied"] == 0,
        "feedback_reraised": f["re_raised"],
        "feedback_overdue": f["overdue_date"] <= end_ts,
    })
    frames = [dos, fb, _procedure_use(d, raw, by_unit), _procedure_counts(raw, unit_codes, by_unit),
              _announcements(raw, start, end, unit_codes, by_unit)]
    out = frames[0]
    for fr in frames[1:]:
        out = out.merge(fr, on="unit_code", how="outer")
    if not by_unit:
        out = out.head(1)  # every frame is one row keyed None; the outer merges keep one
    for m in q.MEASURES:
        out[m] = pd.to_numeric(out[m] if m in out.columns else 0).fillna(0).astype("int64")
    return out[["unit_code", *q.MEASURES]].reset_index(drop=True)


def _procedure_use(d: pd.DataFrame, raw: RawData, by_unit: bool) -> pd.DataFrame:
    """procs_online_used / procs_fee_paid: distinct procedures (under the unit's authority when
    by unit) with an online dossier of an online procedure / a paid one of a fee-bearing one."""
    # inner join: a dossier of a procedure missing from the table uses no procedure
    u = d.dropna(subset=["proc_level"])
    if by_unit:
        u = u.merge(raw.units, on="unit_code", how="inner")
        own = (u["proc_level"] == u["unit_level"]) & (
            u["agency_code"].isna() | (u["agency_code"] == u["unit_code"])
        )
        u = u[own]
    used = u[(u["channel"] == 2) & (u["online_level"] >= 1)]
    paid = u[(u["paid_online"] > 0) & (u["fee_bearing"] == 1)]
    if not by_unit:
        return pd.DataFrame([{"unit_code": None,
                              "procs_online_used": used["procedure_code"].nunique(),
                              "procs_fee_paid": paid["procedure_code"].nunique()}])
    a = used.groupby("unit_code")["procedure_code"].nunique().rename("procs_online_used")
    b = paid.groupby("unit_code")["procedure_code"].nunique().rename("procs_fee_paid")
    return pd.concat([a, b], axis=1).rename_axis("unit_code").reset_index()


def _procedure_counts(raw: RawData, unit_codes: list[str] | None, by_unit: bool) -> pd.DataFrame:
    """procs, procs_online, procs_fee, procs_fee_integrated under each unit's authority."""
    p = raw.procedures
    if by_unit:
        units = raw.units if unit_codes is None else raw.units[raw.units["unit_code"].isin(unit_codes)]
        p = units.merge(p, left_on="unit_level", right_on="proc_level", how="inner")
        p = p[p["agency_code"].isna() | (p["agency_code"] == p["unit_code"])]
    fee = p["fee_bearing"] == 1
    return _group(p, by_unit, {
        "procs": pd.Series(1, index=p.index),
        "procs_online": p["online_level"] >= 1,
        "procs_fee": fee,
        "procs_fee_integrated": fee & (p["online_payment"] == 1),
    })


def _announcements(
    raw: RawData, start: date, end: date, unit_codes: list[str] | None, by_unit: bool
) -> pd.DataFrame:
    a = raw.announcements
    if unit_codes is not None:
        a = a[a["unit_code"].isin(unit_codes)]
    dec = _between(a["decision_date"], start, end)
    due = _between(a["publication_deadline"], start, end)
    pub = _between(a["published_date"], start, end)
    return _group(a, by_unit, {
        "ann_total": dec,
        "ann_on_time": dec & (a["decision_date"] <= a["decision_deadline"]),
        "pub_due": due,
        # NaT (not published) compares False: not on time
        "pub_on_time": due & (a["published_date"] <= a["publication_deadline"]),
        "pub_total": pub,
        "pub_full": pub & (a["parts_complete"] >= 7),
    })


# --- scoring -------------------------------------------------------------------------------


def _units(engine: Engine, level: str, start: date, end: date) -> pd.DataFrame:
    # the same unit choice as service._scored_units (valid at some point in the period)
    return q.active_units(engine, level=level, start=start, end=end)


def _level_measures(
    raw: RawData, level: str, unit_frame: pd.DataFrame, start: date, end: date
) -> pd.DataFrame:
    """Measures of the given units, zeros where a unit had no activity (service._measures)."""
    codes = unit_frame["code"].astype(str).tolist()
    if level == PROVINCE:
        m = naive_measures(raw, start, end, by_unit=False).assign(unit_code=codes[0])
    else:
        m = naive_measures(raw, start, end, codes)
    base = unit_frame[["code", "level"]].rename(columns={"code": "unit_code"})
    out = base.merge(m, on="unit_code", how="left")
    out[list(q.MEASURES)] = out[list(q.MEASURES)].fillna(0).astype("int64")
    return out


def _bands(engine: Engine, version: str | None) -> pd.DataFrame:
    bands = q.grade_bands(engine, version)
    if bands.empty:
        bands = q.grade_bands(engine)
        bands = bands[bands["version"] == bands["version"].max()] if not bands.empty else bands
    return bands


def _score(measures: pd.DataFrame, meth: pd.DataFrame, bands: pd.DataFrame,
           keys: tuple[str, ...] = ("unit_code",)) -> pd.DataFrame:
    """The pure scoring of scorecard/service.py::_score: components, groups, total, grade."""
    comps = compute.score_components(measures, meth, keys=keys)
    group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
    return compute.summarize(measures, comps, bands, keys=keys, group_codes=group_codes)


def _empty_summary() -> pd.DataFrame:
    return pd.DataFrame(columns=SUMMARY_COLUMNS)


def naive_scorecard(
    engine: Engine, level: str, period: Period | str, raw: RawData | None = None
) -> pd.DataFrame:
    """[unit_code, total, group_1 ... group_6, grade, rank, dossiers] of every unit of ``level``
    for ``period``, sorted by rank; ``level="province"`` gives one row of everything summed.
    Reads the raw tables on every call unless ``raw`` is given (the series passes its one read)."""
    p = period if isinstance(period, Period) else parse_period(period)
    raw = read_raw(engine) if raw is None else raw
    unit_frame = _units(engine, level, p.start, p.end)
    meth_all = q.methodology(engine)
    d, f = raw.dossiers, raw.feedback
    # the service's "no data in the period" test (agg_unit_bucket holds counted dossiers and
    # every feedback), made on the raw frames
    has_data = ((d["counted"] == 1) & _between(d["received_date"], p.start, p.end)).any() or (
        _between(f["received_date"], p.start, p.end).any()
    )
    if unit_frame.empty or meth_all.empty or not has_data:
        return _empty_summary()
    meth, version = select_version(meth_all, p.end), version_at(meth_all, p.end)
    measures = _level_measures(raw, level, unit_frame, p.start, p.end)
    summary = _score(measures, meth, _bands(engine, version))
    lv = q.levels(engine)
    ranked = lv.loc[lv["code"] == level, "ranked"]
    if ranked.empty or bool(ranked.iloc[0]):
        summary["rank"] = compute.rank_totals(summary["total"])
    else:
        summary["rank"] = pd.Series(pd.NA, index=summary.index, dtype="Int64")
    summary = summary.sort_values(["rank", "unit_code"], na_position="last")
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


def naive_series(
    engine: Engine,
    level: str,
    last_week: str,
    weeks: int = 104,
    kind: str = "ytd",
    raw: RawData | None = None,
) -> pd.DataFrame:
    """[week, unit_code, total] for the ``weeks`` weeks ending at ``last_week``: reads the raw
    tables once, then measures and scores every week from scratch (year-to-date: from 1 January
    of the year the week ends in), as a naive trend chart does. Slow on purpose.

    Same conventions as ``service.series``: units valid at some point in the whole range, each
    kept only in the weeks it existed, every week scored with the methodology in force at the
    last week's end, weeks without data scored as zeros."""
    first = iso_week_label(week_start(last_week) - timedelta(days=7 * (weeks - 1)))
    week_list = weeks_between(first, last_week)
    last_end = week_start(last_week) + timedelta(days=6)
    raw = read_raw(engine) if raw is None else raw
    unit_frame = _units(engine, level, week_start(first), last_end)
    meth_all = q.methodology(engine)
    if unit_frame.empty or meth_all.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    meth, version = select_version(meth_all, last_end), version_at(meth_all, last_end)
    bands = _bands(engine, version)
    vf = pd.to_datetime(unit_frame["valid_from"])
    vt = pd.to_datetime(unit_frame["valid_to"])
    parts = []
    for w in week_list:
        w_start = week_start(w)
        end = w_start + timedelta(days=6)
        start = date(end.year, 1, 1) if kind == "ytd" else w_start
        ok = (vf.isna() | (vf <= pd.Timestamp(end))) & (vt.isna() | (vt >= pd.Timestamp(w_start)))
        units = unit_frame[ok.to_numpy()]
        if not units.empty:
            # the naive part: every week's measures aggregated again from the raw rows
            parts.append(_level_measures(raw, level, units, start, end).assign(week=w))
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    # Scored in one call over (week, unit): the scoring functions are vectorised and give the
    # same numbers either way (compute.score_groups), so the naive app is not charged 104
    # times pandas' per-call overhead for work the service does not do differently.
    out = _score(pd.concat(parts, ignore_index=True), meth, bands, keys=("week", "unit_code"))
    return out[SERIES_COLUMNS].sort_values(["week", "unit_code"]).reset_index(drop=True)
