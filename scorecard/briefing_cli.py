"""``python -m scorecard briefing``: the meeting pack from the command line (scheduled jobs).

Kept out of ``scorecard/__main__.py`` (which wires it in with two calls) so the pack can change
without touching the report commands. Every user mistake or missing data is one Vietnamese line
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import get_engine
from scorecard import briefing, service
from texts import fmt_number, t


def add_briefing_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``briefing`` subcommand to the scorecard CLI's subparsers."""
    p = sub.add_parser("briefing", help=t("brief.cli_help"))
    p.add_argument("--week", help=t("brief.cli_week"))
    p.add_argument("--out", required=True, help=t("brief.cli_out"))
    p.add_argument("--xlsx", help=t("brief.cli_xlsx"))
    # Same dest as the other subcommands' --db, so either position of --db works.
    p.add_argument("--db", dest="db_sub", help=t("brief.cli_db"))
    return p


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _write(path: str, data: bytes) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def run_briefing(args: argparse.Namespace) -> int:
    """Build the deck (and the workbook with ``--xlsx``) for ``--week``; exit code."""
    url = getattr(args, "db_sub", None) or getattr(args, "db", None)
    try:
        engine = get_engine(url, read_only=True)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        print(t("brief.err_no_db", error=_first_line(exc)), file=sys.stderr)
        return 2
    try:
        week = args.week or service.latest_week(engine) or ""
        started = time.perf_counter()
        # One fetch feeds both files, so they always show the same numbers.
        b = briefing.collect(engine, week, communes=bool(args.xlsx))
        outputs = [(args.out, briefing.build_deck(engine, week, b))]
        if args.xlsx:
            outputs.append((args.xlsx, briefing.build_workbook(engine, week, b)))
        elapsed = time.perf_counter() - started
    except briefing.BriefingError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(t("brief.err_no_db", error=_first_line(exc)), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for path, data in outputs:
        try:
            _write(path, data)
        except OSError as exc:
            print(t("brief.err_write", path=path, error=_first_line(exc)), file=sys.stderr)
            return 2
        print(t("brief.cli_done", path=path, seconds=fmt_number(elapsed, 1)), file=sys.stderr)
    return 0
