"""Which levels and units exist when, and the lineage between them: the part of the read API
(re-exported by ``scorecard.service``) that tells the dashboard, the CLI and the pack the
structure of a period (TWO_TIER_2025.md: no district level after 30/06/2025)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from data_access import queries as q
from scorecard.inputs import level_exists, level_validity, scored_units, valid_start
from scorecard.periods import Period, parse_period


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def lineage(engine: Engine) -> pd.DataFrame:
    """Every lineage row [old_code, new_code, valid_from, share] (share NaN = all)."""
    return q.lineage(engine)


def levels_at(engine: Engine, on: date) -> pd.DataFrame:
    """The levels that exist on ``on`` ([code, name, plural, sort_order, ranked, local,
    valid_from, valid_to]): a period shows the levels of its end."""
    lv = q.levels(engine)
    keep = [level_exists(engine, str(c), on) for c in lv["code"]] if not lv.empty else []
    return lv[keep].reset_index(drop=True) if keep else lv


def level_span(engine: Engine, level: str) -> tuple[date | None, date | None] | None:
    """(valid_from, valid_to) of a level (None = open), or None when the level is unknown."""
    return level_validity(engine, level)


def exists_in(engine: Engine, level: str, period: Period | str) -> bool:
    """Whether ``level`` exists at the end of ``period`` (so that it can be ranked then)."""
    return level_exists(engine, level, _period(period).end)


def unit(engine: Engine, code: str) -> pd.DataFrame:
    """The unit row [code, name, short_name, level, parent_code, valid_from, valid_to] (0 or 1 row)."""
    return q.unit_by_code(engine, code)


def scored_from(engine: Engine, level: str, period: Period | str) -> dict[str, date]:
    """{unit_code: first day scored} for the units of ``level`` that began during ``period``
    (each is scored on its valid part: the UI says from when)."""
    p = _period(period)
    units_ = scored_units(engine, level, p, None)
    out: dict[str, date] = {}
    for code, vf in zip(units_["code"], units_["valid_from"], strict=True):
        start = valid_start(p.start, vf)
        if start > p.start:
            out[str(code)] = start
    return out
