"""Tổng quan: the province's score for the selected week, grades, leaders, laggards, movers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from texts import fmt_delta, fmt_number, t
from texts.safe import md, tm
from ui import charts, chartview, data, links, meeting, official, page, state, views, widgets

ctx = page.context()
f = ctx.filters
page.header("ui.overview.title", ctx)
meeting.pack_buttons(ctx.url, f.week, key="overview")

prov = data.load_summary(ctx.url, "province", f.period_kind, f.week)
group_max = views.group_max(data.load_catalogue(ctx.url, "province", f.period_kind, f.week))
targets = data.load_targets(ctx.url, f.period.end)

# --- KPI cards --------------------------------------------------------------------------------
series = data.load_series(ctx.url, "province", f.week, weeks=26, kind="ytd")
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
    cols = st.columns(7)
    total_target = data.target_value(targets, "total")
    with cols[0]:
        widgets.metric(
            t("ui.kpi.total"),
            widgets.fmt_score(row["total"]),
            row.get("delta_week"),
            help=t("ui.help.total"),
            description=t("ui.kpi.vs_last_period"),
        )
    for i, g in enumerate(widgets.GROUPS, start=1):
        with cols[i]:
            widgets.metric(
                widgets.group_label(g, short=False),
                widgets.fmt_score(row[g]),
                None if prev_row is None else float(row[g]) - float(prev_row[g]),
                help=t("ui.help.group", name=widgets.group_label(g, short=False),
                       max=fmt_number(group_max[g], 0)),
            )
    st.caption(
        tm("ui.kpi.grade_target", grade=row.get("grade") or "–", scope=views.province_scope(ctx.url, ctx.end),
          target=widgets.fmt_score(total_target) if total_target is not None else "–",
          maxima=" · ".join(fmt_number(group_max[g], 0) for g in widgets.GROUPS))
    )

# --- official scores (national portal) beside ours: nothing when none was imported ------------
official.province_panel(ctx)

# the levels of the period's end: departments and districts, or departments and communes
levels = views.top_levels(ctx.url, ctx.meta.levels, ctx.end)
summaries = {
    lv: data.load_summary(ctx.url, lv, f.period_kind, f.week) for lv in levels
}

st.divider()
trend_col, grade_col = st.columns([3, 2], gap="large")

# --- province trend and grade distribution ---------------------------------------------------
with trend_col:
    st.subheader(t("ui.overview.trend", scope=views.province_scope(ctx.url, ctx.end)))
    if series.empty:
        st.caption(t("ui.no_data"))
    else:
        chartview.show(
            charts.small_trend(views.with_week_end(series), "total",
                               data.target_value(targets, "total"), height=230),
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
    version = None
    for s in summaries.values():
        if not s.empty:
            version = str(s.iloc[0]["methodology_version"])
            break
    bands = data.load_grade_bands(ctx.url, version)
    if counts.empty:
        st.caption(t("ui.no_data"))
    else:
        chartview.show(charts.grade_distribution(counts, bands, height=220),
                       key="overview_grades")


def _top_table(s: pd.DataFrame, best: bool) -> None:
    part = s.nsmallest(5, "rank") if best else s.nlargest(5, "rank").iloc[::-1]
    colors = dict(zip(part["grade"], part["grade_color"], strict=False))
    df = pd.DataFrame(
        {
            t("ui.col.rank"): part["rank"].astype("Int64").astype(str),
            # The name opens the unit (a markdown link: st.table renders markdown).
            t("ui.col.unit"): [links.md_unit_link(f, c, n)
                               for c, n in zip(part["unit_code"], part["unit_name"], strict=True)],
            t("ui.col.total"): part["total"].map(widgets.fmt_score),
            t("ui.col.grade"): part["grade"],
            t("ui.col.delta_week"): part["delta_week"].map(fmt_delta),
        }
    )
    grade_col = t("ui.col.grade")
    styled = df.style.map(
        lambda g: f"background-color: {colors.get(g, '')}; color: white; font-weight: 600",
        subset=[grade_col],
    )
    # A static table, not st.dataframe: five rows need no scrolling or sorting, and the
    # canvas-drawn data grid comes out blank when the overview is printed to PDF.
    st.table(styled, hide_index=True)


# --- top and bottom five of each level -------------------------------------------------------
st.divider()
for lv in levels[:2]:
    s = summaries[lv]
    st.subheader(md(state.level_plural(lv)))
    if s.empty:
        st.caption(t("ui.no_data"))
        continue
    best_col, worst_col = st.columns(2, gap="large")
    with best_col:
        st.markdown(f"**{t('ui.overview.top5')}**")
        _top_table(s, best=True)
    with worst_col:
        st.markdown(f"**{t('ui.overview.bottom5')}**")
        _top_table(s, best=False)

# --- biggest movers -----------------------------------------------------------------------------
st.subheader(t("ui.overview.movers"))
st.caption(t("ui.overview.movers_caption"))
movers = pd.concat(
    [s.assign(level_name=state.level_name(lv)) for lv, s in summaries.items() if not s.empty]
    or [pd.DataFrame(columns=["delta_week"])]
)
movers = movers.dropna(subset=["delta_week"]) if "delta_week" in movers else movers
ups = movers[movers["delta_week"] > 0].nlargest(5, "delta_week") if not movers.empty else movers
downs = movers[movers["delta_week"] < 0].nsmallest(5, "delta_week") if not movers.empty else movers
if ups.empty and downs.empty:
    st.caption(t("ui.overview.no_movers"))
else:
    # One bar per unit, rises on top: a click on a bar opens the unit.
    chartview.unit_chart(ctx, charts.movers(pd.concat([ups, downs.iloc[::-1]])),
                         key="overview_movers")
    st.caption(t("ui.chart.click_bar_unit"))
with st.expander(t("ui.overview.movers_table")):
    up_col, down_col = st.columns(2)
    for col, up, part in ((up_col, True, ups), (down_col, False, downs)):
        with col:
            st.markdown(f"**{t('ui.overview.movers_up' if up else 'ui.overview.movers_down')}**")
            if part.empty:
                st.caption(t("ui.overview.no_movers"))
                continue
            st.table(
                pd.DataFrame(
                    {
                        t("ui.col.unit"): [
                            links.md_unit_link(f, c, n)
                            for c, n in zip(part["unit_code"], part["unit_name"], strict=True)
                        ],
                        t("ui.col.level"): part["level_name"],
                        t("ui.col.total"): part["total"].map(widgets.fmt_score),
                        t("ui.col.delta_week"): part["delta_week"].map(fmt_delta),
                    }
                ),
                hide_index=True,
            )
