"""Đơn vị chậm tiến độ: who lags and why, most urgent first; Pareto and overdue list per unit.

Each lagging unit's card leads with why: the components that cost it most points and what full
marks take (``ui.lagging_view``); then the procedures behind its overdue dossiers. Below the
cards, the Pareto and the overdue list of the unit picked. When presenting (``present=1``) the
page lists every ranked level of the period that reports to the province, one after the other.

The view is in the URL: ``unit`` (the unit whose detail is shown), ``by=field`` (the Pareto by
field rather than procedure) and ``proc`` / ``field`` (a click on a Pareto bar: the overdue list
filtered to that procedure or field), so a copied link reopens the same view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from texts import t
from texts.safe import md, tm
from ui import (
    access,
    charts,
    chartview,
    data,
    lagging_view,
    meeting,
    overdue_list,
    page,
    state,
)

ctx = page.context()
f = ctx.filters
page.header("ui.lagging.title", ctx)

levels = lagging_view.levels_to_show(ctx, meeting.presenting())
st.caption(tm("ui.lagging.intro", level=", ".join(state.level_name(lv) for lv in levels)))
acc = access.current()
if not acc.sees_all:
    # Reasons, Pareto and overdue dossiers are detail: a unit account sees only its own units.
    # Filtered here, after the cache that every session shares.
    st.caption(t("ui.access.lagging_scope"))

lagging_view.rule_expander(ctx, levels)
shown: list[pd.DataFrame] = []
for level in levels:
    lag = data.load_lagging(ctx.url, level, f.week)
    if not acc.sees_all and not lag.empty:
        lag = access.filter_detail(lag, acc)
        if lag.empty:
            st.success(t("ui.access.lagging_none_own"))
            continue
    lag = lag.sort_values("urgency", ascending=False, kind="stable").reset_index(drop=True)
    lagging_view.level_section(ctx, level, lag, heading=len(levels) > 1)
    shown.append(lag)

lag = pd.concat(shown, ignore_index=True) if shown else pd.DataFrame()
if lag.empty:
    if len(levels) == 1 and acc.sees_all:
        st.success(t("ui.lagging.none"))
    st.stop()
codes = [str(c) for c in lag["unit_code"]]
names = dict(zip(codes, lag["unit_name"], strict=False))

UNIT_KEY, BY_KEY = "lag_unit_" + "_".join(levels), "lag_by"
BREAKDOWNS = ("procedure", "field")
PARAM = {"procedure": "proc", "field": "field"}  # the URL param of a filter, per breakdown
# A link arrives: the unit and the breakdown it names (the widgets own them afterwards; their
# state is dropped when the user leaves the page, so a link is read on every arrival).
if UNIT_KEY not in st.session_state:
    wanted = st.query_params.get("unit")
    if wanted in codes:
        st.session_state[UNIT_KEY] = wanted
    elif wanted is not None and not st.session_state.get("_lag_link_read"):
        # Said once per session: later, a unit of another level left in the URL is no news.
        st.info(t("ui.notice.bad_lag_unit", value=md(str(wanted)[:20])))
if BY_KEY not in st.session_state:
    by_field = st.query_params.get("by") == "field" or (
        "field" in st.query_params and "proc" not in st.query_params)
    st.session_state[BY_KEY] = "field" if by_field else "procedure"
st.session_state["_lag_link_read"] = True


def _clear_filter() -> None:
    for p in PARAM.values():
        if p in st.query_params:
            del st.query_params[p]


def _pick(param: str, key: str) -> None:
    """A click on a Pareto bar filters the list (a second click on it lifts the filter)."""
    value = chartview.clicked(st.session_state.get(key))
    _clear_filter()
    if value is not None:
        st.query_params[param] = value


st.divider()
with st.container(horizontal=True, vertical_alignment="bottom"):
    chosen = st.selectbox(t("ui.lagging.pick"), codes, format_func=names.get, key=UNIT_KEY,
                          on_change=_clear_filter, width=420)
    by = st.segmented_control(
        t("ui.lagging.pareto_by"), BREAKDOWNS,
        format_func=lambda b: t(f"ui.lagging.by.{b}"), key=BY_KEY, on_change=_clear_filter,
    ) or "procedure"
    open_unit = st.button(t("ui.lagging.open_unit"), key="lag_open")
state.sync_url(f, unit=chosen)
if open_unit:
    page.open_unit(ctx, chosen)
if by == "field":
    st.query_params["by"] = "field"
elif "by" in st.query_params:
    del st.query_params["by"]
param = PARAM[by]
par = data.load_pareto(ctx.url, chosen, f.period_kind, f.week, by)
par_names = dict(zip(par["key"].astype(str), par["name"], strict=False))
selected = st.query_params.get(param)
if selected is not None and selected not in par_names:
    # From a link: never echoed as markup, and shortened like the other URL notices.
    st.info(tm(f"ui.notice.bad_{param}", value=selected[:20]))
    _clear_filter()
    selected = None
st.subheader(tm("ui.lagging.pareto_title", unit=names[chosen]))
if par.empty or par["overdue"].sum() == 0:
    st.info(t("ui.lagging.no_overdue"))
else:
    top = par.sort_values("overdue", ascending=False).head(12).copy()
    # Long names are shortened; the code keeps two shortened names apart.
    top["label"] = [
        (str(n) if len(str(n)) <= 60 else str(n)[:58] + "…") + (f" ({k})" if by == "procedure" else "")
        for n, k in zip(top["name"], top["key"], strict=True)
    ]
    # A new chart per filter: it starts with the filtered bar picked and the others dimmed.
    key = f"lag_pareto_{chosen}_{by}_{selected or ''}"
    chartview.show(charts.pareto(top, t(f"ui.lagging.by.{by}"), selected=selected), key=key,
                   on_click=lambda k, p=param: _pick(p, k))
    st.caption(t("ui.lagging.pareto_caption") + " " + t("ui.lagging.pareto_click"))

st.subheader(tm("ui.lagging.list_title", unit=names[chosen]))
if not access.require_detail(chosen):
    st.stop()
overdue = data.load_overdue(ctx.url, chosen, f.period_kind, f.week)
if selected is not None:
    if by == "procedure":
        overdue = overdue[overdue["procedure_code"].astype(str) == selected]
    else:
        name = par_names.get(selected)
        overdue = overdue[overdue["field_name"].fillna("").astype(str) == str(name or "")]
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(t(f"ui.lagging.filtered.{by}",
                      name=md(par_names.get(selected) or selected)))
        st.button(t("ui.lagging.filter_clear"), key="lag_filter_clear", on_click=_clear_filter,
                  icon=":material/filter_alt_off:")
overdue_list.show(overdue, f, names[chosen], chosen, key="lag_download")
