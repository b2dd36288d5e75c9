"""Chunk validation for imports: the vectorised twin of ``validate.validate_row``.

Validating a 1M-row export row by row spends most of its time in Python, once per cell. Here a
chunk (text cells keyed by canonical header, indexed by spreadsheet row number) is validated
column by column:
- codes and texts: vectorised strip and length checks;
- date-times in the shapes exports use (``YYYY-MM-DD[ HH:MM[:SS]]``, ``dd/mm/yyyy[ HH:MM[:SS]]``)
  are parsed by numpy from the characters; any other text goes to validate.py's parser;
- every other type: validate.py's own parser, once per distinct value (a handful of codes);
- the cross-column checks (known units and procedures, dates not before the received day).

The fast path only ever *accepts* rows; a row it does not accept is handed to ``validate_row``,
which supplies the reasons in its own words and order. So both paths reject the same rows with
the same reasons, and accepted rows hold the values the same parsers return. tests/test_validate.py
checks the agreement on random and edge-case rows; keep ``_UNIT_CHECKS``/``_ORDER_CHECKS`` in
step with the ``_check_*`` functions of validate.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_access import formats as fm
from data_access.formats import Col, Kind
from data_access.validate import (
    _PARSERS,
    BAD_CODE,
    BAD_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    WINDOW_CHECKS,
    Reference,
    _text,
    validate_row,
)

_INT_TYPES = {fm.INT, fm.FLAG, fm.SATISFIED, fm.CHANNEL, fm.PAYMENT, fm.ONLINE_LEVEL, fm.STATUS}

# Columns that must name a known unit, and (start, end) pairs where end may not be an earlier day.
_UNIT_CHECKS = {
    "dossier": ("unit_code",),
    "feedback": ("unit_code",),
    "catalogue": ("agency_code",),
    "units": ("parent_code", "successor_code"),
    "lineage": ("old_code", "new_code"),
}
_ORDER_CHECKS = {
    "dossier": (("received_at", "due_at"), ("received_at", "finished_at"), ("received_at", "returned_at")),
    "feedback": (("received_at", "due_at"), ("received_at", "handled_at")),
    "catalogue": (),
    "units": (("valid_from", "valid_to"),),
    "lineage": (),
}

# Fixed-width date-time shapes: digits where a letter is, "?" is " " or "T", the rest literal.
_SHAPES = (
    "YYYY-MM-DD",
    "YYYY-MM-DD?hh:mm",
    "YYYY-MM-DD?hh:mm:ss",
    "DD/MM/YYYY",
    "DD/MM/YYYY?hh:mm",
    "DD/MM/YYYY?hh:mm:ss",
)
_NAT = np.datetime64("NaT", "ns")
# SQL NULL in an object array (numpy's stubs do not accept a bare None as np.where's value)
_NULL = np.array(None, dtype=object)


@dataclass
class FrameResult:
    valid: pd.DataFrame  # normalised rows: schema column -> typed values; index = row number
    bad: dict[int, list[str]]  # row number -> reasons, in row order


def _objects(values: list) -> np.ndarray:
    """A 1-D object array, whatever the values (np.array would unpack sequences)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _lengths(text: np.ndarray) -> np.ndarray:
    return np.fromiter(map(len, text), dtype=np.int64, count=len(text))


def is_nullable(col: Col) -> bool:
    return col.default is None and not col.required


# --- cells ------------------------------------------------------------------------------------


def _texts(frame: pd.DataFrame, header: str) -> np.ndarray:
    """Stripped text of a column as a numpy object array ("" when the column is absent)."""
    if header not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    s = frame[header]
    values = s.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(s, skipna=False) == "string" and not s.isna().any():
        # Python's strip, not the string dtype's: both paths must agree on what is whitespace.
        return _objects([v.strip() for v in values])
    return _objects([_text(v) for v in values])  # spreadsheet values: as validate does


def _matches(pattern: re.Pattern, text: np.ndarray) -> np.ndarray:
    """Cells where ``pattern`` is found; one search over the whole column first, since clean
    columns (nearly all) need nothing more."""
    if not len(text) or not pattern.search("".join(text)):
        return np.zeros(len(text), dtype=bool)
    return np.fromiter((pattern.search(v) is not None for v in text), dtype=bool, count=len(text))


