"""Points lost per component, and what it would take to win them back, in plain words.

The numbers and sentences are ``scorecard.advice``'s (from the methodology's saturation, shared
with the lagging page and the meeting pack); this module lays them out for the unit page."""

from __future__ import annotations

import pandas as pd

from scorecard import advice as sa
from texts import fmt_number, fmt_percent, t


def win_back(row: pd.Series, basis: str | None = None) -> str:
    """One sentence: what the unit must achieve to get this component's lost points back.
    ``basis``: the component's denominator expression (the catalogue's), for the noun."""
    w = sa.win_back(
        float(row.get("numerator") or 0), float(row.get("denominator") or 0),
        float(row.get("ratio") or 0), float(row.get("points") or 0),
        float(row.get("max_points") or 0), row.get("saturation"), bool(row.get("empty")),
    )
    return sa.sentence(w, sa.noun(basis))


def basis_of(catalogue: pd.DataFrame | None) -> dict[str, str]:
    """component → denominator expression, from ``data.load_catalogue``."""
    if catalogue is None or catalogue.empty or "basis" not in catalogue.columns:
        return {}
    return dict(zip(catalogue["component"].astype(str), catalogue["basis"].astype(str), strict=False))


def component_table(components: pd.DataFrame, basis: dict[str, str] | None = None) -> pd.DataFrame:
    """Display table for one unit's components, in methodology order."""
    c = components.copy()
    basis = basis or {}
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
            t("ui.col.win_back"): [win_back(r, basis.get(str(r["component"])))
                                   for _, r in c.iterrows()],
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
