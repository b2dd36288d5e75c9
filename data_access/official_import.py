"""``python -m data_access import`` for official scores: the national portal's JSON documents
and the flat CSV/XLSX table (PORTAL_SCORES.md; README "Điểm chính thức"). Called by
``data_access.importer`` for the files ``is_official`` recognises.

Like every import: the file is read and checked whole first (``official_parse``), its units
matched (``official_match``); one bad record rejects the whole file unless ``--skip-invalid``
(then the bad ones go to ``<file>.rejected.csv``); what is written is written in one
transaction with its ``load_log`` row. Whole-file problems (not JSON, a wrong period, a
document whose parent is none of our units) reject it whatever the option.

A JSON document is *provincial* when its parent is one of our units (its children must all be
ours too), *national* when it is not and some child is one of our provinces: then the parent
is the nation (its score the national average) and the children our province and the other
provinces, kept under their portal id (``cong:<id>``) for "our rank among the provinces".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, insert, inspect, select

from data_access import formats as fm
from data_access import official_defaults
from data_access import schema as s
from data_access.cell_safety import safe_cell
from data_access.geo import fold
from data_access.importer import MAX_LISTED, FileResult, _short_error, rejected_path
from data_access.official_match import UnitIndex
from data_access.official_parse import (
    TOTAL,
    Document,
    Entry,
    Record,
    parse_json,
    parse_table,
    period_words,
)
from data_access.official_store import write_scores
from data_access.readers import FileError, read_headers
from texts import fmt_date, fmt_number, t

KIND = "official"
NATION_PREFIX = "cong:"
REJECTED_HEADERS = ("Dong", "DonVi", "MaDonViCong", "LoaiKy", "Ky", "MaChiSo", "Diem", "DiemToiDa",
                    "TuSo", "MauSo", "XepHang", "NgayLaySoLieu")  # fmt: skip


def is_json(path: Path) -> bool:
    """A JSON document: by its extension, else by its first character (``{``)."""
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm") or not path.is_file():
        return False
    with path.open("rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def is_official(path: Path) -> bool:
    """Whether the importer should hand ``path`` to this module (JSON, or the flat table's
    headers); a file that cannot be read is left to the importer, which says why."""
    if not path.is_file():
        return False
    if is_json(path):
        return True
    try:
        return official_headers(read_headers(path))
    except Exception:  # noqa: BLE001 - the importer reports an unreadable file itself
        return False


def official_headers(headers: list[str]) -> bool:
    present = {fm.norm_header(h) for h in headers}
    return fm.norm_header(fm.OFFICIAL.key_header) in present and fm.norm_header("Diem") in present


@dataclass
class _Reference:
    index: UnitIndex
    groups: dict[str, str]


def _reference(conn: Connection) -> _Reference:
    """Our units, their portal aliases, the portal's group codes (shipped ones when a database
    of an earlier release has no table yet)."""
    u = s.unit.c
    units = pd.DataFrame(conn.execute(select(u.code, u.name, u.short_name, u.level, u.kind, u.valid_from,
                                             u.valid_to)).mappings().all(),  # fmt: skip
                         columns=["code", "name", "short_name", "level", "kind", "valid_from", "valid_to"])
    names = set(inspect(conn).get_table_names())
    aliases = pd.DataFrame(columns=["alias", "unit_code"])
    if s.unit_alias.name in names:
        a = s.unit_alias.c
        aliases = pd.DataFrame(conn.execute(select(a.alias, a.unit_code)).all(), columns=["alias", "unit_code"])
    groups = official_defaults.portal_groups_frame()
    if s.portal_group.name in names:
        g = s.portal_group.c
        stored = pd.DataFrame(conn.execute(select(g.portal_code, g.group_code)).all(),
                              columns=["portal_code", "group_code"])  # fmt: skip
        if not stored.empty:
            groups = stored
    return _Reference(UnitIndex.build(units, aliases), dict(zip(groups["portal_code"], groups["group_code"], strict=True)))


def _snapshot_default(path: Path, snapshot: date | None) -> date:
    """``--snapshot-date``, else the day the file was saved (read from the portal)."""
    return snapshot or datetime.fromtimestamp(path.stat().st_mtime).date()


def _read(engine: Engine, path: Path, today: date, snapshot: date | None) -> tuple[Document, _Reference] | FileResult:
    with engine.connect() as conn:
        ref = _reference(conn)
    if is_json(path):
        return parse_json(path, ref.groups, _snapshot_default(path, snapshot), today), ref
    headers = read_headers(path)
    hmap = fm.map_headers(fm.OFFICIAL, headers)
    if hmap.missing:
        return FileResult(path, False, kind=KIND, messages=[t("import.error.missing_headers", file=path,
                          kind=t("import.kind.official"), headers=", ".join(hmap.missing))])  # fmt: skip
    return parse_table(path, hmap.used, ref.groups, snapshot, today), ref


# --- matching ---------------------------------------------------------------------------------


def _portal_key(e: Entry) -> str:
    return NATION_PREFIX + (e.portal_id or fold(e.portal_name).replace(" ", "-"))


def _match_json(doc: Document, index: UnitIndex) -> None:
    p = doc.period
    assert p is not None  # parse_json reports a document without one as an error
    found = [index.match(e.portal_id, e.portal_name, p.start, p.end) if e.portal_name else None
             for e in doc.entries]  # fmt: skip
    parent = doc.entries[0]
    national = found[0] is None or found[0].code is None
    if national:
        provinces = [m for m in found[1:] if m is not None and m.code and index.is_province(m.code)]
        if not provinces:
            doc.errors.append(t("official.error.unknown_parent", name=parent.portal_name or "?",
                                id=parent.portal_id or "–"))  # fmt: skip
            return
        parent.unit_key, parent.scope = _portal_key(parent), "nation"
    for e, m in zip(doc.entries, found, strict=True):
        if e.role == "parent" and national:
            continue
        e.parent_key = None if e.role == "parent" else parent.unit_key or parent.unit_code
        if m is not None and m.code and (not national or index.is_province(m.code)):
            e.unit_code, e.unit_key = m.code, m.code
        elif national:
            e.unit_key, e.scope = _portal_key(e), "province"
        elif m is not None and m.reason:
            e.reasons.append(m.reason + " " + t("official.hint.alias"))
    if not national:
        parent.unit_key = parent.unit_code


def _match_table(doc: Document, index: UnitIndex) -> None:
    for e in doc.entries:
        if e.period is None:
            continue  # the rows already say why their period is wrong
        m = index.match(None, e.portal_name, e.period.start, e.period.end, by_code=True)
        if m.code:
            e.unit_code = e.unit_key = m.code
        else:
            e.reasons.append((m.reason or t("official.reason.unknown_unit")) + " " + t("official.hint.alias"))


def _duplicates(doc: Document) -> None:
    """The same unit twice in a file (two names for it, say), or a figure twice."""
    owner: dict[tuple[str, str], Entry] = {}
    for e in doc.entries:
        if e.unit_key is None or e.reasons or e.period is None:
            continue
        other = owner.setdefault((e.unit_key, e.period.label), e)
        if other is not e and doc.format == "json":
            e.reasons.append(t("official.reason.same_unit", other=other.where))
    seen: set[tuple] = set()
    for r in doc.records:
        if r.entry < 0 or r.reasons or r.period is None:
            continue
        key = (doc.entries[r.entry].unit_key, r.period.label, r.code, r.snapshot_date)
        if key in seen and doc.format == "table":
            code = t("official.code.total") if r.code == TOTAL else r.code
            r.reasons.append(t("official.reason.duplicate_row", code=code))
        seen.add(key)


def _reasons(doc: Document, r: Record) -> list[str]:
    e = doc.entries[r.entry] if r.entry >= 0 else None
    return (e.reasons if e is not None else []) + r.reasons


def _row(doc: Document, r: Record, source: str) -> dict:
    e = doc.entries[r.entry]
    p = r.period
    assert p is not None and e.unit_key is not None
    return {
        "unit_key": e.unit_key, "period_type": p.type, "period": p.label, "code": r.code,
        "snapshot_date": r.snapshot_date, "unit_code": e.unit_code, "scope": e.scope,
        "parent_key": e.parent_key, "portal_id": e.portal_id,
        "portal_name": (e.portal_name or None) if doc.format == "json" else None,
        "period_start": p.start, "period_end": p.end, "kind": r.kind, "name": r.name,
        "numerator": r.numerator, "denominator": r.denominator, "ratio": r.ratio, "score": r.score,
        "max_score": r.max_score, "rank": r.rank, "source": source[:200],
    }  # fmt: skip


# --- messages and the rejected list -------------------------------------------------------------


def _listing(doc: Document, bad: list[Record]) -> tuple[list[str], int]:
    """One line per unit that did not match (with its rows for a table), then one per bad
    record; at most MAX_LISTED lines, and how many problems there are in all."""
    lines: list[str] = []
    listed_entries: set[int] = set()
    problems = 0
    for r in bad:
        if r.entry >= 0 and doc.entries[r.entry].reasons:
            if r.entry in listed_entries:
                continue
            listed_entries.add(r.entry)
            e = doc.entries[r.entry]
            if doc.format == "json":
                text = t("official.error.entry", where=e.where, name=e.portal_name, id=e.portal_id or "–",
                         reasons="; ".join(e.reasons))  # fmt: skip
            else:
                text = t("official.error.entry_rows", where=t("official.where.rows", rows=_rows_text(e.lines)),
                         name=e.portal_name, reasons="; ".join(e.reasons))  # fmt: skip
        else:
            text = t("official.error.record", where=r.where, reasons="; ".join(r.reasons))
        problems += 1
        if len(lines) < MAX_LISTED:
            lines.append(text)
    return lines, problems


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:5]))
    return shown + ("…" if len(rows) > 5 else "")


def _write_rejected(doc: Document, bad: list[Record]) -> Path:
    path = rejected_path(doc.path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([t("import.rejected.row_header"), *REJECTED_HEADERS[1:], "LyDo"])
        for r in bad:
            e = doc.entries[r.entry] if r.entry >= 0 else None
            p = r.period
            cells = [r.where, e.portal_name if e else r.cells.get("DonVi", ""), e.portal_id if e else "",
                     p.type if p else r.cells.get("LoaiKy", ""), p.label if p else r.cells.get("Ky", ""),
                     r.cells.get("MaChiSo", r.code), _num(r.score, r.cells.get("Diem")),
                     _num(r.max_score, r.cells.get("DiemToiDa")), _num(r.numerator, r.cells.get("TuSo")),
                     _num(r.denominator, r.cells.get("MauSo")), r.rank if r.rank is not None else r.cells.get("XepHang", ""),
                     r.snapshot_date.isoformat() if r.snapshot_date else r.cells.get("NgayLaySoLieu", ""),
                     "; ".join(_reasons(doc, r))]  # fmt: skip
            w.writerow([safe_cell(c if c is not None else "") for c in cells])
    return path


def _num(x: float | None, cell: object) -> object:
    return x if x is not None else (cell or "")


def _summary(doc: Document, rows: list[dict], inserted: int, updated: int) -> list[str]:
    units = {r["unit_key"] for r in rows if r["scope"] == "unit"}
    periods = sorted({(r["period_type"], r["period"]) for r in rows})
    snaps = sorted({r["snapshot_date"] for r in rows})
    out = [t("official.summary.done", file=doc.path, units=len(units), rows=len(rows), inserted=inserted,
             updated=updated, periods=", ".join(period_words(a, b) for a, b in periods) or "–",
             snapshot=", ".join(fmt_date(d) for d in snaps) or "–")]  # fmt: skip
    nation = [r for r in rows if r["scope"] == "nation" and r["code"] == TOTAL]
    if nation:
        provinces = [r for r in rows if r["code"] == TOTAL and r["parent_key"] == nation[0]["unit_key"]]
        ours = [r for r in provinces if r["scope"] == "unit"]
        for r in ours:
            out.append(t("official.summary.national", name=doc.entries[0].portal_name or "?", n=len(provinces),
                         unit=r["unit_code"], rank=r["rank"] if r["rank"] is not None else "–",
                         score=fmt_number(r["score"], 2), average=fmt_number(nation[0]["score"], 2)))  # fmt: skip
    return out


# --- the import -------------------------------------------------------------------------------


def import_file(engine: Engine, path: Path, skip_invalid: bool = False, today: date | None = None,
                snapshot_date: date | None = None) -> FileResult:  # fmt: skip
    """Validate and import one official scores file; nothing is written unless the result is ok."""
    today = today or date.today()
    res = FileResult(path, False, kind=KIND)
    try:
        read = _read(engine, path, today, snapshot_date)
    except FileError as e:
        res.messages = [t("import.error.unreadable", file=path, error=e)]
        return res
    if isinstance(read, FileResult):
        return read
    doc, ref = read
    if not doc.errors:
        if doc.format == "json":
            _match_json(doc, ref.index)
        else:
            _match_table(doc, ref.index)
    if doc.errors:
        res.messages = [t("official.error.file", file=path), *(f"  {e}" for e in doc.errors)]
        return res
    _duplicates(doc)
    res.rows = len(doc.records)
    if not doc.records:
        res.messages = [t("import.error.empty", file=path, kind=t("import.kind.official"))]
        return res
    bad = [r for r in doc.records if _reasons(doc, r)]
    good = [r for r in doc.records if not _reasons(doc, r)]
    res.rejected = len(bad)
    if bad and not skip_invalid:
        lines, problems = _listing(doc, bad)
        res.messages = [t("official.error.invalid", file=path, bad=len(bad), rows=len(doc.records)),
                        *(f"  {x}" for x in lines)]  # fmt: skip
        if problems > len(lines):
            res.messages.append(t("import.error.more_rows", n=problems - len(lines)))
        res.messages.append(t("official.error.hint"))
        return res
    rejected = _write_rejected(doc, bad) if bad else None
    if not bad:
        rejected_path(path).unlink(missing_ok=True)  # a list left by an earlier run
    rows = [_row(doc, r, path.name) for r in good]
    with engine.begin() as conn:
        official_defaults.ensure(conn)
        res.inserted, res.updated = write_scores(conn, rows)
        conn.execute(insert(s.load_log).values(
            at=datetime.now(), action="import", rows=len(rows),
            detail=t("import.log.detail", file=path.name, kind=KIND, inserted=res.inserted,
                     updated=res.updated, rejected=len(bad))))  # fmt: skip
    res.ok = True
    res.messages = _summary(doc, rows, res.inserted, res.updated)
    if rejected is not None:
        lines, _ = _listing(doc, bad)
        res.messages.append(t("official.summary.skipped", n=len(bad), path=rejected))
        res.messages += [f"  {x}" for x in lines]
    return res


def run(engine: Engine, path: Path, skip_invalid: bool, today: date | None,
        snapshot_date: date | None) -> FileResult:  # fmt: skip
    """``import_file``, never raising for a bad file or a database failure."""
    try:
        return import_file(engine, path, skip_invalid, today, snapshot_date)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
        return FileResult(path, False, kind=KIND,
                          messages=[t("import.error.unexpected", file=path, error=_short_error(e))])
