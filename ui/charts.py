"""Plotly figures with Vietnamese number and date formats and the grade colours.

Only figure building lives here (no Streamlit calls): ui.chartview shows a figure the app's way
(no mode bar, projector sizes) and turns a click into navigation. Every figure a click can drill
from carries what the click needs in ``customdata[0]`` of its traces (a unit code, a procedure
code), so the page never has to map a screen position back to data.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from texts import fmt_delta, fmt_number, fmt_percent, t

# d3 reads the decimal and thousands marks from here: 98,50 and 1.234 in axes and hovers.
SEPARATORS = ",."
# Streamlit serves its own "Source Sans" with the app (no font is fetched from the internet);
# the fallbacks are system fonts.
FONT_FAMILY = '"Source Sans", "Source Sans Pro", Arial, sans-serif'
FONT_SIZE = 14  # readable on a laptop; ui.chartview raises it on the projector
DATE_FORMAT = "%d/%m/%Y"
LINE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                "#666666")  # ColorBrewer Dark2: eight lines told apart, also in grey print
WON, LOST = "#2e7d6b", "#e0b4ae"
FOCUS, REST = "#c0392b", "#e6b0aa"
UP, DOWN = "#1b7837", "#c0392b"
TARGET = "#34495e"
LABEL_MAX = 30  # characters of a component's name beside its bar


def _base(height: int, legend: bool = True) -> go.Layout:
    return go.Layout(
        template="plotly_white",
        height=height,
        separators=SEPARATORS,
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#31333f"},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": FONT_SIZE}},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=legend,
        # Above the plot: below it, the legend would collide with the x axis title.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0,
                "title": {"text": ""}, "traceorder": "normal"},
        # A chart is read, not explored: no drag-to-zoom that a leader would have to undo.
        dragmode=False,
        xaxis={"fixedrange": True, "automargin": True},
        yaxis={"fixedrange": True, "automargin": True},
        bargap=0.25,
    )


def week_name(week: str) -> str:
    """``2024-W52`` as a chart says it: ``Tuần 52/2024``."""
    try:
        return t("ui.chart.week_short", week=int(week[-2:]), year=week[:4])
    except (TypeError, ValueError):
        return str(week)


def grade_distribution(counts: pd.DataFrame, bands: pd.DataFrame, height: int = 200) -> go.Figure:
    """One stacked bar per level: how many units fall in each grade, in the band colours.

    ``counts``: [level_name, grade, n]; ``bands``: [grade, color, sort_order].
    """
    fig = go.Figure(layout=_base(height))
    levels = list(dict.fromkeys(counts["level_name"]))
    for b in bands.sort_values("sort_order").itertuples(index=False):
        part = counts[counts["grade"] == b.grade].set_index("level_name")["n"]
        n = [int(part.get(lv, 0)) for lv in levels]
        if not any(n):
            continue
        fig.add_bar(
            name=str(b.grade), y=levels, x=n, orientation="h", marker_color=str(b.color),
            text=[str(v) if v else "" for v in n], textposition="inside",
            insidetextanchor="middle", textfont={"color": "white"},
            hovertemplate=f"%{{y}}<br>{t('ui.col.grade')}: {b.grade}<br>"
            f"{t('ui.chart.units')}: %{{x:,d}}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=t("ui.chart.units"), tickformat=",d", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")  # the first level on top, as in the tables
    return fig


def _target_line(fig: go.Figure, target: float) -> None:
    fig.add_hline(y=target, line={"dash": "dash", "width": 2, "color": TARGET})
    fig.add_annotation(
        xref="paper", x=0, y=target, yanchor="bottom", xanchor="left", showarrow=False,
        text=f"{t('ui.chart.target')} {fmt_number(target, 2)}", font={"color": TARGET},
    )


def small_trend(df: pd.DataFrame, value: str, target: float | None, height: int = 230) -> go.Figure:
    """A compact line of one series with the target dashed.

    ``df``: [week_end (date), week, week_label (dd/mm/yyyy), ``value``].
    """
    fig = go.Figure(layout=_base(height, legend=False))
    d = df.sort_values("week_end")
    fig.add_scatter(
        x=d["week_end"], y=d[value].astype(float), mode="lines+markers",
        line={"width": 3, "color": LINE_COLOURS[2]}, marker={"size": 7},
        customdata=[[week_name(w), lb] for w, lb in zip(d["week"], d["week_label"], strict=True)],
        hovertemplate=f"%{{customdata[0]}} ({t('ui.chart.week')} %{{customdata[1]}})<br>"
        f"{t('ui.chart.score')}: %{{y:.2f}}<extra></extra>",
    )
    if target is not None:
        _target_line(fig, target)
    fig.update_xaxes(tickformat="%d/%m", hoverformat=DATE_FORMAT)
    fig.update_yaxes(title_text=t("ui.chart.score"), tickformat=".1f")
    return fig


def _y_range(values: list[float], target: float | None, y_max: float) -> tuple[float, float]:
    # Zoom the y axis onto the data (scores move by tenths; a 0-100 axis would flatten them),
    # keeping the target in view.
    vals = values + ([target] if target is not None else [])
    lo = max(0.0, math.floor((min(vals, default=0) - 3) / 5) * 5)
    hi = min(y_max, math.ceil((max(vals, default=y_max) + 2) / 5) * 5)
    return (0.0, y_max) if hi <= lo else (lo, hi)


def _grade_bands(fig: go.Figure, bands: pd.DataFrame, lo: float, hi: float, y_max: float) -> None:
    """Shade each grade's score range (from the grade_band rows) and name it at the right."""
    b = bands.sort_values("min_score", ascending=False).reset_index(drop=True)
    tops = [y_max, *b["min_score"].astype(float).tolist()[:-1]]
    for top, r in zip(tops, b.itertuples(index=False), strict=True):
        y0, y1 = max(float(r.min_score), lo), min(top, hi)
        if y1 <= y0:
            continue
        fig.add_hrect(y0=y0, y1=y1, fillcolor=str(r.color), opacity=0.16, line_width=0,
                      layer="below")
        fig.add_annotation(xref="paper", x=1, xanchor="right", y=(y0 + y1) / 2, yanchor="middle",
                           # dark text: a yellow band's name in yellow cannot be read
                           text=str(r.grade), showarrow=False, font={"color": "#4d5656"})


