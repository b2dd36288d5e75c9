"""Unit page: one unit's score, where its points went, its trend, overdue dossiers, communes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from texts import fmt_date, fmt_number, t
from texts.safe import md, tm
from ui import (
    access,
    advice,
    charts,
    chartview,
    data,
    lineage,
    mapview,
    meeting,
    official,
    overdue_list,
    page,
    state,
    structure,
    views,
    widgets,
)

ctx = page.context()
f = ctx.filters

all_units = data.load_units(ctx.url)
levels = ctx.meta.levels
ranked_levels = set(levels.loc[levels["ranked"].astype(int) == 1, "code"].astype(str))
choices = all_units[all_units["level"].astype(str).isin(ranked_levels)]
order = dict(zip(levels["code"], levels["sort_order"], strict=False))
choices = choices.assign(_o=choices["level"].map(order)).sort_values(["_o", "code"])
# every unit that ever existed can be opened (history); those of another period say until when
labels = {
    str(r.code): views.unit_choice_label(r.name, state.level_name(r.level), r.valid_from, r.valid_to,
                                         ctx.end)
    for r in choices.itertuples(index=False)
}

# A unit account picks only among the units it may see in detail (its own, and a district's
# communes); the others are public in the league tables only.
acc = access.current()
known = set(labels)
labels = {c: lb for c, lb in labels.items() if acc.may_see_detail(c)}
if st.session_state.get("unit_picker") not in (None, *labels):
    del st.session_state["unit_picker"]  # left from a wider role earlier in the session

# The unit comes from a click on another page (pending), else the URL (a shared link) when the
# picker is new, else the picker itself.
pending = st.session_state.pop(page.PENDING_UNIT, None)
if pending is not None or "unit_picker" not in st.session_state:
    wanted = pending or st.query_params.get("unit") or st.session_state.get("unit_code")
    if wanted and str(wanted) not in labels:
        key = "ui.access.denied_unit" if str(wanted) in known else "ui.notice.bad_unit"
        st.info(tm(key, value=str(wanted)[:20]))
        wanted = None
    if not wanted and acc.unit_code in labels:
        wanted = acc.unit_code  # a unit account starts on its own unit
    st.session_state["unit_picker"] = str(wanted) if wanted else None

code = st.selectbox(
    t("ui.unit.pick"), list(labels), format_func=labels.get, key="unit_picker",
    placeholder=t("ui.unit.placeholder"), index=None,
)
if not code:
    page.header("ui.unit.title_none", ctx)
    st.info(t("ui.unit.choose"))
    st.stop()
if not access.require_detail(code):  # defence in depth: the picker already excludes it
    st.stop()
state.sync_url(f, unit=code)
st.session_state["unit_code"] = code

unit = all_units[all_units["code"].astype(str) == code].iloc[0]
level = str(unit["level"])
# Communes are ranked among the communes of their district.
parent = str(unit["parent_code"]) if level == "commune" and unit["parent_code"] else None
summary = data.load_summary(ctx.url, level, f.period_kind, f.week, parent)
page.header("ui.unit.title", ctx, name=unit["name"])
meeting.pack_buttons(ctx.url, f.week, key="unit")
lineage.show_links(ctx, code)

if not structure.exists(unit["valid_from"], unit["valid_to"], ctx.end):
    # a unit of another period (a district after 30/06/2025): say so, point to its successors
    lineage.not_in_period(ctx, unit, list(ctx.meta.weeks))
    st.stop()

row = summary[summary["unit_code"].astype(str) == code]
if row.empty:
    st.info(t("ui.no_data_period"))
    st.stop()
row = row.iloc[0]
since = data.load_scored_from(ctx.url, level, f.period_kind, f.week).get(code)
if since is not None:
    st.caption(t("ui.unit.scored_from", date=fmt_date(since)))
idle = pd.isna(row["total"])
comps = data.load_components(ctx.url, level, f.period_kind, f.week, parent, units=(code,))

# --- headline ----------------------------------------------------------------------------------
c = st.columns([2, 2, 2, 2, 3])
with c[0]:
    widgets.metric(t("ui.col.total"), widgets.fmt_score(row["total"]), row["delta_week"],
                   description=t("ui.kpi.vs_last_week"))
with c[1]:
    st.metric(t("ui.col.grade"), t("ui.no_activity_unit") if idle else (row["grade"] or "–"),
              border=True, help=t("ui.no_activity_help") if idle else None)
with c[2]:
    rank = "–" if pd.isna(row["rank"]) else t(
        "ui.unit.rank_of", rank=fmt_number(row["rank"], 0), n=fmt_number(len(summary), 0)
    )
    moved = widgets.rank_delta_kwargs(row.get("rank_change"))
    if moved["delta"] is not None:
        moved["delta_description"] = t("ui.kpi.vs_last_week")
    st.metric(t("ui.col.rank"), rank, border=True,
              help=tm("ui.unit.rank_help", level=state.level_name(level)), **moved)
with c[3]:
    st.metric(t("ui.col.dossiers"), fmt_number(row["dossiers"], 0), border=True)
with c[4]:
    lost = comps.sort_values("points_lost", ascending=False).head(3)
    st.markdown(f"**{t('ui.unit.biggest_losses')}**")
    st.markdown("\n".join(
        f"- {md(r.component)} {md(r.name)}: −{fmt_number(r.points_lost, 2)}"
        for r in lost.itertuples(index=False) if r.points_lost > 0.005
    ) or t("ui.advice.full"))

gcols = st.columns(6)
group_max = views.group_max(comps)  # the methodology rows the unit was scored with
for i, g in enumerate(widgets.GROUPS):
    gcols[i].metric(widgets.group_label(g, short=False), widgets.fmt_score(row[g]), border=True,
                    help=t("ui.help.group", name=widgets.group_label(g, short=False),
                           max=fmt_number(group_max[g], 0)))

na = data.not_applicable(ctx.url, level, f.period_kind, f.week, parent)
if na:
    st.caption(tm("ui.unit.not_applicable", components=", ".join(na)))

# --- official scores (national portal) beside ours: nothing when none was imported -----------
official.unit_panel(ctx, code, level)

# --- components --------------------------------------------------------------------------------
st.subheader(t("ui.unit.components"))
# the nouns of "what it takes" (hồ sơ, thủ tục…) from the methodology's denominators
table = advice.component_table(
    comps, advice.basis_of(data.load_catalogue(ctx.url, level, f.period_kind, f.week)))
lost_col = t("ui.col.points_lost")
st.dataframe(
    table.style.format({lost_col: lambda x: fmt_number(x, 2)}),
    hide_index=True, width="stretch", height=38 * (len(comps) + 1) + 4, row_height=38,
    # widths in pixels that add up to what a 1366-pixel laptop leaves beside the sidebar
    # (about 1,040), so the advice column is never scrolled out of sight
    column_config={
        t("ui.col.component"): st.column_config.TextColumn(width=320),
        t("ui.col.ratio"): st.column_config.TextColumn(width=110),
        t("ui.col.points"): st.column_config.TextColumn(width=105),
        t("ui.col.points_lost"): st.column_config.Column(width=90),
        t("ui.col.win_back"): st.column_config.TextColumn(width=380),
    },
)

# --- trend and where the points went ------------------------------------------------------------
trend_col, bars_col = st.columns([3, 2], gap="large")
with trend_col:
    st.subheader(t("ui.unit.trend"))
    series = data.load_series(ctx.url, level, f.week, weeks=26, kind="ytd", parent=parent)
    series = series[series["unit_code"].astype(str) == code]
    prov = data.load_series(ctx.url, "province", f.week, weeks=26, kind="ytd")
    # before the unit took over its predecessors' work: their combined history, dashed
    before = data.load_predecessor_history(ctx.url, code, f.week, weeks=26, kind="ytd")
    before_name = lineage.predecessor_label(ctx.url, code)
    both = views.with_week_end(pd.concat(
        [series, prov, before.assign(unit_code="~before")] if not before.empty else [series, prov]
    ))
    names = {code: str(unit["name"]), "~before": before_name}
    names.update(views.province_names(ctx.url, ctx.end))
    plot = pd.DataFrame({
        "week_end": both["week_end"], "week": both["week"], "week_label": both["week_label"],
        "unit_code": both["unit_code"].astype(str),
        "unit_name": both["unit_code"].astype(str).map(names),
        "value": both["total"].astype(float),
        "clickable": False,  # this unit's page is open; the province has none
        "dashed": both["unit_code"].astype(str) == "~before",
    })
    targets = data.load_targets(ctx.url, f.period.end)
    bands = data.load_grade_bands(ctx.url, str(row["methodology_version"]))
    if not plot.empty:
        chartview.show(
            charts.trend_lines(plot, t("ui.col.total"), bands,
                               data.target_value(targets, "total"), 100.0, height=420),
            key="unit_trend",
        )
    if not before.empty:
        lineage.predecessor_caption(ctx.url, code)
    if f.period_kind == "week":  # the headline is the week alone, the lines the year to date
        st.caption(t("ui.week_vs_ytd"))
with bars_col:
    st.subheader(t("ui.unit.points_chart"))
    chartview.show(charts.component_bars(advice.chart_frame(comps),
                                         height=26 * len(comps) + 90), key="unit_components")

# --- overdue dossiers --------------------------------------------------------------------------
st.subheader(t("ui.unit.overdue"))
overdue_list.show(data.load_overdue(ctx.url, code, f.period_kind, f.week), f, str(unit["name"]),
                  code, key="unit_download")

# --- children (a district's communes) ----------------------------------------------------------
children = data.load_units(ctx.url, parent=code)
if not children.empty:
    child_level = str(children["level"].iloc[0])
    csum = data.load_summary(ctx.url, child_level, f.period_kind, f.week, code)
    st.subheader(tm("ui.unit.children", level=state.level_plural(child_level), n=len(children)))
    if csum.empty:
        st.info(t("ui.no_data_period"))
    else:
        child_catalogue = data.load_catalogue(ctx.url, child_level, f.period_kind, f.week)
        opts = mapview.metric_options(child_catalogue)
        mcol, tcol = st.columns([5, 6], gap="medium")
        with mcol:
            metric = st.selectbox(t("ui.map.colour_by"), list(opts), format_func=opts.get,
                                  key="child_map_metric")
            ccomp = data.load_metric_components(ctx.url, child_level, f.period_kind, f.week,
                                                metric, parent=code)
            ctarget = data.target_value(data.load_targets(ctx.url, f.period.end),
                                        mapview.target_indicator(metric))
            clicked = mapview.render(child_level, children, csum, ccomp, metric, opts[metric],
                                     key=f"child_map_{code}", height=560, target=ctarget,
                                     group_max=views.group_max(child_catalogue))
        with tcol:
            page.league_table(ctx, csum, None, key=f"child_league_{code}",
                              height=min(38 * (len(csum) + 1) + 4, 660), groups=False)
        if clicked and clicked != code:
            page.open_unit(ctx, clicked)
