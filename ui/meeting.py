"""For the weekly reform meeting: the meeting pack downloads, presentation mode and the CSS.

Presentation mode is ``present=1`` in the URL, so a presenter can open (or bookmark) the exact
view on the meeting-room PC. It is read from the URL on every run rather than kept in the
session: the URL is the one source of truth for what is shown, like the other filters. The
stepper moves through ``STEPS`` with st.switch_page, carrying ``present=1`` and the filters.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from meeting_pack import BriefingError
from texts import t
from texts.safe import tm
from ui import access, data, state

log = logging.getLogger(__name__)

CSS_DIR = Path(__file__).resolve().parent.parent / "assets" / "css"
PRESENT_PARAM = "present"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PART_PARAM = "phan"  # which part of a long ranking this slide shows (1 when absent)
# Rows of a league table on one slide: what fits under the title and stepper of a 1920×1080
# projector at presentation sizes (present.css), so no ranking runs below the screen's edge.
ROWS_PER_PART = 13
_LAST_STEP = "_present_last_step"


@dataclass(frozen=True)
class Step:
    path: str  # the page file, as st.switch_page takes it
    url_path: str  # st.Page url_path in app.py
    title_key: str


# The order the province's weekly meeting goes through the scorecard.
STEPS: tuple[Step, ...] = (
    Step("app_pages/overview.py", "tong-quan", "ui.nav.overview"),
    Step("app_pages/departments.py", "so-ban-nganh", "ui.nav.departments"),
    Step("app_pages/districts.py", "dia-phuong", "ui.nav.districts"),
    Step("app_pages/lagging.py", "cham-tien-do", "ui.nav.lagging"),
)


def presenting() -> bool:
    """Is this run in presentation mode (``present=1`` in the URL)?"""
    return str(st.query_params.get(PRESENT_PARAM, "")).strip() == "1"


def css(present: bool) -> str:
    """The app's CSS (print rules included), plus the projector rules when presenting."""
    names = ["app.css", "present.css"] if present else ["app.css"]
    return "\n".join((CSS_DIR / n).read_text(encoding="utf-8") for n in names)


def apply_style(present: bool) -> None:
    # st.html with only a <style> element adds no visible block to the page. The frontend's
    # sanitiser drops the whole element if its text contains "<", so the CSS files never do.
    st.html(f"<style>\n{css(present)}\n</style>")


def step_index(url_path: str) -> int | None:
    """Position of a page in STEPS (the default page's url_path is "")."""
    for i, s in enumerate(STEPS):
        if url_path == s.url_path or (url_path == "" and i == 0):
            return i
    return None


def parts_needed(n_rows: int) -> int:
    """How many slides a ranking of ``n_rows`` units takes (at most ROWS_PER_PART each)."""
    return max(1, math.ceil(n_rows / ROWS_PER_PART))


