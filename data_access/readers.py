"""Streaming readers for CSV and XLSX imports: headers first, then rows in chunks.

Only the recognised columns are kept (CSV: each chunk is cut down to them as soon as it is
parsed; XLSX: the other cells are discarded as each row is read), so personal-data columns never
reach the validator, the database or the rejected-rows file. Rows carry the number a user sees
in a spreadsheet (the header is row 1).

Hostile files are refused with a ``FileError`` before they can exhaust memory: data_access.sniff
checks the encoding of a CSV and the size and shape of an XLSX, a header is at most
``MAX_COLUMNS`` wide, and a cell at most ``MAX_CELL_CHARS`` long. A CSV row with more cells than
the header has columns makes the whole file unreadable (the parser reports it with its line).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from data_access.sniff import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    FileError,
    check_csv,
    check_xlsx,
    decode_error,
    detect_encoding,
)
from texts import t

__all__ = ["FileError", "is_xlsx", "read_headers", "iter_frames"]

CHUNK_ROWS = 50_000  # rows per chunk: bounds memory, and large enough for vectorised work
_EXTRA_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _csv_dialect(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as f:
        first = f.readline(1 << 20)
    # Excel in a Vietnamese locale (decimal comma) saves with ";"; some systems use tabs.
    return max((",", ";", "\t"), key=first.count)


def _checked_header(header: list[str]) -> list[str]:
    header = [h.strip() for h in header]
    while header and not header[-1]:  # formatted but empty cells at the right
        header.pop()
    if not any(header):
        raise FileError(t("import.file.no_header"))
    if len(header) > MAX_COLUMNS:
        raise FileError(t("import.file.too_many_columns", n=len(header), max=MAX_COLUMNS))
    if max(map(len, header)) > MAX_CELL_CHARS:
        raise FileError(t("import.file.cell_too_long", n=MAX_CELL_CHARS))
    return header


def read_headers(path: Path) -> list[str]:
    """The header row, stripped (trailing empty cells dropped); FileError when unreadable."""
    try:
        if is_xlsx(path):
            check_xlsx(path)
            return _checked_header(_xlsx_headers(path))
        check_csv(path)
        enc = detect_encoding(path)
        sep = _csv_dialect(path, enc)
        with path.open(encoding=enc, newline="") as f:
            header = next(csv.reader(f, delimiter=sep), [])
    except FileError:
        raise
    except UnicodeDecodeError as e:
        raise decode_error(e) from None
    except csv.Error as e:
        raise FileError(t("import.file.csv_error", error=e)) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises anything on a damaged workbook
        raise FileError(t("import.file.bad_file", error=type(e).__name__)) from None
    return _checked_header(header)


def iter_frames(path: Path, used: dict[str, str], chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Chunks of non-empty rows: one column per canonical header (``used``: original header ->
    canonical), cells as text (XLSX: as ``_cell`` renders them), index = spreadsheet row number."""
    try:
        (check_xlsx if is_xlsx(path) else check_csv)(path)  # done by read_headers: remembered
        frames = _xlsx_frames(path, used, chunk_rows) if is_xlsx(path) else _csv_frames(path, used, chunk_rows)
        for frame in frames:
            _check_cells(frame)
            yield frame
    except FileError:
        raise
    except UnicodeDecodeError as e:
        raise decode_error(e) from None
    except pd.errors.ParserError as e:
        m = _EXTRA_FIELDS.search(str(e))
        if m:
            raise FileError(t("import.file.extra_fields", row=m.group(2), n=m.group(3),
                              columns=m.group(1))) from None  # fmt: skip
        raise FileError(t("import.file.csv_error", error=str(e).splitlines()[-1])) from None
    except MemoryError:
        raise FileError(t("import.file.too_big")) from None
    except Exception as e:  # noqa: BLE001 - openpyxl raises anything on a damaged workbook
        raise FileError(t("import.file.bad_file", error=type(e).__name__)) from None


def _check_cells(frame: pd.DataFrame) -> None:
    for col in frame.columns:
        # cells are text here (CSV as parsed, XLSX as _cell renders them)
        if max(map(len, frame[col].to_numpy(dtype=object)), default=0) > MAX_CELL_CHARS:
            raise FileError(t("import.file.cell_too_long", n=MAX_CELL_CHARS))


def _csv_frames(path: Path, used: dict[str, str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    enc = detect_encoding(path)
    sep = _csv_dialect(path, enc)
    reader = pd.read_csv(
        path,
        sep=sep,
        # Python strings (object), not pandas' string dtype: the validator works on Python
        # strings anyway, and the parser builds them about three times faster.
        dtype=object,
        keep_default_na=False,
        # Every column is parsed (no usecols): with usecols the parser silently drops the cells
        # of a row that has more of them than the header, and such a row is a broken export.
        encoding=enc,
        skip_blank_lines=False,  # keep row numbers exact; empty rows are dropped below
        chunksize=chunk_rows,
    )
    start = 2
    for chunk in reader:
        keep = [c for c in chunk.columns if str(c).strip() in used]
        number = pd.RangeIndex(start, start + len(chunk))
        start += len(chunk)
        chunk = chunk[keep].fillna("")  # a short row's missing cells are empty
        chunk.columns = [used[str(c).strip()] for c in keep]
        chunk.index = number
        yield chunk[(chunk != "").any(axis=1).to_numpy()] if len(keep) else chunk.iloc[0:0]


def _cell(v: object) -> str:
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


def _xlsx_headers(path: Path) -> list[str]:
    wb, ws = _open_sheet(path)
    try:
        for values in ws.iter_rows(max_row=1, values_only=True):
            return ["" if v is None else str(v) for v in values]
        return []
    finally:
        wb.close()


def _xlsx_frames(path: Path, used: dict[str, str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    wb, ws = _open_sheet(path)
    try:
        rows_iter = ws.iter_rows(values_only=True)
        header = _checked_header(["" if v is None else str(v) for v in next(rows_iter, ())])
        positions = [(i, used[h]) for i, h in enumerate(header) if h in used]
        columns = [c for _, c in positions]
        # Cells to the right of the header are not read: a row is never wider than the header.
        rows_iter = ws.iter_rows(min_row=2, max_col=len(header), values_only=True)
        numbers: list[int] = []
        rows: list[list[str]] = []
        for n, values in enumerate(rows_iter, start=2):
            row = [_cell(values[i]) if i < len(values) else "" for i, _ in positions]
            if any(row):
                numbers.append(n)
                rows.append(row)
            if len(rows) >= chunk_rows:
                yield pd.DataFrame(rows, columns=columns, index=numbers, dtype=object)
                numbers, rows = [], []
        if rows:
            yield pd.DataFrame(rows, columns=columns, index=numbers, dtype=object)
    finally:
        wb.close()
