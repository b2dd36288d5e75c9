"""Cached loaders: the only place pages get data from, always through ``scorecard.service``.

Every loader is keyed by the database URL, the data version and plain filter values (strings),
so cache keys are cheap to hash and two users with the same filters share one computation. The
data version (``data_version``: the newest load_log and score_snapshot ids, one tiny query read
once per rerun) changes with every import, demo or refresh, so the next rerun of every session
computes fresh numbers instead of serving the old ones until the TTL runs out. The engine is a
cached resource opened read-only: no page can write, even by mistake.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import meeting_pack
from data_access import config, replica
from data_access.config import dashboard_url, is_default_sqlite
from data_access.engine import get_engine
from scorecard import lagging, service
from scorecard.periods import (
    iso_week_label,
    period_for_week,
    previous_period,
    week_start,
    weeks_between,
)

log = logging.getLogger(__name__)

TTL = 600  # seconds: only frees memory; new data is seen at once through the data version
AUTO_DEMO_SCALE = 0.05  # first run on the default path: small enough to build within a minute


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    """One read-only engine per database URL for the whole server."""
    return get_engine(url, read_only=True)


def current_url() -> str:
    """The database pages read: the read URL (a replica) when configured, else the one the
    command line writes (``data_access.config.dashboard_url``)."""
    return dashboard_url()


# database URL -> its data version, read once per page run (start_run resets it)
_VERSIONS: ContextVar[dict[str, str] | None] = ContextVar("data_versions", default=None)


def start_run() -> None:
    """A new page run: the data version is read again (once) on its first use."""
    _VERSIONS.set({})


def data_version(url: str) -> str:
    """The data version of ``url`` for this run. Never cached across runs; a failure raises
    (SQLAlchemyError, OSError) and is not remembered either."""
    memo = _VERSIONS.get()
    if memo is not None and url in memo:
        return memo[url]
    version = service.data_version(engine_for(url))
    if memo is not None:
        memo[url] = version
    return version


# How long the runs of one data version share the snapshot check and the reference reads. The
# loaders' caches are keyed by the data version, so a change that bypasses load_log (a hand edit
# in SQL) is not seen by them before their TTL anyway; within this window it is not seen by the
# check either, and after it the next run hashes the reference tables again.
SHARED_READS_S = 30.0
# database URL -> (data version, since (monotonic s), snapshot checks, reference reads)
_SHARED: dict[str, tuple[str, float, dict, dict]] = {}
_SHARED_LOCK = threading.Lock()


def share_reads(url: str) -> None:
    """This run checks the score snapshot and reads the reference tables (units, levels,
    methodology, grade bands, lineage) through memos shared with the other runs of ``url``'s
    data version of the last ``SHARED_READS_S`` seconds: a filter change pays neither the
    reference hash (about 10 ms) nor a dozen reference reads that an earlier run made already.
    A new data version (an import, a refresh) starts new memos at once."""
    dv = data_version(url)
    now = time.monotonic()
    with _SHARED_LOCK:
        hit = _SHARED.get(url)
        if hit is None or hit[0] != dv or now - hit[1] > SHARED_READS_S:
            hit = _SHARED[url] = (dv, now, {}, {})
    service.start_snapshot_scope(checked=hit[2], reads=hit[3])


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


@st.cache_data(ttl=TTL, show_spinner=False)
def _load_meta(url: str, dv: str) -> Meta:  # noqa: ARG001 - dv: the data version, a cache key
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
        return _load_meta(url, data_version(url))
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
        data_version(url)  # the run's one query, if load_meta has not read it already
        return True
    except (SQLAlchemyError, OSError) as exc:
        log.warning("database not answering: %s", exc)
        return False


REPLICA_LAG_TTL = 15  # seconds: the replica probe is monitoring, not worth a query every rerun


@st.cache_data(ttl=REPLICA_LAG_TTL, show_spinner=False)
def _replica_lag(url: str) -> float | None:
    return replica.lag_seconds(engine_for(url))


def replica_lag(url: str) -> float | None:
    """Seconds the database ``url`` (a PostgreSQL hot standby) is behind its primary, cached
    for REPLICA_LAG_TTL seconds; None on SQLite and on a primary (``data_access.replica``), and
    when the probe fails (the pages' own queries report an outage, not this caption)."""
    if not url.startswith("postgresql"):
        return None  # no engine to open and nothing to cache for SQLite
    try:
        return _replica_lag(url)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("replica lag probe failed: %s", exc)
        return None


def _period(kind: str, week: str):  # noqa: ANN202 - Period, kept out of the cache key
    return period_for_week(kind, week)


# Each loader: a cached function keyed by ``dv`` (the data version) too, and the public function
# pages call, which reads the run's data version. Never call the cached ones from pages.


@st.cache_data(ttl=TTL, show_spinner=False)
def _units(url: str, dv: str, level: str | None, parent: str | None) -> pd.DataFrame:  # noqa: ARG001
    return service.units(engine_for(url), level=level, parent=parent)


def load_units(url: str, level: str | None = None, parent: str | None = None) -> pd.DataFrame:
    return _units(url, data_version(url), level, parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def _summary(
    url: str, dv: str, level: str, kind: str, week: str, parent: str | None  # noqa: ARG001
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    res = service.scorecard(engine_for(url), level, _period(kind, week), parent=parent)
    return res.summary, tuple(getattr(res, "not_applicable", []) or [])


def load_summary(
    url: str, level: str, kind: str, week: str, parent: str | None = None
) -> pd.DataFrame:
    """The ranking (one row per unit: total, groups, grade, rank, change) of a level."""
    return _summary(url, data_version(url), level, kind, week, parent)[0]


@st.cache_data(ttl=TTL, show_spinner=False)
def _components(
    url: str, dv: str, level: str, kind: str, week: str, parent: str | None,
    units: tuple[str, ...] | None,
) -> pd.DataFrame:
    # the ranking from its own cache: reading it again cost as much as scoring one unit
    summary = _summary(url, dv, level, kind, week, parent)[0]
    return service.component_detail(engine_for(url), level, _period(kind, week), summary,
                                    None if units is None else list(units))


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
    return _components(url, data_version(url), level, kind, week, parent, units)


def load_metric_components(
    url: str, level: str, kind: str, week: str, metric: str, parent: str | None = None
) -> pd.DataFrame:
    """What a map coloured by ``metric`` needs: the component detail for a component ("c:…"),
    nothing for the total or a group."""
    if not metric.startswith("c:"):
        return pd.DataFrame(columns=service.DETAIL_COLUMNS)
    return load_components(url, level, kind, week, parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def _catalogue(url: str, dv: str, level: str, kind: str, week: str) -> pd.DataFrame:  # noqa: ARG001
    return service.component_catalogue(engine_for(url), level, _period(kind, week).end)


def load_catalogue(url: str, level: str, kind: str, week: str) -> pd.DataFrame:
    """The methodology's components that apply to ``level`` in the selected period."""
    return _catalogue(url, data_version(url), level, kind, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def _previous(url: str, dv: str, level: str, kind: str, week: str) -> pd.DataFrame:  # noqa: ARG001
    prev = previous_period(_period(kind, week))
    return service.scorecard(engine_for(url), level, prev).summary


def load_previous(url: str, level: str, kind: str, week: str) -> pd.DataFrame:
    """Summary of the period just before the selected one (last week, last month, ...)."""
    return _previous(url, data_version(url), level, kind, week)


def not_applicable(
    url: str, level: str, kind: str, week: str, parent: str | None = None
) -> tuple[str, ...]:
    """Components left out for this level (the group is scaled over the others)."""
    return _summary(url, data_version(url), level, kind, week, parent)[1]


@st.cache_data(ttl=TTL, show_spinner=False)
def _series(
    url: str, dv: str, level: str, week: str, weeks: int, kind: str, parent: str | None  # noqa: ARG001
) -> pd.DataFrame:
    return service.series(engine_for(url), level, week, weeks=weeks, kind=kind, parent=parent)


def load_series(
    url: str,
    level: str,
    week: str,
    weeks: int = 26,
    kind: str = "ytd",
    parent: str | None = None,
) -> pd.DataFrame:
    return _series(url, data_version(url), level, week, weeks, kind, parent)


@st.cache_data(ttl=TTL, show_spinner=False)
def _predecessor_history(url: str, dv: str, code: str, week: str, weeks: int, kind: str) -> pd.DataFrame:  # noqa: ARG001
    first = iso_week_label(week_start(week) - timedelta(days=7 * (weeks - 1)))
    return service.predecessor_history(engine_for(url), code, weeks_between(first, week), kind)


def load_predecessor_history(url: str, code: str, week: str, weeks: int = 26,
                             kind: str = "ytd") -> pd.DataFrame:
    """The predecessors' combined scores [week, unit_code, total, group_*] in the weeks before
    ``code`` took over their work (empty when it has no predecessor)."""
    return _predecessor_history(url, data_version(url), code, week, weeks, kind)


@st.cache_data(ttl=TTL, show_spinner=False)
def _lineage(url: str, dv: str) -> pd.DataFrame:  # noqa: ARG001
    return service.lineage(engine_for(url))


def load_lineage(url: str) -> pd.DataFrame:
    """All lineage rows [old_code, new_code, valid_from, share]."""
    return _lineage(url, data_version(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def _links(url: str, dv: str, code: str, direction: str) -> pd.DataFrame:  # noqa: ARG001
    eng = engine_for(url)
    return service.predecessors(eng, code) if direction == "back" else service.successors(eng, code)


def load_predecessors(url: str, code: str) -> pd.DataFrame:
    """[code, name, level, share, changed_on, valid_from, valid_to] of the units before ``code``."""
    return _links(url, data_version(url), code, "back")


def load_successors(url: str, code: str) -> pd.DataFrame:
    """[code, name, level, share, changed_on, valid_from, valid_to] of the units after ``code``."""
    return _links(url, data_version(url), code, "forward")


@st.cache_data(ttl=TTL, show_spinner=False)
def _scored_from(url: str, dv: str, level: str, kind: str, week: str) -> dict[str, date]:  # noqa: ARG001
    return service.scored_from(engine_for(url), level, _period(kind, week))


def load_scored_from(url: str, level: str, kind: str, week: str) -> dict[str, date]:
    """{unit_code: first day scored} for the units of ``level`` that began during the period."""
    return _scored_from(url, data_version(url), level, kind, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def _lagging(url: str, dv: str, level: str, week: str) -> pd.DataFrame:
    # the year-to-date ranking it starts from is the page's own (cached) one, not read again
    summary = _summary(url, dv, level, "ytd", week, None)[0]
    return service.lagging(engine_for(url), level, week, summary=summary)


def load_lagging(url: str, level: str, week: str) -> pd.DataFrame:
    """The lagging units of a level as of ``week`` under the lagging rule in force (data)."""
    return _lagging(url, data_version(url), level, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def _lagging_rule(url: str, dv: str, level: str, week: str) -> lagging.Rules:  # noqa: ARG001
    return service.lagging_rule(engine_for(url), level, week)


def load_lagging_rule(url: str, level: str, week: str) -> lagging.Rules:
    """The lagging rule ``load_lagging`` applies to a level (for the page to say it)."""
    return _lagging_rule(url, data_version(url), level, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def _overdue(url: str, dv: str, unit_code: str, kind: str, week: str) -> pd.DataFrame:  # noqa: ARG001
    return service.overdue_list(engine_for(url), unit_code, _period(kind, week))


def load_overdue(url: str, unit_code: str, kind: str, week: str) -> pd.DataFrame:
    """The unit's overdue list for the period: open at its end and returned late in it
    (``service.overdue_list``); its open count is the backlog the lagging reasons read."""
    return _overdue(url, data_version(url), unit_code, kind, week)


@st.cache_data(ttl=TTL, show_spinner=False)
def _pareto(url: str, dv: str, unit_code: str, kind: str, week: str, by: str) -> pd.DataFrame:  # noqa: ARG001
    return service.overdue_pareto(engine_for(url), unit_code, _period(kind, week), by=by)


def load_pareto(url: str, unit_code: str, kind: str, week: str, by: str) -> pd.DataFrame:
    return _pareto(url, data_version(url), unit_code, kind, week, by)


@st.cache_data(ttl=TTL, show_spinner=False)
def _targets(url: str, dv: str, on: date) -> pd.DataFrame:  # noqa: ARG001
    return service.targets(engine_for(url), on)


def load_targets(url: str, on: date) -> pd.DataFrame:
    return _targets(url, data_version(url), on)


@st.cache_data(ttl=TTL, show_spinner=False)
def _grade_bands(url: str, dv: str, version: str | None) -> pd.DataFrame:  # noqa: ARG001
    return service.grade_bands(engine_for(url), version)


def load_grade_bands(url: str, version: str | None) -> pd.DataFrame:
    """The grade bands of methodology ``version``."""
    return _grade_bands(url, data_version(url), version)


# --- the meeting pack (meeting_pack) ---------------------------------------------------------
# A pack takes seconds to build, so pages build it only on request (ui.meeting.pack_buttons).
# The deck and the workbook share one fetch of the week's data; st.cache_data hands each caller
# its own copy, so build_workbook adding the communes to it cannot leak into another build.


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=4)
def _briefing(url: str, dv: str, week: str) -> meeting_pack.Briefing:  # noqa: ARG001
    return meeting_pack.collect(engine_for(url), week)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def _deck(url: str, dv: str, week: str) -> bytes:
    return meeting_pack.build_deck(engine_for(url), week, _briefing(url, dv, week))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def _workbook(url: str, dv: str, week: str) -> bytes:
    return meeting_pack.build_workbook(engine_for(url), week, _briefing(url, dv, week))


def load_pack(url: str, week: str) -> tuple[bytes, bytes]:
    """(deck, workbook) of ``week``: the workbook built in a second thread while this one builds
    the deck, so that the database's scans for the workbook overlap the deck's Python work (both
    share one fetch of the week's data: st.cache_data computes ``_briefing`` once, the other
    waits for it). An error of either is raised here."""
    dv = data_version(url)
    result: dict[str, bytes | BaseException] = {}

    def build() -> None:
        try:
            result["book"] = _workbook(url, dv, week)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            result["book"] = exc

    worker = threading.Thread(target=build, name="reform-pack-workbook", daemon=True)
    ctx = get_script_run_ctx()
    if ctx is not None:
        add_script_run_ctx(worker, ctx)  # the cache's messages belong to this session
    worker.start()
    try:
        deck = _deck(url, dv, week)
    finally:
        worker.join()
    book = result["book"]
    if isinstance(book, BaseException):
        raise book
    return deck, book


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
            load_lagging(url, lv, week)
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
