"""The meeting pack's data: every number the deck and workbook show, fetched once, and the
selections both make from it (bottom units, movers, costly components, report order).

Reads only through ``scorecard.service``, like the dashboard's pages, so the pack shows exactly
the numbers the dashboard shows. The weekly ranking the province publishes is the year-to-date
score as of the week's end (SCORECARD.md §4), so that is the headline period throughout;
week-only figures are added where they tell what changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import SupportsFloat

import pandas as pd
from sqlalchemy import Engine

from data_access import geo
from scorecard import lagging as lagging_mod
from scorecard import service
from scorecard.periods import (
    Period,
    PeriodError,
    period_for_week,
    previous_period,
    week_period,
    ytd_period,
)
from texts import fmt_date, fmt_number, fmt_week, t

# The deck's league levels follow the period's structure (``deck_levels``): the ranked levels
# that exist at the week's end and whose units report straight to a province-level unit. Before
# 01/07/2025 that is departments and districts (the few hundred communes, under districts, are
# ranked in the workbook only, grouped by district); from then on departments and the communes.
PROVINCE = "province"
BOTTOM_N = 5
GROUPS = tuple(f"group_{i}" for i in range(1, 7))


class BriefingError(ValueError):
    """A week the pack cannot be made for; ``str()`` is a one-line Vietnamese message."""


@dataclass
class LevelData:
    """One ranked level: its league table (summary) and component detail, year-to-date."""

    code: str
    name: str  # the level's name for titles, lower-case initial: "sở, ban, ngành", "cấp huyện"
    summary: pd.DataFrame
    components: pd.DataFrame
    lagging: pd.DataFrame = field(default_factory=pd.DataFrame)
    # units that began during the period, scored from that day (the tables say "(từ …)")
    scored_from: dict[str, date] = field(default_factory=dict)
    # the level its units report to, when that level exists in the period (communes under
    # districts before 01/07/2025); None when they report to the province
    parent_level: str | None = None

    @property
    def ranked(self) -> pd.DataFrame:
        """The league table without the units that had nothing to score (không phát sinh)."""
        return self.summary[self.summary["total"].notna()]


@dataclass
class Briefing:
    week: str
    week_period: Period
    ytd: Period
    prev_ytd: Period
    data_until: date | None
    groups: pd.DataFrame  # [group, name, max_points] in group order
    province: pd.Series  # the province summary row, year-to-date
    province_prev: pd.Series | None  # the same as of last week
    province_week: pd.Series | None  # week-only
    province_components: pd.DataFrame
    levels: dict[str, LevelData]
    level_names: pd.DataFrame  # service.levels: [code, name, plural, sort_order, ranked]
    # the deck's league levels for this week, in sort order (``deck_levels``)
    deck_levels: list[str] = field(default_factory=list)
    # ranked levels of the week shown in the workbook only (communes before 01/07/2025)
    other_levels: list[str] = field(default_factory=list)
    # the province as of the week's end (Quảng Nam until 30/06/2025, then Đà Nẵng)
    province_name: str = ""
    # Pareto of overdue dossiers by procedure, for the units the deck singles out.
    overdue_by_unit: dict[str, pd.DataFrame] = field(default_factory=dict)
    overdue_counts: dict[str, int] = field(default_factory=dict)  # unit → overdue dossiers, ytd


def _first_row(df: pd.DataFrame) -> pd.Series | None:
    return None if df is None or df.empty else df.iloc[0]


def collect(engine: Engine, week: str, communes: bool = True) -> Briefing:
    """Fetch every number of the pack for ``week`` (ISO label such as ``2024-W52``).

    ``communes=False`` skips the commune league, which only the workbook shows (the deck alone
    is then faster; ``build_workbook`` fetches it when missing). Raises BriefingError for a
    malformed week or one without data.
    """
    week = (week or "").strip()
    try:
        wk = week_period(week)
    except PeriodError as exc:
        raise BriefingError(t("brief.err_week", week=week)) from exc
    if week not in set(service.available_weeks(engine)):
        raise BriefingError(t("brief.err_no_data", week=fmt_week(week, "inline")))
    ytd = ytd_period(week)
    prev = previous_period(ytd)

    prov = service.scorecard(engine, PROVINCE, ytd)
    if prov.summary.empty:
        raise BriefingError(t("brief.err_no_data", week=fmt_week(week, "inline")))
    province = prov.summary.iloc[0]
    deck, others = deck_levels(engine, ytd.end)
    levels: dict[str, LevelData] = {}
    for code in (*deck, *others) if communes else deck:
        data = level_data(engine, code, ytd)
        if data is not None:
            levels[code] = data
    for code in deck:
        if code in levels:
            levels[code].lagging = _scored_only(
                service.lagging(engine, code, week), levels[code]
            )
    prov_prev = _first_row(service.scorecard(engine, PROVINCE, prev).summary)
    if prov_prev is not None and str(prov_prev["unit_code"]) != str(province["unit_code"]):
        prov_prev = None  # another province last week (49 → 48): no change to speak of

    b = Briefing(
        week=week,
        week_period=wk,
        ytd=ytd,
        prev_ytd=prev,
        data_until=service.data_until(engine),
        groups=service.group_info(engine, ytd.end),
        province=province,
        province_prev=prov_prev,
        province_week=_first_row(service.scorecard(engine, PROVINCE, wk).summary),
        province_components=prov.components,
        levels=levels,
        level_names=service.levels(engine),
        deck_levels=[c for c in deck if c in levels],
        other_levels=others,
        province_name=str(province["unit_name"] or ""),
    )
    # One grouped query for every unit instead of one per unit: the same rows
    # service.overdue_pareto reads, put through the same Pareto function.
    by_proc = service.overdue_by_procedure(engine, ytd.start, ytd.end)
    b.overdue_counts = (
        by_proc.groupby("unit_code")["overdue"].sum().astype(int).to_dict() if not by_proc.empty else {}
    )
    for code in singled_out_units(b):
        mine = by_proc[by_proc["unit_code"] == code] if not by_proc.empty else by_proc
        b.overdue_by_unit[code] = lagging_mod.pareto(mine)
    return b


def deck_levels(engine: Engine, on: date) -> tuple[list[str], list[str]]:
    """(deck levels, other ranked levels) existing on ``on``, each in sort order. A deck level's
    units report straight to a province-level unit (any: departments keep parent 49 after the
    reform, the 2025 communes have parent 48); the others (communes under districts before
    01/07/2025) are ranked in the workbook only."""
    lv = service.levels_at(engine, on)
    if lv.empty:
        return [], []
    lv = lv[(lv["code"] != PROVINCE) & lv["ranked"].astype(bool)].sort_values("sort_order")
    provinces = set(service.units(engine, level=PROVINCE)["code"].astype(str))
    deck: list[str] = []
    others: list[str] = []
    for code in lv["code"].astype(str):
        units = service.units(engine, level=code, on=on)
        if units.empty:
            continue
        parents = units["parent_code"].dropna().astype(str)
        (deck if parents.isin(provinces).all() else others).append(code)
    return deck, others


def level_data(engine: Engine, code: str, ytd: Period) -> LevelData | None:
    """The year-to-date league table and components of one level (None if no such level, or
    one that does not exist at the period's end)."""
    lv = service.levels(engine).set_index("code")
    if code not in lv.index or not service.exists_in(engine, code, ytd):
        return None
    res = service.scorecard(engine, code, ytd)
    summary = _with_unit_info(res.summary, service.units(engine, level=code))
    name = str(lv.loc[code, "name"])
    data = LevelData(code, name[:1].lower() + name[1:], summary, res.components,
                     scored_from=service.scored_from(engine, code, ytd))
    parents = summary["parent_code"].dropna().astype(str).unique().tolist()
    if parents:
        parent = service.unit(engine, parents[0])
        plevel = str(parent["level"].iloc[0]) if not parent.empty else None
        if plevel and plevel != PROVINCE and service.exists_in(engine, plevel, ytd):
            data.parent_level = plevel
    return data


def _scored_only(lagging: pd.DataFrame, lv: LevelData) -> pd.DataFrame:
    """Lagging units with a score: a unit with nothing to score is never lagging."""
    if lagging.empty:
        return lagging
    return lagging[lagging["unit_code"].isin(lv.ranked["unit_code"])].reset_index(drop=True)


def _with_unit_info(summary: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add short_name, parent_code, lat, lon (from the unit list) to a league table."""
    if summary.empty:
        return summary.assign(short_name=None, parent_code=None, lat=None, lon=None)
    info = units[["code", "short_name", "parent_code", "lat", "lon"]].rename(
        columns={"code": "unit_code"}
    )
    # A left merge keeps the engine's order (rank, then code for ties): the pack must list
    # units exactly as the dashboard does.
    return summary.merge(info, on="unit_code", how="left").reset_index(drop=True)


def bottom_units(level: LevelData, n: int = BOTTOM_N) -> pd.DataFrame:
    """The last ``n`` scored units of a league table, best of them first (a unit with nothing
    to score, listed last, is not among them)."""
    return level.ranked.tail(n)


def deck_level_data(b: Briefing) -> list[LevelData]:
    """The deck's levels with a league table, in the deck's order."""
    return [b.levels[c] for c in b.deck_levels if c in b.levels and not b.levels[c].summary.empty]


def extra_levels(b: Briefing) -> list[LevelData]:
    """Levels ranked in the workbook only (communes under districts before 01/07/2025)."""
    return [lv for c, lv in b.levels.items() if c not in b.deck_levels]


def singled_out_units(b: Briefing) -> list[str]:
    """Units the deck shows overdue procedures for: the lagging ones and the bottom five."""
    codes: list[str] = []
    for lv in deck_level_data(b):
        if not lv.lagging.empty:
            codes += list(lv.lagging["unit_code"])
        codes += list(bottom_units(lv)["unit_code"])
    return list(dict.fromkeys(codes))


def display_name(row: pd.Series, limit: int = 30) -> str:
    """The unit's name, or its short name when the full one would not fit a chart label."""
    name = str(row.get("unit_name") or "")
    short = row.get("short_name")
    if len(name) > limit and isinstance(short, str) and short:
        return short
    return name


def map_label(row: pd.Series) -> str:
    """The unit's label on the map picture: its short name, or its name without the kind of
    unit ("Huyện", "Thành phố"…), as the dashboard's map labels it; space is tight there and
    the level is obvious from the slide title."""
    short = row.get("short_name")
    if isinstance(short, str) and short:
        return short
    return geo.short_name(row.get("unit_name"))


def num(x: SupportsFloat | None, decimals: int = 2) -> str:
    """A number in the Vietnamese format (``98,50``); "–" for none."""
    return fmt_number(None if x is None else float(x), decimals)


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, an ellipsis where it was cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def movers(b: Briefing, n: int = 5) -> pd.DataFrame:
    """The ``n`` biggest rises and ``n`` biggest falls of the week among the deck's levels."""
    frames = [lv.summary for lv in deck_level_data(b)]
    if not frames:
        return pd.DataFrame(columns=["unit_code", "unit_name", "delta_week"])
    allu = pd.concat(frames, ignore_index=True).dropna(subset=["delta_week"])
    allu = allu.assign(delta_week=allu["delta_week"].astype(float).round(2))
    up = allu[allu["delta_week"] > 0].nlargest(n, "delta_week")
    down = allu[allu["delta_week"] < 0].nsmallest(n, "delta_week").iloc[::-1]
    return pd.concat([up, down], ignore_index=True)


def as_list(x: Iterable[object] | None) -> list[str]:
    """Lagging's list columns (reasons, overdue procedures) as a list of strings; a missing
    value (None, or pandas' NaN) is an empty list."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return []
    if isinstance(x, str):
        return [x]
    return [str(v) for v in x]


UNIT_COMPONENTS = 3  # components costing the most, on a unit slide
UNIT_PROCEDURES = 3  # procedures with the most overdue dossiers, on a unit slide


def costly_components(lv: LevelData, unit_code: str, n: int = UNIT_COMPONENTS) -> pd.DataFrame:
    """The components that cost a unit the most points (none that cost nothing)."""
    comp = lv.components[lv.components["unit_code"] == unit_code]
    return comp[comp["points_lost"] > 0.005].nlargest(n, "points_lost")


def bieu06a_period(week: str) -> Period:
    """The Biểu II.06a range in the pack: quarter-to-date as of the week's end (offices report
    quarterly; to date so the figures match the week being discussed)."""
    wk = week_period(week)
    q = period_for_week("quarter", week)
    return Period("quarter", q.label, q.start, wk.end)


def unit_order(b: Briefing) -> dict[str, int]:
    """Report order of units: by level as the deck shows them, then the workbook-only levels
    grouped under their parent unit (communes under their district before 01/07/2025), each by
    code (GSO codes follow the official list order)."""
    order: dict[str, int] = {}
    for lv in deck_level_data(b):
        for u in sorted(lv.summary["unit_code"].astype(str)):
            order[u] = len(order)
    for lv in extra_levels(b):
        s = lv.summary
        s = s.assign(_p=s["parent_code"].map(order).fillna(len(order)))
        for u in s.sort_values(["_p", "unit_code"])["unit_code"].astype(str):
            order[u] = len(order)
    return order


def scored_note(lv: LevelData, unit_code: str) -> str:
    """" (từ dd/mm/yyyy)" after the name of a unit scored on part of the period, else ""."""
    day = lv.scored_from.get(str(unit_code))
    return " " + t("brief.scored_from", date=fmt_date(day)) if day else ""


def province_org(b: Briefing) -> str:
    """The province's name as in running text: "tỉnh Quảng Nam", "thành phố Đà Nẵng"."""
    name = b.province_name
    return name[:1].lower() + name[1:]
