"""Row validation for imports: pure functions, one row dict in, a normalised dict or reasons out.

``validate_row(kind, row, ref)`` takes a row keyed by canonical header (``MaHoSo``, …; values as
text, or whatever a spreadsheet cell held) and the reference data the row may point to, and returns
either a dict keyed by schema column with typed values, or a non-empty list of Vietnamese
reasons. It never raises on bad input: an importer must be able to report every bad row.
Duplicate codes within a file are the importer's business (it needs the whole file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from data_access import formats as fm
from data_access.derive import ALL_STATUSES, CHANNELS
from data_access.formats import Col, Kind, strip_accents
from texts import fmt_number, t

# Years outside this range are typing mistakes, and would overflow the date arithmetic of
# data_access.derive (pandas nanosecond timestamps end in 2262).
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_DAYS = 3650  # paused days / legal duration: anything longer is a mistake
SHARE_TOLERANCE = 1e-6  # shares that sum to 1 in decimal text may exceed it in binary floats
_SHOWN = 40  # characters of a bad value quoted in a reason


@dataclass(frozen=True)
class Reference:
    """What rows may refer to: known units, procedures (code -> field code) and levels."""

    units: frozenset[str] = frozenset()
    procedures: Mapping[str, str | None] = field(default_factory=dict)
    # normalised level code or name -> level code
    levels: Mapping[str, str] = field(default_factory=dict)
    # The window a dossier or feedback date must fall in (None: not checked): not before the
    # earliest unit's validity, not after the import's run date plus a horizon; due dates may
    # be a legal duration later (``latest_due``).
    earliest: date | None = None
    latest: date | None = None
    latest_due: date | None = None
    # unit code -> (valid_from, valid_to), None = open; a unit absent here is open both ways
    unit_validity: Mapping[str, tuple[date | None, date | None]] = field(default_factory=dict)
    # (old unit, day) -> the sum of a lineage file's shares, where it exceeds 1: a whole-file
    # fact (``overfull_shares``), looked up row by row so both validators reject the same rows
    overfull_shares: Mapping[tuple[str, date], float] = field(default_factory=dict)


class _BadValueError(Exception):
    """A value that cannot be parsed; carries the reason shown to the user."""


def _show(s: str) -> str:
    return s if len(s) <= _SHOWN else s[: _SHOWN - 1] + "…"


def _key(s: str) -> str:
    """Normalised vocabulary key: no diacritics, case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", strip_accents(s))


# --- dates ----------------------------------------------------------------------------------

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_datetime(s: str) -> datetime:
    """ISO (2024-01-05, 2024-01-05T08:30:00, 2024-01-05 08:30) or dd/mm/yyyy [hh:mm[:ss]].

    Raises ValueError for anything else (including impossible dates and absurd years).
    """
    s = s.strip()
    if _ISO.fullmatch(s):
        out = datetime.fromisoformat(s)
    else:
        m = _DMY.fullmatch(s)
        if not m:
            raise ValueError(s)
        d, mo, y, hh, mm, ss = m.groups()
        out = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    if not MIN_YEAR <= out.year <= MAX_YEAR:
        raise ValueError(s)
    return out


# --- value parsers: (text, column, reference) -> value, raising _BadValueError -------------------------

_INT = re.compile(r"\d+(?:\.0*)?")
_FLAGS = {
    "1": 1, "true": 1, "co": 1, "x": 1, "yes": 1, "y": 1,
    "0": 0, "false": 0, "khong": 0, "no": 0, "n": 0,
}  # fmt: skip
_SATISFIED = {**_FLAGS, "hailong": 1, "khonghailong": 0}
_CHANNELS = {"1": 1, "tructiep": 1, "2": 2, "tructuyen": 2, "3": 3, "buuchinh": 3}
_PAYMENTS = {"0": 0, "khong": 0, "1": 1, "2": 2}
_ONLINE_LEVELS = {"0": 0, "khong": 0, "1": 1, "motphan": 1, "2": 2, "toantrinh": 2}


def _int_text(s: str) -> int | None:
    return int(float(s)) if _INT.fullmatch(s) else None


# Control characters (C0 but tab and line breaks, DEL, C1) make a text unprintable and break
# PostgreSQL (NUL). Codes may not hold any control character, nor the invisible marks that
# reorder how a text is shown (bidi embedding/override/isolate, LRM/RLM): a code that looks
# like another one must not be a different code.
BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BAD_CODE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _checked(s: str, col: Col, bad: re.Pattern[str]) -> str:
    """``s`` when within the column's length and free of ``bad`` characters."""
    if col.max_len and len(s) > col.max_len:
        raise _BadValueError(t("import.reason.too_long", col=col.header, n=col.max_len))
    m = bad.search(s)
    if m:
        raise _BadValueError(t("import.reason.bad_char", col=col.header, char=f"U+{ord(m.group()):04X}",
                               pos=m.start() + 1))  # fmt: skip
    return s


