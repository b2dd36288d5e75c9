"""Writing validated import rows, one chunk (a frame from validate_frame) at a time, inside the
caller's transaction.

Upsert is a delete of the chunk's codes that already exist followed by an insert, atomic because
the whole file shares one transaction. The insert is ``bulk.insert_frame(fast=True)``: driver
level (SQLite executemany, PostgreSQL COPY), storing exactly what Core would, without Core's
per-value conversion that dominated large imports. Each writer collects
the received buckets it touched (new rows, and the old buckets of rows it replaced, since a
later export may move a dossier to another week) so the importer can refresh only those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Table, bindparam, delete, insert, select

from data_access import schema as s
from data_access.bulk import frame_records, insert_frame
from data_access.derive import derive_dossiers, derive_feedback
from data_access.official_store import write_aliases

_IN_BATCH = 500  # values per IN (...) list: well under SQLite's bound-parameter limit


def _batches(items: Sequence, n: int = _IN_BATCH) -> Iterable[Sequence]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


@dataclass
class WriteStats:
    inserted: int = 0
    updated: int = 0
    buckets: set[date] = field(default_factory=set)


class _Writer:
    table: Table

    def __init__(self, conn: Connection, carried: Iterable[str] | None = None) -> None:
        """``carried``: the columns the file holds (None: all); see UnitWriter."""
        self.conn = conn
        self.carried = None if carried is None else set(carried)
        self.stats = WriteStats()
        self.columns = [c.name for c in self.table.columns]
        # Codes are unique within a file, so rows this import inserts never collide with each
        # other: on a table empty at the start (the first load) there is nothing to look up.
        first_key = next(iter(self.table.primary_key.columns))
        self.was_empty = conn.execute(select(first_key).limit(1)).first() is None
        if not self.was_empty and conn.dialect.name == "postgresql":
            # Without statistics PostgreSQL plans the code lookups below as sequential scans,
            # which makes a large import quadratic; ANALYZE (allowed in a transaction) fixes it.
            conn.exec_driver_sql(f"ANALYZE {self.table.name}")

    def _existing(self, codes: list[str]) -> dict[str, date | None]:
        """Codes already stored -> their received bucket (None for tables without one)."""
        if self.was_empty:
            return {}
        tc = self.table.c
        bucket = tc.received_bucket if "received_bucket" in tc else None
        cols = [tc.code] + ([bucket] if bucket is not None else [])
        out: dict[str, date | None] = {}
        for batch in _batches(codes):
            for r in self.conn.execute(select(*cols).where(tc.code.in_(batch))):
                out[r[0]] = r[1] if bucket is not None else None
        return out

    def _upsert(self, frame: pd.DataFrame) -> None:
        old = self._existing(frame["code"].tolist())
        if old:
            for batch in _batches(list(old)):
                self.conn.execute(delete(self.table).where(self.table.c.code.in_(batch)))
            self.stats.buckets.update(b for b in old.values() if b is not None)
        # Every table column is written, NULL when the file has no value (as Core inserts did).
        missing = {c: None for c in self.columns if c not in frame.columns}
        insert_frame(self.conn, self.table, frame.assign(**missing) if missing else frame, fast=True)
        self.stats.updated += len(old)
        self.stats.inserted += len(frame) - len(old)

    def _keep_absent(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the stored values of rows already stored in every table column the
        file does not carry (reference files may be partial: a list of new names, say)."""
        if self.carried is None or self.was_empty:
            return frame
        absent = [c for c in self.columns if c != "code" and c not in self.carried]
        if not absent:
            return frame
        tc = self.table.c
        stored: list[tuple] = []
        codes = frame["code"].tolist()
        for batch in _batches(codes):
            q = select(tc.code, *[tc[c] for c in absent]).where(tc.code.in_(batch))
            stored.extend(tuple(r) for r in self.conn.execute(q))
        if not stored:
            return frame
        old = pd.DataFrame(stored, columns=["code", *absent], dtype=object).set_index("code")
        out = frame.copy()
        for c in absent:
            # new rows get the format's default (what the frame holds), stored ones keep theirs
            # a dict lookup, not Series.map: map would turn stored integers into floats
            lookup = old[c].to_dict()
            kept = pd.Series([lookup.get(k) for k in out["code"]], index=out.index, dtype=object)
            known = out["code"].isin(old.index).to_numpy()
            col = out[c].astype(object) if c in out.columns else pd.Series(None, index=out.index, dtype=object)
            col = col.where(~known, kept.astype(object))
            out[c] = col.where(pd.notna(col), None)
        return out

    def write(self, frame: pd.DataFrame) -> None:
        """Upsert one chunk of validated rows (schema column -> typed values)."""
        raise NotImplementedError

    def finish(self) -> None:
        """Work that needs the whole file (none by default)."""


