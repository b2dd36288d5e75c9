"""End-to-end fixtures: a real `streamlit run` server on a small demo database, and headless
Chromium driven by Playwright (Debian's chromium; Playwright may not download its own browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("REFORM_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required under CI but missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo, or the database named by REFORM_E2E_DB (e.g. the full-scale demo, to run
    the browser tests at the real province's size by hand; only read)."""
    from data_access.engine import get_engine
    from scorecard.pipeline import generate_demo

    if os.environ.get("REFORM_E2E_DB"):
        return os.environ["REFORM_E2E_DB"]

    path = tmp_path_factory.mktemp("e2e") / "reform.db"
    url = f"sqlite:///{path}"
    eng = get_engine(url)
    generate_demo(eng, scale=0.01, seed=766, progress=False)
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboard server's output. A file, not a pipe: nobody reads a pipe while the tests
    run, so a chatty server would block once the pipe buffer is full; and a failing test can
    show the traceback the browser only shows redacted."""
    return tmp_path_factory.mktemp("e2e_log") / "server.log"


@contextmanager
def serve(db_url: str, log_path: Path) -> Iterator[str]:
    """A new `streamlit run` process on ``db_url`` (output to ``log_path``): its base URL.

    Each call is a fresh Python process, so Streamlit's process-wide state starts anew, as after
    a real server start (e.g. whether the app uses st.navigation, learnt on its first run).
    """
    _require_chromium()
    port = _free_port()
    env = {**os.environ, "REFORM_DB_URL": db_url}
    # No boundary configured: the browser tests see the maps a new user sees (the shipped
    # MIT-licensed default boundaries, assets/geo), not a developer's file.
    env.pop("REFORM_GEOJSON_DISTRICTS", None)
    env.pop("REFORM_GEOJSON_COMMUNES", None)
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.headless", "true", "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        log.close()
        out = log_path.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"streamlit did not start:\n{out[-3000:]}")
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def app_server(e2e_db: str, server_log: Path) -> Iterator[str]:
    """Base URL of a running dashboard, shared by the session."""
    with serve(e2e_db, server_log) as base:
        yield base


@pytest.fixture
def fresh_server(e2e_db: str, tmp_path: Path) -> Iterator[str]:
    """Base URL of a dashboard started for this test alone: its first page request is the
    first one the process ever serves (a server just (re)started), unlike ``app_server``,
    which earlier tests have already visited. Its log is ``tmp_path / "server.log"``."""
    with serve(e2e_db, tmp_path / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    """A 1920×1080 page that records console errors in ``page.console_errors``."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    ctx.close()
