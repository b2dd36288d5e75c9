"""Địa phương: map of the local level beside its league table; a click on either opens the unit.

The local level follows the period: the districts until 30/06/2025, the communes after (there
is no district level then); ``ctx.local_level`` reads it from the levels' validity."""

from __future__ import annotations

import streamlit as st

from texts import t
from ui import data, mapview, page, state, structure, views

ctx = page.context()
f = ctx.filters
LEVEL = ctx.local_level
page.header("ui.districts.title", ctx, level=state.level_plural(LEVEL or "").lower())
if LEVEL is None:
    st.info(t("ui.districts.no_level"))
    st.stop()

summary = data.load_summary(ctx.url, LEVEL, f.period_kind, f.week)
# the units of the period's end: the 2025 communes after the reform, not the 2022 ones
units = structure.units_on(data.load_units(ctx.url, level=LEVEL), ctx.end)
if summary.empty or units.empty:
    st.info(t("ui.no_data_period"))
    st.stop()

catalogue = data.load_catalogue(ctx.url, LEVEL, f.period_kind, f.week)
options = mapview.metric_options(catalogue)
map_col, table_col = st.columns([4, 6], gap="medium")
with map_col:
    metric = st.selectbox(
        t("ui.map.colour_by"), list(options), format_func=options.get, key=f"{LEVEL}_map_metric"
    )
    # the component detail is scored only when the map is coloured by a component
    components = data.load_metric_components(ctx.url, LEVEL, f.period_kind, f.week, metric)
    target = data.target_value(data.load_targets(ctx.url, f.period.end),
                               mapview.target_indicator(metric))
    clicked = mapview.render(LEVEL, units, summary, components, metric, options[metric],
                             key=f"{LEVEL}_map", height=480, target=target,
                             group_max=views.group_max(catalogue))
    if clicked:
        page.open_unit(ctx, clicked)
with table_col:
    # Beside the map there is room for the headline columns only (a 1366 px laptop leaves the
    # table about 620 px); the groups are on the unit page and in the map's colour choice, the
    # trend on the unit page.
    page.league_table(ctx, summary, None, key=f"league_{LEVEL}",
                      height=38 * (min(len(summary), 18) + 1) + 4, groups=False)
