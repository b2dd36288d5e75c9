"""Địa phương: map of districts beside their league table; a click on either opens the unit."""

from __future__ import annotations

import streamlit as st

from texts import t
from ui import data, mapview, page, views

LEVEL = "district"

ctx = page.context()
f = ctx.filters
page.header("ui.districts.title", ctx)

summary = data.load_summary(ctx.url, LEVEL, f.period_kind, f.week)
units = data.load_units(ctx.url, level=LEVEL)
if summary.empty or units.empty:
    st.info(t("ui.no_data_period"))
    st.stop()

options = mapview.metric_options(data.load_catalogue(ctx.url, LEVEL, f.period_kind, f.week))
map_col, table_col = st.columns([5, 6], gap="medium")
with map_col:
    metric = st.selectbox(
        t("ui.map.colour_by"), list(options), format_func=options.get, key="district_map_metric"
    )
    # the component detail is scored only when the map is coloured by a component
    components = data.load_metric_components(ctx.url, LEVEL, f.period_kind, f.week, metric)
    target = data.target_value(data.load_targets(ctx.url, f.period.end),
                               mapview.target_indicator(metric))
    clicked = mapview.render(LEVEL, units, summary, components, metric, options[metric],
                             key="district_map", height=480, target=target)
    if clicked:
        page.open_unit(ctx, clicked)
with table_col:
    sparks = views.sparklines(ctx.url, LEVEL, f.week)
    # Beside the map there is room for the headline columns; the groups are on the unit page
    # and in the map's colour choice.
    page.league_table(ctx, summary, sparks, key="league_district", height=38 * 19 + 4,
                      groups=False)
