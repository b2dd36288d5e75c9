"""The overview's first screen: what a leader needs on Monday, above the fold on any screen.

The province's total, grade and change, the six groups against their maxima, the bottom five of
each ranked level and the week's biggest movers, each unit a link to its page. It is one block
of HTML laid out by CSS grid (assets/css/app.css, ``.mon-*``), so it reflows with the width of
the screen (three tables side by side at 1920 px, two at 1366 px, one on a phone) where
Streamlit columns would keep their count and cut what does not fit. Every value from the
database is escaped (``texts.safe.html``); the builders are pure and return strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from texts import fmt_delta, fmt_number, t
from texts.lagging import fmt_rank_change
from texts.safe import html


@dataclass(frozen=True)
class Card:
    key: str  # "total" or "group_1".."group_6": kept in data-kpi for tests and styling
    label: str
    value: float | None
    maximum: float | None = None
    delta: float | None = None
    note: str = ""  # e.g. the grade, as plain text
    note_color: str = ""
    help: str = ""
    delta_label: str = ""  # what the change is against ("so với tuần trước")


def _num(x: object) -> float | None:
    try:
        if x is None or pd.isna(x):  # scalars only
            return None
    except (TypeError, ValueError):
        return None
    return float(x)  # type: ignore[arg-type] # checked above


def _rank_change_cell(n: object) -> str:
    v = _num(n)
    cls = "same" if v is None or int(v) == 0 else "up" if v > 0 else "down"
    return f'<td class="mon-rc mon-{cls}">{html(fmt_rank_change(n))}</td>'


def _delta_cell(x: object) -> str:
    v = _num(x)
    cls = "same" if v is None or round(v, 2) == 0 else "up" if v > 0 else "down"
    return f'<td class="mon-num mon-{cls}">{html(fmt_delta(v))}</td>'


def _delta_chip(x: float | None, label: str) -> str:
    if x is None:
        return ""
    cls = "same" if round(x, 2) == 0 else "up" if x > 0 else "down"
    arrow = "" if cls == "same" else ("↑ " if cls == "up" else "↓ ")
    return (f'<span class="mon-chip mon-{cls}" title="{html(label)}">'
            f"{arrow}{html(fmt_delta(x))}</span>")


def cards_html(cards: Sequence[Card]) -> str:
    """The headline cards: one for the total, one per group (score / maximum, change)."""
    out = ['<div class="mon-cards">']
    for c in cards:
        value = fmt_number(c.value, 2)
        of_max = (f'<span class="mon-max">{html(t("mon.of_max", max=fmt_number(c.maximum, 0)))}</span>'
                  if c.maximum is not None else "")
        note = ""
        if c.note:
            style = f' style="background:{html(c.note_color)}"' if c.note_color else ""
            note = f'<span class="mon-grade"{style}>{html(c.note)}</span>'
        out.append(
            f'<div class="mon-card mon-card-{html(c.key)}" data-kpi="{html(c.key)}" '
            f'data-value="{html(value)}" title="{html(c.help)}">'
            f'<div class="mon-label">{html(c.label)}</div>'
            f'<div class="mon-value">{html(value)}{of_max}</div>'
            f'<div class="mon-foot">{note}{_delta_chip(c.delta, c.delta_label)}</div></div>'
        )
    out.append("</div>")
    return "".join(out)


def _link(href: str, name: str) -> str:
    return (f'<a href="{html(href)}" target="_self" '
            f'title="{html(t("mon.link_title", name=name))}">{html(name)}</a>')


def table_html(title: str, rows: pd.DataFrame, links: Sequence[str], key: str,
               with_rank: bool = True, with_level: bool = False, empty: str = "") -> str:
    """A compact table of units: rank, name (a link to its page), total, change, rank change.

    ``rows`` has unit_name, total, delta_week, rank_change (and rank, level_name when asked);
    ``links`` the unit pages, in the same order."""
    head = [t("mon.col.unit"), t("mon.col.total"), t("mon.col.delta"), t("mon.col.rank_change")]
    if with_rank:
        head.insert(0, t("mon.col.rank"))
    if with_level:
        head.insert(2 if with_rank else 1, t("mon.col.level"))
    out = [f'<section class="mon-box" data-box="{html(key)}"><h3 class="mon-h">{html(title)}</h3>']
    if rows.empty:
        out.append(f'<p class="mon-empty">{html(empty)}</p></section>')
        return "".join(out)
    out.append('<table class="mon-table"><thead><tr>')
    for i, h in enumerate(head):
        cls = ' class="mon-num"' if i >= len(head) - 3 or (with_rank and i == 0) else ""
        tip = f' title="{html(t("mon.rank_change_help"))}"' if h == t("mon.col.rank_change") else ""
        out.append(f"<th{cls}{tip}>{html(h)}</th>")
    out.append("</tr></thead><tbody>")
    for r, href in zip(rows.itertuples(index=False), links, strict=True):
        cells = []
        if with_rank:
            rank = _num(getattr(r, "rank", None))
            cells.append(f'<td class="mon-num">{"–" if rank is None else int(rank)}</td>')
        cells.append(f'<td class="mon-unit">{_link(href, str(r.unit_name))}</td>')
        if with_level:
            cells.append(f'<td class="mon-level">{html(getattr(r, "level_name", ""))}</td>')
        cells.append(f'<td class="mon-num mon-total">{html(fmt_number(_num(r.total), 2))}</td>')
        cells.append(_delta_cell(getattr(r, "delta_week", None)))
        cells.append(_rank_change_cell(getattr(r, "rank_change", None)))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def grid_html(boxes: Sequence[str]) -> str:
    return '<div class="mon-grid">' + "".join(boxes) + "</div>"


def bottom_five(summary: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` lowest ranked units, worst last (as a league table reads); units not ranked
    (không phát sinh) are never in it."""
    ranked = summary[summary["rank"].notna()] if "rank" in summary else summary.iloc[0:0]
    if ranked.empty:
        return ranked
    part = ranked.assign(_r=ranked["rank"].astype(float)).nlargest(n, "_r").iloc[::-1]
    return part.drop(columns="_r")


def movers(summaries: Sequence[pd.DataFrame], n_each: int = 3) -> pd.DataFrame:
    """The ``n_each`` largest rises and falls of the week's total across the given rankings,
    rises first (largest on top), then falls (the largest fall last)."""
    frames = [s for s in summaries if not s.empty and "delta_week" in s]
    if not frames:
        return pd.DataFrame(columns=["unit_code", "unit_name", "delta_week"])
    allx = pd.concat(frames, ignore_index=True)
    allx = allx[allx["delta_week"].notna() & allx["total"].notna()]
    d = allx["delta_week"].astype(float).round(2)
    ups = allx[d > 0].assign(_d=d[d > 0]).nlargest(n_each, "_d")
    downs = allx[d < 0].assign(_d=d[d < 0]).nsmallest(n_each, "_d").iloc[::-1]
    return pd.concat([ups, downs], ignore_index=True).drop(columns="_d")
