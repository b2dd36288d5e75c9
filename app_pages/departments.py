"""Sở, ban, ngành: league table of departments; a click opens the unit."""

from __future__ import annotations

import streamlit as st

from texts import t
from ui import data, page, views

LEVEL = "department"

ctx = page.context()
f = ctx.filters
page.header("ui.departments.title", ctx)

summary = data.load_summary(ctx.url, LEVEL, f.period_kind, f.week)
sparks = views.sparklines(ctx.url, LEVEL, f.week)
if not summary.empty:
    st.caption(t("ui.league.count", n=len(summary)))
page.league_table(ctx, summary, sparks, key="league_department", height=min(38 * (len(summary) + 1) + 4, 800))
