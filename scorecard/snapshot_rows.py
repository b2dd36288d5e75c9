"""Frames of the weekly score snapshot's rows (score_week), built in plain Python.

A ranking is a hundred rows and every page reads a few per run: building it column by column
and making a frame once costs a fraction of what pandas' assign, astype, merge and sort did
(``scorecard.service`` reads the rows and says whether the snapshot may answer)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from data_access import queries as q

GROUPS = [f"group_{i}" for i in range(1, 7)]
COLUMN = {name: i for i, name in enumerate(q.SCORE_WEEK_COLUMNS)}
# the series' columns (scorecard.service.SERIES_COLUMNS)
SERIES_COLUMNS = ["week", "unit_code", "total", *GROUPS]
# the ranking's columns (scorecard.service.SUMMARY_COLUMNS)
SUMMARY_COLUMNS = [
    "unit_code", "unit_name", "level", "period", "total", "grade", "grade_color", "rank",
    "delta_week", "rank_prev", "rank_change", *GROUPS, "dossiers", "methodology_version",
]


def na(v: object) -> bool:
    """None or NaN (a NULL)."""
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def floats(rows: Sequence[tuple], i: int) -> list[float]:
    """Column ``i`` of ``rows`` as floats, NaN for NULL."""
    return [float("nan") if na(r[i]) else float(r[i]) for r in rows]


def ranking_frame(
    rows: Sequence[tuple],
    names: dict[str, object],
    period: str,
    previous: dict[str, int | None],
    rank: pd.api.extensions.ExtensionArray | None = None,
) -> pd.DataFrame:
    """``SUMMARY_COLUMNS`` of one period's score_week rows, by rank (none last), then code.

    ``names``: unit_code -> name; ``previous``: unit_code -> rank in the previous period;
    ``rank``: ranks to use instead of the rows' own (a drill-down ranks within its units)."""
    c = COLUMN
    codes = [str(r[c["unit_code"]]) for r in rows]
    if rank is None:
        rank = pd.array([None if na(r[c["rank"]]) else int(r[c["rank"]]) for r in rows], dtype="Int64")
    rank_prev = pd.array([previous.get(u) for u in codes], dtype="Int64")
    cols: dict[str, object] = {
        "unit_code": codes,
        "unit_name": [names.get(u) for u in codes],
        "level": [r[c["level"]] for r in rows],
        "period": [period] * len(rows),
        "total": np.array(floats(rows, c["total"]), dtype="float64"),
        "grade": np.array([r[c["grade"]] for r in rows], dtype=object),
        "grade_color": np.array([r[c["grade_color"]] for r in rows], dtype=object),
        "rank": rank,
        "delta_week": np.array(floats(rows, c["delta_week"]), dtype="float64"),
        "rank_prev": rank_prev,
        "rank_change": rank_prev - rank,
        **{g: np.array(floats(rows, c[g]), dtype="float64") for g in GROUPS},
        "dossiers": np.array([int(r[c["dossiers"]]) for r in rows], dtype="int64"),
        "methodology_version": [r[c["methodology_version"]] for r in rows],
    }
    order = sorted(range(len(rows)), key=lambda i: (rank[i] is pd.NA,
                                                    0 if rank[i] is pd.NA else rank[i], codes[i]))
    return pd.DataFrame(cols).take(order).reset_index(drop=True)[SUMMARY_COLUMNS]


def series_frame(rows: Sequence[tuple]) -> pd.DataFrame:
    """``SERIES_COLUMNS`` of score_week rows, by week then unit."""
    c = COLUMN
    ordered = sorted(rows, key=lambda r: (r[c["week"]], r[c["unit_code"]]))
    return pd.DataFrame({
        "week": [r[c["week"]] for r in ordered],
        "unit_code": [r[c["unit_code"]] for r in ordered],
        **{col: np.array(floats(ordered, c[col]), dtype="float64") for col in ("total", *GROUPS)},
    })


def backlog_frame(rows: pd.DataFrame, week: str, before: str) -> pd.DataFrame | None:
    """[unit_code, backlog_0 (at ``week``'s end), backlog_1 (at ``before``'s)] summed per unit
    from score_week rows; None when either week has no row (the snapshot cannot say)."""
    sums: dict[str, dict[str, int]] = {}
    for code, w, n in zip(rows["unit_code"], rows["week"], rows["backlog"], strict=True):
        if na(n):
            continue
        per_week = sums.setdefault(str(code), {})
        per_week[str(w)] = per_week.get(str(w), 0) + int(n)
    held = {w for per_week in sums.values() for w in per_week}
    if week not in held or before not in held:
        return None
    codes = sorted(c for c, per_week in sums.items() if week in per_week and before in per_week)
    return pd.DataFrame({
        "unit_code": codes,
        "backlog_0": pd.array([sums[c][week] for c in codes], dtype="int64"),
        "backlog_1": pd.array([sums[c][before] for c in codes], dtype="int64"),
    })
