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

# Presentation mode (present=1, ui.meeting): a projector view without the sidebar. Otherwise a
# width, which Streamlit treats as "auto" with that width: open beside the page on a desktop,
# closed on a phone (Streamlit closes it at widths up to its "md" breakpoint, 768 px), where an
# open sidebar would cover the whole page; 272 px instead of 300 leaves a 1366 px laptop room
# for the league tables.
PRESENTING = meeting.presenting()
st.set_page_config(
    page_title=t("ui.app.title"),
    page_icon=str(LOGO),
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else 272,
)
meeting.apply_style(PRESENTING)
st.logo(str(LOGO), size="large")

# The pages live in app_pages/, not pages/: a pages/ folder next to app.py makes Streamlit run
# the first script of a new server process as a legacy pages/-directory app, which cannot
# resolve our url paths and shows its "Page not found" dialog to whoever opens a link first.
OVERVIEW = "app_pages/overview.py"
PAGES = [
    # The default page is served at "/" whatever url_path it is given (Streamlit), so it has
    # none here; "/tong-quan" is the hidden page at the end of the list.
    st.Page(OVERVIEW, title=t("ui.nav.overview"), icon=":material/dashboard:", default=True),
    st.Page("app_pages/departments.py", title=t("ui.nav.departments"),
            icon=":material/account_balance:", url_path="so-ban-nganh"),
    st.Page("app_pages/districts.py", title=t("ui.nav.districts"), icon=":material/map:",
            url_path="dia-phuong"),
    st.Page("app_pages/trends.py", title=t("ui.nav.trends"), icon=":material/show_chart:",
            url_path="xu-huong"),
    st.Page("app_pages/lagging.py", title=t("ui.nav.lagging"), icon=":material/warning:",
            url_path="cham-tien-do"),
    st.Page("app_pages/unit.py", title=t("ui.nav.unit"), icon=":material/apartment:",
            url_path="don-vi"),
    st.Page("app_pages/official.py", title=t("ui.nav.official"), icon=":material/compare_arrows:",
            url_path="doi-chieu"),
    # The overview's own path, for links and bookmarks: the same page, not in the menu. Last,
    # so that st.switch_page(OVERVIEW) and the menu go to "/", the page the menu marks.
    st.Page(OVERVIEW, title=t("ui.nav.overview"), icon=":material/dashboard:",
            url_path="tong-quan", visibility="hidden"),
]

current = st.navigation(PAGES, position="hidden" if PRESENTING else "sidebar")
ctx = page.setup()
# a ranking longer than a slide is shown over several (ui.meeting.ROWS_PER_PART rows each)
meeting.controls(ctx.filters, current.url_path, PRESENTING,
                 parts=page.present_parts(ctx) if PRESENTING else None)
page.run(current)  # a database lost half-way through becomes a banner, not a traceback
