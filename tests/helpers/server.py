"""A real ``streamlit run`` server of the dashboard on a given database, for browser tests that
need data of their own (tests/e2e/conftest.py's ``app_server`` serves the shared demo)."""

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

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db_url: str, log_path: Path, start_timeout: float = 60,
                     script: Path | None = None) -> Iterator[str]:
    """The base URL of a dashboard on ``db_url`` (output in ``log_path``), stopped afterwards;
    ``script`` serves another Streamlit script instead of app.py (still run from the project's
    directory, so its .streamlit/config.toml applies). Raises RuntimeError (with the log's end) when it
    does not answer in time."""
    port = free_port()
    env = {**os.environ, "REFORM_DB_URL": db_url}
    env.pop("REFORM_GEOJSON_DISTRICTS", None)
    env.pop("REFORM_GEOJSON_COMMUNES", None)
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    out = log_path.read_text(encoding="utf-8", errors="replace")
                    raise RuntimeError(f"streamlit did not start:\n{out[-3000:]}") from None
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
