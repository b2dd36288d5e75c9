"""``python -m data_access import FILE... [--skip-invalid]``: real one-stop-shop exports.

Each file is streamed in chunks in two passes, so memory stays bounded whatever its size:
1. read and validate every chunk (vectorised, data_access.validate_frame; keeping only the set
   of codes seen, for duplicates), write the rejected rows to ``<file>.rejected.csv`` with
   --skip-invalid, and spool the valid rows, normalised, to a temporary file;
2. write the spooled chunks, refresh the touched aggregate buckets and log the load, all in ONE
   transaction per file: an invalid file (without --skip-invalid), a database error or a killed
   process leaves the database exactly as it was. Nothing is parsed or validated twice, and the
   rows written are exactly the rows validated even if the file changes in between.
Files are imported units first, then lineage, catalogues, dossiers and feedback, so rows may
refer to units and procedures imported by the same command. Each file is judged on its own: one that
cannot be read, or fails in any way, is reported and the others are imported.

Dossier and feedback dates must fall in a window (``date_window``): not before the earliest
unit's validity (``DATE_FLOOR`` when a unit has none), not after the run date plus a horizon
(``--date-horizon-days``, env REFORM_IMPORT_HORIZON_DAYS, default ``DEFAULT_HORIZON_DAYS``); a
due date may be up to ``DUE_ALLOWANCE_DAYS`` later still.
"""

from __future__ import annotations

import csv
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from data_access import formats as fm
from data_access import schema as s
from data_access.cell_safety import safe_cell
from data_access.readers import FileError, iter_frames, read_headers
from data_access.refresh import SnapshotBuilder, refresh
from data_access.validate import Reference, level_lookup, overfull_shares
from data_access.validate_frame import validate_frame
from data_access.writers import WRITERS
from texts import t

if TYPE_CHECKING:
    from _csv import Writer as CsvWriter  # the type csv.writer returns (typeshed name)

HORIZON_ENV = "REFORM_IMPORT_HORIZON_DAYS"
DEFAULT_HORIZON_DAYS = 31  # a month of slack for clocks and exports dated ahead
DUE_ALLOWANCE_DAYS = 366  # a due date may lie a legal duration ahead of the received day
DATE_FLOOR = date(2000, 1, 1)  # the earliest date when some unit has no start of validity
MAX_LISTED = 50  # invalid rows listed in the error message; the rest are counted
SQLITE_CACHE_KB = 128 * 1024  # page cache while writing (see _big_sqlite_cache)


@dataclass
class FileResult:
    path: Path
    ok: bool
    kind: str | None = None
    rows: int = 0  # data rows read
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.inserted + self.updated


@dataclass
class _Plan:
    path: Path
    kind: fm.Kind
    headers: fm.HeaderMap


def rejected_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejected.csv")


class HorizonError(ValueError):
    """REFORM_IMPORT_HORIZON_DAYS is not a whole number of days; the message is Vietnamese."""


def horizon_days(value: int | None = None) -> int:
    """The date horizon: ``value`` (the command-line option) or the environment's, or the default."""
    if value is not None:
        return value
    raw = os.environ.get(HORIZON_ENV, "").strip()
    if not raw:
        return DEFAULT_HORIZON_DAYS
    if not raw.isdigit():
        raise HorizonError(t("import.horizon.bad_env", name=HORIZON_ENV, value=raw))
    return int(raw)


def date_window(conn: Connection, today: date | None = None,
                horizon: int | None = None) -> tuple[date, date, date]:  # fmt: skip
    """(earliest, latest, latest due) day a dossier or feedback date may hold."""
    u = s.unit.c
    undated, first = conn.execute(
        select(func.count().filter(u.valid_from.is_(None)), func.min(u.valid_from))
    ).one()
    earliest = DATE_FLOOR if undated or first is None else first
    latest = (today or date.today()) + timedelta(days=horizon_days(horizon))
    return earliest, latest, latest + timedelta(days=DUE_ALLOWANCE_DAYS)


