"""Running the dashboard headless (streamlit.testing.v1.AppTest) and reading what it shows.

``_app_env`` is an autouse fixture: a test module imports it to make it apply to its tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/departments.py",
    "pages/districts.py",
    "pages/trends.py",
    "pages/lagging.py",
    "pages/unit.py",
    "pages/official.py",
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


def _texts(at: AppTest) -> str:
    """Everything readable on the page (markdown, captions, notices, titles), one string."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")
