"""Deep links to the unit page, for table cells and markdown: one click opens a unit.

A link is relative (``don-vi?unit=…&week=…``): every page sits at the same level of the app's
URL, so the browser resolves it against the page it is on, and it keeps working when the app is
served under a path prefix (``/766/don-vi``) that the server itself may not know about. The
query holds the filters (state.url_params), so the link opens the same view in any browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlencode

import streamlit as st

from texts import t
from texts.safe import md
from ui import state

if TYPE_CHECKING:  # the TypedDict lives in a private module; only the checker needs it
    from streamlit.elements.lib.column_types import ColumnConfig

UNIT_PATH = "don-vi"  # url_path of app_pages/unit.py in app.py
# A LinkColumn shows the part of the URL this captures (decoded): the unit's name, carried in
# the fragment, which the browser never sends to the server.
NAME_IN_LINK = r"#(.+)$"


def unit_link(f: state.Filters, code: str, name: str | None = None) -> str:
    """The unit page for ``code`` with the filters ``f``; ``name`` rides in the fragment."""
    link = f"{UNIT_PATH}?{urlencode(state.url_params(f, unit=str(code)), quote_via=quote)}"
    return f"{link}#{quote(str(name), safe='')}" if name else link


def md_unit_link(f: state.Filters, code: str, name: str) -> str:
    """A markdown link whose text is the unit's name (for st.table and st.markdown)."""
    return f"[{md(name)}]({unit_link(f, code)})"


ColumnWidth = Literal["small", "medium", "large"] | int | None


def unit_column(label: str | None = None, width: ColumnWidth = None) -> ColumnConfig:
    """A table column of unit_link values, showing the name and opening the unit on a click."""
    return st.column_config.LinkColumn(
        label or t("ui.col.unit"), display_text=NAME_IN_LINK, width=width,
        help=t("ui.league.link_help"),
    )
