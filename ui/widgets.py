"""Small building blocks shared by the pages: KPI cards, league tables, banners."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal, TypedDict

import pandas as pd
import streamlit as st

from data_access.cell_safety import safe_frame
from texts import fmt_date, fmt_delta, fmt_number, fmt_percent, t
from ui import tables

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler
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
    df["dossiers"] = summary["dossiers"].astype("Int64")
    if sparks is not None:
        df["trend"] = [sparks.get(str(c), []) for c in summary["unit_code"]]
    df.index = summary["unit_code"].astype(str)
    return df


def style_league(df: pd.DataFrame, colors: Sequence[str]) -> Styler:
    """Vietnamese number formats and the grade colour, through a pandas Styler."""
    fmt = {c: fmt_score for c in ("total", *GROUPS) if c in df}
    fmt["delta_week"] = fmt_delta
    fmt["dossiers"] = lambda x: fmt_number(x, 0)
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

    return styler.apply(_grade_css, subset=["grade"]).apply(_delta_css, subset=["delta_week"])


def league_column_config(
    with_trend: bool, wide: bool = True, group_max: dict[str, float] | None = None
) -> dict[str, ColumnConfig | None]:
    """Column settings of a league table; ``group_max`` (``views.group_max`` of the methodology
    in force) says each group's maximum in its help."""
    cfg: dict[str, ColumnConfig | None] = {
        "_index": None,
        "rank": st.column_config.NumberColumn(t("ui.col.rank"), width=60),
        "unit": st.column_config.TextColumn(t("ui.col.unit"), width=340 if wide else 230),
        "total": st.column_config.NumberColumn(t("ui.col.total"), help=t("ui.help.total")),
        "grade": st.column_config.TextColumn(t("ui.col.grade"), width=100),
        "delta_week": st.column_config.NumberColumn(
            t("ui.col.delta_week"), help=t("ui.help.delta_week")
        ),
        "dossiers": st.column_config.NumberColumn(t("ui.col.dossiers")),
    }
    for g in GROUPS:
        cfg[g] = st.column_config.NumberColumn(
            group_label(g), help=t("ui.help.group", name=group_label(g, short=False),
                                   max=fmt_number((group_max or {}).get(g), 0))
        )
    if with_trend:
        cfg["trend"] = st.column_config.LineChartColumn(
            t("ui.col.trend"), help=t("ui.help.trend"), width="medium"
        )
    return cfg


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


def to_excel(df: pd.DataFrame, sheet: str) -> bytes:
    """An in-memory .xlsx, so nothing is written on the server. Text from the database (dossier
    codes, procedure and field names) cannot run as a formula (``data_access.cell_safety``)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe_frame(df).to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return buf.getvalue()


def ratio_text(ratio: float | None, empty: bool) -> str:
    return t("ui.no_activity") if empty else fmt_percent(ratio)


def overdue_list(overdue: pd.DataFrame, code: str, week: str, key: str) -> None:
    """The overdue dossiers of one unit: table, Excel download and count (unit and lagging pages)."""
    if overdue.empty:
        st.info(t("ui.lagging.no_overdue"))
        return
    shown = tables.overdue_table(overdue)
    st.dataframe(shown, hide_index=True, width="stretch", height=min(420, 35 * len(shown) + 40))
    st.download_button(
        t("ui.lagging.download"),
        # built when clicked, not on every rerun: the workbook costs more than the whole page
        data=lambda: to_excel(shown, t("ui.lagging.sheet")),
        file_name=f"ho-so-qua-han_{code}_{week}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key,
    )
    st.caption(t("ui.lagging.count", n=fmt_number(len(overdue), 0)))