def trend_lines(
    df: pd.DataFrame,
    y_title: str,
    bands: pd.DataFrame | None,
    target: float | None,
    y_max: float,
    height: int = 420,
) -> go.Figure:
    """Weekly lines per unit with grade bands shaded behind and the target dashed.

    ``df``: [week_end (date), week, week_label, unit_code, unit_name, value, clickable]. A
    click on a point of a clickable line opens that unit (``customdata[0]`` is its code, empty for
    the province line, which has no unit page).
    """
    fig = go.Figure(layout=_base(height))
    lo, hi = _y_range(df["value"].dropna().astype(float).tolist(), target, y_max)
    if bands is not None and not bands.empty:
        _grade_bands(fig, bands, lo, hi, y_max)
    for i, (name, g) in enumerate(df.groupby("unit_name", sort=False)):
        g = g.sort_values("week_end")
        clickable = bool(g["clickable"].iloc[0]) if "clickable" in g else True
        code = str(g["unit_code"].iloc[0]) if clickable else ""
        fig.add_scatter(
            name=str(name), x=g["week_end"], y=g["value"].astype(float), mode="lines+markers",
            line={"width": 2.5, "color": LINE_COLOURS[i % len(LINE_COLOURS)]},
            marker={"size": 8},
            customdata=[[code, week_name(w), lb]
                        for w, lb in zip(g["week"], g["week_label"], strict=True)],
            hovertemplate=f"<b>%{{fullData.name}}</b><br>%{{customdata[1]}} "
            f"({t('ui.chart.week')} %{{customdata[2]}})<br>{y_title}: %{{y:.2f}}<extra></extra>",
        )
    if target is not None:
        _target_line(fig, target)
    # dd/mm over yyyy: a full date per tick without crowding a half-width column
    fig.update_xaxes(title_text=t("ui.chart.week_end"), tickformat="%d/%m<br>%Y",
                     hoverformat=DATE_FORMAT)
    fig.update_yaxes(title_text=y_title, range=[lo, hi], tickformat=".0f")
    return fig