def _p_code(s: str, col: Col, ref: Reference) -> str:
    return _checked(s, col, BAD_CODE)


def _p_text(s: str, col: Col, ref: Reference) -> str:
    return _checked(s, col, BAD_TEXT)


def _p_datetime(s: str, col: Col, ref: Reference) -> datetime:
    try:
        return parse_datetime(s)
    except ValueError:
        raise _BadValueError(t("import.reason.bad_date", col=col.header, value=_show(s))) from None


def _p_date(s: str, col: Col, ref: Reference) -> date:
    return _p_datetime(s, col, ref).date()


def _p_int(s: str, col: Col, ref: Reference) -> int:
    n = _int_text(s)
    if n is None or n > MAX_DAYS:
        raise _BadValueError(t("import.reason.bad_int", col=col.header, value=_show(s), max=MAX_DAYS))
    return n


def _p_float(s: str, col: Col, ref: Reference) -> float:
    try:
        x = float(s.replace(",", "."))
    except ValueError:
        raise _BadValueError(t("import.reason.bad_number", col=col.header, value=_show(s))) from None
    limit = 90.0 if col.column == "lat" else 180.0
    if not -limit <= x <= limit:  # also rejects nan
        raise _BadValueError(t("import.reason.out_of_range", col=col.header, value=_show(s)))
    return x


def parse_share(s: str) -> float:
    """A share as written: ``0.4``, ``0,4`` or ``40%`` -> 0.4 (ValueError if not a number)."""
    s = s.strip()
    percent = s.endswith("%")
    x = float((s[:-1] if percent else s).strip().replace(",", "."))
    return x / 100 if percent else x


def _p_share(s: str, col: Col, ref: Reference) -> float:
    try:
        x = parse_share(s)
    except ValueError:
        raise _BadValueError(t("import.reason.bad_number", col=col.header, value=_show(s))) from None
    if not 0 < x <= 1:  # also rejects nan
        raise _BadValueError(t("import.reason.bad_share", col=col.header, value=_show(s)))
    return x


def _vocab(table: Mapping[str, int], reason: str) -> Callable[[str, Col, Reference], int]:
    def parse(s: str, col: Col, ref: Reference) -> int:
        v = table.get(s)  # fast path: the plain codes real exports use
        if v is not None:
            return v
        n = _int_text(s)
        k = str(n) if n is not None else _key(s)
        if k not in table:
            raise _BadValueError(t(reason, col=col.header, value=_show(s)))
        return table[k]

    return parse


def _p_status(s: str, col: Col, ref: Reference) -> int:
    n = _int_text(s)
    if n is None or n not in ALL_STATUSES:
        raise _BadValueError(t("import.reason.bad_status", col=col.header, value=_show(s)))
    return n


def _p_level(s: str, col: Col, ref: Reference) -> str:
    code = ref.levels.get(_key(s))
    if code is None:
        raise _BadValueError(t("import.reason.unknown_level", col=col.header, value=_show(s)))
    return code


_PARSERS: dict[str, Callable[[str, Col, Reference], object]] = {
    fm.CODE: _p_code,
    fm.TEXT: _p_text,
    fm.DATETIME: _p_datetime,
    fm.DATE: _p_date,
    fm.INT: _p_int,
    fm.FLOAT: _p_float,
    fm.SHARE: _p_share,
    fm.FLAG: _vocab(_FLAGS, "import.reason.bad_flag"),
    fm.SATISFIED: _vocab(_SATISFIED, "import.reason.bad_flag"),
    fm.CHANNEL: _vocab(_CHANNELS, "import.reason.bad_channel"),
    fm.PAYMENT: _vocab(_PAYMENTS, "import.reason.bad_payment"),
    fm.ONLINE_LEVEL: _vocab(_ONLINE_LEVELS, "import.reason.bad_online_level"),
    fm.STATUS: _p_status,
    fm.LEVEL: _p_level,
}
assert set(CHANNELS) == set(_CHANNELS.values())  # the two lists must agree


def _text(v: object) -> str:
    if type(v) is str:  # the usual case, checked first: this runs for every cell
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN from a spreadsheet reader
        return ""
    return str(v).strip()


