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
    numerator, denominator, ratio, points, max_points, points_lost, empty].

    ratio = numerator / denominator clamped to [0, 1]; an empty (zero) denominator gives the
    component's ``empty_ratio`` and ``empty=True`` (không phát sinh). points = max x min(1,
    ratio / saturation). Components whose ``levels`` exclude the row's level are left out.
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
        part = m[keys].copy()
        part["group_code"] = str(row.group_code)
        part["group_max"] = float(row.group_max)
        part["component"] = str(row.component)
        part["name"] = row.name
        part["numerator"] = num.values
        part["denominator"] = den.values
        part["ratio"] = ratio.values
        part["points"] = points.values
        part["max_points"] = float(row.max_points)
        part["points_lost"] = float(row.max_points) - points.values
        part["empty"] = empty.values
        parts.append(part)
    if not parts:
        cols = [*keys, "group_code", "group_max", *COMPONENT_COLUMNS[2:]]
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)


def score_groups(components: pd.DataFrame, keys: Sequence[str] = ("unit_code",)) -> pd.DataFrame:
    """[*keys, group_code, points]: group points = sum of points x group_max / sum of the max
    points of the components that apply (the group is scaled when some do not)."""
    keys = list(keys)
    g = components.groupby([*keys, "group_code"], as_index=False).agg(
        points=("points", "sum"), max_points=("max_points", "sum"), group_max=("group_max", "first")
    )
    g["points"] = np.where(g["max_points"] > 0, g["points"] * g["group_max"] / g["max_points"], 0.0)
    return g[[*keys, "group_code", "points"]]


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
    out["total"] = out[gcols].sum(axis=1)
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
