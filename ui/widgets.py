"""Small building blocks shared by the pages: KPI cards, league tables, banners."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import pandas as pd
import streamlit as st

from texts import fmt_date, fmt_delta, fmt_duration, fmt_number, fmt_percent, t
from texts.lagging import fmt_rank_change

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.lib.column_types import ColumnConfig

GROUPS: tuple[str, ...] = tuple(f"group_{i}" for i in range(1, 7))


def group_label(col: str, short: bool = True) -> str:
    return t(f"ui.{'gshort' if short else 'group'}.{col}")


def fmt_score(x: float | None) -> str:
    """Scores are shown with 2 decimals, like the national portal."""
    return fmt_number(x, 2)


class MetricKwargs(TypedDict, total=False):
    """Keyword arguments of st.metric that widgets set (names and values as Streamlit types them)."""

    delta: str | None
    delta_color: Literal["green", "red", "gray"]
    delta_arrow: Literal["up", "down", "off"]
    delta_description: str
    chart_data: list[float]
    chart_type: Literal["area"]


def delta_kwargs(delta: float | None) -> MetricKwargs:
    """st.metric arguments for a Vietnamese-formatted change.

    Streamlit decides direction from a leading ASCII "-", but fmt_delta writes a true minus
    sign, so colour and arrow are set explicitly.
    """
    if delta is None or delta != delta:
        return {"delta": None}
    if round(delta, 2) == 0:
        return {"delta": fmt_delta(delta), "delta_color": "gray", "delta_arrow": "off"}
    up = delta > 0
    return {
        "delta": fmt_delta(delta),
        "delta_color": "green" if up else "red",
        "delta_arrow": "up" if up else "down",
    }


def rank_delta_kwargs(change: object) -> MetricKwargs:
    """st.metric arguments for a change in rank (places gained, ``rank_change``): "2 bậc" with a
    green up or red down arrow, "giữ nguyên" in grey, nothing when either period has no rank."""
    try:
        n = None if change is None or pd.isna(change) else int(change)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        n = None
    if n is None:
        return {"delta": None}
    if n == 0:
        return {"delta": t("ui.rank_same"), "delta_color": "gray", "delta_arrow": "off"}
    return {"delta": t("ui.rank_delta", n=abs(n)), "delta_color": "green" if n > 0 else "red",
            "delta_arrow": "up" if n > 0 else "down"}


def metric(
    label: str,
    value: str,
    delta: float | None = None,
    help: str | None = None,  # noqa: A002 - mirrors st.metric
    description: str | None = None,
    chart: list[float] | None = None,
) -> None:
    kw = delta_kwargs(delta)
    if kw.get("delta") is not None and description:
        kw["delta_description"] = description
    if chart and len(chart) > 1:
        kw["chart_data"] = chart
        kw["chart_type"] = "area"
    st.metric(label, value, help=help, border=True, **kw)


def grade_badge(grade: str | None, color: str | None) -> str:
    """Markdown badge for a grade, coloured with the band's own colour."""
    if not grade:
        return ""
    return f":{_nearest_named(color)}-badge[{grade}]"


def _nearest_named(color: str | None) -> str:
    # Markdown badges accept only named colours: map the band colours to the closest one.
    c = (color or "").lower()
    table = {
        "#1b7837": "green", "#5aae61": "green", "#f6c141": "orange",
        "#f1803b": "orange", "#c0392b": "red",
    }
    return table.get(c, "gray")


def freshness(data_until: date | None) -> None:
    st.caption(t("ui.freshness", date=fmt_date(data_until)))


def replica_caption(lag: float | None, where: DeltaGenerator | None = None) -> None:
    """Under the data's date: when the page reads a replica that is behind its primary, by how
    much ("chậm 3 giây"; ``ui.data.replica_lag``); nothing when ``lag`` is None (SQLite, a
    primary) or 0 (a replica that has replayed all it received)."""
    if lag is not None and lag > 0:
        (where or st).caption(t("ui.replica.lag", lag=fmt_duration(lag)),
                              help=t("ui.replica.lag_help"))


def league_frame(
    summary: pd.DataFrame, sparks: dict[str, list[float]] | None = None, groups: bool = True
) -> pd.DataFrame:
    """League-table columns in display order, values kept numeric so sorting stays numeric."""
    df = pd.DataFrame(
        {
            "rank": summary["rank"].astype("Int64"),
            "unit": summary["unit_name"],
            "total": summary["total"].astype(float),
            # no dossier and no feedback: shown, not graded (nor ranked)
            "grade": summary["grade"].where(summary["total"].notna(), t("ui.no_activity_unit")),
            "delta_week": summary["delta_week"].astype(float),
        }
    )
    for g in GROUPS if groups else ():
        df[g] = summary[g].astype(float)
    if "rank_change" in summary:
        df.insert(df.columns.get_loc("delta_week") + 1, "rank_change",
                  summary["rank_change"].astype("Int64"))
    if groups:  # beside a map (groups=False) the narrow table keeps the headline columns only
        df["dossiers"] = summary["dossiers"].astype("Int64")
    if sparks is not None:
        df["trend"] = [sparks.get(str(c), []) for c in summary["unit_code"]]
    df.index = summary["unit_code"].astype(str)
    return df


