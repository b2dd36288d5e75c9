"""A unit's place in the reorganisations on its page: where its work came from and went, a
notice (never an error) when it does not exist in the selected period, and the labels of the
predecessors' combined history on its trend."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from scorecard.periods import week_period
from texts import fmt_date, fmt_percent, t
from texts.safe import md, tm
from ui import data, links, structure
from ui.page import Ctx


def _link_list(ctx: Ctx, rows: pd.DataFrame, with_share: bool) -> str:
    parts = []
    for r in rows.itertuples(index=False):
        name = str(r.name) if isinstance(r.name, str) else str(r.code)
        text = links.md_unit_link(ctx.filters, str(r.code), name)
        if with_share and r.share is not None and not pd.isna(r.share) and float(r.share) < 1:
            text += f" ({fmt_percent(float(r.share), 0)})"
        parts.append(text)
    return ", ".join(parts)


def show_links(ctx: Ctx, code: str) -> None:
    """"Hình thành từ …" and "Đơn vị kế thừa …", each unit a link to its page."""
    before = data.load_predecessors(ctx.url, code)
    before = before[before["code"].astype(str) != code]
    after = data.load_successors(ctx.url, code)
    if not before.empty:
        day = structure.day_of(before["changed_on"].min())
        st.caption(t("ui.unit.predecessors", links=_link_list(ctx, before, True), date=fmt_date(day)))
    if not after.empty:
        day = structure.day_of(after["changed_on"].min())
        st.caption(t("ui.unit.successors", links=_link_list(ctx, after, True), date=fmt_date(day)))


def span_text(valid_from: object, valid_to: object) -> str:
    vf, vt = structure.day_of(valid_from), structure.day_of(valid_to)
    if vf is not None and vt is not None:
        return t("ui.unit.span_between", start=fmt_date(vf), end=fmt_date(vt))
    if vt is not None:
        return t("ui.unit.span_to", end=fmt_date(vt))
    return t("ui.unit.span_from", start=fmt_date(vf))


def not_in_period(ctx: Ctx, unit: pd.Series, weeks: list[str]) -> None:
    """The unit did not exist at the end of the selected period: say when it did, and link to
    the last (or first) week of the data in which it did."""
    st.info(tm("ui.unit.not_in_period", name=str(unit["name"]), end=fmt_date(ctx.end),
               span=span_text(unit["valid_from"], unit["valid_to"])))
    vf, vt = structure.day_of(unit["valid_from"]), structure.day_of(unit["valid_to"])
    inside = [w for w in weeks if structure.exists(vf, vt, _week_end(w))]
    if inside:
        week = inside[-1] if vt is not None and vt < ctx.end else inside[0]
        f = dataclasses.replace(ctx.filters, week=week)
        link = links.md_unit_link(f, str(unit["code"]), t("ui.week_short", week=int(week[-2:]),
                                                          year=week[:4]))
        st.markdown(t("ui.unit.last_week", link=link))


def _week_end(week: str) -> date:
    return week_period(week).end


def predecessor_label(url: str, code: str) -> str:
    """The legend entry of the predecessors' segment: "Tiền thân (trước 01/07/2025)"."""
    preds = data.load_predecessors(url, code)
    day = structure.day_of(preds["changed_on"].min()) if not preds.empty else None
    return t("ui.unit.predecessor_line", date=fmt_date(day))


def predecessor_caption(url: str, code: str) -> None:
    """What the dashed segment is: the predecessors combined, by share, before the change."""
    preds = data.load_predecessors(url, code)
    if preds.empty:
        return
    day = structure.day_of(preds["changed_on"].min())
    names = []
    for r in preds.itertuples(index=False):
        share = "" if r.share is None or pd.isna(r.share) or float(r.share) >= 1 else \
            f" {fmt_percent(float(r.share), 0)}"
        names.append(f"{md(str(r.name))}{share}")
    st.caption(t("ui.unit.predecessor_caption", date=fmt_date(day), names=", ".join(names)))

