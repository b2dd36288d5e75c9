"""Tổng quan: the Monday view first (total, groups, bottom five, movers), then trend and grades."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from texts import fmt_number, t
from ui import (
    charts,
    chartview,
    data,
    links,
    meeting,
    monday,
    official,
    page,
    state,
    views,
    widgets,
)

ctx = page.context()
f = ctx.filters
page.header("ui.overview.title", ctx)
with st.sidebar:
    meeting.pack_buttons(ctx.url, f.week, key="overview", stacked=True)

prov = data.load_summary(ctx.url, "province", f.period_kind, f.week)
group_max = views.group_max(data.load_catalogue(ctx.url, "province", f.period_kind, f.week))
targets = data.load_targets(ctx.url, f.period.end)
total_target = data.target_value(targets, "total")
scope = views.province_scope(ctx.url, ctx.end)
since = t(f"mon.vs_last.{f.period_kind}")

# the levels of the period's end: departments and districts, or departments and communes
levels = views.top_levels(ctx.url, ctx.meta.levels, ctx.end)
summaries = {lv: data.load_summary(ctx.url, lv, f.period_kind, f.week) for lv in levels}
series = data.load_series(ctx.url, "province", f.week, weeks=26, kind="ytd")

# --- the first screen: headline cards, bottom five of each level, movers --------------------
cards = ""
if prov.empty:
    st.info(t("ui.no_data_period"))
else:
    row = prov.iloc[0]
    if f.period_kind == "ytd":
        # The weekly YTD series already holds last week's figures: no second scorecard needed.
        ordered = series.sort_values("week")
        before = ordered[ordered["week"] < f.week]
        prev_row = None if before.empty else before.iloc[-1]
    else:
        prev = data.load_previous(ctx.url, "province", f.period_kind, f.week)
        prev_row = None if prev.empty else prev.iloc[0]
    grade = row.get("grade") or ""
    items = [monday.Card(
        "total", t("mon.total", scope=scope), row["total"], 100, row.get("delta_week"),
        note=t("mon.grade", grade=grade) if grade else "", note_color=str(row.get("grade_color") or ""),
        help=t("ui.help.total"), delta_label=since,
    )]
    for g in widgets.GROUPS:
        change = None if prev_row is None else float(row[g]) - float(prev_row[g])
        items.append(monday.Card(
            g, widgets.group_label(g, short=False), row[g], group_max[g], change,
            help=t("ui.help.group", name=widgets.group_label(g, short=False),
                   max=fmt_number(group_max[g], 0)),
            delta_label=since,
        ))
    cards = monday.cards_html(items)

boxes = []
for lv in levels[:2]:
    part = monday.bottom_five(summaries[lv])
    boxes.append(monday.table_html(
        t("mon.bottom5", plural=state.level_plural(lv)), part,
        [links.unit_link(f, c, n) for c, n in zip(part.get("unit_code", []), part.get("unit_name", []),
                                                  strict=True)],
        key=f"bottom_{lv}", empty=t("ui.no_data"),
    ))
moved = monday.movers([s.assign(level_name=state.level_name(lv)) for lv, s in summaries.items()])
boxes.append(monday.table_html(
    t("mon.movers", since=since), moved,
    [links.unit_link(f, c, n) for c, n in zip(moved["unit_code"], moved["unit_name"], strict=True)],
    key="movers", with_rank=False, with_level=True, empty=t("mon.no_movers"),
))
st.html(cards + monday.grid_html(boxes))
if total_target is not None:
    st.caption(t("mon.target", target=widgets.fmt_score(total_target)) + " "
               + t("mon.details_below"))

# --- official scores (national portal) beside ours: nothing when none was imported ------------
official.province_panel(ctx)

# --- province trend and grade distribution ---------------------------------------------------
st.divider()
trend_col, grade_col = st.columns([3, 2], gap="large")
with trend_col:
    st.subheader(t("ui.overview.trend", scope=scope))
    if series.empty:
        st.caption(t("ui.no_data"))
    else:
        chartview.show(
            charts.small_trend(views.with_week_end(series), "total", total_target, height=230),
            key="overview_trend",
        )
        st.caption(t("ui.overview.trend_caption"))
with grade_col:
    st.subheader(t("ui.overview.grades"))
    counts = pd.concat(
        [
            s.groupby("grade").size().rename("n").reset_index().assign(
                level_name=state.level_plural(lv)
            )
            for lv, s in summaries.items()
            if not s.empty
        ]
        or [pd.DataFrame(columns=["grade", "n", "level_name"])]
    )
    version = next((str(s.iloc[0]["methodology_version"]) for s in summaries.values()
                    if not s.empty), None)
    bands = data.load_grade_bands(ctx.url, version)
    if counts.empty:
        st.caption(t("ui.no_data"))
    else:
        chartview.show(charts.grade_distribution(counts, bands, height=220),
                       key="overview_grades")

# --- the five best of each level -------------------------------------------------------------
st.divider()
top_boxes = []
for lv in levels[:2]:
    s = summaries[lv]
    part = s[s["rank"].notna()].nsmallest(5, "rank") if not s.empty else s
    top_boxes.append(monday.table_html(
        f"{t('ui.overview.top5')} · {state.level_plural(lv)}", part,
        [links.unit_link(f, c, n) for c, n in zip(part.get("unit_code", []), part.get("unit_name", []),
                                                  strict=True)],
        key=f"top_{lv}", empty=t("ui.no_data"),
    ))
st.html(monday.grid_html(top_boxes))

# --- biggest movers, as a chart ---------------------------------------------------------------
st.subheader(t("ui.overview.movers"))
st.caption(t("ui.overview.movers_caption"))
allx = pd.concat(
    [s.assign(level_name=state.level_name(lv)) for lv, s in summaries.items() if not s.empty]
    or [pd.DataFrame(columns=["delta_week"])]
)
allx = allx.dropna(subset=["delta_week"]) if "delta_week" in allx else allx
ups = allx[allx["delta_week"] > 0].nlargest(5, "delta_week") if not allx.empty else allx
downs = allx[allx["delta_week"] < 0].nsmallest(5, "delta_week") if not allx.empty else allx
if ups.empty and downs.empty:
    st.caption(t("ui.overview.no_movers"))
else:
    # One bar per unit, rises on top: a click on a bar opens the unit.
    chartview.unit_chart(ctx, charts.movers(pd.concat([ups, downs.iloc[::-1]])),
                         key="overview_movers")
    st.caption(t("ui.chart.click_bar_unit"))
