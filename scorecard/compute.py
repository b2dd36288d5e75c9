"""Scoring over data frames: components -> groups -> total -> grade -> rank -> delta.

Pure pandas, vectorised over any number of rows (units, or units x weeks): the 104-week series
of every commune is one call, not 25,000.

Inputs: a *measures* frame with key columns (``unit_code`` and optionally ``week``), ``level``
and the measure columns of docs/design.md; the methodology rows of one version.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scorecard.methodology import component_levels, evaluate, parse_expression

N_GROUPS = 6
COMPONENT_COLUMNS = [
    "unit_code", "group_code", "component", "name", "numerator", "denominator", "ratio",
    "points", "max_points", "points_lost", "empty",
]


def group_column(code: object) -> str:
    return f"group_{code}"


def score_components(
    measures: pd.DataFrame, methodology: pd.DataFrame, keys: Sequence[str] = ("unit_code",)
) -> pd.DataFrame:
    """One row per key and applicable component: [*keys, group_code, group_max, component, name,
    numerator, denominator, ratio, points, max_points, points_lost, empty, saturation].

    ratio = numerator / denominator clamped to [0, 1]; an empty (zero) denominator gives the
    component's ``empty_ratio`` and ``empty=True`` (không phát sinh). points = max x min(1,
    ratio / saturation); ``saturation`` is the one applied (1 when the methodology gives none), so
    a reader never has to recover it from points and ratio. Components whose ``levels`` exclude
    the row's level are left out.
    """
    keys = list(keys)
    parts = []
    for row in methodology.itertuples(index=False):
        applies = measures["level"].isin(component_levels(row.levels))
        m = measures[applies]
        if m.empty:
            continue
        num = evaluate(parse_expression(row.numerator), m)
        den = evaluate(parse_expression(row.denominator), m)
        empty = den <= 0
        ratio = (num / den.where(~empty, 1.0)).clip(0.0, 1.0)
        ratio = ratio.where(~empty, float(row.empty_ratio))
        sat = float(row.saturation) if row.saturation and row.saturation > 0 else 1.0
        points = float(row.max_points) * np.minimum(1.0, ratio / sat)
        # one constructor call per component, not a dozen column assignments: the per-column
        # overhead of pandas, not the arithmetic, was most of a scorecard's time
        part = pd.DataFrame(
            {
                **{k: m[k].values for k in keys},
                "group_code": str(row.group_code),
                "group_max": float(row.group_max),
                "component": str(row.component),
                "name": row.name,
                "numerator": num.values,
                "denominator": den.values,
                "ratio": ratio.values,
                "points": points.values,
                "max_points": float(row.max_points),
                "points_lost": float(row.max_points) - points.values,
                "empty": empty.values,
                "saturation": sat,
            }
        )
        parts.append(part)
    if not parts:
        cols = [*keys, "group_code", "group_max", *COMPONENT_COLUMNS[2:], "saturation"]
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)


def score_groups(components: pd.DataFrame, keys: Sequence[str] = ("unit_code",)) -> pd.DataFrame:
    """[*keys, group_code, points]: group points = sum of points x group_max / sum of the max
    points of the components that apply (the group is scaled when some do not).

    The sums add the components one column at a time in methodology order, so a unit's group
    points are bit-for-bit the same whichever other rows share the frame (one period's units,
    or 104 weeks of them): a grouped sum's floating-point result depends on how the library
    splits the work, and the precomputed weekly scores must equal the on-demand ones exactly."""
    keys = list(keys)
    cols = [*keys, "group_code", "points"]
    if components.empty:
        return pd.DataFrame(columns=cols)
    order = list(dict.fromkeys(components["component"]))  # methodology order
    points = components.pivot(index=keys, columns="component", values="points").reindex(columns=order)
    maxes = components.pivot(index=keys, columns="component", values="max_points").reindex(columns=order)
    meta = components.drop_duplicates("component").set_index("component")
    parts = []
    for code in list(dict.fromkeys(meta.loc[order, "group_code"])):
        members = [c for c in order if meta.at[c, "group_code"] == code]
        total = np.zeros(len(points))
        top = np.zeros(len(points))
        applies = np.zeros(len(points), dtype=bool)
        for c in members:
            p = points[c].to_numpy(dtype=float)
            ok = ~np.isnan(p)
            total = total + np.where(ok, p, 0.0)
            top = top + np.where(ok, maxes[c].to_numpy(dtype=float), 0.0)
            applies |= ok
        group_max = float(meta.at[members[0], "group_max"])
        safe = np.where(top > 0, top, 1.0)
        part = points.index.to_frame(index=False)
        part["group_code"] = code
        part["points"] = np.where(top > 0, total * group_max / safe, 0.0)
        parts.append(part[applies])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([*keys, "group_code"]).reset_index(drop=True)[cols]


def grade_for(totals: pd.Series, bands: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Grade names and colours for totals (min_score inclusive, on the total rounded to 2
    decimals so that a shown 90,00 is never graded below Xuất sắc)."""
    b = bands.sort_values("min_score", ascending=False)
    rounded = totals.astype(float).round(2)
    grade = pd.Series(None, index=totals.index, dtype=object)
    color = pd.Series(None, index=totals.index, dtype=object)
    for r in b.itertuples(index=False):
        hit = grade.isna() & (rounded >= float(r.min_score))
        grade[hit] = r.grade
        color[hit] = r.color
    if not b.empty:
        lowest = b.iloc[-1]
        rest = grade.isna() & totals.notna()
        grade[rest] = lowest["grade"]
        color[rest] = lowest["color"]
    return grade, color