def pareto(df: pd.DataFrame, key_title: str, selected: str | None = None,
           height: int | None = None) -> go.Figure:
    """Pareto of overdue dossiers by procedure or field, drawn horizontally so that long names
    stay readable on a projector; each bar is labelled with its count and the cumulative share,
    and bars inside the first 80% are darker. ``selected``: the key the list is filtered to
    (the other bars are dimmed, as a click leaves them).

    ``df``: [key, label, name, overdue, share, cumulative_share], sorted by overdue descending.
    """
    d = df.reset_index(drop=True)
    fig = go.Figure(layout=_base(height or 40 * len(d) + 120))
    prev = d["cumulative_share"].shift(fill_value=0)
    focus = prev < 0.8
    for name, colour, mask in ((t("ui.chart.focus"), FOCUS, focus),
                               (t("ui.chart.rest"), REST, ~focus)):
        part = d[mask]
        if part.empty:
            continue
        keys = part["key"].astype(str).tolist()
        fig.add_bar(
            name=name, y=part["label"], x=part["overdue"].astype(int), orientation="h",
            marker_color=colour,
            text=[f"{fmt_number(int(n), 0)} · {fmt_percent(c, 0)}"
                  for n, c in zip(part["overdue"], part["cumulative_share"], strict=True)],
            textposition="outside", cliponaxis=False,
            customdata=[[k, str(n), float(s), float(c)] for k, n, s, c in
                        zip(keys, part["name"], part["share"], part["cumulative_share"],
                            strict=True)],
            hovertemplate=f"<b>%{{customdata[1]}}</b><br>{key_title}: %{{customdata[0]}}<br>"
            f"{t('ui.chart.overdue')}: %{{x:,d}}<br>{t('ui.chart.share')}: %{{customdata[2]:.1%}}"
            f"<br>{t('ui.chart.cumulative')}: %{{customdata[3]:.1%}}<extra></extra>",
            selectedpoints=None if selected is None else [i for i, k in enumerate(keys)
                                                          if k == selected],
        )
    # Room to the right of the longest bar for its label ("28 · 35%").
    top = float(d["overdue"].max()) if len(d) else 1.0
    fig.update_xaxes(title_text=t("ui.chart.overdue"), tickformat=",d",
                     range=[0, max(top, 1.0) * 1.25])
    # Largest on top; the category order is the frame's, not alphabetical.
    fig.update_yaxes(categoryorder="array", categoryarray=d["label"].tolist(), autorange="reversed")
    fig.update_layout(barmode="overlay")
    return fig


def component_bars(df: pd.DataFrame, height: int = 420) -> go.Figure:
    """Points won and lost per component (stacked to the component's maximum).

    ``df``: [label, kind ("won"/"lost" in words), points, sort, kind_order].
    """
    fig = go.Figure(layout=_base(height))
    d = df.sort_values(["sort", "kind_order"])
    # The chart sits in a narrow column: short labels leave the bars room; the hover and the
    # table above it have the full names.
    d = d.assign(short=[lb if len(lb) <= LABEL_MAX else lb[:LABEL_MAX - 1] + "…"
                        for lb in d["label"].astype(str)])
    order = list(dict.fromkeys(d["short"]))
    for kind, colour in ((t("ui.chart.points_won"), WON), (t("ui.chart.points_lost"), LOST)):
        part = d[d["kind"] == kind]
        fig.add_bar(
            name=kind, y=part["short"], x=part["points"].astype(float), orientation="h",
            marker_color=colour, customdata=part["label"].astype(str),
            hovertemplate=f"%{{customdata}}<br>{kind}: %{{x:.2f}}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=t("ui.chart.points"), tickformat=".0f")
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    return fig


def movers(df: pd.DataFrame, height: int | None = None) -> go.Figure:
    """The biggest rises and falls of the total score since the previous period, one bar per
    unit (rises to the right in green, falls to the left in red); a click opens the unit.

    ``df``: [unit_code, unit_name, level_name, total, delta_week], in display order (top first).
    """
    d = df.reset_index(drop=True)
    fig = go.Figure(layout=_base(height or 34 * len(d) + 90, legend=False))
    delta = d["delta_week"].astype(float)
    # Two units of different levels may share a name: the level keeps the bars apart.
    labels = [f"{n} ({lv})" for n, lv in zip(d["unit_name"], d["level_name"], strict=True)]
    fig.add_bar(
        y=labels, x=delta, orientation="h",
        marker_color=[UP if v > 0 else DOWN for v in delta],
        text=[fmt_delta(v) for v in delta], textposition="outside", cliponaxis=False,
        customdata=[[str(c), fmt_number(float(tot), 2), fmt_delta(float(v))]
                    for c, tot, v in zip(d["unit_code"], d["total"], delta, strict=True)],
        hovertemplate=f"<b>%{{y}}</b><br>{t('ui.col.total')}: %{{customdata[1]}}<br>"
        f"{t('ui.col.delta_week')}: %{{customdata[2]}}<extra></extra>",
    )
    # Room beside the longest bars for their labels ("+0,32").
    lo, hi = min(float(delta.min()), 0.0), max(float(delta.max()), 0.0)
    pad = 0.25 * max(hi - lo, 0.01)
    fig.update_xaxes(title_text=t("ui.col.delta_week"), tickformat=".2~f", zeroline=True,
                     range=[lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)],
                     zerolinecolor="#7f8c8d", zerolinewidth=1.5)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    return fig