def load_reference(conn: Connection, extra_units: Iterable[str] = (), today: date | None = None,
                   horizon: int | None = None) -> Reference:  # fmt: skip
    """Units, procedures and levels as stored now (so earlier files of the command count), and
    the window dates must fall in."""
    u = s.unit.c
    validity = {r[0]: (r[1], r[2]) for r in conn.execute(select(u.code, u.valid_from, u.valid_to))}
    units = set(validity)
    procs = {r[0]: r[1] for r in conn.execute(select(s.procedure.c.code, s.procedure.c.field_code))}
    levels = {r[0]: r[1] for r in conn.execute(select(s.unit_level.c.code, s.unit_level.c.name))}
    earliest, latest, latest_due = date_window(conn, today, horizon)
    return Reference(frozenset(units | set(extra_units)), procs, level_lookup(levels),
                     earliest, latest, latest_due, unit_validity=validity)  # fmt: skip


def _plan(path: Path) -> _Plan | FileResult:
    if not path.is_file():
        return FileResult(path, False, messages=[t("import.error.not_found", file=path)])
    try:
        headers = read_headers(path)
    except FileError as e:
        return FileResult(path, False, messages=[t("import.error.unreadable", file=path, error=e)])
    kind = fm.detect_kind(headers)
    if kind is None:
        keys = ", ".join(k.key_header for k in fm.KINDS)
        return FileResult(path, False, messages=[t("import.error.unknown_kind", file=path, keys=keys)])
    hmap = fm.map_headers(kind, headers)
    if hmap.missing:
        msg = t("import.error.missing_headers", file=path, kind=t(f"import.kind.{kind.name}"),
                headers=", ".join(hmap.missing))  # fmt: skip
        return FileResult(path, False, kind=kind.name, messages=[msg])
    return _Plan(path, kind, hmap)


# --- pass 1: validation ---------------------------------------------------------------------


@dataclass
class _Validation:
    rows: int = 0
    bad: int = 0
    listed: list[tuple[int, list[str]]] = field(default_factory=list)


