"""Đơn vị chậm tiến độ: who lags and why, most urgent first; Pareto and overdue list per unit."""

from __future__ import annotations

import streamlit as st

from texts import t
from texts.safe import md, tm
from ui import access, charts, data, page, state, widgets

ctx = page.context()
f = ctx.filters
page.header("ui.lagging.title", ctx)

level = f.level
lag = data.load_lagging(ctx.url, level, f.week, bottom_n=5)
st.caption(tm("ui.lagging.intro", level=state.level_name(level)))
if lag.empty:
    st.success(t("ui.lagging.none"))
    st.stop()

acc = access.current()
if not acc.sees_all:
    # Reasons, Pareto and overdue dossiers are detail: a unit account sees only its own units.
    # Filtered here, after the cache that every session shares.
    st.caption(t("ui.access.lagging_scope"))
    lag = access.filter_detail(lag, acc)
    if lag.empty:
        st.success(t("ui.access.lagging_none_own"))
        st.stop()
lag = lag.sort_values("urgency", ascending=False).reset_index(drop=True)
codes = [str(c) for c in lag["unit_code"]]
names = dict(zip(codes, lag["unit_name"], strict=False))

list_col, detail_col = st.columns([2, 3], gap="large")
with list_col:
    for i, r in lag.iterrows():
        with st.container(border=True):
            st.markdown(f"**{i + 1}. {md(r['unit_name'])}**")
            reasons = r["reasons"] if isinstance(r["reasons"], list | tuple) else [r["reasons"]]
            st.markdown("\n".join(f"- {md(x)}" for x in reasons if x))

with detail_col:
    chosen = st.selectbox(t("ui.lagging.pick"), codes, format_func=names.get,
                          key=f"lag_unit_{level}")
    if st.button(t("ui.lagging.open_unit"), key="lag_open"):
        page.open_unit(ctx, chosen)
    by = st.segmented_control(
        t("ui.lagging.pareto_by"), ["procedure", "field"], default="procedure",
        format_func=lambda b: t(f"ui.lagging.by.{b}"), key="lag_by",
    ) or "procedure"
    par = data.load_pareto(ctx.url, chosen, f.period_kind, f.week, by)
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
        st.altair_chart(charts.pareto(top, t(f"ui.lagging.by.{by}")), width="stretch")
        st.caption(t("ui.lagging.pareto_caption"))

st.divider()
st.subheader(tm("ui.lagging.list_title", unit=names[chosen]))
if not access.require_detail(chosen):
    st.stop()
overdue = data.load_overdue(ctx.url, chosen, f.period_kind, f.week)
widgets.overdue_list(overdue, chosen, f.week, key="lag_download")
