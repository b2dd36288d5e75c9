"""Data shaping shared by several pages (no Streamlit calls besides cached loaders)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from scorecard.periods import PeriodError, week_period
from texts import fmt_date, t
from ui import data, structure, widgets


def group_max(catalogue: pd.DataFrame | None) -> dict[str, float]:
    """Maximum points per group ("group_1" … "group_6"), from the methodology rows in force
    (``data.load_catalogue`` or component detail: their ``group_max``; a group is scaled to it
    whichever of its components apply to a level). NaN (shown "–") for a group the methodology
    does not hold, e.g. with no methodology at all: maxima are data, never assumed."""
    out = dict.fromkeys(widgets.GROUPS, float("nan"))
    if catalogue is None or catalogue.empty:
        return out
    if "group_max" in catalogue.columns:
        sums = catalogue.drop_duplicates("group_code").set_index("group_code")["group_max"]
    else:
        sums = catalogue.drop_duplicates("component").groupby("group_code")["max_points"].sum()
    for code, v in sums.items():
        out[f"group_{code}"] = float(v)
    return out


def province_code(url: str, on: date | None = None) -> str | None:
    """The province-level unit's code (the one that exists on ``on``, when given)."""
    prov = data.load_units(url, level="province")
    if prov.empty:
        return None
    if on is not None:
        row = structure.province_on(prov, on)
        if row is not None:
            return str(row["code"])
    return str(prov.iloc[-1]["code"])


def unit_choice_label(name: str, level_name: str, valid_from: object, valid_to: object,
                      on: date) -> str:
    """The unit picker's label: "Huyện Núi Thành (Cấp huyện, đến 30/06/2025)" for a unit that
    does not exist on ``on``, "Name (level)" otherwise."""
    if structure.exists(valid_from, valid_to, on):
        return f"{name} ({level_name})"
    vf, vt = structure.day_of(valid_from), structure.day_of(valid_to)
    span = t("ui.unit.span_to", end=fmt_date(vt)) if vt is not None and vt < on else \
        t("ui.unit.span_from", start=fmt_date(vf))
    return f"{name} ({level_name}, {span})"


def province_scope(url: str, on: date) -> str:
    """"tỉnh" or "thành phố": the kind of the province-level unit of ``on`` (Đà Nẵng is a city),
    for headings such as "Diễn biến điểm toàn thành phố"."""
    prov = data.load_units(url, level="province")
    row = structure.province_on(prov, on) if not prov.empty else None
    kind = None if row is None else row.get("kind")
    return str(kind).lower() if isinstance(kind, str) and kind else t("ui.scope.province")


def province_names(url: str, on: date) -> dict[str, str]:
    """Trend labels of the province-level units: the one of ``on`` is "Toàn tỉnh", one that
    came before it is named with its last day (a separate, labelled segment of the line)."""
    prov = data.load_units(url, level="province")
    current = province_code(url, on)
    out: dict[str, str] = {}
    for r in prov.itertuples(index=False):
        code = str(r.code)
        if code == current:
            out[code] = t("ui.trends.province", scope=province_scope(url, on))
        else:
            end = structure.day_of(r.valid_to)
            out[code] = t("ui.trends.province_before", name=str(r.name), end=fmt_date(end)) if end else str(r.name)
    return out


def top_levels(url: str, levels: pd.DataFrame, on: date) -> list[str]:
    """Ranked levels existing on ``on`` whose units report straight to the province
    (departments and districts; departments and communes after 30/06/2025)."""
    return structure.top_levels(levels, data.load_units(url), on)


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
