"""Cached loaders: the only place pages get data from, always through ``scorecard.service``.

Every loader is keyed by the database URL and plain filter values (strings), so cache keys are
cheap to hash and two users with the same filters share one computation. The engine is a cached
resource opened read-only: no page can write, even by mistake.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

import meeting_pack
from data_access import config
from data_access.config import database_url, is_default_sqlite
from data_access.engine import get_engine
from scorecard import service
from scorecard.periods import period_for_week, previous_period

log = logging.getLogger(__name__)

TTL = 600  # seconds; imports run at most a few times a day, and a refresh clears the cache
AUTO_DEMO_SCALE = 0.05  # first run on the default path: small enough to build within a minute


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    """One read-only engine per database URL for the whole server."""
    return get_engine(url, read_only=True)


def current_url() -> str:
    return database_url()


def needs_auto_demo(url: str) -> bool:
    """Only the default SQLite file is created automatically; a configured DB is never touched."""
    return is_default_sqlite(url) and not config.DEFAULT_SQLITE_PATH.exists()


def create_auto_demo(url: str) -> None:
    """Build a small demo with a separate read-write engine, then let the app reopen read-only."""
    from scorecard.pipeline import generate_demo

    rw = get_engine(url, read_only=False)
    try:
        generate_demo(rw, scale=AUTO_DEMO_SCALE, seed=766, progress=False)
    finally:
        rw.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


@dataclass(frozen=True)
class Meta:
    """What the app needs before drawing anything: is there data, and which weeks."""

    status: str  # "ok", "empty" (no schema or no dossiers), "error" (unreachable)
    weeks: tuple[str, ...] = ()
    data_until: date | None = None
    levels: pd.DataFrame | None = None
    error: str = ""


class _NoDataError(Exception):
    """Raised inside the cached loader so that "empty" is returned but not cached either."""


@st.cache_data(ttl=60, show_spinner=False)
def _load_meta(url: str) -> Meta:
    """Only a usable database is cached; failures raise, and st.cache_data never caches an
    exception, so the next rerun tries again and the app recovers when the database returns."""
    eng = engine_for(url)
    tables = set(inspect(eng).get_table_names())
    if "dossier" not in tables or "unit" not in tables:
        raise _NoDataError
    weeks = tuple(service.available_weeks(eng))
    if not weeks:
        raise _NoDataError
    return Meta(
        "ok",
        weeks=weeks,
        data_until=service.data_until(eng),
        levels=service.levels(eng),
    )


def load_meta(url: str) -> Meta:
    try:
        return _load_meta(url)
    except _NoDataError:
        # Not cached: the page tells how to load data, and shows it as soon as it is loaded.
        return Meta("empty")
    except (SQLAlchemyError, OSError) as exc:
        # Unreachable server, missing file, wrong password: the page explains, no traceback.
        log.warning("database not usable: %s", exc)
        return Meta("error", error=type(exc).__name__)


def ping(url: str) -> bool:
    """Is the database answering right now? One trivial query, never cached: the data loaders
    keep serving cached results, so without this a lost database would go unnoticed until a
    loader missed its cache and failed half-way through a page."""
    try:
        with engine_for(url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError) as exc:
        log.warning("database not answering: %s", exc)
        return False


def _period(kind: str, week: str):  # noqa: ANN202 - Period, kept out of the cache key
    return period_for_week(kind, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_units(url: str, level: str | None = None, parent: str | None = None) -> pd.DataFrame:
    return service.units(engine_for(url), level=level, parent=parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def _summary(
    url: str, level: str, kind: str, week: str, parent: str | None
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    res = service.scorecard(engine_for(url), level, _period(kind, week), parent=parent)
    return res.summary, tuple(getattr(res, "not_applicable", []) or [])


def load_summary(
    url: str, level: str, kind: str, week: str, parent: str | None = None
) -> pd.DataFrame:
    """The ranking (one row per unit: total, groups, grade, rank, change) of a level."""
    return _summary(url, level, kind, week, parent)[0]


@st.cache_data(ttl=TTL, show_spinner=False)
def load_components(
    url: str,
    level: str,
    kind: str,
    week: str,
    parent: str | None = None,
    units: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Component detail (points, ratio, points lost) of the level's units, or of ``units`` only:
    the unit page asks for one unit and does not pay for the other seventeen."""
    # the ranking from its own cache: reading it again cost as much as scoring one unit
    summary = load_summary(url, level, kind, week, parent)
    return service.component_detail(engine_for(url), level, _period(kind, week), summary,
                                    None if units is None else list(units))


