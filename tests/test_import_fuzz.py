"""Fuzzing the importer (Hypothesis): random headers, cells, encodings, sizes, CSV and XLSX bytes,
garbage and damaged workbooks. Whatever the input, ``import_file`` returns a result with
Vietnamese messages and never raises; a rejected file leaves the fact and reference tables as
they were; memory stays within a bound for small inputs."""

from __future__ import annotations

import csv
import hashlib
import io
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.import_files import (
    CATALOGUE,
    CATALOGUE_HEADERS,
    DOSSIER_HEADERS,
    FEEDBACK_HEADERS,
    LINEAGE_HEADERS,
    UNIT_HEADERS,
    write_csv,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine, select

from data_access import schema as s
from data_access.importer import import_file, import_files

pytestmark = pytest.mark.slow

PEAK_LIMIT = 64 * 1024 * 1024  # bytes traced while importing an input of a few kilobytes
_TODAY = date.today()
_VALUES = [
    "", "A1", "B2", "1.001", "2.001", "20335", "SCT", "502", "commune", "Cấp xã", "1", "0", "2",
    "10", "4", "x", "=1+1", "@SUM(A1)", "-3", "1e308", "nan", "2024-13-40", "31/02/2024",
    _TODAY.isoformat(), (_TODAY - timedelta(days=3)).isoformat(), "2200-01-01", "1999-12-31",
    (_TODAY + timedelta(days=400)).isoformat(), "15,6", "0,4", "40%", "\u202eA", "A\x00B", "\x07", "Đ" * 40,
]  # fmt: skip
_HEADERS = sorted({*DOSSIER_HEADERS, *FEEDBACK_HEADERS, *UNIT_HEADERS, *CATALOGUE_HEADERS,
                   *LINEAGE_HEADERS, "HoTen", "", " MaHoSo ", "mã hồ sơ", "Unnamed"})  # fmt: skip

cells = st.one_of(st.sampled_from(_VALUES), st.text(max_size=30))
headers = st.lists(st.one_of(st.sampled_from(_HEADERS), st.text(max_size=12)), min_size=0, max_size=12)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258", "latin-1"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    head = draw(headers)
    width = len(head)
    rows = draw(st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=8))
    return head, rows


def _csv_bytes(head: list[str], rows: list[list[str]], encoding: str, sep: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(head)
    w.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(head: list[str], rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in [head, *rows]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, content) of a file to import."""
    shape = draw(st.sampled_from(["csv", "csv", "xlsx", "garbage", "cut_xlsx"]))
    if shape == "garbage":
        return draw(st.sampled_from([".csv", ".xlsx"])), draw(st.binary(max_size=2000))
    head, rows = draw(tables())
    if shape == "csv":
        return ".csv", _csv_bytes(head, rows, draw(encodings), draw(st.sampled_from([",", ";", "\t"])))
    data = _xlsx_bytes(head, rows)
    if shape == "cut_xlsx":
        data = data[: draw(st.integers(0, len(data)))]
    return ".xlsx", data


def _content(engine: Engine) -> str:
    h = hashlib.sha256()
    with engine.connect() as c:
        for table in (s.dossier, s.feedback, s.unit, s.procedure, s.field, s.unit_lineage):
            for row in sorted(map(repr, c.execute(select(table)).all())):
                h.update(row.encode())
    return h.hexdigest()


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    assert import_files(engine, [write_csv(tmp_path / "c.csv", CATALOGUE_HEADERS, CATALOGUE)]) == 0
    return engine


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(file=files(), skip_invalid=st.booleans())
def test_any_input_gives_a_message_and_no_half_write(loaded: Engine, tmp_path: Path,
                                                     file: tuple[str, bytes], skip_invalid: bool):  # fmt: skip
    suffix, content = file
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    before = _content(loaded)
    tracemalloc.start()
    try:
        res = import_file(loaded, path, skip_invalid=skip_invalid)  # must not raise
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.messages and all(isinstance(m, str) and m for m in res.messages)
    assert not any("Traceback" in m for m in res.messages)
    if not res.ok:
        assert _content(loaded) == before
        assert any(str(path) in m for m in res.messages)
    if len(content) < 100_000:
        assert peak < PEAK_LIMIT
