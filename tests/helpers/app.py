"""Running the dashboard headless (streamlit.testing.v1.AppTest) and reading what it shows.

``_app_env`` is an autouse fixture: a test module imports it to make it apply to its tests.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = [
    "app_pages/overview.py",
    "app_pages/departments.py",
    "app_pages/districts.py",
    "app_pages/trends.py",
    "app_pages/lagging.py",
    "app_pages/unit.py",
    "app_pages/official.py",
]
DEMO_COMMAND = "python -m data_access demo --scale 0.1"
# A week of the demo before the 2025 reform, when the district level still existed (the demo
# starts on 01/01/2024; its latest week is today's structure: departments and 2025 communes).
PRE_REFORM = "2024-W52"
TIMEOUT = 180


@pytest.fixture(autouse=True)
def _app_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # No background cache warming in tests, and no boundary file unless a test sets one.
    monkeypatch.setenv("REFORM_NO_PREWARM", "1")
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    monkeypatch.delenv("REFORM_GEOJSON_COMMUNES", raising=False)
    # the dashboard reads what REFORM_DB_URL names, unless a test sets a read URL (a replica)
    monkeypatch.delenv("REFORM_DB_READ_URL", raising=False)
    # The app hides error details from users; a failing test should show them.
    from streamlit import config

    monkeypatch.setattr(config, "get_option", _options_with_full_errors(config.get_option))


def _options_with_full_errors(get_option):  # noqa: ANN001, ANN202
    def patched(key: str):  # noqa: ANN202
        return "full" if key == "client.showErrorDetails" else get_option(key)

    return patched


def _app(
    url: str, monkeypatch: pytest.MonkeyPatch, timeout: float = TIMEOUT, **params: str
) -> AppTest:
    monkeypatch.setenv("REFORM_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [(e.value, e.stack_trace[-6:]) for e in at.exception]


def _texts(at: AppTest, with_html: bool = True) -> str:
    """Everything readable on the page (markdown, captions, notices, titles; and the text of
    st.html blocks unless ``with_html`` is False), one string."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    if with_html:  # the overview's first screen
        parts += [_html_text(h.proto.body) for h in at.get("html")]
    return "\n".join(p for p in parts if p)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.out.append(data.strip())


def _html_text(body: str) -> str:
    """The text a person reads in an st.html block (its CSS left out)."""
    p = _TextParser()
    p.feed(body)
    return "\n".join(p.out)


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


class _StripParser(HTMLParser):
    """Reads the overview's first screen (ui.monday): its cards and its tables of units."""

    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, dict[str, str]] = {}
        self.boxes: dict[str, list[dict]] = {}
        self.titles: dict[str, str] = {}
        self._box: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._in_h = False
        self._card: str | None = None
        self._card_part: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-kpi" in a:
            self._card = a["data-kpi"]
            self.kpis[self._card] = {"value": a.get("data-value", ""), "label": ""}
        if self._card and tag == "div" and a.get("class") == "mon-label":
            self._card_part = "label"
        if tag == "section" and "data-box" in a:
            self._box = a["data-box"]
            self.boxes[self._box] = []
        elif tag == "h3" and self._box:
            self._in_h = True
        elif tag == "tr" and self._box:
            self._row = []
            self._href = None
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row is not None:
            self._href = a.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._card_part:
            self._card_part = None
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._box:
            if self._row:  # header rows have th cells only
                self.boxes[self._box].append({"cells": self._row, "href": self._href})
            self._row = None
        elif tag == "h3":
            self._in_h = False
        elif tag == "section":
            self._box = None
            self._card = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h and self._box:
            self.titles[self._box] = self.titles.get(self._box, "") + data
        if self._card and self._card_part == "label":
            self.kpis[self._card]["label"] += data


def _strip(at: AppTest) -> _StripParser:
    p = _StripParser()
    for h in at.get("html"):
        p.feed(h.proto.body)
    return p


def _kpi(at: AppTest, key: str) -> str:
    """The value on the overview's headline card ``key`` ("total", "group_1" … "group_6")."""
    kpis = _strip(at).kpis
    assert key in kpis, f"no card {key!r}: {list(kpis)}"
    return kpis[key]["value"]


def _scores_shown(at: AppTest) -> bool:
    """Does the page show scores: KPI cards (st.metric) or the overview's headline cards?"""
    return bool(at.metric) or bool(_strip(at).kpis)