def _parse_columns(kind: Kind, row: Mapping[str, object], ref: Reference) -> tuple[dict, list[str]]:
    out: dict[str, object] = {}
    reasons: list[str] = []
    for col in kind.columns:
        s = _text(row.get(col.header))
        if not s:
            if col.required:
                reasons.append(t("import.reason.missing", col=col.header))
            out[col.column] = col.default
            continue
        try:
            out[col.column] = _PARSERS[col.type](s, col, ref)
        except _BadValueError as e:
            reasons.append(str(e))
            out[col.column] = None
    return out, reasons


def _not_before(out: dict, reasons: list[str], start: str, start_h: str, end: str, end_h: str,
                reason: str = "import.reason.before_received") -> None:  # fmt: skip
    a, b = out.get(start), out.get(end)
    if a is None or b is None:
        return
    da = a.date() if isinstance(a, datetime) else a
    db = b.date() if isinstance(b, datetime) else b
    if db < da:  # by date: a due date of the received day is fine whatever the hours
        reasons.append(t(reason, col=end_h, value=db.isoformat(), start=start_h, start_value=da.isoformat()))


# Date columns checked against the reference window, and whether each is a due date.
WINDOW_CHECKS = {
    "dossier": (("received_at", "NgayTiepNhan", False), ("due_at", "NgayHenTra", True),
                ("finished_at", "NgayKetThucXuLy", False), ("returned_at", "NgayTra", False)),
    "feedback": (("received_at", "NgayTiepNhan", False), ("due_at", "HanXuLy", True),
                 ("handled_at", "NgayXuLy", False)),
}  # fmt: skip


def _in_window(kind: str, out: dict, reasons: list[str], ref: Reference) -> None:
    for column, header, due in WINDOW_CHECKS.get(kind, ()):
        v = out.get(column)
        if v is None:
            continue
        day = v.date() if isinstance(v, datetime) else v
        latest = ref.latest_due if due else ref.latest
        if ref.earliest is not None and day < ref.earliest:
            reasons.append(t("import.reason.date_too_early", col=header, value=day.isoformat(),
                             limit=ref.earliest.isoformat()))  # fmt: skip
        elif latest is not None and day > latest:
            reasons.append(t("import.reason.date_too_late", col=header, value=day.isoformat(),
                             limit=latest.isoformat()))  # fmt: skip


def _known_unit(out: dict, reasons: list[str], column: str, header: str, ref: Reference) -> None:
    v = out.get(column)
    if v is not None and v not in ref.units:
        reasons.append(t("import.reason.unknown_unit", col=header, value=_show(v)))


def _check_dossier(out: dict, reasons: list[str], ref: Reference) -> None:
    _known_unit(out, reasons, "unit_code", "DonViXuLy", ref)
    proc = out.get("procedure_code")
    if proc is not None:
        if proc not in ref.procedures:
            reasons.append(t("import.reason.unknown_procedure", col="MaTTHC", value=_show(proc)))
        elif out.get("field_code") is None:
            out["field_code"] = ref.procedures[proc]  # the export may leave it to the catalogue
    _not_before(out, reasons, "received_at", "NgayTiepNhan", "due_at", "NgayHenTra",
                "import.reason.due_before_received")  # fmt: skip
    _not_before(out, reasons, "received_at", "NgayTiepNhan", "finished_at", "NgayKetThucXuLy")
    _not_before(out, reasons, "received_at", "NgayTiepNhan", "returned_at", "NgayTra")


def _check_feedback(out: dict, reasons: list[str], ref: Reference) -> None:
    _known_unit(out, reasons, "unit_code", "DonVi", ref)
    _not_before(out, reasons, "received_at", "NgayTiepNhan", "due_at", "HanXuLy",
                "import.reason.due_before_received")  # fmt: skip
    _not_before(out, reasons, "received_at", "NgayTiepNhan", "handled_at", "NgayXuLy")


def _check_catalogue(out: dict, reasons: list[str], ref: Reference) -> None:
    _known_unit(out, reasons, "agency_code", "CoQuanThucHien", ref)


def _check_units(out: dict, reasons: list[str], ref: Reference) -> None:
    _known_unit(out, reasons, "parent_code", "MaDonViCha", ref)
    _known_unit(out, reasons, "successor_code", "MaDonViKeThua", ref)
    _not_before(out, reasons, "valid_from", "HieuLucTu", "valid_to", "HieuLucDen",
                "import.reason.end_before_start")  # fmt: skip


def _span(valid: tuple[date | None, date | None]) -> str:
    start, end = valid
    if start is not None and end is not None:
        return t("import.span.from_to", start=start.isoformat(), end=end.isoformat())
    if start is not None:
        return t("import.span.from", start=start.isoformat())
    return t("import.span.to", end=end.isoformat() if end is not None else "")


