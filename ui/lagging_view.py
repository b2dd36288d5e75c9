"""The lagging page's blocks: one card per lagging unit that leads with why (the components
costing it most points and what winning them back takes), then its overdue procedures.

``levels_to_show`` says which levels the page lists: the level of the filters, or, when
presenting (``present=1``), every ranked level of the period that reports to the province
(departments and districts before 01/07/2025, departments and communes after), one after the
other. ``level_section`` draws one level; the presentation stepper, or any page, may call it.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from scorecard import lagging as lag_rule
from texts import fmt_number, fmt_percent, t
from texts.lagging import fmt_rank_change
from texts.safe import md, tm
from ui import data, links, page, state, views

WHY_COLUMNS = ("component", "lost", "ratio", "need", "more")


def levels_to_show(ctx: page.Ctx, presenting: bool) -> list[str]:
    """The level of the filters; when presenting, every top ranked level of the period's end."""
    if presenting and ctx.meta.levels is not None:
        top = views.top_levels(ctx.url, ctx.meta.levels, ctx.end)
        if top:
            return top
    return [ctx.filters.level]


def why_frame(worst: list[dict] | None) -> pd.DataFrame:
    """The "why" table of one unit (display strings, ``WHY_COLUMNS`` under their Vietnamese
    headers): each costly component, the points it costs in the total, the ratio now, the ratio
    that earns full marks and the cases still missing (``scorecard.advice``)."""
    rows = []
    for w in worst or []:
        empty = bool(w.get("empty"))
        more = w.get("more")
        rows.append({
            "component": f"{w['component']} {w['name']}",
            "lost": fmt_number(w["lost"], 2),
            "ratio": t("ui.no_activity") if empty else fmt_percent(w.get("ratio")),
            "need": "–" if empty else fmt_percent(w.get("need")),
            "more": "–" if empty or more is None else f"{fmt_number(more, 0)} {w.get('noun') or ''}".strip(),
        })
    df = pd.DataFrame(rows, columns=list(WHY_COLUMNS))
    return df.rename(columns={c: t(f"ui.lagging.col.{c}") for c in WHY_COLUMNS})


def headline(row: pd.Series, count: int) -> str:
    """"65,97 điểm · Trung bình · hạng 18/18 ▼1" under the unit's name."""
    parts = [t("ui.lagging.points", total=fmt_number(row["total"], 2))]
    if isinstance(row.get("grade"), str) and row["grade"]:
        parts.append(md(row["grade"]))
    rank = row.get("rank")
    if rank is not None and not pd.isna(rank):
        text = t("ui.lagging.rank", rank=int(rank), count=count)
        change = fmt_rank_change(row.get("rank_change"))
        parts.append(text + (f" {change}" if change != "–" else ""))
    return " · ".join(parts)


def unit_card(ctx: page.Ctx, i: int, row: pd.Series, count: int) -> None:
    """One lagging unit: name (a link to its page), score and rank, the criteria it met; the
    components costing it most and what they need; the procedures behind its overdue dossiers."""
    f = replace(ctx.filters, level=str(row["level"]))  # a link opens the unit with its level
    with st.container(border=True, key=f"lag_card_{row['unit_code']}"):
        left, right = st.columns([4, 7], gap="medium")
        with left:
            st.markdown(f"**{i}. {links.md_unit_link(f, row['unit_code'], row['unit_name'])}**  \n"
                        + headline(row, count))
            reasons = row["reasons"] if isinstance(row["reasons"], list | tuple) else [row["reasons"]]
            st.markdown("\n".join(f"- {md(x)}" for x in reasons if x))
            procs = row.get("overdue_procedures")
            if isinstance(procs, list | tuple) and procs:
                st.caption(t("ui.lagging.procedures") + " " + "; ".join(md(p) for p in procs[:3]))
        with right:
            why = why_frame(row.get("worst"))
            if why.empty:
                st.caption(t("ui.lagging.no_loss"))
            else:
                st.caption(t("ui.lagging.why"))
                st.table(why, hide_index=True, border="horizontal")


def level_section(ctx: page.Ctx, level: str, lag: pd.DataFrame, heading: bool) -> None:
    """The cards of one level, most urgent first (with its name as a heading when the page
    lists several levels)."""
    if heading:
        st.subheader(tm("ui.lagging.level_title", level=state.level_plural(level), n=len(lag)))
    if lag.empty:
        st.success(tm("ui.lagging.none_level", level=state.level_name(level)))
        return
    count = int(data.load_summary(ctx.url, level, "ytd", ctx.week)["rank"].notna().sum())
    for i, (_, row) in enumerate(lag.iterrows(), start=1):
        unit_card(ctx, i, row, count)


def rule_text(ctx: page.Ctx, level: str) -> str | None:
    """What the list means: the criteria in force for the level, in words (None: none)."""
    words = lag_rule.describe(data.load_lagging_rule(ctx.url, level, ctx.week))
    if not words:
        return None
    return tm("ui.lagging.rule", level=state.level_name(level), criteria="; ".join(words))


def rule_expander(ctx: page.Ctx, levels: list[str]) -> None:
    """The criteria in force for each level, folded away: the cards say which ones each unit
    met, with the numbers; this says what the list means as a whole."""
    lines = [x for x in (rule_text(ctx, lv) for lv in levels) if x]
    if lines:
        with st.expander(t("ui.lagging.rule_title"), icon=":material/rule:"):
            st.markdown("\n".join(f"- {x}" for x in lines))
