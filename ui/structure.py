"""Which levels and units exist on a day: the dashboard follows the period (TWO_TIER_2025.md).

Pure helpers over the frames the loaders return (``service.levels`` and ``service.units`` carry
``valid_from`` / ``valid_to``, NULL = open-ended). A period shows the structure of its end:
after 30/06/2025 there is no district level, and the local level is the commune.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from scorecard.periods import as_date

PROVINCE = "province"


def day_of(v: object) -> date | None:
    """A stored date (date, datetime, Timestamp, NaT/None) as a date, or None."""
    return as_date(v)


def exists(valid_from: object, valid_to: object, on: date) -> bool:
    vf, vt = day_of(valid_from), day_of(valid_to)
    return (vf is None or vf <= on) and (vt is None or vt >= on)


def _on(frame: pd.DataFrame, on: date) -> pd.DataFrame:
    if frame is None or frame.empty or "valid_from" not in frame:
        return frame
    keep = [exists(f, t, on) for f, t in zip(frame["valid_from"], frame["valid_to"], strict=True)]
    return frame[keep]


def levels_on(levels: pd.DataFrame, on: date) -> pd.DataFrame:
    """The levels that exist on ``on``, in display order."""
    return _on(levels, on).sort_values("sort_order")


def units_on(units: pd.DataFrame, on: date) -> pd.DataFrame:
    """The units that exist on ``on``."""
    return _on(units, on)


def ranked_on(levels: pd.DataFrame, on: date) -> list[str]:
    """Codes of the ranked levels that exist on ``on``, in display order."""
    lv = levels_on(levels, on)
    return [str(c) for c, r in zip(lv["code"], lv["ranked"], strict=True) if int(r)]


def local_level(levels: pd.DataFrame, on: date) -> str | None:
    """The highest local level (districts, or communes after the district level ended) that
    exists and is ranked on ``on``: what the "Địa phương" page lists."""
    lv = levels_on(levels, on)
    if "local" not in lv:
        return None
    local = lv[(lv["local"].fillna(0).astype(int) == 1) & (lv["ranked"].astype(int) == 1)]
    return None if local.empty else str(local.iloc[0]["code"])


def top_levels(levels: pd.DataFrame, units: pd.DataFrame, on: date) -> list[str]:
    """Ranked levels existing on ``on`` whose units (existing then) report straight to a
    province-level unit: departments and districts before the reform, departments and
    communes after it. All ranked levels when the units say nothing."""
    ranked = ranked_on(levels, on)
    alive = units_on(units, on)
    if alive is None or alive.empty:
        return ranked
    provinces = set(units.loc[units["level"].astype(str) == PROVINCE, "code"].astype(str))
    under = alive[alive["parent_code"].astype(str).isin(provinces)]
    present = set(under["level"].astype(str))
    out = [lv for lv in ranked if lv in present]
    return out or ranked


def province_on(units: pd.DataFrame, on: date) -> pd.Series | None:
    """The province-level unit row that exists on ``on`` (Quảng Nam, then Đà Nẵng)."""
    prov = units_on(units[units["level"].astype(str) == PROVINCE], on)
    return None if prov is None or prov.empty else prov.iloc[0]
