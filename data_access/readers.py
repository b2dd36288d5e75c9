"""Streaming readers for CSV and XLSX imports: headers first, then rows in chunks.

Only the recognised columns are read (pandas ``usecols``; for XLSX the other cells are discarded
as each row is read), so personal-data columns never reach the validator, the database or the
rejected-rows file. Rows carry the number a user sees in a spreadsheet (the header is row 1).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

CHUNK_ROWS = 50_000  # rows per chunk: bounds memory, and large enough for vectorised work


class FileError(Exception):
    """A file that cannot be read at all (format, encoding, no header)."""


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _csv_dialect(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    # Excel in a Vietnamese locale (decimal comma) saves with ";"; some systems use tabs.
    return max((",", ";", "\t"), key=first.count)


def read_headers(path: Path) -> list[str]:
    try:
        if is_xlsx(path):
            return _xlsx_headers(path)
        sep = _csv_dialect(path)
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, delimiter=sep), [])
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as e:
        raise FileError(str(e)) from e
    if not any(h.strip() for h in header):
        raise FileError("no header")
    return [h.strip() for h in header]


def iter_frames(path: Path, used: dict[str, str], chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Chunks of non-empty rows: one column per canonical header (``used``: original header ->
    canonical), cells as text (XLSX: as ``_cell`` renders them), index = spreadsheet row number."""
    try:
        if is_xlsx(path):
            yield from _xlsx_frames(path, used, chunk_rows)
        else:
            yield from _csv_frames(path, used, chunk_rows)
    except (UnicodeDecodeError, pd.errors.ParserError) as e:
        raise FileError(str(e)) from e


def _csv_frames(path: Path, used: dict[str, str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    sep = _csv_dialect(path)
    reader = pd.read_csv(
        path,
        sep=sep,
        # Python strings (object), not pandas' string dtype: the validator works on Python
        # strings anyway, and the parser builds them about three times faster.
        dtype=object,
        keep_default_na=False,
        usecols=lambda h: h.strip() in used,
        encoding="utf-8-sig",
        skip_blank_lines=False,  # keep row numbers exact; empty rows are dropped below
        chunksize=chunk_rows,
    )
    start = 2
    for chunk in reader:
        chunk.columns = [used[c.strip()] for c in chunk.columns]
        chunk.index = pd.RangeIndex(start, start + len(chunk))
        start += len(chunk)
        yield chunk[(chunk != "").any(axis=1)]


def _cell(v: object) -> object:
    """A spreadsheet cell as the text the validator expects."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date | time):
        return v.isoformat()
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _open_sheet(path: Path):  # noqa: ANN202 - openpyxl worksheet
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    return wb, wb.worksheets[0]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple]]:
    wb, ws = _open_sheet(path)
    try:
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()


def _xlsx_headers(path: Path) -> list[str]:
    for _, values in _xlsx_rows(path):
        return ["" if v is None else str(v).strip() for v in values]
    return []


def _xlsx_frames(path: Path, used: dict[str, str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    rows_iter = _xlsx_rows(path)
    _, header = next(rows_iter)
    header = ["" if v is None else str(v).strip() for v in header]
    positions = [(i, used[h]) for i, h in enumerate(header) if h in used]
    columns = [c for _, c in positions]
    numbers: list[int] = []
    rows: list[list[str]] = []
    for n, values in rows_iter:
        row = [_cell(values[i]) if i < len(values) else "" for i, _ in positions]
        if any(row):
            numbers.append(n)
            rows.append(row)
        if len(rows) >= chunk_rows:
            yield pd.DataFrame(rows, columns=columns, index=numbers, dtype=object)
            numbers, rows = [], []
    if rows:
        yield pd.DataFrame(rows, columns=columns, index=numbers, dtype=object)