class _RejectedFile:
    """``<file>.rejected.csv``: the row number, the recognised columns as read, and LyDo."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.headers = headers
        # A list left by an earlier run would describe rows that are no longer rejected.
        path.unlink(missing_ok=True)
        self._f: TextIO | None = None
        self._w: CsvWriter | None = None

    def add(self, row_number: int, row: dict, reasons: list[str]) -> None:
        if self._w is None:
            f = self._f = self.path.open("w", encoding="utf-8-sig", newline="")
            self._w = csv.writer(f)
            self._w.writerow([t("import.rejected.row_header"), *self.headers, "LyDo"])
        # Cells as read from an untrusted file: a formula must not run when the list is opened.
        cells = [row_number, *(safe_cell(row.get(h, "")) for h in self.headers), "; ".join(reasons)]
        self._w.writerow([safe_cell(c) for c in cells])

    def close(self) -> None:
        if self._f is not None:
            self._f.close()


class _Spool:
    """Validated chunks kept on disk between the passes (an unlinked temporary file, so a
    killed process leaves nothing behind), to be written without parsing them again."""

    def __init__(self) -> None:
        self._f = tempfile.TemporaryFile(prefix="import_")
        self.chunks = 0

    def add(self, frame: pd.DataFrame) -> None:
        if len(frame):
            pickle.dump(frame, self._f, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunks += 1

    def __iter__(self) -> Iterator[pd.DataFrame]:
        self._f.seek(0)
        for _ in range(self.chunks):
            yield pickle.load(self._f)  # noqa: S301 - our own file, written above

    def close(self) -> None:
        self._f.close()


def _unit_codes_in_file(plan: _Plan) -> set[str]:
    """Units may name a parent or successor that comes later in the same file."""
    codes: set[str] = set()
    for frame in iter_frames(plan.path, plan.headers.used):
        if "MaDonVi" in frame.columns:
            codes.update(str(v).strip() for v in frame["MaDonVi"])
    codes.discard("")
    return codes


def _lineage_sums(plan: _Plan) -> dict:
    """The (old unit, day) groups of a lineage file whose shares add up to more than 1: a fact
    about the whole file, gathered before the chunks are validated so that every row of such a
    group is rejected with the same reason (validate.overfull_shares)."""
    cells: list[tuple[object, object, object]] = []
    for frame in iter_frames(plan.path, plan.headers.used):
        if "TyLe" in frame.columns:  # no share column: nothing can add up to more than 1
            cells.extend(zip(frame["MaDonViCu"], frame["NgayHieuLuc"], frame["TyLe"], strict=True))
    return overfull_shares(cells)


def _identities(kind: fm.Kind, valid: pd.DataFrame) -> pd.Series:
    """What must be unique within a file: the code, or a tuple of columns (lineage)."""
    columns = kind.identity_columns
    if len(columns) == 1:
        return valid[columns[0]]
    return pd.Series(list(zip(*(valid[c] for c in columns), strict=True)), index=valid.index, dtype=object)


def _validate_file(plan: _Plan, ref: Reference, rejected: _RejectedFile | None, spool: _Spool,
                   progress: bool) -> _Validation:  # fmt: skip
    kind = plan.kind
    key_header = ", ".join(kind.identity_headers)
    seen: set = set()
    res = _Validation()
    bar = tqdm(desc=t("import.progress.check", file=plan.path.name), unit=t("import.progress.unit"),
               disable=not progress, file=sys.stderr)  # fmt: skip
    for frame in iter_frames(plan.path, plan.headers.used):
        checked = validate_frame(kind, frame, ref)
        valid, reasons = checked.valid, checked.bad
        # Codes must be unique within the file: the first valid row with a code wins.
        codes = _identities(kind, valid)
        dup = codes.duplicated().to_numpy()
        if not seen.isdisjoint(codes):  # rare: look row by row only then
            dup |= np.fromiter((c in seen for c in codes), dtype=bool, count=len(codes))
        if dup.any():
            for n, code in zip(valid.index[dup], codes[dup], strict=True):
                shown = ", ".join(map(str, code)) if isinstance(code, tuple) else code
                reasons[int(n)] = [t("import.reason.duplicate", col=key_header, value=shown)]
            valid = valid[~dup]
            codes = codes[~dup]
        seen.update(codes)
        spool.add(valid)
        if reasons:
            _note_bad(res, frame, reasons, rejected)
        res.rows += len(frame)
        bar.update(len(frame))
    bar.close()
    return res


def _note_bad(res: _Validation, frame: pd.DataFrame, reasons: dict[int, list[str]],
              rejected: _RejectedFile | None) -> None:  # fmt: skip
    """Count, list and (with --skip-invalid) write the chunk's rejected rows, in row order."""
    numbers = sorted(reasons)
    res.bad += len(numbers)
    for n in numbers[: max(0, MAX_LISTED - len(res.listed))]:
        res.listed.append((n, reasons[n]))
    if rejected is not None:
        headers = list(frame.columns)
        for n, values in zip(numbers, frame.loc[numbers].itertuples(index=False, name=None), strict=True):
            rejected.add(n, dict(zip(headers, values, strict=True)), reasons[n])


# --- pass 2: writing ------------------------------------------------------------------------


def _big_sqlite_cache(conn: Connection) -> int | None:
    """SQLite: a larger page cache for the write (returns the old setting, to restore).

    With the default 2 MB, the index pages that a large insert touches at random no longer fit,
    and SQLite keeps spilling dirty pages to the WAL in the middle of the transaction; 128 MB
    (an upper bound, not an allocation) keeps them in memory until the commit."""
    if conn.dialect.name != "sqlite":
        return None
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    return old


