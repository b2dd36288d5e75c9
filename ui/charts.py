"""Altair charts with Vietnamese number and date formats and grade colours."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from texts import fmt_percent, t

# Vega reads number and date formats from the chart's locale: 98,5 and dd/mm, as users write them.
VI_LOCALE: dict[str, object] = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "time": {
        "dateTime": "%A, %e %B %Y, %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"Tháng {i}" for i in range(1, 13)],
        "shortMonths": [f"Th{i}" for i in range(1, 13)],
    },
}
FONT_SIZE = 14  # readable on a projector


def _finish(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    return (
        chart.properties(height=height)
        .configure(locale=VI_LOCALE)
        .configure_axis(labelFontSize=FONT_SIZE - 1, titleFontSize=FONT_SIZE)
        .configure_legend(labelFontSize=FONT_SIZE - 1, titleFontSize=FONT_SIZE, orient="bottom")
    )


def grade_distribution(counts: pd.DataFrame, bands: pd.DataFrame, height: int = 150) -> alt.Chart:
    """One stacked bar per level: how many units fall in each grade, in the band colours.

    ``counts``: [level_name, grade, n]; ``bands``: [grade, color, sort_order].
    """
    b = bands.sort_values("sort_order")
    order, colors = b["grade"].tolist(), b["color"].tolist()
    rank = {g: i for i, g in enumerate(order)}
    df = counts.assign(sort=counts["grade"].map(rank))
    base = alt.Chart(df).encode(
        y=alt.Y("level_name:N", title=None, axis=alt.Axis(labelLimit=200),
                sort=list(dict.fromkeys(df["level_name"]))),
        x=alt.X("n:Q", title=t("ui.chart.units"), stack="zero",
                axis=alt.Axis(format="d", tickMinStep=1)),
        order=alt.Order("sort:Q"),
    )
    bars = base.mark_bar(height=34).encode(
        color=alt.Color("grade:N", scale=alt.Scale(domain=order, range=colors),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=[
            alt.Tooltip("level_name:N", title=t("ui.col.level")),
            alt.Tooltip("grade:N", title=t("ui.col.grade")),
            alt.Tooltip("n:Q", title=t("ui.chart.units")),
        ],
    )
    labels = base.mark_text(align="right", dx=-5, color="white", fontWeight="bold",
                            fontSize=FONT_SIZE).encode(
        text="n:Q"
    )
    return _finish(alt.layer(bars, labels), height)


def small_trend(df: pd.DataFrame, value: str, target: float | None, height: int = 160) -> alt.Chart:
    """A compact line of one series (``week_end`` date, ``value``) with the target as a rule."""
    base = alt.Chart(df).encode(
        x=alt.X("week_end:T", title=None, axis=alt.Axis(format="%d/%m", labelAngle=0)),
    )
    line = base.mark_line(point=True, strokeWidth=3).encode(
        y=alt.Y(f"{value}:Q", title=t("ui.chart.score"), scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("week_label:N", title=t("ui.chart.week")),
            alt.Tooltip(f"{value}:Q", title=t("ui.chart.score"), format=",.2f"),
        ],
    )
    layers: list[alt.Chart] = [line]
    if target is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"y": [target]}))
            .mark_rule(strokeDash=[6, 4], color="#7f8c8d")
            .encode(y="y:Q")
        )
    return _finish(alt.layer(*layers), height)


def trend_lines(
    df: pd.DataFrame,
    y_title: str,
    bands: pd.DataFrame | None,
    target: float | None,
    y_max: float,
    height: int = 420,
) -> alt.Chart:
    """Weekly lines per unit with grade bands shaded behind and the target dashed.

    ``df``: [week_end (date), week_label, unit_name, value].
    """
    layers: list[alt.Chart] = []
    # Zoom the y axis onto the data (scores move by tenths; a 0-100 axis would flatten them),
    # keeping the target in view.
    vals = [v for v in df["value"].dropna().tolist()] + ([target] if target is not None else [])
    lo = max(0.0, math.floor((min(vals, default=0) - 3) / 5) * 5)
    hi = min(y_max, math.ceil((max(vals, default=y_max) + 2) / 5) * 5)
    if hi <= lo:
        lo, hi = 0.0, y_max
    if bands is not None and not bands.empty:
        b = bands.sort_values("min_score", ascending=False).reset_index(drop=True)
        b["hi"] = [y_max, *b["min_score"].tolist()[:-1]]
        b = b.rename(columns={"min_score": "lo"})
        b["lo"] = b["lo"].clip(lower=lo, upper=hi)
        b["hi"] = b["hi"].clip(lower=lo, upper=hi)
        b = b[b["hi"] > b["lo"]]
        layers.append(
            alt.Chart(b)
            .mark_rect(opacity=0.16)
            .encode(
                y=alt.Y("lo:Q", scale=alt.Scale(domain=[lo, hi], nice=False, zero=False)),
                y2="hi:Q",
                color=alt.Color(
                    "grade:N",
                    scale=alt.Scale(domain=b["grade"].tolist(), range=b["color"].tolist()),
                    legend=alt.Legend(title=t("ui.col.grade")),
                ),
            )
        )
    line = (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("week_end:T", title=t("ui.chart.week_end"),
                    axis=alt.Axis(format="%d/%m/%Y", labelAngle=0)),
            y=alt.Y("value:Q", title=y_title,
                    scale=alt.Scale(domain=[lo, hi], nice=False, zero=False)),
            stroke=alt.Stroke("unit_name:N", title=t("ui.col.unit"),
                              scale=alt.Scale(scheme="dark2")),
            tooltip=[
                alt.Tooltip("unit_name:N", title=t("ui.col.unit")),
                alt.Tooltip("week_label:N", title=t("ui.chart.week")),
                alt.Tooltip("value:Q", title=y_title, format=",.2f"),
            ],
        )
    )
    layers.append(line)
    if target is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"y": [target], "label": [t("ui.chart.target")]}))
            .mark_rule(strokeDash=[8, 4], strokeWidth=2, color="#34495e")
            .encode(y=alt.Y("y:Q", scale=alt.Scale(domain=[lo, hi], nice=False, zero=False)),
                    tooltip=[alt.Tooltip("y:Q", title=t("ui.chart.target"))])
        )
    return _finish(alt.layer(*layers).resolve_scale(color="independent"), height)


def pareto(df: pd.DataFrame, key_title: str, height: int | None = None) -> alt.Chart:
    """Pareto of overdue dossiers by procedure or field, drawn horizontally so that long
    procedure names stay readable on a projector; each bar is labelled with its count and the
    cumulative share, and bars inside the first 80% are darker.

    ``df``: [label, name, overdue, share, cumulative_share], sorted by overdue descending.
    """
    d = df.copy()
    prev = d["cumulative_share"].shift(fill_value=0)
    d["focus"] = [t("ui.chart.focus") if p < 0.8 else t("ui.chart.rest") for p in prev]
    d["text"] = [
        f"{int(n)} · {fmt_percent(c, 0)}" for n, c in zip(d["overdue"], d["cumulative_share"],
                                                          strict=True)
    ]
    order = d["label"].tolist()
    base = alt.Chart(d).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=460)),
        x=alt.X("overdue:Q", title=t("ui.chart.overdue"), axis=alt.Axis(format="d")),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "focus:N",
            scale=alt.Scale(domain=[t("ui.chart.focus"), t("ui.chart.rest")],
                            range=["#c0392b", "#e6b0aa"]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("name:N", title=key_title),
            alt.Tooltip("overdue:Q", title=t("ui.chart.overdue"), format=",d"),
            alt.Tooltip("share:Q", title=t("ui.chart.share"), format=".1%"),
            alt.Tooltip("cumulative_share:Q", title=t("ui.chart.cumulative"), format=".1%"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1, color="#1c2833").encode(
        text="text:N"
    )
    # Streamlit fits the whole chart (axes and legend included) into the height.
    return _finish(alt.layer(bars, text), height or 40 * len(d) + 140)


def component_bars(df: pd.DataFrame, height: int = 420) -> alt.Chart:
    """Points won and lost per component (stacked to the component's maximum).

    ``df``: [label, kind ("won"/"lost"), points, sort].
    """
    won, lost = t("ui.chart.points_won"), t("ui.chart.points_lost")
    return _finish(
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.SortField("sort"), title=None,
                    axis=alt.Axis(labelLimit=420)),
            x=alt.X("points:Q", title=t("ui.chart.points"), stack="zero"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=[won, lost], range=["#2e7d6b", "#e0b4ae"]),
                legend=alt.Legend(title=None),
            ),
            order=alt.Order("kind_order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=t("ui.col.component")),
                alt.Tooltip("kind:N", title=" "),
                alt.Tooltip("points:Q", title=t("ui.chart.points"), format=",.2f"),
            ],
        ),
        height,
    )
