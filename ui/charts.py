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

from texts import fmt_delta, fmt_number, fmt_percent, fmt_week, t

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


# The few looks of Plotly's "plotly_white" the charts use. Naming a built-in template (or none,
# which means the default) deep-copies all of it into every figure: half of a figure's cost.
_AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8",
         "ticks": "", "title": {"standoff": 12}}
_TEMPLATE = {"layout": {"paper_bgcolor": "white", "plot_bgcolor": "white",
                        "xaxis": _AXIS, "yaxis": _AXIS, "hovermode": "closest"}}


# Plotly validates (and coerces) every property of a new Figure: most of a chart's server time.
# The charts are built from plain dicts of known-good properties, so they skip it; the JSON the
# browser gets is the same (tests/test_app_charts.py compares it with a validated figure's).
VALIDATE = False


def figure(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure(data=data, layout=layout)`` without Plotly's validation (``VALIDATE``)."""
    return go.Figure(data=data, layout=layout, _validate=VALIDATE)


def _figure(data: list[dict], height: int, legend: bool = True, xaxis: dict | None = None,
            yaxis: dict | None = None, **layout: object) -> go.Figure:
    """One Figure from plain dicts. Built in one go because Plotly validates every addition:
    add_trace / add_hrect / add_annotation one by one cost three times as much per rerun."""
    return figure(data, {
        "template": _TEMPLATE,
        "height": height,
        "separators": SEPARATORS,
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#31333f"},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": FONT_SIZE}},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "showlegend": legend,
        # Above the plot: below it, the legend would collide with the x axis title.
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left",
                   "x": 0, "title": {"text": ""}, "traceorder": "normal"},
        # A chart is read, not explored: no drag-to-zoom that a leader would have to undo.
        "dragmode": False,
        "xaxis": {"fixedrange": True, "automargin": True, **(xaxis or {})},
        "yaxis": {"fixedrange": True, "automargin": True, **(yaxis or {})},
        "bargap": 0.25,
        **layout,
    })


def week_name(week: str) -> str:
    """``2024-W52`` as a chart says it: ``Tuần 52/2024``."""
    return fmt_week(week, "short")


def grade_distribution(counts: pd.DataFrame, bands: pd.DataFrame, height: int = 200) -> go.Figure:
    """One stacked bar per level: how many units fall in each grade, in the band colours.

    ``counts``: [level_name, grade, n]; ``bands``: [grade, color, sort_order].
    """
    levels = list(dict.fromkeys(counts["level_name"]))
    data = []
    for b in bands.sort_values("sort_order").itertuples(index=False):
        # summed: two levels may carry the same display name (names are data)
        part = counts[counts["grade"] == b.grade].groupby("level_name")["n"].sum()
        n = [int(part.get(lv, 0)) for lv in levels]
        if not any(n):
            continue
        data.append({
            "type": "bar", "name": str(b.grade), "y": levels, "x": n, "orientation": "h",
            "marker": {"color": str(b.color)}, "text": [str(v) if v else "" for v in n],
            "textposition": "inside", "insidetextanchor": "middle",
            "textfont": {"color": "white"},
            "hovertemplate": f"%{{y}}<br>{t('ui.col.grade')}: {b.grade}<br>"
            f"{t('ui.chart.units')}: %{{x:,d}}<extra></extra>",
        })
    return _figure(
        data, height, barmode="stack",
        xaxis={"title": {"text": t("ui.chart.units")}, "tickformat": ",d", "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},  # the first level on top, as in the tables
    )


def _target(target: float | None) -> tuple[list[dict], list[dict]]:
    """The target as a dashed line across the plot, with its value: (shapes, annotations)."""
    if target is None:
        return [], []
    return (
        [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": target,
          "y1": target, "line": {"dash": "dash", "width": 2, "color": TARGET}}],
        [{"xref": "paper", "x": 0, "y": target, "yanchor": "bottom", "xanchor": "left",
          "showarrow": False, "text": f"{t('ui.chart.target')} {fmt_number(target, 2)}",
          "font": {"color": TARGET}}],
    )


def small_trend(df: pd.DataFrame, value: str, target: float | None, height: int = 230) -> go.Figure:
    """A compact line of one series with the target dashed.

    ``df``: [week_end (date), week, week_label (dd/mm/yyyy), ``value``].
    """
    d = df.sort_values("week_end")
    line = {
        "type": "scatter", "x": d["week_end"].tolist(), "y": d[value].astype(float).tolist(),
        "mode": "lines+markers", "line": {"width": 3, "color": LINE_COLOURS[2]},
        "marker": {"size": 7},
        "customdata": [[week_name(w), lb] for w, lb in zip(d["week"], d["week_label"], strict=True)],
        "hovertemplate": f"%{{customdata[0]}} ({t('ui.chart.week_ends', date='%{customdata[1]}')})<br>"
        f"{t('ui.chart.score')}: %{{y:.2f}}<extra></extra>",
    }
    shapes, notes = _target(target)
    return _figure(
        [line], height, legend=False, shapes=shapes, annotations=notes,
        xaxis={"tickformat": "%d/%m", "hoverformat": DATE_FORMAT},
        yaxis={"title": {"text": t("ui.chart.score")}, "tickformat": ".1f"},
    )


