"""Points lost per component, and what it would take to win them back, in plain words."""

from __future__ import annotations

import math

import pandas as pd

from texts import fmt_number, fmt_percent, t


def saturation(ratio: float, points: float, max_points: float) -> float | None:
    """The component's saturation point, read back from its score (points = max·min(1, r/s)).

    The service does not return the saturation itself; it can be recovered whenever the unit
    scored some but not all points. None when it cannot be recovered.
    """
    if points <= 0 or max_points <= 0 or points >= max_points - 1e-9 or ratio <= 0:
        return None
    return min(1.0, ratio * max_points / points)


def win_back(row: pd.Series) -> str:
    """One sentence: what the unit must achieve to get this component's lost points back."""
    if bool(row.get("empty")):
        return t("ui.advice.no_activity")
    lost = float(row.get("points_lost") or 0)
    if lost < 0.005:
        return t("ui.advice.full")
    ratio = float(row.get("ratio") or 0)
    s = saturation(ratio, float(row.get("points") or 0), float(row.get("max_points") or 0))
    need = s if s is not None else 1.0
    den = float(row.get("denominator") or 0)
    num = float(row.get("numerator") or 0)
    more = max(0, math.ceil(need * den - 1e-9) - math.ceil(num - 1e-9)) if den > 0 else 0
    if more > 0:
        return t("ui.advice.need_more", need=fmt_percent(need), now=fmt_percent(ratio),
                 more=fmt_number(more, 0), den=fmt_number(den, 0))
    return t("ui.advice.need_ratio", need=fmt_percent(need), now=fmt_percent(ratio))


def component_table(components: pd.DataFrame) -> pd.DataFrame:
    """Display table for one unit's components, biggest loss first within the original order."""
    c = components.copy()
    return pd.DataFrame(
        {
            t("ui.col.component"): c["component"].astype(str) + " " + c["name"].astype(str),
            t("ui.col.ratio"): [
                t("ui.no_activity") if bool(e) else fmt_percent(r)
                for r, e in zip(c["ratio"], c["empty"], strict=True)
            ],
            t("ui.col.points"): [
                f"{fmt_number(p, 2)} / {fmt_number(m, 0)}"
                for p, m in zip(c["points"], c["max_points"], strict=True)
            ],
            t("ui.col.points_lost"): c["points_lost"].astype(float).round(2),
            t("ui.col.win_back"): [win_back(r) for _, r in c.iterrows()],
        }
    )


def chart_frame(components: pd.DataFrame) -> pd.DataFrame:
    """Long frame for ui.charts.component_bars."""
    rows = []
    for i, r in enumerate(components.itertuples(index=False)):
        label = f"{r.component} {r.name}"
        label = label if len(label) <= 60 else label[:58] + "…"
        rows.append({"label": label, "kind": t("ui.chart.points_won"), "points": float(r.points),
                     "sort": i, "kind_order": 0})
        rows.append({"label": label, "kind": t("ui.chart.points_lost"),
                     "points": float(r.points_lost), "sort": i, "kind_order": 1})
    return pd.DataFrame(rows)