def part_rows(n_rows: int, part: int) -> slice:
    """The rows of slide ``part`` (1-based): parts differ by one row at most, so 18 units are
    9 + 9, not 13 + 5."""
    parts = parts_needed(n_rows)
    part = min(max(part, 1), parts)
    return slice((part - 1) * n_rows // parts, part * n_rows // parts)


def current_part(parts: int) -> int:
    """The part the URL asks for (``phan=2``), within 1..parts."""
    raw = str(st.query_params.get(PART_PARAM, "1")).strip()
    n = int(raw) if raw.isdigit() else 1
    return min(max(n, 1), max(parts, 1))


def sequence(parts: Mapping[str, int]) -> list[tuple[int, int, int]]:
    """Every slide in order, as (step index, part, parts of that step): a step whose ranking is
    longer than a slide (``parts``: url_path -> number of parts) becomes several slides."""
    return [(i, p, n) for i, s in enumerate(STEPS)
            for n in [max(1, parts.get(s.url_path, 1))] for p in range(1, n + 1)]


def _params(f: state.Filters, part: int = 1) -> dict[str, str]:
    params = {**state.url_params(f), PRESENT_PARAM: "1"}
    if part > 1:
        params[PART_PARAM] = str(part)
    return params


def _go(step: Step, f: state.Filters, part: int = 1) -> None:
    st.switch_page(step.path, query_params=_params(f, part))


def _title(i: int, part: int, parts: int) -> str:
    name = t(STEPS[i].title_key)
    return t("ui.present.part_title", page=name, n=part, total=parts) if parts > 1 else name


def controls(f: state.Filters, url_path: str, present: bool,
             parts: Mapping[str, int] | None = None) -> None:
    """The presentation stepper at the top of the page, or the button that starts it.

    ``parts``: url_path -> the number of slides its ranking takes (ROWS_PER_PART rows each)."""
    if not present:
        with st.sidebar:
            st.divider()
            if st.button(t("ui.present.enter"), key="present_enter", help=t("ui.present.enter_help"),
                         icon=":material/slideshow:", width="stretch"):
                _go(STEPS[0], f)
        return
    slides = sequence(parts or {})
    i = step_index(url_path)
    here = None
    if i is not None:
        n = max(1, (parts or {}).get(STEPS[i].url_path, 1))
        here = slides.index((i, current_part(n), n))
    # The arrow keys step too (a presenter's remote sends them); the buttons show the key.
    with st.container(horizontal=True, vertical_alignment="center", key="present_stepper"):
        if here is None:
            # A unit opened from a league table: back to the slide it was opened from.
            back_i, back_part = st.session_state.get(_LAST_STEP, (0, 1))
            if st.button(t("ui.present.back"), key="present_back", shortcut="Left"):
                _go(STEPS[back_i], f, back_part)
        else:
            st.session_state[_LAST_STEP] = slides[here][:2]
            # First and last slides keep both buttons (disabled) so the row does not jump.
            first, last = here == 0, here == len(slides) - 1
            prev = None if first else slides[here - 1]
            nxt = None if last else slides[here + 1]
            if st.button(t("ui.present.prev_none") if prev is None else
                         t("ui.present.prev", page=_title(*prev)),
                         key="present_prev", disabled=first, shortcut="Left"):
                assert prev is not None
                _go(STEPS[prev[0]], f, prev[1])
            st.markdown(t("ui.present.step", n=here + 1, total=len(slides)), width="content")
            if st.button(t("ui.present.next_none") if nxt is None else
                         t("ui.present.next", page=_title(*nxt)),
                         key="present_next", disabled=last, type="primary", shortcut="Right"):
                assert nxt is not None
                _go(STEPS[nxt[0]], f, nxt[1])
        st.space("stretch")
        if st.button(t("ui.present.exit"), key="present_exit", icon=":material/close:",
                     type="tertiary"):
            del st.query_params[PRESENT_PARAM]
            if PART_PARAM in st.query_params:
                del st.query_params[PART_PARAM]
            st.rerun()


def _mark_ready(flag: str) -> None:
    st.session_state[flag] = True


def pack_buttons(url: str, week: str, key: str, stacked: bool = False) -> None:
    """Downloads of the weekly briefing deck and workbook, built only when asked for.

    Building the pack takes seconds, so a page never builds it by itself: the first click
    prepares it (cached per database and week, shared by every session), then the two download
    buttons hand over the cached bytes. The pack ranks every unit and lists their overdue
    dossiers, so only roles that see every unit get it. Not on the projector either: the
    presentation shows the scorecard, not the tools. ``stacked``: one button under another, at
    the sidebar's width (the overview keeps its first screen for the figures).
    """
    if not access.current().sees_all or presenting():
        return
    ready = f"_pack_ready_{week}"
    files = _build_pack(url, week) if st.session_state.get(ready) else None
    width: Literal["stretch", "content"] = "stretch" if stacked else "content"
    with st.container(horizontal=not stacked, vertical_alignment="center", key=f"{key}_pack"):
        if files is None:
            st.session_state.pop(ready, None)  # not built (or failed): offer it (again)
            # A callback, so that the run the click starts no longer draws this button.
            st.button(t("ui.pack.prepare"), key=f"{key}_pack_prepare",
                      help=t("ui.pack.prepare_help"), icon=":material/work_history:",
                      on_click=_mark_ready, args=(ready,), width=width)
            return
        deck, book = files
        # on_click="ignore": handing over a file needs no rerun of the page.
        st.download_button(t("ui.pack.deck"), data=deck, file_name=f"giao-ban_{week}.pptx",
                           mime=PPTX_MIME, key=f"{key}_pack_deck", on_click="ignore",
                           icon=":material/slideshow:", type="primary", width=width)
        st.download_button(t("ui.pack.workbook"), data=book, file_name=f"giao-ban_{week}.xlsx",
                           mime=XLSX_MIME, key=f"{key}_pack_workbook", on_click="ignore",
                           icon=":material/table_view:", width=width)
        st.caption(tm("ui.pack.ready", week=state.week_label(week)))


def _build_pack(url: str, week: str) -> tuple[bytes, bytes] | None:
    """(deck, workbook) from the cache or built now; None, with the reason shown, on failure."""
    try:
        with st.spinner(tm("ui.pack.preparing", week=state.week_label(week))):
            return data.load_pack(url, week)
    except BriefingError as exc:  # a week the pack cannot be made for: its message says why
        st.warning(tm("ui.pack.failed", error=str(exc)))
    except SQLAlchemyError:
        raise  # the database went away: page.run shows the outage banner
    except Exception as exc:  # noqa: BLE001 - the pack is an extra; the page must still show
        log.exception("meeting pack for %s failed", week)
        st.error(t("ui.pack.failed", error=type(exc).__name__))
    return None