def _y_range(values: list[float], target: float | None, y_max: float) -> tuple[float, float]:
    # Zoom the y axis onto the data (scores move by tenths; a 0-100 axis would flatten them),
    # keeping the target in view.
    vals = values + ([target] if target is not None else [])
    lo = max(0.0, math.floor((min(vals, default=0) - 3) / 5) * 5)
    hi = min(y_max, math.ceil((max(vals, default=y_max) + 2) / 5) * 5)
    return (0.0, y_max) if hi <= lo else (lo, hi)


def _grade_bands(bands: pd.DataFrame, lo: float, hi: float,
                 y_max: float) -> tuple[list[dict], list[dict]]:
    """Each grade's score range (from the grade_band rows) shaded, its name at the right:
    (shapes, annotations)."""
    b = bands.sort_values("min_score", ascending=False).reset_index(drop=True)
    tops = [y_max, *b["min_score"].astype(float).tolist()[:-1]]
    shapes, notes = [], []
    for top, r in zip(tops, b.itertuples(index=False), strict=True):
        y0, y1 = max(float(r.min_score), lo), min(top, hi)
        if y1 <= y0:
            continue
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y0,
                       "y1": y1, "fillcolor": str(r.color), "opacity": 0.16,
                       "line": {"width": 0}, "layer": "below"})
        notes.append({"xref": "paper", "x": 1, "xanchor": "right", "y": (y0 + y1) / 2,
                      "yanchor": "middle", "text": str(r.grade), "showarrow": False,
                      # dark text: a yellow band's name in yellow cannot be read
                      "font": {"color": "#4d5656"}})
    return shapes, notes


def trend_lines(
    df: pd.DataFrame,
    y_title: str,
    bands: pd.DataFrame | None,
    target: float | None,
    y_max: float,
    height: int = 420,
) -> go.Figure:
    """Weekly lines per unit with grade bands shaded behind and the target dashed.

    ``df``: [week_end (date), week, week_label, unit_code, unit_name, value, clickable] and
    optionally ``dashed`` (a predecessors' segment, drawn dashed as a line of its own). A
    click on a point of a clickable line opens that unit (``customdata[0]`` is its code, empty for
    the province line, which has no unit page).
    """
    lo, hi = _y_range(df["value"].dropna().astype(float).tolist(), target, y_max)
    shapes, notes = ([], []) if bands is None or bands.empty else _grade_bands(bands, lo, hi, y_max)
    data = []
    for i, (name, g) in enumerate(df.groupby("unit_name", sort=False)):
        g = g.sort_values("week_end")
        clickable = bool(g["clickable"].iloc[0]) if "clickable" in g else True
        code = str(g["unit_code"].iloc[0]) if clickable else ""
        # a predecessors' segment (before a reorganisation) is dashed: never one line with it
        dashed = bool(g["dashed"].iloc[0]) if "dashed" in g else False
        data.append({
            "type": "scatter", "name": str(name), "x": g["week_end"].tolist(),
            "y": g["value"].astype(float).tolist(), "mode": "lines+markers",
            "line": {"width": 2.5, "color": LINE_COLOURS[i % len(LINE_COLOURS)],
                     **({"dash": "dash"} if dashed else {})},
            "marker": {"size": 8},
            "customdata": [[code, week_name(w), lb]
                           for w, lb in zip(g["week"], g["week_label"], strict=True)],
            "hovertemplate": f"<b>%{{fullData.name}}</b><br>%{{customdata[1]}} "
            f"({t('ui.chart.week_ends', date='%{customdata[2]}')})<br>{y_title}: %{{y:.2f}}"
            "<extra></extra>",
        })
    t_shapes, t_notes = _target(target)
    return _figure(
        data, height, shapes=shapes + t_shapes, annotations=notes + t_notes,
        # dd/mm over yyyy: a full date per tick without crowding a half-width column
        xaxis={"title": {"text": t("ui.chart.week_end")}, "tickformat": "%d/%m<br>%Y",
               "hoverformat": DATE_FORMAT},
        yaxis={"title": {"text": y_title}, "range": [lo, hi], "tickformat": ".0f"},
    )


