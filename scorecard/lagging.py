"""Which units lag, and why, in sentences a leader reads at the weekly meeting (pure pandas).

A unit lags when any of these holds (each adds to its urgency, the most serious weighing most):
- its total is below a grade (default "Khá": below the band a province asks units to reach);
- it is in the bottom N of its level (only when the level has more than N units);
- its year-to-date total fell N weeks in a row (default 3);
- its backlog of open overdue dossiers rose since last week.
For each lagging unit it also names the components that cost it most points (scaled like the
group, i.e. what they cost in the total) and the procedures and fields behind its overdue dossiers.
"""

from __future__ import annotations

import pandas as pd

from texts import fmt_number, t

LAGGING_COLUMNS = [
    "unit_code", "unit_name", "level", "urgency", "reasons", "worst_components", "total", "grade",
    "rank", "overdue_procedures", "overdue_fields",
]
DEFAULT_GRADE = "Khá"
# How much each reason weighs in the urgency (a grade below the bar is what the province
# sanctions; a single week's backlog growth is the mildest signal).
WEIGHTS = {"below_grade": 3, "bottom": 2, "falling": 2, "backlog": 1}
LEVEL_PLURALS = {"department": "sở, ban, ngành", "district": "cấp huyện", "commune": "cấp xã"}


def threshold(bands: pd.DataFrame, below_grade: str | None) -> tuple[str | None, float | None]:
    """(grade, min_score) of the bar: ``below_grade`` if given, else "Khá" if the bands have it,
    else the middle band; (None, None) without bands."""
    if bands.empty:
        return None, None
    b = bands.sort_values("min_score", ascending=False).reset_index(drop=True)
    name = below_grade or (DEFAULT_GRADE if DEFAULT_GRADE in set(b["grade"]) else b["grade"].iloc[len(b) // 2])
    row = b[b["grade"] == name]
    if row.empty:
        raise ValueError(name)
    return name, float(row["min_score"].iloc[0])


def falling_streak(history: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """[unit_code, falling, first, last]: whether the total fell in each of the last ``weeks``
    weeks (strictly, on totals rounded to 2 decimals)."""
    cols = ["unit_code", "falling", "first", "last"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for code, g in history.sort_values("week").groupby("unit_code"):
        tot = g["total"].astype(float).round(2).tail(weeks + 1).tolist()
        falling = len(tot) == weeks + 1 and all(b < a for a, b in zip(tot, tot[1:], strict=False))
        rows.append((code, falling, tot[0] if tot else None, tot[-1] if tot else None))
    return pd.DataFrame(rows, columns=cols)


def costly_components(components: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """[unit_code, component, name, lost] of the ``top`` components costing each unit most
    points in its total (points lost x the group's scale)."""
    c = components.copy()
    if c.empty:
        return pd.DataFrame(columns=["unit_code", "component", "name", "lost", "empty"])
    gmax = c.get("group_max")
    if gmax is not None:
        applicable = c.groupby(["unit_code", "group_code"])["max_points"].transform("sum")
        c["lost"] = c["points_lost"] * gmax / applicable
    else:
        c["lost"] = c["points_lost"]
    c = c[c["lost"] > 0.005].sort_values(["unit_code", "lost"], ascending=[True, False])
    return c.groupby("unit_code").head(top)[["unit_code", "component", "name", "lost", "empty"]]


def pareto(df: pd.DataFrame) -> pd.DataFrame:
    """[key, name, overdue, share, cumulative_share] from [*, key, name, overdue] rows."""
    cols = ["key", "name", "overdue", "share", "cumulative_share"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    g = df.groupby("key", as_index=False, dropna=False).agg(name=("name", "first"), overdue=("overdue", "sum"))
    g = g.sort_values(["overdue", "key"], ascending=[False, True]).reset_index(drop=True)
    total = g["overdue"].sum()
    g["share"] = g["overdue"] / total if total else 0.0
    g["cumulative_share"] = g["share"].cumsum()
    return g[cols]


def _top_names(df: pd.DataFrame, key: str, top: int) -> dict[str, list[str]]:
    """unit_code -> the sentences for its ``top`` largest rows (most overdue first, then by key).
    One sort for all units: a filter and sort per unit cost pandas' overhead each time."""
    if df.empty:
        return {}
    g = df.sort_values(["unit_code", "overdue", "key"], ascending=[True, False, True])
    g = g.groupby("unit_code", sort=False).head(top)
    out: dict[str, list[str]] = {}
    for r in g.itertuples(index=False):
        label = r.name if isinstance(r.name, str) and r.name else r.key
        name = label if isinstance(label, str) and label else t("lag.unknown")
        out.setdefault(r.unit_code, []).append(t(key, name=name, n=fmt_number(int(r.overdue), 0)))
    return out


def find_lagging(
    summary: pd.DataFrame,
    components: pd.DataFrame,
    history: pd.DataFrame,
    backlog: pd.DataFrame,
    bands: pd.DataFrame,
    bottom_n: int = 5,
    below_grade: str | None = None,
    falling_weeks: int = 3,
    top: int = 3,
) -> pd.DataFrame:
    """Lagging units (``LAGGING_COLUMNS``), most urgent first.

    ``summary``/``components``: the year-to-date scorecard; ``history``: [week, unit_code, total]
    for at least ``falling_weeks`` + 1 weeks; ``backlog``: [unit_code, backlog_0 (now),
    backlog_1 (a week earlier)]. ``overdue_procedures`` / ``overdue_fields`` are left empty:
    ``attach_overdue`` fills them for the units found.
    """
    if summary.empty:
        return pd.DataFrame(columns=LAGGING_COLUMNS)
    grade_name, min_score = threshold(bands, below_grade)
    # ranked units only: one with nothing to score (không phát sinh) has no rank to count
    count = int(summary["total"].notna().sum())
    # plain dicts: a pandas lookup per unit and reason was most of this function's time
    streak = (
        {r.unit_code: r for r in falling_streak(history, falling_weeks).itertuples(index=False)}
        if not history.empty else {}
    )
    bl = {r.unit_code: (int(r.backlog_0), int(r.backlog_1))
          for r in backlog.itertuples(index=False)} if not backlog.empty else {}
    worst: dict[str, list] = {}
    for c in costly_components(components, top).itertuples(index=False):
        worst.setdefault(c.unit_code, []).append(c)
    rows = []
    for r in summary.itertuples(index=False):
        reasons: list[str] = []
        urgency = 0
        total = float(r.total)
        if min_score is not None and round(total, 2) < min_score:
            reasons.append(t("lag.below_grade", total=fmt_number(total, 2), grade=r.grade, threshold=grade_name))
            urgency += WEIGHTS["below_grade"]
        rank = r.rank
        if count > bottom_n and pd.notna(rank) and int(rank) > count - bottom_n:
            reasons.append(
                t("lag.bottom", rank=int(rank), count=count, n=bottom_n,
                  plural=LEVEL_PLURALS.get(r.level, r.level))
            )
            urgency += WEIGHTS["bottom"]
        s = streak.get(r.unit_code)
        if s is not None and bool(s.falling):
            reasons.append(
                t("lag.falling", weeks=falling_weeks, first=fmt_number(s.first, 2), last=fmt_number(s.last, 2))
            )
            urgency += WEIGHTS["falling"]
        if r.unit_code in bl:
            now, before = bl[r.unit_code]
            if now > before:
                reasons.append(t("lag.backlog", before=fmt_number(before, 0), now=fmt_number(now, 0)))
                urgency += WEIGHTS["backlog"]
        if not reasons:
            continue
        worst_list = [
            t("lag.worst_component", component=c.component, name=c.name, lost=fmt_number(c.lost, 2))
            + (f" ({t('score.empty')})" if bool(c.empty) else "")
            for c in worst.get(r.unit_code, [])
        ]
        rows.append(
            {
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "level": r.level,
                "urgency": urgency,
                "reasons": reasons,
                "worst_components": worst_list,
                "total": total,
                "grade": r.grade,
                "rank": rank,
                "overdue_procedures": [],
                "overdue_fields": [],
            }
        )
    if not rows:
        return pd.DataFrame(columns=LAGGING_COLUMNS)
    out = pd.DataFrame(rows)
    out = out.sort_values(["urgency", "total"], ascending=[False, True]).reset_index(drop=True)
    return out[LAGGING_COLUMNS]


def attach_overdue(lagging: pd.DataFrame, overdue: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Fill ``overdue_procedures`` and ``overdue_fields`` (the top ``top`` of each, as
    sentences) from [unit_code, procedure_code, procedure_name, field_code, field_name, overdue]."""
    out = lagging.copy()
    if overdue.empty:
        return out
    by_proc = overdue.groupby(["unit_code", "procedure_code"], as_index=False, dropna=False).agg(
        name=("procedure_name", "first"), overdue=("overdue", "sum")
    ).rename(columns={"procedure_code": "key"})
    by_field = overdue.groupby(["unit_code", "field_code"], as_index=False, dropna=False).agg(
        name=("field_name", "first"), overdue=("overdue", "sum")
    ).rename(columns={"field_code": "key"})
    procs = _top_names(by_proc, "lag.overdue_procedure", top)
    fields = _top_names(by_field, "lag.overdue_field", top)
    out["overdue_procedures"] = [procs.get(c, []) for c in out["unit_code"]]
    out["overdue_fields"] = [fields.get(c, []) for c in out["unit_code"]]
    return out
