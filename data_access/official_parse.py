"""Reading official score files into records, with Vietnamese reasons: the portal's JSON
documents (PORTAL_SCORES.md: one period, a parent unit and its children, each with group and
component metrics) and the flat CSV/XLSX table offices copy from the portal by hand
(``formats.OFFICIAL``). No database here: units are matched afterwards
(``data_access.official_match``), and ``data_access.official_import`` decides what is written.

A *record* is one unit's figure for one code: ``total``, a group ("1".."6", from the portal's
group codes through the ``portal_group`` table) or a component ("1.4"). An *entry* is one unit
as the file names it (a JSON unit object; a CSV unit name in one period), matched once.
Problems that make the whole file meaningless (not JSON, no period, a wrong period) are
``Document.errors``; the others belong to an entry or a record, so ``--skip-invalid`` can keep
the rest.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from data_access import formats as fm
from data_access.geo import fold
from data_access.readers import iter_frames
from data_access.validate import BAD_TEXT, parse_datetime
from texts import fmt_number, t

MAX_JSON_BYTES = 20 << 20  # a province's document is tens of kilobytes; anything far larger is not one
SCORE_TOLERANCE = 0.005  # the portal rounds to 2 decimals: 6.004 of 6 is not "above the maximum"
TOTAL_MAX = 100.0
MIN_YEAR = 2000
TOTAL = "total"
_TOTAL_WORDS = {"total", "tong", "tongdiem", "tongso", "chiso", "diem"}
_COMPONENT = re.compile(r"\d+\.\d+")
PERIOD_TYPES = {"month": "month", "thang": "month", "quarter": "quarter", "quy": "quarter",
                "year": "year", "nam": "year"}  # fmt: skip
_SHOWN = 60


@dataclass(frozen=True)
class OfficialPeriod:
    """A portal period: month, quarter or year (the portal's year is year to date)."""

    type: str  # month | quarter | year
    label: str  # "2026-03", "2026-Q1", "2026" (scorecard.periods labels)
    start: date
    end: date

    @property
    def words(self) -> str:
        """"tháng 3/2026", "quý 1/2026", "năm 2026"."""
        return period_words(self.type, self.label)


def period_words(ptype: str, label: str) -> str:
    if ptype == "month":
        return t("official.period.month", month=int(label[5:7]), year=label[:4])
    if ptype == "quarter":
        return t("official.period.quarter", quarter=label[-1], year=label[:4])
    return t("official.period.year", year=label[:4])


def make_period(ptype: str, year: int, value: int) -> OfficialPeriod:
    """The period, or ValueError with the Vietnamese reason."""
    if not MIN_YEAR <= year <= 2200:
        raise ValueError(t("official.reason.bad_year", value=year))
    if ptype == "month":
        if not 1 <= value <= 12:
            raise ValueError(t("official.reason.bad_month", value=value))
        start = date(year, value, 1)
        return OfficialPeriod("month", f"{year}-{value:02d}", start,
                              date(year, value, calendar.monthrange(year, value)[1]))  # fmt: skip
    if ptype == "quarter":
        if not 1 <= value <= 4:
            raise ValueError(t("official.reason.bad_quarter", value=value))
        last = 3 * value
        return OfficialPeriod("quarter", f"{year}-Q{value}", date(year, last - 2, 1),
                              date(year, last, calendar.monthrange(year, last)[1]))  # fmt: skip
    if ptype == "year":
        if value != year:
            raise ValueError(t("official.reason.bad_year_value", value=value, year=year))
        return OfficialPeriod("year", str(year), date(year, 1, 1), date(year, 12, 31))
    raise ValueError(t("official.reason.bad_period_type", value=_show(ptype)))


def period_problem(p: OfficialPeriod, snapshot: date | None, today: date) -> str | None:
    """Why figures of ``p`` read on ``snapshot`` cannot be real (None when they can)."""
    if p.start > today:
        return t("official.reason.future_period", period=p.words, start=p.start.strftime("%d/%m/%Y"))
    if snapshot is not None and snapshot < p.start:
        return t("official.reason.snapshot_before_period", period=p.words,
                 snapshot=snapshot.strftime("%d/%m/%Y"))  # fmt: skip
    return None


@dataclass
class Entry:
    """A unit as the file names it; the matching fills ``unit_key``, ``unit_code``, ``scope``."""

    where: str  # "parent", "children[3]", or the unit cell of a CSV
    portal_id: str | None
    portal_name: str
    role: str  # "parent" | "child" | "row"
    period: OfficialPeriod | None = None
    reasons: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # CSV row numbers naming it
    unit_key: str | None = None
    unit_code: str | None = None
    scope: str = "unit"
    parent_key: str | None = None


@dataclass
class Record:
    """One figure: a unit's total, group or component."""

    where: str
    entry: int  # index in Document.entries
    code: str
    kind: str  # total | group | component
    score: float | None = None
    name: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    ratio: float | None = None  # 0..1
    max_score: float | None = None
    rank: int | None = None
    period: OfficialPeriod | None = None
    snapshot_date: date | None = None
    reasons: list[str] = field(default_factory=list)
    cells: dict[str, object] = field(default_factory=dict)  # as read, for the rejected list


@dataclass
class Document:
    path: Path
    format: str  # "json" | "table"
    errors: list[str] = field(default_factory=list)
    period: OfficialPeriod | None = None  # JSON: the document's one period
    snapshot_date: date | None = None
    entries: list[Entry] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class _BadValueError(ValueError):
    """A value that cannot be read; carries the reason."""


def _show(v: object) -> str:
    s = str(v)
    return s if len(s) <= _SHOWN else s[: _SHOWN - 1] + "…"


def _number(v: object, label: str) -> float | None:
    """A JSON number, or a number written as text ("84,12"); None when absent."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise _BadValueError(t("official.reason.bad_number", col=label, value=_show(v)))
    if isinstance(v, int | float):
        x = float(v)
    else:
        try:
            x = float(str(v).strip().replace(" ", "").replace(",", "."))
        except ValueError:
            raise _BadValueError(t("official.reason.bad_number", col=label, value=_show(v))) from None
    if x != x or x in (float("inf"), float("-inf")):
        raise _BadValueError(t("official.reason.bad_number", col=label, value=_show(v)))
    return x


def _read_number(rec: Record, v: object, label: str) -> float | None:
    try:
        return _number(v, label)
    except _BadValueError as e:
        rec.reasons.append(str(e))
        return None


def check_record(rec: Record) -> None:
    """Range checks every format shares: a score within [0, max], counts not negative, a
    ratio within 0..100 %, a rank from 1."""
    label = rec.code if rec.kind != TOTAL else t("official.code.total")
    if rec.score is None:
        if not rec.reasons:
            rec.reasons.append(t("official.reason.no_score", code=label))
        return
    if rec.kind == TOTAL and rec.max_score is None:
        rec.max_score = TOTAL_MAX
    if rec.score < 0:
        rec.reasons.append(t("official.reason.negative", col=label, value=fmt_number(rec.score, 2)))
    if rec.max_score is not None:
        if rec.max_score <= 0:
            rec.reasons.append(t("official.reason.bad_max", code=label, value=fmt_number(rec.max_score, 2)))
        elif rec.score > rec.max_score + SCORE_TOLERANCE:
            rec.reasons.append(t("official.reason.above_max", code=label, score=fmt_number(rec.score, 2),
                                 max=fmt_number(rec.max_score, 2)))  # fmt: skip
    if rec.kind == TOTAL and rec.score > TOTAL_MAX + SCORE_TOLERANCE:
        rec.reasons.append(t("official.reason.above_max", code=label, score=fmt_number(rec.score, 2),
                             max=fmt_number(TOTAL_MAX, 0)))  # fmt: skip
    for col, v in (("numerator", rec.numerator), ("denominator", rec.denominator)):
        if v is not None and v < 0:
            rec.reasons.append(t("official.reason.negative", col=t(f"official.col.{col}"), value=fmt_number(v, 0)))
    if rec.ratio is not None and not 0 <= rec.ratio <= 1 + SCORE_TOLERANCE / 100:
        rec.reasons.append(t("official.reason.bad_ratio", value=fmt_number(100 * rec.ratio, 2)))
    if rec.ratio is None and rec.numerator is not None and rec.denominator:
        rec.ratio = rec.numerator / rec.denominator


def _rank(rec: Record, v: object) -> int | None:
    x = _read_number(rec, v, t("official.col.rank"))
    if x is None:
        return None
    if x < 1 or x != int(x):
        rec.reasons.append(t("official.reason.bad_rank", value=_show(v)))
        return None
    return int(x)


def group_of(code: str, groups: Mapping[str, str]) -> str | None:
    """Our group code for a portal group code ("transparency" -> "1"), or a group code itself."""
    c = code.strip()
    if c in groups:
        return groups[c]
    if c.lower() in groups:
        return groups[c.lower()]
    return c if c in set(groups.values()) else None


# --- JSON documents ---------------------------------------------------------------------------


def parse_json(path: Path, groups: Mapping[str, str], snapshot: date, today: date) -> Document:
    """A portal document, read and checked (nothing matched yet)."""
    doc = Document(path, "json", snapshot_date=snapshot)
    raw = _load_json(path, doc)
    if raw is None:
        return doc
    period = _json_period(raw, doc)
    if period is not None:
        doc.period = period
        problem = period_problem(period, snapshot, today)
        if problem:
            doc.errors.append(problem)
    if snapshot > today:
        doc.errors.append(t("official.reason.future_snapshot", snapshot=snapshot.strftime("%d/%m/%Y")))
    parent = raw.get("parent")
    if not isinstance(parent, dict):
        doc.errors.append(t("official.error.no_parent"))
        return doc
    children = raw.get("children", [])
    if not isinstance(children, list):
        doc.errors.append(t("official.error.children_not_list"))
        return doc
    _json_unit(doc, parent, "parent", "parent", groups)
    for i, child in enumerate(children):
        where = f"children[{i}]"
        if not isinstance(child, dict):
            doc.errors.append(t("official.error.not_object", where=where))
            continue
        _json_unit(doc, child, where, "child", groups)
    for rec in doc.records:
        rec.period, rec.snapshot_date = doc.period, snapshot
    return doc


def _load_json(path: Path, doc: Document) -> dict | None:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        doc.errors.append(t("official.error.json_too_big", n=MAX_JSON_BYTES >> 20))
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        doc.errors.append(t("official.error.json_encoding", position=e.start))
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        doc.errors.append(t("official.error.bad_json", line=e.lineno, column=e.colno, error=e.msg))
        return None
    except RecursionError:
        doc.errors.append(t("official.error.bad_json", line="?", column="?", error="nesting"))
        return None
    if not isinstance(raw, dict):
        doc.errors.append(t("official.error.not_document"))
        return None
    return raw


def _json_period(raw: dict, doc: Document) -> OfficialPeriod | None:
    ptype = PERIOD_TYPES.get(fold(raw.get("timeType")).replace(" ", ""))
    year, value = raw.get("year"), raw.get("value")
    if ptype is None:
        doc.errors.append(t("official.reason.bad_period_type", value=_show(raw.get("timeType"))))
        return None
    if not isinstance(year, int) or isinstance(year, bool) or not isinstance(value, int) or isinstance(value, bool):
        doc.errors.append(t("official.error.bad_year_value", year=_show(year), value=_show(value)))
        return None
    try:
        return make_period(ptype, year, value)
    except ValueError as e:
        doc.errors.append(str(e))
        return None


def _json_unit(doc: Document, obj: dict, where: str, role: str, groups: Mapping[str, str]) -> None:
    raw_id = obj.get("id")
    portal_id = None if raw_id is None or isinstance(raw_id, dict | list) else str(raw_id).strip() or None
    name = obj.get("name")
    entry = Entry(where, portal_id, str(name).strip() if isinstance(name, str) else "", role,
                  period=doc.period)  # fmt: skip
    if not entry.portal_name:
        entry.reasons.append(t("official.reason.no_name"))
    label = f"{where} «{_show(entry.portal_name or portal_id or '?')}»"
    index = len(doc.entries)
    doc.entries.append(entry)
    total = Record(label, index, TOTAL, TOTAL, name=t("official.code.total"))
    total.score = _read_number(total, obj.get("score"), "score")
    total.rank = _rank(total, obj.get("rank"))
    check_record(total)
    doc.records.append(total)
    metrics = obj.get("metrics", [])
    if not isinstance(metrics, list):
        entry.reasons.append(t("official.error.metrics_not_list"))
        return
    seen: set[str] = {TOTAL}
    for j, m in enumerate(metrics):
        if not isinstance(m, dict):
            entry.reasons.append(t("official.error.not_object", where=f"metrics[{j}]"))
            continue
        group = _json_metric(doc, index, label, m, None, groups, seen)
        subs = m.get("children", [])
        if not isinstance(subs, list):
            entry.reasons.append(t("official.error.metrics_not_list"))
            continue
        for k, c in enumerate(subs):
            if not isinstance(c, dict):
                entry.reasons.append(t("official.error.not_object", where=f"metrics[{j}].children[{k}]"))
                continue
            _json_metric(doc, index, label, c, group, groups, seen)


def _json_metric(doc: Document, index: int, label: str, m: dict, group: str | None,
                 groups: Mapping[str, str], seen: set[str]) -> str | None:  # fmt: skip
    """One group (``group`` None) or component record; returns the group's own code."""
    raw_code = m.get("code")
    code_text = str(raw_code).strip() if isinstance(raw_code, str | int | float) else ""
    rec = Record(f"{label} · {_show(code_text or '?')}", index, code_text, "group" if group is None else "component")
    rec.name = str(m["name"]).strip() if isinstance(m.get("name"), str) else None
    if group is None:
        own = group_of(code_text, groups)
        if own is None:
            rec.reasons.append(t("official.reason.unknown_group", value=_show(code_text)))
        else:
            rec.code = own
    elif not _COMPONENT.fullmatch(code_text):
        rec.reasons.append(t("official.reason.bad_component", value=_show(code_text)))
    elif group != "?" and code_text.split(".")[0] != group:
        rec.reasons.append(t("official.reason.component_group", code=code_text, group=group))
    if rec.code in seen and not rec.reasons:
        rec.reasons.append(t("official.reason.duplicate_code", code=rec.code))
    seen.add(rec.code)
    rec.score = _read_number(rec, m.get("score"), "score")
    rec.max_score = _read_number(rec, m.get("maxScore"), "maxScore")
    rec.numerator = _read_number(rec, m.get("numerator"), "numerator")
    rec.denominator = _read_number(rec, m.get("denominator"), "denominator")
    ratio = _read_number(rec, m.get("ratio"), "ratio")
    rec.ratio = None if ratio is None else ratio / 100  # the portal's ratio is 0..100
    check_record(rec)
    doc.records.append(rec)
    if group is None:
        return rec.code if group_of(code_text, groups) is not None else "?"
    return None


# --- flat CSV / XLSX ----------------------------------------------------------------------------

_MONTH = (re.compile(r"(\d{4})-(\d{1,2})"), re.compile(r"(\d{1,2})[/-](\d{4})"))
_QUARTER = (re.compile(r"(\d{4})-?q([1-4])"), re.compile(r"q([1-4])[/-](\d{4})"),
            re.compile(r"([1-4])[/-](\d{4})"))  # fmt: skip


def parse_period_cells(type_cell: str, period_cell: str) -> OfficialPeriod:
    """``LoaiKy`` + ``Ky`` ("tháng", "03/2026"; "quý", "Q1/2026"; "năm", "2026") -> the period,
    or ValueError with the reason."""
    ptype = PERIOD_TYPES.get(fold(type_cell).replace(" ", ""))
    if ptype is None:
        raise ValueError(t("official.reason.bad_period_type", value=_show(type_cell)))
    text = re.sub(r"\b(thang|quy|nam)\b", " ", fm.strip_accents(period_cell)).strip()
    text = re.sub(r"\s*([/-])\s*", r"\1", text).replace(" ", "")
    if ptype == "year" and re.fullmatch(r"\d{4}", text):
        return make_period("year", int(text), int(text))
    if ptype == "month":
        for pat, year_first in zip(_MONTH, (True, False), strict=True):
            m = pat.fullmatch(text)
            if m:
                y, v = (m.group(1), m.group(2)) if year_first else (m.group(2), m.group(1))
                return make_period("month", int(y), int(v))
    if ptype == "quarter":
        for pat, year_first in zip(_QUARTER, (True, False, False), strict=True):
            m = pat.fullmatch(text)
            if m:
                y, v = (m.group(1), m.group(2)) if year_first else (m.group(2), m.group(1))
                return make_period("quarter", int(y), int(v))
    raise ValueError(t("official.reason.bad_period", value=_show(period_cell), type=_show(type_cell)))


def code_kind(cell: str, groups: Mapping[str, str]) -> tuple[str, str]:
    """``MaChiSo`` -> (code, kind): the total, a group or a component; ValueError otherwise."""
    text = cell.strip()
    if fold(text).replace(" ", "") in _TOTAL_WORDS:
        return TOTAL, TOTAL
    group = group_of(text, groups)
    if group is not None:
        return group, "group"
    if _COMPONENT.fullmatch(text):
        return text, "component"
    raise ValueError(t("official.reason.bad_code", value=_show(text)))


def parse_table(path: Path, used: dict[str, str], groups: Mapping[str, str],
                snapshot: date | None, today: date) -> Document:  # fmt: skip
    """The flat table: one record per row (``used``: the file's headers -> canonical ones)."""
    doc = Document(path, "table", snapshot_date=snapshot)
    entries: dict[tuple[str, str], int] = {}
    for frame in iter_frames(path, used):
        for n, row in zip(frame.index, frame.to_dict("records"), strict=True):
            _table_row(doc, int(n), {k: str(v).strip() for k, v in row.items()}, groups,
                       snapshot, today, entries)  # fmt: skip
    return doc


def _table_row(doc: Document, n: int, row: dict[str, str], groups: Mapping[str, str],
               snapshot: date | None, today: date, entries: dict[tuple[str, str], int]) -> None:  # fmt: skip
    rec = Record(t("official.where.row", row=n), -1, row.get("MaChiSo", ""), "", cells=dict(row))
    for c in fm.OFFICIAL.columns:
        if c.required and not row.get(c.header):
            rec.reasons.append(t("import.reason.missing", col=c.header))
        bad = BAD_TEXT.search(row.get(c.header, ""))
        if bad:
            rec.reasons.append(t("import.reason.bad_char", col=c.header, char=f"U+{ord(bad.group()):04X}",
                                 pos=bad.start() + 1))  # fmt: skip
    unit_text = row.get("DonVi", "")
    period = None
    if row.get("LoaiKy") and row.get("Ky"):
        try:
            period = parse_period_cells(row["LoaiKy"], row["Ky"])
        except ValueError as e:
            rec.reasons.append(str(e))
    if row.get("MaChiSo"):
        try:
            rec.code, rec.kind = code_kind(row["MaChiSo"], groups)
        except ValueError as e:
            rec.reasons.append(str(e))
    rec.name = row.get("TenChiSo") or (t("official.code.total") if rec.kind == TOTAL else None)
    day = snapshot
    if row.get("NgayLaySoLieu"):
        try:
            day = parse_datetime(row["NgayLaySoLieu"]).date()
        except ValueError:
            rec.reasons.append(t("import.reason.bad_date", col="NgayLaySoLieu", value=_show(row["NgayLaySoLieu"])))
    elif snapshot is None:
        rec.reasons.append(t("official.reason.no_snapshot"))
    if day is not None and day > today:
        rec.reasons.append(t("official.reason.future_snapshot", snapshot=day.strftime("%d/%m/%Y")))
    if period is not None:
        problem = period_problem(period, day, today)
        if problem:
            rec.reasons.append(problem)
    rec.period, rec.snapshot_date = period, day
    rec.score = _read_number(rec, row.get("Diem"), "Diem")
    rec.max_score = _read_number(rec, row.get("DiemToiDa"), "DiemToiDa")
    rec.numerator = _read_number(rec, row.get("TuSo"), "TuSo")
    rec.denominator = _read_number(rec, row.get("MauSo"), "MauSo")
    rec.rank = _rank(rec, row.get("XepHang"))
    if rec.kind:
        check_record(rec)
    key = (unit_text, period.label if period is not None else "")
    if unit_text:
        if key not in entries:
            entries[key] = len(doc.entries)
            doc.entries.append(Entry(unit_text, None, unit_text, "row", period=period))
        rec.entry = entries[key]
        doc.entries[rec.entry].lines.append(n)
    doc.records.append(rec)

