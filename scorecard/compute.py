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

from scorecard.methodology import component_levels, parse_expression

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
    level = measures["level"].astype(object).to_numpy()
    masks: dict[str, np.ndarray] = {}  # one per distinct "levels" text
    columns: dict[str, np.ndarray] = {}  # each measure as floats, read once
    rows_of: list[np.ndarray] = []  # positions in ``measures`` of each component's rows
    per_row: dict[str, list[np.ndarray]] = {
        c: [] for c in ("numerator", "denominator", "ratio", "points", "empty")
    }
    per_component: dict[str, list] = {
        c: [] for c in ("group_code", "group_max", "component", "name", "max_points", "saturation")
    }
    # numpy over whole columns, one component at a time: pandas' per-call overhead (a dozen
    # Series operations a component) was most of an on-demand scorecard's time
    for row in methodology.itertuples(index=False):
        if row.levels not in masks:
            masks[row.levels] = np.isin(level, list(component_levels(row.levels)))
        mask = masks[row.levels]
        if not mask.any():
            continue
        num = _evaluate(parse_expression(row.numerator), measures, mask, columns)
        den = _evaluate(parse_expression(row.denominator), measures, mask, columns)
        empty = den <= 0
        ratio = np.clip(num / np.where(empty, 1.0, den), 0.0, 1.0)
        ratio = np.where(empty, float(row.empty_ratio), ratio)
        sat = float(row.saturation) if row.saturation and row.saturation > 0 else 1.0
        points = float(row.max_points) * np.minimum(1.0, ratio / sat)
        rows_of.append(np.flatnonzero(mask))
        for name, values in (("numerator", num), ("denominator", den), ("ratio", ratio),
                             ("points", points), ("empty", empty)):
            per_row[name].append(values)
        for name, value in (("group_code", str(row.group_code)),
                            ("group_max", float(row.group_max)),
                            ("component", str(row.component)), ("name", row.name),
                            ("max_points", float(row.max_points)), ("saturation", sat)):
            per_component[name].append(value)
    if not rows_of:
        cols = [*keys, "group_code", "group_max", *COMPONENT_COLUMNS[2:], "saturation"]
        return pd.DataFrame(columns=cols)
    counts = [len(r) for r in rows_of]
    at = np.concatenate(rows_of)

    def repeat(name: str) -> np.ndarray:
        return np.repeat(np.array(per_component[name], dtype=object), counts)

    points = np.concatenate(per_row["points"])
    max_points = np.repeat(np.array(per_component["max_points"], dtype=float), counts)
    out = measures[keys].iloc[at].reset_index(drop=True)
    for name, values in (
        ("group_code", repeat("group_code")),
        ("group_max", np.repeat(np.array(per_component["group_max"], dtype=float), counts)),
        ("component", repeat("component")),
        ("name", repeat("name")),
        ("numerator", np.concatenate(per_row["numerator"])),
        ("denominator", np.concatenate(per_row["denominator"])),
        ("ratio", np.concatenate(per_row["ratio"])),
        ("points", points),
        ("max_points", max_points),
        ("points_lost", max_points - points),
        ("empty", np.concatenate(per_row["empty"])),
        ("saturation", np.repeat(np.array(per_component["saturation"], dtype=float), counts)),
    ):
        out[name] = values
    return out


def _evaluate(terms: Sequence, measures: pd.DataFrame, mask: np.ndarray,
              columns: dict[str, np.ndarray]) -> np.ndarray:
    """``methodology.evaluate`` over the rows in ``mask``, as floats (the same operations in
    the same order, so the same numbers)."""
    out = np.zeros(int(mask.sum()))
    for sign, t in terms:
        if isinstance(t, str):
            if t in measures.columns:
                if t not in columns:
                    values = pd.to_numeric(measures[t], errors="coerce").fillna(0)
                    columns[t] = values.to_numpy(dtype=float)
                out = out + sign * columns[t][mask]
        else:
            out = out + sign * t
    return out


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
    order = list(components["component"].unique())  # methodology order (first seen)
    # each key's row number in sorted key order; one float array per component over them
    at = components.groupby(keys, sort=True).ngroup().to_numpy()
    key_rows = components[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    n = len(key_rows)
    component = components["component"].to_numpy(dtype=object)
    point_values = components["points"].to_numpy(dtype=float)
    max_values = components["max_points"].to_numpy(dtype=float)

    def spread(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = np.full(n, np.nan)
        out[at[rows]] = values[rows]
        return out

    meta = components.drop_duplicates("component").set_index("component")
    parts = []
    for code in list(pd.unique(meta.loc[order, "group_code"])):
        members = [c for c in order if meta.at[c, "group_code"] == code]
        total = np.zeros(n)
        top = np.zeros(n)
        applies = np.zeros(n, dtype=bool)
        for c in members:
            rows = np.flatnonzero(component == c)
            p = spread(point_values, rows)
            ok = ~np.isnan(p)
            total = total + np.where(ok, p, 0.0)
            top = top + np.where(ok, spread(max_values, rows), 0.0)
            applies |= ok
        group_max = float(meta.at[members[0], "group_max"])
        safe = np.where(top > 0, top, 1.0)
        part = key_rows.copy()
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
    # A unit with no dossier and no feedback in the period has nothing to score ("không phát
    # sinh"): its points would come from empty denominators alone. It is shown, not graded,
    # and not ranked (rank_totals leaves a missing total unranked).
    idle = no_activity(measures, keys)
    if idle is not None:
        blank = out[keys].merge(idle, on=keys, how="left")["_idle"].fillna(False).astype(bool).to_numpy()
        out.loc[blank, [*gcols, "total"]] = np.nan
    out["grade"], out["grade_color"] = grade_for(out["total"], bands)
    return out


def no_activity(measures: pd.DataFrame, keys: Sequence[str] = ("unit_code",)) -> pd.DataFrame | None:
    """[*keys, _idle]: True where the row had no dossier and no feedback; None when the
    measures do not say (no dossier or feedback column)."""
    if "dossiers" not in measures.columns or "feedback" not in measures.columns:
        return None
    idle = (measures["dossiers"].fillna(0) == 0) & (measures["feedback"].fillna(0) == 0)
    return measures[list(keys)].assign(_idle=idle.to_numpy())


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


def add_rank_change(summary: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """``rank_prev``: the unit's rank in the previous period (``previous``: [unit_code, rank],
    ranked among the same set of units); ``rank_change`` = rank_prev − rank, positive when the
    unit moved up. Both Int64, NA when the unit had no rank then (not listed, không phát sinh,
    a level not ranked) or has none now (rank_change)."""
    out = summary.copy()
    if previous is None or previous.empty:
        out["rank_prev"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    else:
        ranks = pd.to_numeric(previous["rank"], errors="coerce").astype("Int64")
        prev = dict(zip(previous["unit_code"].astype(str), ranks, strict=True))
        out["rank_prev"] = pd.array(
            [prev.get(str(c), pd.NA) for c in out["unit_code"]], dtype="Int64"
        )
    rank = pd.array(out["rank"], dtype="Int64")
    out["rank_change"] = pd.array(out["rank_prev"], dtype="Int64") - rank
    return out