class DossierWriter(_Writer):
    table = s.dossier

    def __init__(self, conn: Connection, carried: Iterable[str] | None = None) -> None:
        super().__init__(conn, carried)
        proc = s.procedure.c
        legal = conn.execute(
            select(proc.code, proc.legal_days).where(proc.legal_days.is_not(None))
        ).all()
        self.legal_days = pd.Series({code: days for code, days in legal}, dtype="float64")
        self.holidays = [r[0] for r in conn.execute(select(s.holiday.c.day))]

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        frame = derive_dossiers(frame, self.legal_days, self.holidays)
        self._upsert(frame)
        self.stats.buckets.update(frame["received_bucket"].unique())


class FeedbackWriter(_Writer):
    table = s.feedback

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        frame = derive_feedback(frame)
        self._upsert(frame)
        self.stats.buckets.update(frame["received_bucket"].unique())


class UnitWriter(_Writer):
    """Units: a file may carry only some columns (a list of new names, say): a unit already
    stored keeps its values in every column the file does not have. A blank cell in a column
    the file has still means what the format says (no parent, no end of validity, …)."""

    table = s.unit

    def write(self, frame: pd.DataFrame) -> None:
        if not frame.empty:
            frame = self._keep_absent(frame)
            self._upsert(frame)
            self._successor_lineage(frame)
            if "portal_alias" in frame.columns:  # BiDanhCong: the unit's names on the portal
                write_aliases(self.conn, zip(frame["code"], frame["portal_alias"], strict=True))

    def _successor_lineage(self, frame: pd.DataFrame) -> None:
        """A unit that ends (HieuLucDen) with a successor (MaDonViKeThua) hands its work over the
        next day: record that as lineage (share NULL = all of it) unless the pair already has a
        row for that day, which may carry a share imported on purpose."""
        if "successor_code" not in frame.columns or "valid_to" not in frame.columns:
            return
        ends = frame[frame["successor_code"].notna() & frame["valid_to"].notna()]
        records = [
            {"old_code": code, "new_code": succ, "valid_from": end + timedelta(days=1), "share": None}
            for code, succ, end in zip(ends["code"], ends["successor_code"], ends["valid_to"], strict=True)
            if code != succ
        ]
        if records:
            s.unit_lineage.create(self.conn, checkfirst=True)  # a database of an earlier release
            stored = _stored_lineage(self.conn, records)
            new = [r for r in records if _lineage_key(r) not in stored]
            if new:
                self.conn.execute(insert(s.unit_lineage), new)


def _lineage_key(r: dict) -> tuple[str, str, date]:
    return r["old_code"], r["new_code"], r["valid_from"]


def _stored_lineage(conn: Connection, records: list[dict]) -> dict[tuple[str, str, date], float | None]:
    """Stored lineage rows with the keys of ``records`` -> their share."""
    g = s.unit_lineage.c
    keys = {_lineage_key(r) for r in records}
    out: dict[tuple[str, str, date], float | None] = {}
    for batch in _batches(sorted({r["old_code"] for r in records})):
        for old, new, day, share in conn.execute(
            select(g.old_code, g.new_code, g.valid_from, g.share).where(g.old_code.in_(batch))
        ):
            if (old, new, day) in keys:
                out[(old, new, day)] = share
    return out