def valid_on(valid: tuple[date | None, date | None], day: date) -> bool:
    start, end = valid
    return (start is None or start <= day) and (end is None or day <= end)


def _check_lineage(out: dict, reasons: list[str], ref: Reference) -> None:
    _known_unit(out, reasons, "old_code", "MaDonViCu", ref)
    _known_unit(out, reasons, "new_code", "MaDonViMoi", ref)
    old, new, day = out.get("old_code"), out.get("new_code"), out.get("valid_from")
    if old is not None and old == new:
        reasons.append(t("import.reason.same_unit", col="MaDonViMoi", value=_show(old), other="MaDonViCu"))
    if day is None:
        return
    # The new unit holds the work from NgayHieuLuc on; the old one held it until the day before.
    if new is not None and new in ref.unit_validity and not valid_on(ref.unit_validity[new], day):
        reasons.append(t("import.reason.new_not_valid", col="MaDonViMoi", value=_show(new),
                         day=day.isoformat(), span=_span(ref.unit_validity[new])))  # fmt: skip
    before = day - timedelta(days=1)
    if old is not None and old in ref.unit_validity and not valid_on(ref.unit_validity[old], before):
        reasons.append(t("import.reason.old_not_valid", col="MaDonViCu", value=_show(old),
                         day=before.isoformat(), start="NgayHieuLuc", span=_span(ref.unit_validity[old])))  # fmt: skip
    total = ref.overfull_shares.get((old, day)) if old is not None else None
    if old is not None and total is not None:
        shown = fmt_number(total, 6).rstrip("0").rstrip(",")
        reasons.append(t("import.reason.shares_over_one", col="TyLe", value=_show(old),
                         day=day.isoformat(), total=shown))  # fmt: skip


_CHECKS = {
    "dossier": _check_dossier,
    "feedback": _check_feedback,
    "catalogue": _check_catalogue,
    "units": _check_units,
    "lineage": _check_lineage,
}


def overfull_shares(rows: Iterable[tuple[object, object, object]]) -> dict[tuple[str, date], float]:
    """(old unit, day) -> total share, for the groups of a lineage file whose shares add up to
    more than 1. ``rows``: the file's (MaDonViCu, NgayHieuLuc, TyLe) cells as read. Only cells
    that are valid on their own count (an empty share, a bad date or share is the row's own
    fault), so a bad row does not drag its good neighbours down with a sum it never had."""
    totals: dict[tuple[str, date], float] = {}
    for old, day, share in rows:
        code, day_text, share_text = _text(old), _text(day), _text(share)
        if not (code and day_text and share_text):
            continue
        try:
            d = parse_datetime(day_text).date()
            x = parse_share(share_text)
        except ValueError:
            continue
        if 0 < x <= 1:
            totals[(code, d)] = totals.get((code, d), 0.0) + x
    return {k: v for k, v in totals.items() if v > 1 + SHARE_TOLERANCE}


def validate_row(kind: Kind, row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    """A normalised row (schema column -> typed value), or the reasons it is invalid."""
    try:
        out, reasons = _parse_columns(kind, row, ref)
        _CHECKS[kind.name](out, reasons, ref)
        _in_window(kind.name, out, reasons, ref)
    except Exception as e:  # noqa: BLE001 - a validator reports, it never crashes an import
        return [t("import.reason.unreadable", error=_show(repr(e)))]
    return reasons if reasons else out


def validate_dossier(row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    return validate_row(fm.DOSSIER, row, ref)


def validate_catalogue(row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    return validate_row(fm.CATALOGUE, row, ref)


def validate_feedback(row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    return validate_row(fm.FEEDBACK, row, ref)


def validate_unit(row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    return validate_row(fm.UNITS, row, ref)


def validate_lineage(row: Mapping[str, object], ref: Reference) -> dict | list[str]:
    return validate_row(fm.LINEAGE, row, ref)


def level_lookup(levels: Mapping[str, str]) -> dict[str, str]:
    """Normalised keys for unit levels: each code and name (``{code: name}``), plus the words a
    procedure catalogue uses ("Cấp tỉnh" procedures are handled by departments)."""
    out: dict[str, str] = {}
    for code, name in levels.items():
        out[_key(code)] = code
        out[_key(name)] = code
    synonyms = {
        "department": ("captinh", "so", "soban", "sobannganh"),
        "district": ("huyen", "caphuyen"),
        "commune": ("xa", "capxa"),
        "province": ("tinh",),
    }
    for code, words in synonyms.items():
        if code in levels:
            for w in words:
                out.setdefault(w, code)
    return out
