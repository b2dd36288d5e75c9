"""Units across reorganisations: who came before and after a unit (``unit_lineage``, many to
many, with shares) and the predecessors' combined history that a new unit's trend shows before
its first day, as a separate, labelled segment (TWO_TIER_2025.md: never silently joined).

The combined history is scored like any unit: the predecessors' measures week by week, each
count weighted by the predecessor's share (the part of its dossiers that went to this unit),
summed, then scored with the new unit's level and the methodology in force each week. Counts of
distinct procedures are not shares of anything, so they are summed whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from data_access import queries as q
from scorecard import compute
from scorecard.inputs import PROVINCE, Bind, grade_bands_for, series_measures
from scorecard.methodology import select_version, version_at
from scorecard.periods import as_date, week_start

LINK_COLUMNS = ["code", "name", "level", "share", "changed_on", "valid_from", "valid_to"]
HISTORY_COLUMNS = ["week", "unit_code", "total", *[f"group_{i}" for i in range(1, 7)]]
# distinct-procedure counts: summed whole, never weighted by a share
UNWEIGHTED = (*q.PROCEDURE_MEASURES, *q.PROCEDURE_USE_MEASURES)


def _links(engine: Bind, code: str, direction: str) -> pd.DataFrame:
    lin = q.lineage(engine)
    mine, other = ("new_code", "old_code") if direction == "back" else ("old_code", "new_code")
    rows = lin[lin[mine].astype(str) == str(code)]
    if rows.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    units = q.active_units(engine)[["code", "name", "level", "valid_from", "valid_to"]]
    out = rows.rename(columns={other: "code", "valid_from": "changed_on"})[["code", "share", "changed_on"]]
    out = out.assign(code=out["code"].astype(str)).merge(units, on="code", how="left")
    return out[LINK_COLUMNS].sort_values(["changed_on", "code"]).reset_index(drop=True)


def predecessors(engine: Bind, code: str) -> pd.DataFrame:
    """[code, name, level, share, changed_on, valid_from, valid_to]: the units whose work
    passed to ``code`` (one step back), with the share of theirs it took (NaN = all). A unit
    that existed before it absorbed others is its own predecessor too (share 1): its combined
    history before the change is itself plus what it absorbed."""
    out = _links(engine, code, "back")
    if out.empty:
        return out
    me = q.unit_by_code(engine, code)
    changed = min(as_date(d) or date.max for d in out["changed_on"])
    if not me.empty:
        vf = as_date(me["valid_from"].iloc[0])
        if vf is None or vf < changed:
            own = me.assign(share=1.0, changed_on=changed)
            out = pd.concat([own[LINK_COLUMNS], out], ignore_index=True)
    return out


def successors(engine: Bind, code: str) -> pd.DataFrame:
    """[code, name, level, share, changed_on, valid_from, valid_to]: the units that took over
    ``code``'s work (one step forward), with the share each took (NaN = all)."""
    return _links(engine, code, "forward")


def change_day(engine: Bind, code: str) -> date | None:
    """The first day of ``code`` in its present form: the earliest date it took over other
    units' work (or its own first day); None when it has no predecessor."""
    out = _links(engine, code, "back")
    if out.empty:
        return None
    return min(as_date(d) or date.max for d in out["changed_on"])


def combine(measures: pd.DataFrame, shares: dict[str, float], code: str, level: str) -> pd.DataFrame:
    """[week, unit_code=code, level, <MEASURES>]: the predecessors' measures (rows of
    ``measures``, one per week and predecessor) weighted by their shares and summed per week.
    Pure; the arithmetic the combined history rests on."""
    cols = list(q.MEASURES)
    if measures.empty:
        return pd.DataFrame(columns=["week", "unit_code", "level", *cols])
    m = measures.copy()
    w = m["unit_code"].astype(str).map(shares).fillna(1.0).astype(float)
    for c in cols:
        m[c] = m[c].astype(float) if c in UNWEIGHTED else m[c].astype(float) * w
    out = m.groupby("week", as_index=False)[cols].sum()
    return out.assign(unit_code=code, level=level)[["week", "unit_code", "level", *cols]]


def predecessor_history(engine: Bind, code: str, weeks: list[str], kind: str = "ytd") -> pd.DataFrame:
    """[week, unit_code=code, total, group_1 ... group_6]: the predecessors' combined scores
    in those of ``weeks`` that end before ``code``'s change day; empty when it has none."""
    return score_weeks(engine, predecessor_measures(engine, code, weeks, kind))


def predecessor_measures(engine: Bind, code: str, weeks: list[str], kind: str = "ytd") -> pd.DataFrame:
    """[week, unit_code=code, level, <MEASURES>]: the predecessors' measures combined
    (``combine``) in those of ``weeks`` that end before ``code``'s change day."""
    empty = pd.DataFrame(columns=["week", "unit_code", "level", *q.MEASURES])
    me = q.unit_by_code(engine, code)
    preds = predecessors(engine, code)
    day = change_day(engine, code)
    if me.empty or preds.empty or day is None:
        return empty
    before = [w for w in weeks if week_start(w) + timedelta(days=6) < day]
    if not before:
        return empty
    level = str(me["level"].iloc[0])
    units = q.active_units(engine)
    frames = []
    pred_units = units[units["code"].astype(str).isin(preds["code"].astype(str))]
    for is_province, group in pred_units.groupby(pred_units["level"] == PROVINCE):
        lv = PROVINCE if is_province else "units"
        for i in range(len(group)) if is_province else [None]:
            frame = group.iloc[i : i + 1] if i is not None else group
            frames.append(series_measures(engine, lv, before, kind, frame))
    measures = pd.concat(frames, ignore_index=True)
    # a predecessor counts only in the weeks it existed (as in the units' own series)
    vf = pred_units.set_index("code")["valid_from"].map(as_date)
    vt = pred_units.set_index("code")["valid_to"].map(as_date)
    end = measures["week"].map(lambda w: week_start(w) + timedelta(days=6))
    f, t = measures["unit_code"].map(vf), measures["unit_code"].map(vt)
    alive = (f.isna() | (f <= end)) & (t.isna() | (t >= end - timedelta(days=6)))
    shares = {str(c): (1.0 if pd.isna(s) else float(s)) for c, s in zip(preds["code"], preds["share"], strict=True)}
    return combine(measures[alive.astype(bool)], shares, code, level)


def score_weeks(engine: Bind, measures: pd.DataFrame) -> pd.DataFrame:
    """[week, unit_code, total, group_*] of week-by-week measures, each week scored with the
    methodology in force at its end (as the snapshot does)."""
    if measures.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    meth_all = q.methodology(engine)
    if meth_all.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    keys = ["week", "unit_code"]
    ends = {w: week_start(w) + timedelta(days=6) for w in measures["week"].unique()}
    versions = {w: version_at(meth_all, e) for w, e in ends.items()}
    parts = []
    for version in sorted(set(versions.values()), key=str):
        wk = [w for w, v in versions.items() if v == version]
        m = measures[measures["week"].isin(wk)]
        meth = select_version(meth_all, ends[wk[0]])
        comps = compute.score_components(m, meth, keys=keys)
        group_codes = sorted(meth["group_code"].astype(str).unique(), key=int)
        parts.append(compute.summarize(m, comps, grade_bands_for(engine, version), keys=keys,
                                       group_codes=group_codes))
    out = pd.concat(parts, ignore_index=True)
    return out[HISTORY_COLUMNS].sort_values(keys).reset_index(drop=True)