class LineageWriter(_Writer):
    """Lineage rows, upserted on (old unit, new unit, day): a re-import replaces the share. A
    file without the TyLe column keeps the stored shares, as partial unit files keep columns."""

    table = s.unit_lineage

    def __init__(self, conn: Connection, carried: Iterable[str] | None = None) -> None:
        s.unit_lineage.create(conn, checkfirst=True)  # a database of an earlier release
        super().__init__(conn, carried)

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        records = frame_records(frame, ["old_code", "new_code", "valid_from", "share"])  # small
        stored = {} if self.was_empty else _stored_lineage(self.conn, records)
        if stored:
            g = s.unit_lineage.c
            self.conn.execute(
                delete(s.unit_lineage).where(
                    g.old_code == bindparam("o"), g.new_code == bindparam("n"), g.valid_from == bindparam("d")
                ),
                [{"o": o, "n": n, "d": d} for o, n, d in stored],
            )
            if self.carried is not None and "share" not in self.carried:
                for r in records:
                    r["share"] = stored.get(_lineage_key(r), r["share"])
        self.conn.execute(insert(s.unit_lineage), records)
        self.stats.updated += len(stored)
        self.stats.inserted += len(records) - len(stored)

# Procedure attributes that the aggregates join on: changing one changes stored counts.
_AGG_ATTRIBUTES = ("fee_bearing", "issues_result", "certification")


class CatalogueWriter(_Writer):
    """The procedure catalogue; like units, a partial file keeps the attributes it lacks."""

    table = s.procedure

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        frame = self._keep_absent(frame)  # a partial file changes only the columns it carries
        records = frame_records(frame, list(frame.columns))  # a catalogue is small
        self._write_fields(records)
        self._note_changed(records)
        self._upsert(frame)

    def _note_changed(self, records: list[dict]) -> None:
        """Buckets whose aggregates depend on a procedure attribute this import changes."""
        p = s.procedure.c
        new = {r["code"]: r for r in records}
        changed = []
        for batch in _batches(list(new)):
            q = select(p.code, *[p[a] for a in _AGG_ATTRIBUTES]).where(p.code.in_(batch))
            for row in self.conn.execute(q):
                if any(row[i + 1] != new[row[0]][a] for i, a in enumerate(_AGG_ATTRIBUTES)):
                    changed.append(row[0])
        d = s.dossier.c
        for batch in _batches(changed):
            q = select(d.received_bucket).where(d.procedure_code.in_(batch)).distinct()
            self.stats.buckets.update(r[0] for r in self.conn.execute(q))

    def _write_fields(self, rows: list[dict]) -> None:
        names: dict[str, str | None] = {}
        for r in rows:
            code = r.get("field_code")
            if code is not None and (r.get("field_name") or code not in names):
                names[code] = r.get("field_name")
        f = s.field.c
        known: set[str] = set()
        for batch in _batches(list(names)):
            known.update(x[0] for x in self.conn.execute(select(f.code).where(f.code.in_(batch))))
        # A field named in the file replaces the stored name; an unnamed new field gets its code.
        replace = [c for c, n in names.items() if n and c in known]
        for batch in _batches(replace):
            self.conn.execute(delete(s.field).where(f.code.in_(batch)))
        records = [
            {"code": c, "name": n or c} for c, n in names.items() if n or c not in known
        ]
        if records:
            self.conn.execute(insert(s.field), records)


WRITERS: dict[str, type[_Writer]] = {
    "dossier": DossierWriter,
    "feedback": FeedbackWriter,
    "units": UnitWriter,
    "catalogue": CatalogueWriter,
    "lineage": LineageWriter,
}
