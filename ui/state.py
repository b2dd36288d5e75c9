"""Shared filters kept in the URL, so every view is a shareable link.

The URL holds ``week=2024-W52``, ``period=week|month|quarter|ytd``, ``level=<level code>`` and, on
the unit page, ``unit=<code>``. A URL param wins over the session only on the first run of a
session (that is when a pasted link arrives); afterwards the sidebar widgets own the values and
are written back to the URL on every run, because navigating between pages clears it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from scorecard.periods import Period, PeriodError, period_for_week, week_period
from texts import fmt_date, fmt_week, t
from texts.safe import tm
from ui import structure

PERIOD_KINDS: tuple[str, ...] = ("week", "month", "quarter", "ytd")
DEFAULT_PERIOD = "ytd"  # the province's weekly ranking is the year-to-date score
_WEEK_RE = re.compile(r"^\d{4}-W\d{2}$")

_K_WEEK, _K_PERIOD, _K_LEVEL = "f_week", "f_period", "f_level"
_K_INIT = "_filters_initialised"
_CANON = "_kept_"
_K_NOTICES = "_filter_notices"


@dataclass(frozen=True)
class Filters:
    """The filters every page reads."""

    week: str
    period_kind: str
    level: str
    notices: tuple[str, ...] = field(default=())

    @property
    def period(self) -> Period:
        return period_for_week(self.period_kind, self.week)


def week_label(week: str) -> str:
    """``2024-W52`` as users read it: ``Tuần 52/2024 (23/12 – 29/12/2024)`` (``texts.fmt_week``,
    which the meeting pack uses too)."""
    return fmt_week(week)


def week_choice_label(week: str) -> str:
    """The week selector's short form, ``Tuần 52/2024 · 23/12–29/12``: it fits the sidebar of a
    1366 px laptop (the year of the dates is the week's, said once)."""
    try:
        p = week_period(week)
    except PeriodError:
        return week
    return t("ui.week_choice", week=int(week[-2:]), year=week[:4],
             start=p.start.strftime("%d/%m"), end=p.end.strftime("%d/%m"))


def period_caption(f: Filters) -> str:
    """The selected period in words, with its dates."""
    p = f.period
    return t(
        "ui.period_caption",
        kind=t(f"ui.period.{f.period_kind}"),
        start=fmt_date(p.start),
        end=fmt_date(p.end),
    )


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    if value is None:
        return None
    return str(value).strip()


def _level_gone(code: str, levels: pd.DataFrame, shown: str) -> str:
    """The notice for a level that exists, but not at the selected period's end."""
    row = levels[levels["code"].astype(str) == code]
    vt = structure.day_of(row["valid_to"].iloc[0]) if not row.empty else None
    vf = structure.day_of(row["valid_from"].iloc[0]) if not row.empty else None
    key = "ui.notice.level_ended" if vt is not None else "ui.notice.level_not_yet"
    return tm(key, level=level_name(code), end=fmt_date(vt), start=fmt_date(vf), shown=level_name(shown))


def codes_for(levels: pd.DataFrame, kind: str, week: str | None) -> list[str]:
    """The ranked levels that exist at the end of the period (kind, week), in display order."""
    if not week:
        return structure.ranked_on(levels, date.today())
    try:
        end = period_for_week(kind, week).end
    except PeriodError:
        return structure.ranked_on(levels, date.today())
    return structure.ranked_on(levels, end)


def init_filters(weeks: list[str], levels: pd.DataFrame) -> Filters:
    """Validate URL params once per session, render the sidebar filters, sync the URL back.

    The level choice follows the period: only the levels that exist at its end (no district
    level after 30/06/2025); a level of another period is replaced, with a notice."""
    notices: list[str] = []
    known = set(levels["code"].astype(str))
    if not st.session_state.get(_K_INIT):
        week = _param("week")
        if week is not None and week not in weeks:
            # Malformed or outside the data: say so, then show the latest week.
            key = "ui.notice.bad_week" if _WEEK_RE.match(week) else "ui.notice.malformed_week"
            notices.append(tm(key, value=week[:20]))
            week = None
        period = _param("period")
        if period is not None and period not in PERIOD_KINDS:
            notices.append(tm("ui.notice.bad_period", value=period[:20]))
            period = None
        level = _param("level")
        week = week or (weeks[-1] if weeks else None)
        period = period or DEFAULT_PERIOD
        level_codes = codes_for(levels, period, week)
        default_level = level_codes[0] if level_codes else "department"
        if level is not None and level not in level_codes:
            notices.append(_level_gone(level, levels, default_level) if level in known
                           else tm("ui.notice.bad_level", value=level[:20]))
            level = None
        st.session_state[_K_WEEK] = week
        st.session_state[_K_PERIOD] = period
        st.session_state[_K_LEVEL] = level or default_level
        st.session_state[_K_INIT] = True
        st.session_state[_K_NOTICES] = notices
    # Streamlit drops a widget's state when a run ends without drawing it (st.switch_page stops
    # a run early), so the filters are also kept under keys no widget owns, and restored here.
    for k in (_K_WEEK, _K_PERIOD, _K_LEVEL):
        if k not in st.session_state and _CANON + k in st.session_state:
            st.session_state[k] = st.session_state[_CANON + k]
    # Session values can go stale when the data changes under a long-lived session.
    if st.session_state.get(_K_WEEK) not in weeks and weeks:
        st.session_state[_K_WEEK] = weeks[-1]
    if st.session_state.get(_K_PERIOD) not in PERIOD_KINDS:
        st.session_state[_K_PERIOD] = DEFAULT_PERIOD
    level_codes = codes_for(levels, st.session_state[_K_PERIOD], st.session_state.get(_K_WEEK))
    default_level = level_codes[0] if level_codes else "department"
    current = st.session_state.get(_K_LEVEL)
    if current not in level_codes:
        if current in known and st.session_state.get(_K_INIT):
            # the week moved to a period without that level (districts after 30/06/2025)
            st.toast(_level_gone(str(current), levels, default_level))
        st.session_state[_K_LEVEL] = default_level

    with st.sidebar:
        st.subheader(t("ui.filters.title"))
        newest_first = list(reversed(weeks))
        st.selectbox(
            t("ui.filters.week"), newest_first, key=_K_WEEK, format_func=week_choice_label
        )
        st.selectbox(
            t("ui.filters.period"),
            PERIOD_KINDS,
            key=_K_PERIOD,
            format_func=lambda k: t(f"ui.period.{k}"),
            help=t("ui.filters.period_help"),
        )
        st.selectbox(
            t("ui.filters.level"),
            level_codes,
            key=_K_LEVEL,
            format_func=lambda c: level_name(c),
            help=t("ui.filters.level_help"),
        )
    for k in (_K_WEEK, _K_PERIOD, _K_LEVEL):
        st.session_state[_CANON + k] = st.session_state[k]
    f = Filters(
        week=st.session_state[_K_WEEK],
        period_kind=st.session_state[_K_PERIOD],
        level=st.session_state[_K_LEVEL],
        notices=tuple(st.session_state.get(_K_NOTICES, [])),
    )
    sync_url(f)
    return f


_LEVEL_NAMES: dict[str, str] = {}
_LEVEL_PLURALS: dict[str, str] = {}


def set_level_names(names: dict[str, str], plurals: dict[str, str] | None = None) -> None:
    # Level names are data (unit_level table), identical for every session.
    _LEVEL_NAMES.update(names)
    _LEVEL_PLURALS.update(plurals or {})


def level_name(code: str) -> str:
    return _LEVEL_NAMES.get(code, code)


def level_plural(code: str) -> str:
    """"Huyện, thị xã, thành phố": the heading for a list of units of a level."""
    return _LEVEL_PLURALS.get(code) or level_name(code)


def sync_url(f: Filters, unit: str | None = None) -> None:
    """Write the filters into the address bar (only what changed, to avoid needless reruns)."""
    wanted = {"week": f.week, "period": f.period_kind, "level": f.level}
    if unit:
        wanted["unit"] = unit
    for k, v in wanted.items():
        if v is not None and st.query_params.get(k) != v:
            st.query_params[k] = v


def show_notices(f: Filters) -> None:
    """Tell the user once which URL params were ignored (the notices hold escaped values)."""
    if f.notices and not st.session_state.get("_notices_shown"):
        for n in f.notices:
            st.toast(n)
        st.info(" ".join(f.notices))
        st.session_state["_notices_shown"] = True


def url_params(f: Filters, unit: str | None = None) -> dict[str, str]:
    """Query params for a link or a page switch that keeps the filters."""
    out = {"week": f.week, "period": f.period_kind, "level": f.level}
    if unit:
        out["unit"] = unit
    # Presentation mode (ui.meeting) lives in the URL too: opening a unit keeps the projector view.
    if str(st.query_params.get("present", "")).strip() == "1":
        out["present"] = "1"
    return out
