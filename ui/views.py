"""Data shaping shared by several pages (no Streamlit calls besides cached loaders)."""

from __future__ import annotations

import pandas as pd

from scorecard.periods import PeriodError, week_period
from ui import data, widgets


def group_max(components: pd.DataFrame) -> dict[str, float]:
    """Maximum points per group, from the methodology as scored (province: every component
    applies); the published 18/20/12/10/18/22 when there is nothing to read it from."""
    out = dict(widgets.GROUP_MAX)
    if components is not None and not components.empty:
        sums = components.drop_duplicates("component").groupby("group_code")["max_points"].sum()
        for code, v in sums.items():
            out[f"group_{code}"] = float(v)
    return out


def province_code(url: str) -> str | None:
    prov = data.load_units(url, level="province")
    return None if prov.empty else str(prov.iloc[0]["code"])


def top_levels(url: str, ranked: list[str]) -> list[str]:
    """Ranked levels whose units report straight to the province (departments, districts)."""
    code = province_code(url)
    if code is None:
        return ranked
    children = data.load_units(url, parent=code)
    present = set(children["level"].astype(str)) if not children.empty else set()
    out = [lv for lv in ranked if lv in present]
    return out or ranked


def with_week_end(series: pd.DataFrame) -> pd.DataFrame:
    """Add ``week_end`` (date of the week's Sunday) and ``week_label`` (dd/mm/yyyy) for charts."""
    df = series.copy()

    def end(w: str) -> pd.Timestamp | None:
        try:
            return pd.Timestamp(week_period(str(w)).end)
        except PeriodError:
            return None

    df["week_end"] = df["week"].map(end)
    df["week_label"] = df["week_end"].dt.strftime("%d/%m/%Y")
    return df


def sparklines(url: str, level: str, week: str, weeks: int = 12,
               parent: str | None = None) -> dict[str, list[float]]:
    """Recent YTD totals per unit, oldest first, for the league tables' trend column."""
    s = data.load_series(url, level, week, weeks=weeks, kind="ytd", parent=parent)
    if s.empty:
        return {}
    s = s.sort_values("week")
    return {
        str(code): [round(float(v), 2) for v in g["total"].tolist()]
        for code, g in s.groupby("unit_code", sort=False)
    }
