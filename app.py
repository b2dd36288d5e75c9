"""Bảng điều hành cải cách TTHC: entry point.

Pages are registered with st.navigation; the shared checks and filters run here first on every
rerun, so each page only reads the prepared context (ui.page.context()).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from texts import t
from ui import meeting, page

HERE = Path(__file__).parent
LOGO = HERE / "assets" / "logo.svg"

# Presentation mode (present=1, ui.meeting): a projector view without the sidebar.
PRESENTING = meeting.presenting()
st.set_page_config(
    page_title=t("ui.app.title"),
    page_icon=str(LOGO),
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "expanded",
)
meeting.apply_style(PRESENTING)
st.logo(str(LOGO), size="large")

PAGES = [
    st.Page("pages/overview.py", title=t("ui.nav.overview"), icon=":material/dashboard:",
            url_path="tong-quan", default=True),
    st.Page("pages/departments.py", title=t("ui.nav.departments"),
            icon=":material/account_balance:", url_path="so-ban-nganh"),
    st.Page("pages/districts.py", title=t("ui.nav.districts"), icon=":material/map:",
            url_path="dia-phuong"),
    st.Page("pages/trends.py", title=t("ui.nav.trends"), icon=":material/show_chart:",
            url_path="xu-huong"),
    st.Page("pages/lagging.py", title=t("ui.nav.lagging"), icon=":material/warning:",
            url_path="cham-tien-do"),
    st.Page("pages/unit.py", title=t("ui.nav.unit"), icon=":material/apartment:",
            url_path="don-vi"),
    st.Page("pages/official.py", title=t("ui.nav.official"), icon=":material/compare_arrows:",
            url_path="doi-chieu"),
]

current = st.navigation(PAGES, position="hidden" if PRESENTING else "sidebar")
ctx = page.setup()
meeting.controls(ctx.filters, current.url_path, PRESENTING)
page.run(current)  # a database lost half-way through becomes a banner, not a traceback