def _write_file(engine: Engine, plan: _Plan, spool: _Spool, rejected: int, total: int,
                progress: bool, snapshot: SnapshotBuilder | None) -> tuple[int, int, int]:  # fmt: skip
    """Insert/update the spooled rows, log, refresh (and ``snapshot``); returns (inserted, updated, buckets)."""
    kind = plan.kind
    bar = tqdm(total=total, desc=t("import.progress.write", file=plan.path.name), unit=t("import.progress.unit"),
               disable=not progress, file=sys.stderr)  # fmt: skip
    carried = {c.column for c in kind.columns if c.header in plan.headers.used.values()}
    with engine.begin() as conn:
        cache = _big_sqlite_cache(conn)
        writer = WRITERS[kind.name](conn, carried)
        for frame in spool:
            writer.write(frame)
            bar.update(len(frame))
        writer.finish()
        st = writer.stats
        detail = t("import.log.detail", file=plan.path.name, kind=kind.name,
                   inserted=st.inserted, updated=st.updated, rejected=rejected)  # fmt: skip
        # The load is logged before its refresh: ``check`` reads a refresh with a higher id
        # than the last load as "the aggregates include every load".
        conn.execute(
            insert(s.load_log).values(
                at=datetime.now(), action="import", detail=detail, rows=st.inserted + st.updated
            )
        )
        if st.buckets:
            refresh(conn, st.buckets, snapshot=snapshot)
        elif snapshot is not None and st.inserted + st.updated:
            # Reference data (units, lineage, catalogue) touches no aggregate, but scores depend
            # on it (which units exist when, who came before whom): an empty refresh rebuilds
            # the score snapshot, so the dashboard keeps reading it instead of scoring on demand.
            refresh(conn, [], snapshot=snapshot)
        if cache is not None:
            conn.exec_driver_sql(f"PRAGMA cache_size={cache}")  # the pooled connection's own
    bar.close()
    return st.inserted, st.updated, len(st.buckets)


# --- one file, many files -------------------------------------------------------------------


def _invalid_message(plan: _Plan, v: _Validation) -> list[str]:
    lines = [t("import.error.invalid", file=plan.path, kind=t(f"import.kind.{plan.kind.name}"),
               bad=v.bad, rows=v.rows)]  # fmt: skip
    for n, reasons in v.listed:
        lines.append(t("import.error.row", row=n, reasons="; ".join(reasons)))
    if v.bad > len(v.listed):
        lines.append(t("import.error.more_rows", n=v.bad - len(v.listed)))
    lines.append(t("import.error.hint"))
    return lines


def _column_notes(plan: _Plan) -> list[str]:
    notes = []
    if plan.headers.personal:
        notes.append(t("import.summary.personal", n=len(plan.headers.personal),
                       columns=", ".join(plan.headers.personal)))  # fmt: skip
    if plan.headers.ignored:
        notes.append(t("import.summary.ignored", columns=", ".join(plan.headers.ignored)))
    return notes


def _short_error(e: BaseException) -> str:
    """One line about an error, never the SQL statement or its parameters (which may hold the
    file's data and would bury the cause)."""
    if isinstance(e, SQLAlchemyError):
        inner = getattr(e, "orig", None)
        text = str(inner) if inner is not None else type(e).__name__
    else:
        text = str(e) or type(e).__name__
    lines = [x for x in text.splitlines() if x.strip()]
    line = lines[0] if lines else type(e).__name__
    return line if len(line) <= 200 else line[:199] + "…"


def import_file(engine: Engine, path: Path | str, skip_invalid: bool = False,
                progress: bool = False, horizon: int | None = None,
                today: date | None = None, snapshot: SnapshotBuilder | None = None,
                snapshot_date: date | None = None) -> FileResult:  # fmt: skip
    """Validate and import one file; the result says what happened (nothing written unless ok).
    Never raises for a bad file or a database failure: the messages say what went wrong.
    ``snapshot``: run after the refresh, in the file's transaction (see data_access.refresh);
    ``scorecard.pipeline.import_files`` passes the score snapshot's builder. Official scores
    (JSON, or the flat table) go to data_access.official_import (``snapshot_date``: the day
    they were read from the portal; they touch no aggregate and no computed score)."""
    from data_access import official_import  # it builds on this module's FileResult

    if official_import.is_official(Path(path)):
        return official_import.run(engine, Path(path), skip_invalid, today, snapshot_date)
    try:
        return _import_file(engine, Path(path), skip_invalid, progress, horizon, today, snapshot)
    except (KeyboardInterrupt, HorizonError):
        raise
    except MemoryError:
        return FileResult(Path(path), False, messages=[
            t("import.error.unreadable", file=path, error=t("import.file.too_big"))])
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
        return FileResult(Path(path), False,
                          messages=[t("import.error.unexpected", file=path, error=_short_error(e))])


