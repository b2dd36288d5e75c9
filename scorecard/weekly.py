"""Week-by-week measures from bucket-level frames (pure pandas).

The weekly ranking is the year-to-date score as of each week's end. Rather than one query per
week, the service fetches bucket-level rows once for the whole range and this module turns them
into measures per (week, unit) with cumulative sums:

- a count received in bucket b counts in the year-to-date of every week W of b's year with
  end(W) >= b; an overdue count additionally needs end(W) >= its overdue bucket. So each row has
  an *anchor* (the received bucket: which year) and an *effective* day (when it starts to count);
- "week" figures count a row in the week of its anchor only if it is already effective then;
- distinct procedures (components 3.2, 4.2) count from the first week a procedure was used.

Buckets never straddle a month, so never a year: the slice of ISO week 2025-W01 that falls in
December 2024 is in no year-to-date of 2025 (which starts 1 January) and in none of 2024 either
(whose last weekly year-to-date ends on Sunday 29 December).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from scorecard.periods import iso_week_label, week_start


def week_end(label: str) -> date:
    return week_start(label) + timedelta(days=6)


def _week_of(days: pd.Series) -> pd.Series:
    uniq = {d: iso_week_label(d) for d in pd.unique(days)}
    return days.map(uniq)


def _year_of_week_end(weeks: pd.Series) -> pd.Series:
    uniq = {w: week_end(w).year for w in pd.unique(weeks)}
    return weeks.map(uniq)


def effective_events(
    events: pd.DataFrame, value_cols: Sequence[str], kind: str
) -> pd.DataFrame:
    """[unit_code, week, *value_cols]: ``events`` has unit_code, anchor, effective (dates) and
    the values; returns the additions per unit and week (before any cumulative sum)."""
    cols = ["unit_code", "week", *value_cols]
    if events.empty:
        return pd.DataFrame(columns=cols)
    e = events.copy()
    e["week"] = _week_of(e["effective"])
    if kind == "ytd":
        anchor_year = e["anchor"].map(lambda d: d.year)
        keep = _year_of_week_end(e["week"]) == anchor_year
    else:
        keep = _week_of(e["anchor"]) == e["week"]
    e = e[keep]
    return e.groupby(["unit_code", "week"], as_index=False)[list(value_cols)].sum()[cols]


def accumulate(
    additions: pd.DataFrame,
    units: Sequence[str],
    weeks: Sequence[str],
    value_cols: Sequence[str],
    kind: str,
) -> pd.DataFrame:
    """[week, unit_code, *value_cols] on the full grid units x weeks: the additions themselves
    (kind "week") or their running sum within each year-to-date year (kind "ytd")."""
    grid = pd.MultiIndex.from_product([list(weeks), list(units)], names=["week", "unit_code"])
    a = additions.groupby(["week", "unit_code"])[list(value_cols)].sum() if not additions.empty else None
    out = (
        a.reindex(grid, fill_value=0)
        if a is not None
        else pd.DataFrame(0, index=grid, columns=list(value_cols))
    )
    out = out.reset_index()
    if kind == "ytd":
        out["_year"] = _year_of_week_end(out["week"])
        out = out.sort_values(["unit_code", "week"])
        out[list(value_cols)] = out.groupby(["unit_code", "_year"])[list(value_cols)].cumsum()
        out = out.drop(columns="_year").sort_values(["week", "unit_code"])
    for c in value_cols:
        out[c] = out[c].astype("int64")
    return out.reset_index(drop=True)


def first_use_events(rows: pd.DataFrame, flag: str, kind: str) -> pd.DataFrame:
    """[unit_code, week, value]: distinct procedures with ``flag`` per unit, counted once in the
    first week of their year (ytd) or once per week (week). ``rows`` has unit_code, bucket,
    procedure_code and the flag column."""
    cols = ["unit_code", "week", "value"]
    r = rows[rows[flag] > 0] if not rows.empty else rows
    if r.empty:
        return pd.DataFrame(columns=cols)
    r = r[["unit_code", "bucket", "procedure_code"]].copy()
    r["week"] = _week_of(r["bucket"])
    if kind == "ytd":
        r["_year"] = r["bucket"].map(lambda d: d.year)
        r = r[_year_of_week_end(r["week"]) == r["_year"]]
        # weeks sort as text ("2024-W09" < "2024-W10"), so min() is the first week of use
        first = r.groupby(["unit_code", "procedure_code", "_year"], as_index=False)["week"].min()
    else:
        first = r.drop_duplicates(["unit_code", "procedure_code", "week"])
    first = first.assign(value=1)
    return first.groupby(["unit_code", "week"], as_index=False)["value"].sum()[cols]