def pareto(df: pd.DataFrame, key_title: str, selected: str | None = None,
           height: int | None = None) -> go.Figure:
    """Pareto of overdue dossiers by procedure or field, drawn horizontally so that long names
    stay readable on a projector; each bar is labelled with its count and the cumulative share,
    and bars inside the first 80% are darker. ``selected``: the key the list is filtered to
    (the other bars are dimmed, as a click leaves them).

    ``df``: [key, label, name, overdue, share, cumulative_share], sorted by overdue descending.
    """
    d = df.reset_index(drop=True)
    prev = d["cumulative_share"].shift(fill_value=0)
    focus = prev < 0.8
    data = []
    for name, colour, mask in ((t("ui.chart.focus"), FOCUS, focus),
                               (t("ui.chart.rest"), REST, ~focus)):
        part = d[mask]
        if part.empty:
            continue
        keys = part["key"].astype(str).tolist()
        data.append({
            "type": "bar", "name": name, "y": part["label"].tolist(),
            "x": part["overdue"].astype(int).tolist(), "orientation": "h",
            "marker": {"color": colour},
            "text": [f"{fmt_number(int(n), 0)} · {fmt_percent(c, 0)}"
                     for n, c in zip(part["overdue"], part["cumulative_share"], strict=True)],
            "textposition": "outside", "cliponaxis": False,
            "customdata": [[k, str(n), float(s), float(c)] for k, n, s, c in
                           zip(keys, part["name"], part["share"], part["cumulative_share"],
                               strict=True)],
            "hovertemplate": f"<b>%{{customdata[1]}}</b><br>{key_title}: %{{customdata[0]}}<br>"
            f"{t('ui.chart.overdue')}: %{{x:,d}}<br>{t('ui.chart.share')}: "
            f"%{{customdata[2]:.1%}}<br>{t('ui.chart.cumulative')}: %{{customdata[3]:.1%}}"
            "<extra></extra>",
            **({} if selected is None else
               {"selectedpoints": [i for i, k in enumerate(keys) if k == selected]}),
        })
    top = float(d["overdue"].max()) if len(d) else 1.0
    return _figure(
        data, height or 40 * len(d) + 120, barmode="overlay",
        # Room to the right of the longest bar for its label ("28 · 35%").
        xaxis={"title": {"text": t("ui.chart.overdue")}, "tickformat": ",d",
               "range": [0, max(top, 1.0) * 1.25]},
        # Largest on top; the category order is the frame's, not alphabetical.
        yaxis={"categoryorder": "array", "categoryarray": d["label"].tolist(),
               "autorange": "reversed"},
    )


def component_bars(df: pd.DataFrame, height: int = 420) -> go.Figure:
    """Points won and lost per component (stacked to the component's maximum).

    ``df``: [label, kind ("won"/"lost" in words), points, sort, kind_order].
    """
    d = df.sort_values(["sort", "kind_order"])
    # The chart sits in a narrow column: short labels leave the bars room; the hover and the
    # table above it have the full names.
    d = d.assign(short=[lb if len(lb) <= LABEL_MAX else lb[:LABEL_MAX - 1] + "…"
                        for lb in d["label"].astype(str)])
    data = []
    for kind, colour in ((t("ui.chart.points_won"), WON), (t("ui.chart.points_lost"), LOST)):
        part = d[d["kind"] == kind]
        data.append({
            "type": "bar", "name": kind, "y": part["short"].tolist(),
            "x": part["points"].astype(float).tolist(), "orientation": "h",
            "marker": {"color": colour}, "customdata": part["label"].astype(str).tolist(),
            "hovertemplate": f"%{{customdata}}<br>{kind}: %{{x:.2f}}<extra></extra>",
        })
    return _figure(
        data, height, barmode="stack",
        xaxis={"title": {"text": t("ui.chart.points")}, "tickformat": ".0f"},
        yaxis={"categoryorder": "array", "categoryarray": list(dict.fromkeys(d["short"])),
               "autorange": "reversed"},
    )


def movers(df: pd.DataFrame, height: int | None = None) -> go.Figure:
    """The biggest rises and falls of the total score since the previous period, one bar per
    unit (rises to the right in green, falls to the left in red); a click opens the unit.

    ``df``: [unit_code, unit_name, level_name, total, delta_week], in display order (top first).
    """
    d = df.reset_index(drop=True)
    delta = d["delta_week"].astype(float).tolist()
    # Two units of different levels may share a name: the level keeps the bars apart.
    labels = [f"{n} ({lv})" for n, lv in zip(d["unit_name"], d["level_name"], strict=True)]
    bars = {
        "type": "bar", "y": labels, "x": delta, "orientation": "h",
        "marker": {"color": [UP if v > 0 else DOWN for v in delta]},
        "text": [fmt_delta(v) for v in delta], "textposition": "outside", "cliponaxis": False,
        "customdata": [[str(c), fmt_number(float(tot), 2), fmt_delta(v)]
                       for c, tot, v in zip(d["unit_code"], d["total"], delta, strict=True)],
        "hovertemplate": f"<b>%{{y}}</b><br>{t('ui.col.total')}: %{{customdata[1]}}<br>"
        f"{t('ui.col.delta_week')}: %{{customdata[2]}}<extra></extra>",
    }
    # Room beside the longest bars for their labels ("+0,32").
    lo, hi = min(min(delta, default=0.0), 0.0), max(max(delta, default=0.0), 0.0)
    pad = 0.25 * max(hi - lo, 0.01)
    return _figure(
        [bars], height or 34 * len(d) + 90, legend=False,
        xaxis={"title": {"text": t("ui.col.delta_week")}, "tickformat": ".2~f",
               "zeroline": True, "zerolinecolor": "#7f8c8d", "zerolinewidth": 1.5,
               "range": [lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)]},
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed"},
    )
