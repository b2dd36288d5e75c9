"""The protocol-level load generator (bench/bench_load.py, bench/st_protocol.py) against real
Streamlit servers: it times a rerun of a dashboard page until the script finishes, and counts an
exception element, a missing page and a refused connection as errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers.server import free_port, streamlit_server

from bench import bench_load as bl
from bench.procmem import RssSampler
from bench.st_protocol import DISCONNECTED, EXCEPTION, NOT_FOUND, OK, Session

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench_load")]

# A one-page app that fails on demand: ?boom=raise is an uncaught error, ?boom=shown an
# st.exception drawn by the script; otherwise a text and an st.error banner (not an error).
FAILING_APP = """
import streamlit as st

boom = st.query_params.get("boom")
if boom == "raise":
    raise ValueError("boom from the test script")
if boom == "shown":
    st.exception(RuntimeError("shown by the test script"))
st.error("a banner, not an exception")
st.write("fine")
"""


@pytest.fixture(scope="module")
def dashboard(demo_databases, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("bench_load")
    with streamlit_server(demo_databases.url("sqlite"), tmp / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def failing_app(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("bench_load_failing")
    script = tmp / "failing_app.py"
    script.write_text(FAILING_APP, encoding="utf-8")
    with streamlit_server("sqlite://", tmp / "server.log", script=script) as base:
        yield base


def _plan(url: str, pages: list[str], sessions: int = 1, rounds: int = 1) -> bl.Plan:
    return bl.Plan(url=url, sessions=sessions, pages=pages, burst=True, rounds=rounds,
                   timeout=90)


def test_a_dashboard_page_is_timed_until_its_script_finishes(dashboard: str):
    port = int(dashboard.rsplit(":", 1)[1])
    plan = _plan(dashboard, ["so-ban-nganh", "don-vi"], sessions=2)
    with RssSampler(ports=[port]) as sampler:
        samples, wall = asyncio.run(bl.run(plan))
    assert len(samples) == 4  # 2 sessions × (opening + 1 click round)
    for s in samples:
        r = s.result
        assert r.outcome == OK, r.detail
        assert r.ms > 0 and r.runs >= 1 and r.elements > 0
    assert {s.result.page for s in samples} == {"so-ban-nganh", "don-vi"}
    assert wall > 0
    assert sampler.peak_kb > 0 and sampler.processes >= 1  # the server found by its port
    report = bl.build_report(plan, samples, wall, sampler, f"port {port}")
    assert report["summary"]["overall"]["errors"] == 0
    assert report["summary"]["overall"]["p50_ms"] > 0
    table = bl.markdown(report)
    assert "`/so-ban-nganh`" in table and "`/don-vi`" in table


def test_a_click_in_the_same_session_goes_to_the_page_by_its_hash(dashboard: str):
    async def go() -> tuple[dict[str, str], list]:
        s = Session(dashboard, timeout=90)
        try:
            first = await s.open("")
            second = await s.rerun("xu-huong")
            missing = await s.rerun("khong-co-trang-nay")
        finally:
            await s.close()
        return s.pages, [first, second, missing]

    pages, (first, second, missing) = asyncio.run(go())
    assert {"", "so-ban-nganh", "don-vi", "xu-huong"} <= set(pages)  # the navigation's hashes
    assert first.outcome == OK and second.outcome == OK
    assert missing.outcome == NOT_FOUND and missing.error


@pytest.mark.parametrize("boom", ["raise", "shown"])
def test_an_exception_element_is_an_error(failing_app: str, boom: str):
    plan = _plan(failing_app, ["", f"?boom={boom}"])
    samples, wall = asyncio.run(bl.run(plan))
    by_query = {s.result.query: s.result for s in samples}
    fine, failed = by_query[""], by_query[f"boom={boom}"]
    assert fine.outcome == OK and fine.exceptions == 0 and fine.error_alerts == 1
    assert failed.outcome == EXCEPTION and failed.exceptions == 1 and failed.error
    assert failed.detail  # the message (redacted by the project's showErrorDetails = "none")
    summary = bl.summarise(samples, wall)
    assert summary["overall"]["errors"] == 1
    assert summary["errors_by_outcome"] == {EXCEPTION: 1}


def test_think_time_mode_clicks_in_the_same_session(failing_app: str):
    plan = bl.Plan(url=failing_app, sessions=2, pages=["", "?boom=none"], clicks=2,
                   think=(0.0, 0.2), timeout=60)
    samples, wall = asyncio.run(bl.run(plan))
    assert sorted((s.session, s.step) for s in samples) == [(0, 0), (0, 1), (0, 2),
                                                             (1, 0), (1, 1), (1, 2)]
    assert all(s.result.outcome == OK and s.result.ms > 0 for s in samples)
    # session i starts at the i-th page and walks the list in turn
    assert [s.result.query for s in sorted(samples, key=lambda s: (s.session, s.step))
            if s.session == 1] == ["boom=none", "", "boom=none"]


def test_a_refused_connection_is_an_error():
    res = asyncio.run(Session(f"http://127.0.0.1:{free_port()}", timeout=5).open(""))
    assert res.outcome == DISCONNECTED and res.error and res.detail


def test_page_templates_draw_units_and_weeks_and_drop_empty_parameters():
    import random

    rng = random.Random(1)
    filled = bl.fill("don-vi?unit={unit}&week={week}", rng, ["48.1"], ["2026-W10"])
    assert filled == "don-vi?unit=48.1&week=2026-W10"
    assert bl.fill("don-vi?unit={unit}&week={week}", rng, [], []) == "don-vi"
    assert bl.percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert bl.percentile([], 95) is None


def test_main_writes_the_table_and_json(failing_app: str, tmp_path: Path, capsys):
    out = tmp_path / "load.json"
    code = bl.main(["--url", failing_app, "--sessions", "2", "--burst", "--rounds", "1",
                    "--page", "", "--page", "?boom=raise", "--json", str(out)])
    assert code == 1  # one session's click (or opening) raised
    assert "| page | n | p50 ms" in capsys.readouterr().out
    import json

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["overall"]["n"] == 4
    assert report["summary"]["overall"]["errors"] == 2
    assert report["meta"]["peak_rss_mb"] > 0