def load_metric_components(
    url: str, level: str, kind: str, week: str, metric: str, parent: str | None = None
) -> pd.DataFrame:
    """What a map coloured by ``metric`` needs: the component detail for a component ("c:…"),
    nothing for the total or a group."""
    if not metric.startswith("c:"):
        return pd.DataFrame(columns=service.DETAIL_COLUMNS)
    return load_components(url, level, kind, week, parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_catalogue(url: str, level: str, kind: str, week: str) -> pd.DataFrame:
    """The methodology's components that apply to ``level`` in the selected period."""
    return service.component_catalogue(engine_for(url), level, _period(kind, week).end)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_previous(url: str, level: str, kind: str, week: str) -> pd.DataFrame:
    """Summary of the period just before the selected one (last week, last month, ...)."""
    prev = previous_period(_period(kind, week))
    return service.scorecard(engine_for(url), level, prev).summary


def not_applicable(
    url: str, level: str, kind: str, week: str, parent: str | None = None
) -> tuple[str, ...]:
    """Components left out for this level (the group is scaled over the others)."""
    return _summary(url, level, kind, week, parent)[1]


@st.cache_data(ttl=TTL, show_spinner=False)
def load_series(
    url: str,
    level: str,
    week: str,
    weeks: int = 26,
    kind: str = "ytd",
    parent: str | None = None,
) -> pd.DataFrame:
    return service.series(engine_for(url), level, week, weeks=weeks, kind=kind, parent=parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_lagging(url: str, level: str, week: str, bottom_n: int = 5) -> pd.DataFrame:
    return service.lagging(engine_for(url), level, week, bottom_n=bottom_n)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_overdue(url: str, unit_code: str, kind: str, week: str) -> pd.DataFrame:
    return service.overdue_dossiers(engine_for(url), unit_code, _period(kind, week))


@st.cache_data(ttl=TTL, show_spinner=False)
def load_pareto(url: str, unit_code: str, kind: str, week: str, by: str) -> pd.DataFrame:
    return service.overdue_pareto(engine_for(url), unit_code, _period(kind, week), by=by)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_targets(url: str, on: date) -> pd.DataFrame:
    return service.targets(engine_for(url), on)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_grade_bands(url: str, version: str | None) -> pd.DataFrame:
    return service.grade_bands(engine_for(url), version)


# --- the meeting pack (meeting_pack) ------------------------------------------------------------
# A pack takes seconds to build, so pages build it only on request (ui.meeting.pack_buttons).
# The deck and the workbook share one fetch of the week's data; st.cache_data hands each caller
# its own copy, so build_workbook adding the communes to it cannot leak into another build.


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=4)
def _briefing(url: str, week: str) -> meeting_pack.Briefing:
    return meeting_pack.collect(engine_for(url), week)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def load_deck(url: str, week: str) -> bytes:
    """The weekly briefing deck (PPTX) of ``week``."""
    return meeting_pack.build_deck(engine_for(url), week, _briefing(url, week))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def load_workbook(url: str, week: str) -> bytes:
    """The weekly workbook (XLSX) of ``week``."""
    return meeting_pack.build_workbook(engine_for(url), week, _briefing(url, week))


def unit_row(url: str, code: str) -> pd.Series | None:
    """The unit's row from ``service.units`` (all levels), or None when unknown."""
    units = load_units(url)
    hit = units[units["code"].astype(str) == str(code)]
    return None if hit.empty else hit.iloc[0]


def target_value(targets: pd.DataFrame, indicator: str) -> float | None:
    """The target for an indicator ("total", "group_2", "2.1"), or None if none is set."""
    if targets is None or targets.empty or "indicator" not in targets:
        return None
    hit = targets[targets["indicator"].astype(str) == indicator]
    return None if hit.empty else float(hit.iloc[-1]["value"])


PREWARM_ENV = "REFORM_NO_PREWARM"


def _prewarm(url: str, week: str, levels: list[str]) -> None:
    """Compute the views most people open first, so the first visitor does not wait for them."""
    try:
        load_summary(url, "province", "ytd", week)
        load_series(url, "province", week, weeks=26, kind="ytd")
        for lv in levels:
            load_summary(url, lv, "ytd", week)
            load_series(url, lv, week, weeks=12, kind="ytd")
        for lv in levels[:1]:
            load_lagging(url, lv, week, bottom_n=5)
        # then the first filter change people make: this week on its own, against last week
        for lv in ["province", *levels]:
            load_summary(url, lv, "week", week)
        load_previous(url, "province", "week", week)
        load_previous(url, "province", "ytd", week)
    except Exception:  # noqa: BLE001 - warming is best effort; pages compute on demand anyway
        log.exception("prewarm failed")


@st.cache_resource(show_spinner=False)
def start_prewarm(url: str, week: str, levels: tuple[str, ...]) -> threading.Thread | None:
    """Start (once per server, URL and latest week) a background thread that fills the caches.

    st.cache_data is process-wide, so values computed here serve every session. Disabled by
    REFORM_NO_PREWARM=1 (tests), where a thread outliving the test database would only log noise.
    """
    if os.environ.get(PREWARM_ENV, "").strip() in ("1", "true", "yes"):
        return None
    th = threading.Thread(target=_prewarm, args=(url, week, list(levels)), daemon=True,
                          name="reform-prewarm")
    th.start()
    return th