def _per_value(col: Col, text: np.ndarray, todo: np.ndarray, ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    """validate.py's parser applied once per distinct text among ``todo``: (values, bad)."""
    values = np.full(len(text), None, dtype=object)
    bad = np.zeros(len(text), dtype=bool)
    if not todo.any():
        return values, bad
    codes, uniques = pd.factorize(text[todo])
    parsed = np.full(len(uniques), None, dtype=object)
    ok = np.ones(len(uniques), dtype=bool)
    parse = _PARSERS[col.type]
    for i, u in enumerate(uniques):
        try:
            parsed[i] = parse(u, col, ref)
        except Exception:  # noqa: BLE001 - any failure sends the row to validate_row
            ok[i] = False
    values[todo] = parsed[codes]
    bad[todo] = ~ok[codes]
    return values, bad


def _digits(chars: np.ndarray, shape: str, letter: str) -> np.ndarray:
    out = np.zeros(len(chars), dtype=np.int64)
    for i, ch in enumerate(shape):
        if ch == letter:
            out = out * 10 + (chars[:, i] - 48)
    return out


def _shape_datetimes(text: np.ndarray, shape: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells of exactly ``shape``: (datetime64[ns] values, ok) for the cells given."""
    chars = text.astype(f"U{len(shape)}").view(np.uint32).reshape(len(text), len(shape))
    ok = np.ones(len(text), dtype=bool)
    for i, ch in enumerate(shape):
        c = chars[:, i]
        if ch.isalpha():
            ok &= (c >= 48) & (c <= 57)
        elif ch == "?":
            ok &= (c == 32) | (c == 84)
        else:
            ok &= c == ord(ch)
    chars = chars.astype(np.int64)
    y, mo, d = (_digits(chars, shape, k) for k in "YMD")
    hh, mm, ss = (_digits(chars, shape, k) for k in "hms")
    ok &= (y >= MIN_YEAR) & (y <= MAX_YEAR) & (mo >= 1) & (mo <= 12) & (d >= 1)
    ok &= (hh <= 23) & (mm <= 59) & (ss <= 59)
    month = ((np.where(ok, y, 2000) - 1970) * 12 + np.where(ok, mo, 1) - 1).astype("datetime64[M]")
    month_days = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    ok &= d <= month_days
    seconds = ((np.where(ok, d, 1) - 1) * 86400 + hh * 3600 + mm * 60 + ss).astype("timedelta64[s]")
    values = month.astype("datetime64[s]") + seconds
    return values.astype("datetime64[ns]"), ok


def _datetimes(col: Col, text: np.ndarray, empty: np.ndarray, ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(len(text), _NAT)
    lengths = _lengths(text)
    todo = ~empty
    for shape in _SHAPES:
        idx = np.flatnonzero(todo & (lengths == len(shape)))
        if len(idx):
            values, ok = _shape_datetimes(text[idx], shape)
            out[idx[ok]] = values[ok]
            todo[idx[ok]] = False
    slow, bad = _per_value(col, text, todo, ref)
    if todo.any():
        fine = todo & ~bad
        out[fine] = np.array(list(slow[fine]), dtype="datetime64[us]").astype("datetime64[ns]")
    return out, bad


def typed(col: Col, values: np.ndarray) -> np.ndarray:
    """Python values (None for missing) as the column's frame dtype: what writers and
    bulk.insert_frame expect (nullable integers stay Python objects, never floats)."""
    if col.type in _INT_TYPES and not is_nullable(col):
        return np.where(pd.isna(values), 0, values).astype(np.int64)
    if col.type == fm.DATETIME:
        return np.array(list(values), dtype="datetime64[us]").astype("datetime64[ns]")
    if col.type in (fm.FLOAT, fm.SHARE):
        return values.astype(np.float64)
    return values


def _column(col: Col, text: np.ndarray, ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    """One column of a chunk: (typed values, bad cell) with defaults for empty cells."""
    empty = text == ""
    if col.type == fm.DATETIME:
        values, bad = _datetimes(col, text, empty, ref)
    elif col.type in (fm.CODE, fm.TEXT):
        values = np.where(empty, _NULL, text)
        bad = _lengths(text) > col.max_len if col.max_len else np.zeros(len(text), dtype=bool)
        bad |= _matches(BAD_CODE if col.type == fm.CODE else BAD_TEXT, text)
    else:
        values, bad = _per_value(col, text, ~empty, ref)
        values[empty] = col.default
        values = typed(col, values)
    if col.required:
        bad = bad | empty
    return values, bad


# --- rows ---------------------------------------------------------------------------------------


def _days(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    return np.array(list(values), dtype="datetime64[D]")  # python dates (units), None -> NaT


def _cross_checks(kind: Kind, cols: dict[str, np.ndarray], ref: Reference) -> np.ndarray:
    bad = np.zeros(len(next(iter(cols.values()))), dtype=bool)
    for name in _UNIT_CHECKS[kind.name]:
        v = cols[name]
        bad |= ~pd.isna(v) & ~pd.Series(v).isin(ref.units).to_numpy()
    for start, end in _ORDER_CHECKS[kind.name]:
        a, b = _days(cols[start]), _days(cols[end])
        bad |= ~np.isnat(a) & ~np.isnat(b) & (b < a)
    for column, _, due in WINDOW_CHECKS.get(kind.name, ()):
        days = _days(cols[column])
        latest = ref.latest_due if due else ref.latest
        if ref.earliest is not None:
            bad |= ~np.isnat(days) & (days < np.datetime64(ref.earliest, "D"))
        if latest is not None:
            bad |= ~np.isnat(days) & (days > np.datetime64(latest, "D"))
    if kind is fm.DOSSIER:
        proc, field = cols["procedure_code"], cols["field_code"]
        codes, uniques = pd.factorize(proc, use_na_sentinel=True)
        known = np.array([u in ref.procedures for u in uniques] + [True], dtype=bool)
        fields = np.array([ref.procedures.get(u) for u in uniques] + [None], dtype=object)
        bad |= ~known[codes]  # code -1 (no procedure) picks the trailing True / None
        fill = pd.isna(field)
        field[fill] = fields[codes[fill]]  # the export may leave the field to the catalogue
    if kind is fm.LINEAGE:
        bad |= _lineage_checks(cols, ref)
    return bad


def _validity_bound(codes: np.ndarray, ref: Reference, which: int) -> np.ndarray:
    """Each unit's valid_from (0) or valid_to (1) as datetime64[D], NaT when open or unknown."""
    bounds = {c: v[which] for c, v in ref.unit_validity.items() if v[which] is not None}
    found = [bounds.get(c) for c in codes]  # a dict lookup: Series.map would give NaN, not None
    return _days(_objects(found))


def _lineage_checks(cols: dict[str, np.ndarray], ref: Reference) -> np.ndarray:
    """validate._check_lineage over a chunk: old != new, the new unit valid on the day, the old
    one on the day before, and no group whose shares the file sums above 1."""
    old, new, days = cols["old_code"], cols["new_code"], _days(cols["valid_from"])
    bad = (old == new) & ~pd.isna(old)
    for codes, day in ((new, days), (old, days - np.timedelta64(1, "D"))):
        start, end = _validity_bound(codes, ref, 0), _validity_bound(codes, ref, 1)
        bad |= ~np.isnat(day) & ~np.isnat(start) & (day < start)
        bad |= ~np.isnat(day) & ~np.isnat(end) & (day > end)
    if ref.overfull_shares:
        over = ref.overfull_shares
        bad |= np.fromiter(((o, d) in over for o, d in zip(old, cols["valid_from"], strict=True)),
                           dtype=bool, count=len(old))  # fmt: skip
    return bad


def validate_frame(kind: Kind, frame: pd.DataFrame, ref: Reference) -> FrameResult:
    """Validate a chunk; the valid rows normalised, the invalid ones with their reasons.

    ``frame``: canonical header -> cell (text, or whatever a spreadsheet cell held), index =
    row number. Agrees with ``validate_row`` row for row (see the module docstring).
    """
    cols: dict[str, np.ndarray] = {}
    bad = np.zeros(len(frame), dtype=bool)
    for col in kind.columns:
        cols[col.column], cell_bad = _column(col, _texts(frame, col.header), ref)
        bad |= cell_bad
    if len(frame):
        bad |= _cross_checks(kind, cols, ref)
    reasons: dict[int, list[str]] = {}
    rescued: list[tuple[int, dict]] = []  # rows the fast path was too cautious about
    headers = list(frame.columns)
    for n, values in zip(frame.index[bad], frame.loc[bad].itertuples(index=False, name=None), strict=True):
        out = validate_row(kind, dict(zip(headers, values, strict=True)), ref)
        if isinstance(out, dict):
            rescued.append((int(n), out))
        else:
            reasons[int(n)] = out
    keep = ~bad
    valid = pd.DataFrame({c: v[keep] for c, v in cols.items()}, index=frame.index[keep])
    if rescued:
        extra = {
            col.column: typed(col, _objects([r[col.column] for _, r in rescued]))
            for col in kind.columns
        }
        valid = pd.concat([valid, pd.DataFrame(extra, index=[n for n, _ in rescued])]).sort_index()
    return FrameResult(valid, reasons)