def _import_file(engine: Engine, path: Path, skip_invalid: bool, progress: bool,
                 horizon: int | None, today: date | None,
                 snapshot: SnapshotBuilder | None) -> FileResult:  # fmt: skip
    planned = _plan(path)
    if isinstance(planned, FileResult):
        return planned
    plan = planned
    res = FileResult(plan.path, False, kind=plan.kind.name)
    try:
        extra = _unit_codes_in_file(plan) if plan.kind is fm.UNITS else set()
        with engine.connect() as conn:
            ref = load_reference(conn, extra, today, horizon)
        if plan.kind is fm.LINEAGE:
            ref = replace(ref, overfull_shares=_lineage_sums(plan))
        rejected = None
        if skip_invalid:
            headers = [c.header for c in plan.kind.columns if c.header in plan.headers.used.values()]
            rejected = _RejectedFile(rejected_path(plan.path), headers)
        spool = _Spool()
        try:
            try:
                v = _validate_file(plan, ref, rejected, spool, progress)
            finally:
                if rejected is not None:
                    rejected.close()
            res.rows, res.rejected = v.rows, v.bad
            if not v.rows:
                res.messages = [t("import.error.empty", file=plan.path,
                                  kind=t(f"import.kind.{plan.kind.name}"))]  # fmt: skip
                return res
            if v.bad and not skip_invalid:
                res.messages = _invalid_message(plan, v) + _column_notes(plan)
                return res
            res.inserted, res.updated, buckets = _write_file(
                engine, plan, spool, v.bad, v.rows - v.bad, progress, snapshot
            )
        finally:
            spool.close()
    except FileError as e:
        res.messages = [t("import.error.unreadable", file=plan.path, error=e)]
        return res
    except (SQLAlchemyError, RuntimeError, OSError, ValueError) as e:
        res.messages = [t("import.error.write_failed", file=plan.path, error=_short_error(e))]
        return res
    res.ok = True
    res.messages.append(t("import.summary.done", file=plan.path, kind=t(f"import.kind.{plan.kind.name}"),
                          written=res.written, inserted=res.inserted, updated=res.updated))  # fmt: skip
    if res.rejected:
        res.messages.append(t("import.summary.rejected", n=res.rejected, path=rejected_path(plan.path)))
    if buckets:
        res.messages.append(t("import.summary.refreshed", n=buckets))
    res.messages += _column_notes(plan)
    return res


def _order(paths: list[Path]) -> list[Path]:
    """Units, lineage, catalogues, then dossiers and feedback (stable; unreadable files last)."""

    from data_access.official_import import is_official

    def rank(p: Path) -> int:
        if is_official(p):
            return fm.IMPORT_ORDER["official"]
        try:
            kind = fm.detect_kind(read_headers(p)) if p.is_file() else None
        except Exception:  # noqa: BLE001 - the import of that file will say what is wrong
            kind = None
        return fm.IMPORT_ORDER[kind.name] if kind else len(fm.IMPORT_ORDER)

    return sorted(paths, key=rank)


def import_files(engine: Engine, files: Iterable[str | Path], skip_invalid: bool = False,
                 progress: bool = False, horizon: int | None = None,
                 snapshot: SnapshotBuilder | None = None,
                 snapshot_date: date | None = None) -> int:  # fmt: skip
    """Import every file (each all-or-nothing on its own); print a summary. 0 when all succeeded."""
    results = []
    horizon = horizon_days(horizon)  # a bad environment value stops before any file
    for p in _order([Path(f) for f in files]):
        r = import_file(engine, p, skip_invalid=skip_invalid, progress=progress, horizon=horizon,
                        snapshot=snapshot, snapshot_date=snapshot_date)
        print("\n".join(r.messages), file=sys.stdout if r.ok else sys.stderr, flush=True)
        results.append(r)
    failed = [r for r in results if not r.ok]
    if len(results) > 1:
        print(t("import.summary.total", ok=len(results) - len(failed), failed=len(failed)))
    return 1 if failed else 0