def rank_totals(totals: pd.Series, by: pd.Series | None = None) -> pd.Series:
    """Rank 1 = best by total rounded to 2 decimals; ties share the lower number ("min")."""
    rounded = totals.astype(float).round(2)
    if by is None:
        r = rounded.rank(method="min", ascending=False)
    else:
        r = rounded.groupby(by).rank(method="min", ascending=False)
    return r.astype("Int64")


def summarize(
    measures: pd.DataFrame,
    components: pd.DataFrame,
    bands: pd.DataFrame,
    keys: Sequence[str] = ("unit_code",),
    group_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per key: [*keys, total, grade, grade_color, group_1 ... group_6, dossiers]
    (rank and delta are added by the caller, who knows what is ranked against what)."""
    keys = list(keys)
    groups = score_groups(components, keys)
    wide = groups.pivot_table(index=keys, columns="group_code", values="points", aggfunc="sum")
    codes = list(group_codes) if group_codes else [str(i) for i in range(1, N_GROUPS + 1)]
    wide = wide.reindex(columns=codes).fillna(0.0)
    wide.columns = [group_column(c) for c in wide.columns]
    wide = wide.reset_index()
    out = measures[[*keys, *(["dossiers"] if "dossiers" in measures.columns else [])]].merge(
        wide, on=keys, how="left"
    )
    gcols = [group_column(c) for c in codes]
    out[gcols] = out[gcols].fillna(0.0)
    # added column by column, for the same reason as in score_groups
    total = pd.Series(0.0, index=out.index)
    for g in gcols:
        total = total + out[g]
    out["total"] = total
    out["grade"], out["grade_color"] = grade_for(out["total"], bands)
    return out


def add_delta(summary: pd.DataFrame, previous: pd.DataFrame | None, column: str = "delta_week") -> pd.DataFrame:
    """Total minus the previous period's total of the same unit (NaN when it had none)."""
    out = summary.copy()
    if previous is None or previous.empty:
        out[column] = np.nan
        return out
    prev = previous[["unit_code", "total"]].rename(columns={"total": "_prev"})
    out = out.merge(prev, on="unit_code", how="left")
    out[column] = out["total"] - out["_prev"]
    return out.drop(columns="_prev")
