"""The one way data enters the reporting database: load (an import or the demo), refresh the
weekly aggregates, rebuild the weekly score snapshot.

``data_access`` loads and aggregates but knows nothing of scoring; this module hands it the
snapshot's builder (``scorecard.snapshot.build_snapshot``), which runs after the aggregate
refresh inside the same transaction: an import file, the demo, or a full refresh either lands
whole (rows, aggregates, log, snapshot) or not at all. The command lines (``python -m
data_access import|remove|demo|refresh``) and the dashboard's first-run demo call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine

from data_access import demo as demo_mod
from data_access import importer, remove
from data_access import refresh as refresh_mod
from scorecard.snapshot import build_snapshot


def import_files(engine: Engine, files: Iterable[str | Path], skip_invalid: bool = False,
                 progress: bool = False, horizon: int | None = None,
                 snapshot_date: date | None = None) -> int:  # fmt: skip
    """Import every file (each all-or-nothing, its refresh and snapshot included); print a
    summary. 0 when all succeeded (``data_access.importer.import_files``). ``snapshot_date``:
    the day official scores were read from the portal (JSON documents)."""
    return importer.import_files(engine, files, skip_invalid=skip_invalid, progress=progress,
                                 horizon=horizon, snapshot=build_snapshot,
                                 snapshot_date=snapshot_date)  # fmt: skip


def import_file(engine: Engine, path: Path | str, skip_invalid: bool = False,
                progress: bool = False, horizon: int | None = None,
                today: date | None = None, snapshot_date: date | None = None) -> importer.FileResult:  # fmt: skip
    """Import one file, its refresh and snapshot included (``data_access.importer.import_file``)."""
    return importer.import_file(engine, path, skip_invalid=skip_invalid, progress=progress,
                                horizon=horizon, today=today, snapshot=build_snapshot,
                                snapshot_date=snapshot_date)  # fmt: skip


def remove_rows(engine: Engine, kind: str, codes: Sequence[str] = (), after: date | None = None,
                before: date | None = None) -> tuple[list[str], int]:  # fmt: skip
    """Delete stored dossiers or feedback, refresh their buckets and the snapshot, in one
    transaction (``data_access.remove.remove_rows``)."""
    return remove.remove_rows(engine, kind, codes, after, before, snapshot=build_snapshot)


def run_remove(engine: Engine, kind: str, codes: Sequence[str], after: str | None = None,
               before: str | None = None) -> int:  # fmt: skip
    """The ``remove`` command (``data_access.remove.run_remove``) with the snapshot kept current."""
    return remove.run_remove(engine, kind, codes, after=after, before=before,
                             snapshot=build_snapshot)  # fmt: skip


def refresh(conn: Connection, buckets: Iterable[date] | None = None) -> int:
    """Recompute the aggregates of ``buckets`` (None: all) and the snapshot, in ``conn``'s
    transaction. Returns the unit-bucket rows written."""
    return refresh_mod.refresh(conn, buckets, snapshot=build_snapshot)


def generate_demo(engine: Engine, scale: float = 1.0, seed: int = 766,
                  progress: bool = True, end: date | None = None) -> dict[str, int]:  # fmt: skip
    """Replace all facts with demo data, refreshed and scored; returns row counts per table.
    ``end``: the demo's last day (default: the Sunday of the last complete week)."""
    return demo_mod.generate_demo(engine, scale=scale, seed=seed, progress=progress,
                                  snapshot=build_snapshot, end=end)  # fmt: skip
