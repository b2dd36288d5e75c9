"""The write side of the weekly score snapshot: ``build_snapshot`` scores every unit of every
level, every week with data and both kinds (week, year-to-date) and stores the rows through
``data_access.snapshot_store``, in the caller's transaction. ``scorecard.pipeline`` runs it
after each aggregate refresh; the read API (``scorecard.service``) serves rankings and series
from it while it is current (``scorecard.snapshot_check``).

Uses the series path (``inputs.series_measures``: cumulative sums over bucket rows), scoring each
week with the methodology in force at its end, so every row equals what ``scorecard`` and
``series`` compute on demand."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from data_access import queries as q
from data_access import snapshot_store
from scorecard import compute
from scorecard.inputs import PROVINCE, grade_bands_for, series_measures
from scorecard.methodology import select_version
from scorecard.periods import (
    as_date,
    iso_week_label,
    week_start,
    weeks_between,
)
from scorecard.snapshot_check import SNAPSHOT_FORMAT, SNAPSHOT_KINDS


def build_snapshot(conn: Connection, refresh_id: int, since: date | None = None) -> int:
    """Recompute score_week for every unit of every level, every week with data and both kinds,
    in the caller's transaction (``data_access.refresh`` runs it after the aggregates when
    ``scorecard.pipeline`` passes it); returns its rows.
    With ``since`` (the earliest bucket the refresh changed), only the weeks from its week on,
    when the snapshot was current before this refresh (``_update_snapshot``).

    Uses the series path (``series_measures``: cumulative sums over bucket rows), scoring each
    week with the methodology in force at its end, so every row equals what ``scorecard`` and
    ``series`` compute on demand."""
    weeks = q.available_weeks(conn)["week"].tolist()
    meth_all = q.methodology(conn)
    if since is not None and weeks and not meth_all.empty:
        written = _update_snapshot(conn, refresh_id, since, weeks, meth_all)
        if written is not None:
            return written
    cols = list(q.SCORE_WEEK_COLUMNS)
    rows = pd.DataFrame(columns=cols)
    if weeks and not meth_all.empty:
        rows = _snapshot_rows(conn, _runs(weeks), meth_all)
    meta = {
        "built_at": datetime.now(),
        "refresh_id": refresh_id,
        "format": SNAPSHOT_FORMAT,
        "inputs": q.snapshot_inputs_hash(conn),
        "first_week": weeks[0] if weeks else None,
        "last_week": weeks[-1] if weeks else None,
    }
    return snapshot_store.write_score_snapshot(conn, rows.reindex(columns=cols), meta)


# Weeks without data between two weeks with data are scored too (a quiet holiday week keeps
# the series whole) when the gap is at most this long; a longer gap (a stray date years away)
# splits the snapshot into runs, so its size follows the weeks with data, never the calendar
# span. Weeks left out are scored on demand by the service when asked for: it reads the
# snapshot only where it holds the rows (scorecard, series, backlog all check).
MAX_GAP_WEEKS = 13


def _runs(weeks: list[str]) -> list[list[str]]:
    """The weeks the snapshot scores, as runs of consecutive weeks: each week with data
    (``weeks``, sorted) and the gaps of at most MAX_GAP_WEEKS between them."""
    runs: list[list[str]] = []
    for w in weeks:
        if runs:
            last = runs[-1][-1]
            gap = (week_start(w) - week_start(last)).days // 7 - 1
            if gap <= MAX_GAP_WEEKS:
                runs[-1].extend(weeks_between(last, w)[1:])
                continue
        runs.append([w])
    return runs


def _snapshot_rows(conn: Connection, runs: list[list[str]], meth_all: pd.DataFrame,
                   previous_for_first: bool = False) -> pd.DataFrame:  # fmt: skip
    """score_week rows of both kinds for every week of ``runs`` (each a list of consecutive
    weeks), with the backlog. Every run but the first is scored from the week before it, for
    its first week's delta (that week may be left out of the snapshot yet have a score, a
    year-to-date one), and that week is not returned; the first run too with
    ``previous_for_first`` (an update from the middle of the snapshot). The first week with
    data has no score before it."""
    buckets = q.data_buckets(conn)
    lv = q.levels(conn)
    ranked = {str(c): bool(r) for c, r in zip(lv["code"], lv["ranked"], strict=True)}
    level_span = {
        str(c): (as_date(f), as_date(t)) for c, f, t in zip(lv["code"], lv["valid_from"], lv["valid_to"], strict=True)
    }
    events = None
    parts = []
    for i, run in enumerate(runs):
        with_previous = i > 0 or previous_for_first
        week_list = [iso_week_label(week_start(run[0]) - timedelta(days=7)), *run] if with_previous else run
        shared: dict = {}  # bucket-level rows read once for every level (series_measures)
        rows = pd.concat(
            [_snapshot_kind(conn, ranked, level_span, week_list, kind, meth_all, buckets, shared)
             for kind in SNAPSHOT_KINDS],
            ignore_index=True,
        )
        if not rows.empty:
            events = q.backlog_events(conn) if events is None else events
            backlog = _backlog_grid(events, rows["unit_code"].unique(), week_list)
            rows = rows.drop(columns="backlog").merge(backlog, on=["unit_code", "week"], how="left")
            rows["backlog"] = rows["backlog"].fillna(0).astype("int64")
        if with_previous:
            rows = rows[rows["week"] != week_list[0]]
        parts.append(rows)
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(q.SCORE_WEEK_COLUMNS))


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
    if weeks[0] != state["first_week"] or not weeks[0] < w0 <= weeks[-1]:
        return None
    # the runs from w0 on (the one that holds w0 cut there), each scored from the week before
    runs = [run[run.index(w0):] if w0 in run else run for run in _runs(weeks) if run[-1] >= w0]
    rows = _snapshot_rows(conn, runs, meth_all, previous_for_first=True)
    rows = rows[rows["week"] >= w0]
    meta = {
        "built_at": datetime.now(),
        "refresh_id": refresh_id,
        "format": SNAPSHOT_FORMAT,
        "inputs": state["inputs"],
        "first_week": weeks[0],
        "last_week": weeks[-1],
    }
    return snapshot_store.replace_score_weeks(conn, rows.reindex(columns=list(q.SCORE_WEEK_COLUMNS)), w0, meta)


def _snapshot_kind(
    conn: Connection,
    ranked: dict[str, bool],
    level_span: dict[str, tuple[date | None, date | None]],
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
            m = series_measures(conn, level, week_list, kind, unit_frame, shared)
            v = unit_frame.set_index("code")
            parts.append(m.assign(_vf=m["unit_code"].map(v["valid_from"]),
                                  _vt=m["unit_code"].map(v["valid_to"])))
    if not parts:
        return pd.DataFrame(columns=list(q.SCORE_WEEK_COLUMNS))
    measures = pd.concat(parts, ignore_index=True)

    # the period behind each row, as scorecard() would take it: which rows it returns
    p_end = measures["week"].map(ends)
    w_start = p_end - timedelta(days=6)
    with_data = {
        w: _any_between(buckets, date(e.year, 1, 1) if kind == "ytd" else e - timedelta(days=6), e)
        for w, e in ends.items()
    }
    vf, vt = measures["_vf"], measures["_vt"]

    def valid(lo: pd.Series, hi: pd.Series) -> np.ndarray:
        ok = (vf.isna() | (vf <= hi)) & (vt.isna() | (vt >= lo))
        return ok.astype(bool).to_numpy()

    # a level exists at the period's end (no district level after 30/06/2025)
    lvf = measures["level"].map(lambda lv: level_span.get(lv, (None, None))[0])
    lvt = measures["level"].map(lambda lv: level_span.get(lv, (None, None))[1])
    level_ok = ((lvf.isna() | (lvf <= p_end)) & (lvt.isna() | (lvt >= p_end))).astype(bool).to_numpy()
    # scored (listed by scorecard()): the unit and its level exist at the period's end
    measures = measures.drop(columns=["_vf", "_vt"]).assign(
        scored=(valid(p_end, p_end) & level_ok & measures["week"].map(with_data).astype(bool).to_numpy()),
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
        summ = compute.summarize(m, comps, grade_bands_for(conn, version), keys=keys, group_codes=group_codes)
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

