"""The meeting tools, run headless with AppTest: the meeting pack downloads (built only when
asked for), presentation mode (present=1) and the CSS that carries it and the print layout.

SQLite only: these are UI paths; the pack's numbers are checked on both backends in
test_meeting_pack.py. The browser side (clicks, real downloads, print) is in tests/e2e.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers.app import _app as _pages_app
from helpers.app import _no_exception, _scores_shown
from openpyxl import load_workbook
from pptx import Presentation
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from scorecard import service
from scorecard.periods import period_for_week
from texts import t
from ui import meeting

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
SQLITE = pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def _app_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFORM_NO_PREWARM", "1")
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    monkeypatch.delenv("REFORM_GEOJSON_COMMUNES", raising=False)


def _app(url: str, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    # Building the meeting pack needs a longer timeout than the other pages.
    return _pages_app(url, monkeypatch, timeout=TIMEOUT, **params)


def _css(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def _keys(at: AppTest) -> list[str]:
    return [str(b.key) for b in at.button]


@pytest.fixture
def served_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes the app hands to st.download_button, by file name (AppTest keeps them in a
    media store of its own that a test cannot reach)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001, ANN202
        if isinstance(path_or_data, bytes) and filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


# --- presentation mode -----------------------------------------------------------------------


@SQLITE
def test_present_hides_sidebar_and_shows_the_stepper(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch, present="1")
    at.run()
    _no_exception(at)
    css = _css(at)
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert "font-size: 21px" in css, "projector type size"
    assert "@page" in css and "A4 landscape" in css, "the print rules are always there"
    assert _keys(at)[:3] == ["present_prev", "present_next", "present_exit"]
    assert at.button(key="present_prev").disabled, "the overview is the first slide"
    assert at.button(key="present_next").label == t("ui.present.next", page=t("ui.nav.departments"))
    steps = [m.value for m in at.markdown if str(m.value).startswith("Trang 1/")]
    assert steps and int(steps[0].split("/")[1]) >= 4, "at least one slide per step"
    assert "present_enter" not in _keys(at)
    assert "overview_pack_prepare" not in _keys(at), "no tools on the projector"
    assert _scores_shown(at), "the scorecard itself is shown"


@pytest.mark.slow
@SQLITE
def test_present_steps_through_the_four_pages_keeping_filters(demo_url, demo_engine, monkeypatch):
    week = service.available_weeks(demo_engine)[-3]
    # A week after the reform: the "Địa phương" slide ranks the communes (no district level).
    levels = service.levels_at(demo_engine, period_for_week("month", week).end).set_index("code")
    assert "district" not in levels.index and "commune" in levels.index
    local_title = t("ui.districts.title", level=str(levels.loc["commune", "plural"]).lower())
    at = _app(demo_url, monkeypatch, present="1", week=week, period="month")
    at.run()
    _no_exception(at)
    n_local = len(service.scorecard(demo_engine, "commune", period_for_week("month", week)).summary)
    n_dep = len(service.scorecard(demo_engine, "department", period_for_week("month", week)).summary)
    titles, shown = [], []
    while not at.button(key="present_next").disabled:
        at.button(key="present_next").click().run()
        _no_exception(at)
        titles.append(at.title[0].value)
        assert at.query_params["present"] == "1"
        assert (at.query_params["week"], at.query_params["period"]) == (week, "month")
        if at.title[0].value == local_title:
            shown += list(at.dataframe[0].value["unit"])
    # every ranking is split into slides of at most ROWS_PER_PART rows, then the lagging units
    parts = meeting.parts_needed(n_local)
    assert titles == ([t("ui.departments.title")] * meeting.parts_needed(n_dep)
                      + [local_title] * parts + [t("ui.lagging.title")])
    assert parts > 1, "the 94 communes do not fit one slide"
    assert len(shown) == n_local and len(set(shown)) == n_local, "each commune on exactly one slide"
    at.button(key="present_prev").click().run()
    _no_exception(at)
    assert at.title[0].value == local_title
    assert at.query_params["phan"] == str(parts), "back to the last part of the ranking"


def test_ranking_parts_are_even_and_cover_every_row():
    assert meeting.parts_needed(0) == 1 and meeting.parts_needed(13) == 1
    assert meeting.parts_needed(14) == 2 and meeting.parts_needed(94) == 8
    for n in (1, 13, 14, 18, 94):
        rows = [r for p in range(1, meeting.parts_needed(n) + 1)
                for r in range(n)[meeting.part_rows(n, p)]]
        assert rows == list(range(n)), n
        sizes = [len(range(n)[meeting.part_rows(n, p)]) for p in range(1, meeting.parts_needed(n) + 1)]
        assert max(sizes) <= meeting.ROWS_PER_PART and max(sizes) - min(sizes) <= 1, sizes
    assert [len(range(18)[meeting.part_rows(18, p)]) for p in (1, 2)] == [9, 9]


@SQLITE
def test_unit_opened_while_presenting_stays_in_presentation(demo_url, demo_engine, monkeypatch):
    code = str(service.units(demo_engine, level="department")["code"].iloc[0])
    at = _app(demo_url, monkeypatch, present="1")
    at.run()
    at.button(key="present_next").click().run()  # the departments slide
    from ui import page

    at.session_state[page.PENDING_UNIT] = code  # what a click in the league table leaves
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert "present_back" in _keys(at) and "unit_pack_prepare" not in _keys(at)
    at.button(key="present_back").click().run()
    _no_exception(at)
    assert at.title[0].value == t("ui.departments.title"), "back to the slide it came from"
    assert at.query_params["present"] == "1"


@SQLITE
def test_normal_mode_offers_presentation_and_exit_returns(demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch)
    at.run()
    _no_exception(at)
    assert "display: none" not in _css(at).split("@media print")[0], "sidebar shown"
    assert "present_enter" in [str(b.key) for b in at.sidebar.button]
    assert "present_next" not in _keys(at)
    at.button(key="present_enter").click().run()
    _no_exception(at)
    assert at.query_params["present"] == "1"
    assert "present_next" in _keys(at)
    at.button(key="present_exit").click().run()
    _no_exception(at)
    assert "present" not in at.query_params
    assert "present_enter" in _keys(at)


def test_step_order_and_css_files():
    assert [s.path for s in meeting.STEPS] == [
        "app_pages/overview.py", "app_pages/departments.py", "app_pages/districts.py",
        "app_pages/lagging.py"]
    assert meeting.step_index("") == 0, "the default page's url_path is empty"
    assert meeting.step_index("cham-tien-do") == 3
    assert meeting.step_index("don-vi") is None
    app_py = (ROOT / "app.py").read_text(encoding="utf-8")
    for s in meeting.STEPS:
        assert f'"{s.path}"' in app_py and f'url_path="{s.url_path}"' in app_py
    printed = meeting.css(False)
    assert "@media print" in printed and "stSidebar" in printed
    assert "size: A4 landscape" in printed and "margin: 10mm" in printed
    assert "break-inside: avoid" in printed
    assert len(meeting.css(True)) > len(printed)
    # The browser's HTML sanitiser drops a <style> whose text contains "<" (even in a comment):
    # the whole stylesheet would silently vanish.
    assert "<" not in meeting.css(True)


# --- meeting pack ---------------------------------------------------------------------------------


@pytest.mark.slow
@SQLITE
def test_pack_is_built_on_request_and_opens(demo_url, demo_engine, served_files, monkeypatch):
    week = service.latest_week(demo_engine)
    at = _app(demo_url, monkeypatch)
    at.run()
    _no_exception(at)
    assert not at.get("download_button"), "nothing is built before it is asked for"
    assert not [f for f in served_files if f.startswith("giao-ban")]
    at.button(key="overview_pack_prepare").click().run()
    _no_exception(at)
    labels = [str(d.proto.label) for d in at.get("download_button")]
    assert labels == [t("ui.pack.deck"), t("ui.pack.workbook")]

    deck = Presentation(io.BytesIO(served_files[f"giao-ban_{week}.pptx"]))
    assert len(deck.slides) >= 4
    first = " ".join(sh.text_frame.text for sh in deck.slides[0].shapes if sh.has_text_frame)
    assert t("brief.title") in first
    wb = load_workbook(io.BytesIO(served_files[f"giao-ban_{week}.xlsx"]))
    assert len(wb.sheetnames) >= 3

    # The unit page offers the same pack, already prepared for this week in this session: a
    # unit of the latest week (a 2025 commune: the districts ended on 30/06/2025).
    communes = service.scorecard(demo_engine, "commune", period_for_week("ytd", week)).summary
    code = str(communes["unit_code"].iloc[0])
    assert code.startswith("48."), "a commune of today's Đà Nẵng"
    at.query_params["unit"] = code
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    unit_dl = [d for d in at.get("download_button") if "unit_pack" in str(d.proto.id)]
    assert [str(d.proto.label) for d in unit_dl] == labels


@SQLITE
def test_unit_page_has_pack_button(demo_url, demo_engine, monkeypatch):
    code = str(service.units(demo_engine, level="department")["code"].iloc[0])
    at = _app(demo_url, monkeypatch, unit=code)
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert "unit_pack_prepare" in _keys(at)


@SQLITE
def test_pack_failure_is_explained_and_the_page_stays(demo_url, demo_engine, monkeypatch):
    import meeting_pack

    def refuse(engine, week, communes=True):  # noqa: ANN001, ANN202
        raise meeting_pack.BriefingError("Tuần này chưa có số liệu.")

    # ui.data builds the pack through the package's public names
    monkeypatch.setattr(meeting_pack, "collect", refuse)
    week = service.available_weeks(demo_engine)[-7]  # a week no other test has cached a pack for
    at = _app(demo_url, monkeypatch, week=week)
    at.run()
    at.button(key="overview_pack_prepare").click().run()
    _no_exception(at)
    assert t("ui.pack.failed", error="Tuần này chưa có số liệu.") in [str(w.value) for w in at.warning]
    assert not at.get("download_button")
    assert "overview_pack_prepare" in _keys(at), "the user can try again"
    assert _scores_shown(at), "the overview is still shown"
