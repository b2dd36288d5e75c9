"""Xu hướng: weekly lines of the year-to-date score (or week-only figures) for chosen units."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from texts import t
from texts.safe import tm
from ui import charts, chartview, data, page, state, structure, views, widgets

ctx = page.context()
f = ctx.filters
page.header("ui.trends.title", ctx)

level = f.level
# the units that existed in the weeks shown (the chart reaches back up to two years)
units = structure.units_on(data.load_units(ctx.url, level=level), ctx.end)
prov_code = views.province_code(ctx.url, ctx.end)
prov_names = views.province_names(ctx.url, ctx.end)
summary = data.load_summary(ctx.url, level, "ytd", f.week)

names: dict[str, str] = {}
if prov_code:
    names[prov_code] = prov_names.get(prov_code, prov_code)
names.update(dict(zip(units["code"].astype(str), units["name"], strict=False)))

# Default: the province, the best and the worst unit, so the spread is visible at once.
default = [c for c in [prov_code] if c]
if not summary.empty:
    ranked = summary.sort_values("rank")
    default += [str(ranked.iloc[0]["unit_code"]), str(ranked.iloc[-1]["unit_code"])]

# The units on a row of their own: eight names need the width (at 1366 px they were cut).
chosen = st.multiselect(
    tm("ui.trends.units", level=state.level_name(level), scope=views.province_scope(ctx.url, ctx.end)),
    list(names),
    default=[c for c in dict.fromkeys(default) if c in names],
    format_func=names.get,
    key=f"trend_units_{level}",
    max_selections=8,
)
c2, c3, c4 = st.columns([3, 3, 3], vertical_alignment="bottom")
indicator = c2.selectbox(
    t("ui.trends.indicator"),
    ["total", *widgets.GROUPS],
    format_func=lambda c: t("ui.col.total") if c == "total" else widgets.group_label(c, False),
    key="trend_indicator",
)
week_only = c3.toggle(t("ui.trends.week_only"), key="trend_week_only",
                      help=t("ui.trends.week_only_help"))
n_weeks = c4.select_slider(t("ui.trends.weeks"), options=[8, 13, 26, 52, 104], value=26,
                           key="trend_weeks")
kind = "week" if week_only else "ytd"

frames = []
if prov_code and prov_code in chosen:
    frames.append(data.load_series(ctx.url, "province", f.week, weeks=n_weeks, kind=kind))
if any(c != prov_code for c in chosen):
    frames.append(data.load_series(ctx.url, level, f.week, weeks=n_weeks, kind=kind))
series = pd.concat(frames) if frames else pd.DataFrame()
if series.empty or not chosen:
    st.info(t("ui.trends.pick") if not chosen else t("ui.no_data"))
    st.stop()

# the province line is the province of each week: Quảng Nam's weeks, then Đà Nẵng's
shown = set(chosen) | (set(prov_names) if prov_code in chosen else set())
names.update({c: n for c, n in prov_names.items() if c != prov_code})
series = series[series["unit_code"].astype(str).isin(shown)]
series = views.with_week_end(series)
plot = pd.DataFrame(
    {
        "week_end": series["week_end"],
        "week": series["week"],
        "week_label": series["week_label"],
        "unit_code": series["unit_code"].astype(str),
        "unit_name": series["unit_code"].astype(str).map(names),
        "value": series[indicator].astype(float),
        "clickable": ~series["unit_code"].astype(str).isin(prov_names),  # no province page
    }
)
targets = data.load_targets(ctx.url, f.period.end)
target = data.target_value(targets, indicator)
bands = None
if indicator == "total":
    version = None if summary.empty else str(summary.iloc[0]["methodology_version"])
    bands = data.load_grade_bands(ctx.url, version)
# a group's maximum from the methodology in force for the period (data, not code)
group_max = views.group_max(data.load_catalogue(ctx.url, "province", f.period_kind, f.week))
y_max = 100.0 if indicator == "total" else group_max[indicator]
if y_max != y_max:  # no methodology to read it from: the data's own range
    y_max = max(1.0, float(plot["value"].max() or 0)) if plot["value"].notna().any() else 1.0
title = t("ui.col.total") if indicator == "total" else widgets.group_label(indicator, False)
chartview.unit_chart(ctx, charts.trend_lines(plot, title, bands, target, y_max),
                     key=f"trend_chart_{level}")
st.caption(t("ui.trends.caption_week") if week_only else t("ui.trends.caption_ytd"))
st.caption(t("ui.week_vs_ytd"))  # why a week's score can sit above the year to date every week
st.caption(t("ui.chart.click_unit"))

with st.expander(t("ui.trends.table")):
    wide = plot.pivot_table(index="week_label", columns="unit_name", values="value",
                            sort=False)
    st.dataframe(wide.map(widgets.fmt_score), width="stretch")