def style_league(df: pd.DataFrame, colors: Sequence[str]) -> Styler:
    """Vietnamese number formats and the grade colour, through a pandas Styler."""
    fmt: dict[str, Callable[[Any], str]] = {c: fmt_score for c in ("total", *GROUPS) if c in df}
    fmt["delta_week"] = fmt_delta
    if "dossiers" in df:
        fmt["dossiers"] = lambda x: fmt_number(x, 0)
    if "rank_change" in df:
        fmt["rank_change"] = fmt_rank_change
    styler = df.style.format(fmt, na_rep="–")
    color_by_row = dict(zip(df.index, colors, strict=False))

    def _grade_css(col: pd.Series) -> list[str]:
        return [
            f"background-color: {color_by_row.get(i, '')}; color: white; font-weight: 600"
            for i in col.index
        ]

    def _delta_css(col: pd.Series) -> list[str]:
        return [
            "color: #1b7837" if v > 0.005 else "color: #c0392b" if v < -0.005 else ""
            for v in col.fillna(0)
        ]

    styler = styler.apply(_grade_css, subset=["grade"]).apply(_delta_css, subset=["delta_week"])
    if "rank_change" in df:
        styler = styler.apply(_delta_css, subset=["rank_change"])
    return styler


# Column widths in pixels. Beside the 272 px sidebar a 1366 px laptop leaves about 1,040 px:
# the whole table (selection box, rank, name, total, grade, change, rank change, six groups,
# dossiers, trend) is sized to fit it, so no column is cut or scrolled out of sight.
LEAGUE_WIDTHS: dict[str, int] = {
    "rank": 52, "unit": 200, "total": 66, "grade": 84, "delta_week": 66, "rank_change": 62,
    "group": 54, "dossiers": 66, "trend": 84,
}


def league_column_config(with_trend: bool, wide: bool = True,
                         group_max: dict[str, float] | None = None) -> dict[str, ColumnConfig | None]:
    """Column settings of a league table; ``group_max`` (``views.group_max`` of the methodology
    in force) says each group's maximum in its help."""
    w = LEAGUE_WIDTHS
    cfg: dict[str, ColumnConfig | None] = {
        "_index": None,
        "rank": st.column_config.NumberColumn(t("ui.col.rank"), width=w["rank"]),
        "unit": st.column_config.TextColumn(t("ui.col.unit"), width=w["unit"]),
        "total": st.column_config.NumberColumn(t("ui.lcol.total"), help=t("ui.help.total"),
                                               width=w["total"]),
        "grade": st.column_config.TextColumn(t("ui.col.grade"), width=w["grade"]),
        "delta_week": st.column_config.NumberColumn(
            t("ui.lcol.delta_week"), help=t("ui.help.delta_week"), width=w["delta_week"]
        ),
        "rank_change": st.column_config.NumberColumn(
            t("ui.lcol.rank_change"), help=t("ui.help.rank_change"), width=w["rank_change"]
        ),
        "dossiers": st.column_config.NumberColumn(t("ui.lcol.dossiers"), help=t("ui.help.dossiers"),
                                                  width=w["dossiers"]),
    }
    gmax = group_max or {}
    for g in GROUPS:
        cfg[g] = st.column_config.NumberColumn(
            t(f"ui.gcol.{g}"), width=w["group"],
            help=t("ui.help.group", name=group_label(g, short=False),
                   max=fmt_number(gmax.get(g), 0)) if g in gmax
            else group_label(g, short=False),
        )
    if with_trend:
        cfg["trend"] = st.column_config.LineChartColumn(
            t("ui.lcol.trend"), help=t("ui.help.trend"), width=w["trend"]
        )
    return cfg


def group_legend(group_max: dict[str, float] | None = None) -> str:
    """"N1 Công khai, minh bạch (18) · N2 …": what the league table's short group headers mean."""
    gmax = group_max or {}
    return " · ".join(
        t("ui.gcol.legend", col=t(f"ui.gcol.{g}"), name=group_label(g, short=False),
          max=fmt_number(gmax[g], 0)) if g in gmax
        else f"{t(f'ui.gcol.{g}')} {group_label(g, short=False)}"
        for g in GROUPS
    )


def selected_code(event: object, df: pd.DataFrame) -> str | None:
    """Unit code of the row a user clicked in a league table (index holds the code)."""
    # duck-typed selection state: an event without a selection raises, caught below
    try:
        rows = event.selection.rows  # type: ignore[attr-defined]
    except AttributeError:
        return None
    if not rows:
        return None
    return str(df.index[rows[0]])


def ratio_text(ratio: float | None, empty: bool) -> str:
    return t("ui.no_activity") if empty else fmt_percent(ratio)
