"""Showing the ui.charts figures: no English mode bar, projector sizes, clicks that drill.

A click on a chart is a Plotly point selection (``on_select``). It is handled in a callback, so
that it acts once, when the user clicks, and not again on every later rerun while the widget
still holds the selection; the page then acts on what the callback noted (a page switch cannot
happen inside a callback).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ui import meeting, page

# Plotly's mode bar speaks English (its tooltips, "Download plot as a png"), and plotly.js takes
# other languages only from a locale registered in the browser: no mode bar at all. The
# charts are read, not explored (see ui.charts: no zoom), so nothing is lost.
CONFIG: dict[str, Any] = {
    "displayModeBar": False,
    "displaylogo": False,
    "scrollZoom": False,
    "doubleClick": False,
    "showTips": False,
    "responsive": True,
}
PRESENT_FONT = 20  # px: read from the back of a meeting room (present.css sets 21 px text)
PRESENT_HEIGHT = 1.3
_PENDING_UNIT = "_chart_pending_unit"


def _for_projector(fig: go.Figure) -> go.Figure:
    """Larger text and taller plots in presentation mode (present=1)."""
    if not meeting.presenting():
        return fig
    fig.update_layout(font_size=PRESENT_FONT, hoverlabel_font_size=PRESENT_FONT)
    if fig.layout.height:
        fig.update_layout(height=int(fig.layout.height * PRESENT_HEIGHT))
    for a in fig.layout.annotations or ():
        a.font.size = PRESENT_FONT
    return fig


def show(fig: go.Figure, key: str | None = None,
         on_click: Callable[[str], None] | None = None) -> None:
    """Draw ``fig`` across the container; with ``on_click`` (and a ``key``), a click on a point
    calls ``on_click(key)`` before the rerun."""
    fig = _for_projector(fig)
    if on_click is None or key is None:
        st.plotly_chart(fig, key=key, config=CONFIG, theme=None, width="stretch")
        return
    st.plotly_chart(fig, key=key, config=CONFIG, theme=None, width="stretch",
                    on_select=partial(on_click, key), selection_mode="points")


def clicked(state: object, index: int = 0) -> str | None:
    """``customdata[index]`` of the point a user clicked (a selection state), else None."""
    try:
        points = state["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for p in points or ():
        data = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(data, list | tuple) and len(data) > index and data[index] not in (None, ""):
            return str(data[index])
        if isinstance(data, str) and data and index == 0:
            return data
    return None


def _note_unit(key: str) -> None:
    code = clicked(st.session_state.get(key))
    if code:
        st.session_state[_PENDING_UNIT] = code


def unit_chart(ctx: page.Ctx, fig: go.Figure, key: str) -> None:
    """A chart whose points are units (``customdata[0]`` = unit code): a click opens the unit
    page the way a league table row does (page.open_unit, the filters kept in the URL)."""
    show(fig, key=key, on_click=_note_unit)
    code = st.session_state.pop(_PENDING_UNIT, None)
    if code:
        page.open_unit(ctx, code)
