"""Cached loaders of the official scores (``scorecard.official_service``), the pages' only source
for them; the same rules as ``ui.data``: keyed by the database URL, the data version (an
official import changes it: it writes a load_log row) and plain strings, read-only engine.
Kept apart from ui.data so the official scores stay one feature in their own modules.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from scorecard import official_service as osv
from scorecard import service
from scorecard.official import Thresholds
from scorecard.periods import parse_period
from ui.data import TTL, data_version, engine_for


@st.cache_data(ttl=TTL, show_spinner=False)
def _periods(url: str, dv: str) -> pd.DataFrame:  # noqa: ARG001 - dv: the cache key
    return osv.periods(engine_for(url))


def load_periods(url: str) -> pd.DataFrame:
    """Official periods of our units [period_type, period, period_start, period_end,
    snapshot_date, units] (empty when none was imported: one cheap query per data version)."""
    return _periods(url, data_version(url))


def periods_for(url: str, day: date) -> list[dict]:
    """The imported official periods containing ``day``: month, then quarter, then year."""
    return osv.periods_for_day(load_periods(url), day)


@st.cache_data(ttl=TTL, show_spinner=False)
def _comparison(url: str, dv: str, level: str, period: str) -> pd.DataFrame:  # noqa: ARG001
    return osv.comparison(engine_for(url), level, period)


def load_comparison(url: str, level: str, period: str) -> pd.DataFrame:
    """Official beside computed for the units of ``level`` in the official ``period``."""
    return _comparison(url, data_version(url), level, period)


@st.cache_data(ttl=TTL, show_spinner=False)
def _reconciliation(url: str, dv: str, unit: str, period: str) -> osv.Reconciliation | None:  # noqa: ARG001
    return osv.reconciliation(engine_for(url), unit, period)


def load_reconciliation(url: str, unit: str, period: str) -> osv.Reconciliation | None:
    """One unit's official figures of ``period`` beside the computed ones, per component."""
    return _reconciliation(url, data_version(url), unit, period)


@st.cache_data(ttl=TTL, show_spinner=False)
def _official_units(url: str, dv: str, period: str) -> pd.DataFrame:  # noqa: ARG001
    return osv.official_wide(engine_for(url), period)


def load_official_units(url: str, period: str) -> pd.DataFrame:
    """Our units with official figures in ``period`` (``official_service.official_wide``)."""
    return _official_units(url, data_version(url), period)


@st.cache_data(ttl=TTL, show_spinner=False)
def _standing(url: str, dv: str) -> pd.DataFrame:  # noqa: ARG001
    return osv.standing_history(engine_for(url))


def load_standing(url: str) -> pd.DataFrame:
    """Our province among the provinces per official period (``standing_history``)."""
    return _standing(url, data_version(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def _standing_computed(url: str, dv: str) -> pd.DataFrame:
    eng = engine_for(url)
    hist = _standing(url, dv)
    # our computed score of each official period, for the trend beside the portal's: scored on
    # demand (months, quarters), so only when the chart is asked for
    computed = []
    for label in hist["period"]:
        summary = service.scorecard(eng, "province", parse_period(str(label))).summary
        total = summary["total"].iloc[0] if not summary.empty else None
        computed.append(float(total) if total is not None and pd.notna(total) else None)
    return hist.assign(computed=computed)


def load_standing_computed(url: str) -> pd.DataFrame:
    """``load_standing`` with ``computed``: the score the dashboard computes for each period."""
    return _standing_computed(url, data_version(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def _thresholds(url: str, dv: str) -> Thresholds:  # noqa: ARG001
    return osv.thresholds(engine_for(url))


def load_thresholds(url: str) -> Thresholds:
    """The reconciliation's thresholds (official_setting)."""
    return _thresholds(url, data_version(url))
