"""``python -m meeting_pack``: the weekly briefing deck (and workbook) from the command line.

Also reachable as ``python -m scorecard briefing`` (the same arguments): that entry point wires
in ``add_briefing_parser`` and ``run_briefing``. Every user mistake or missing data is one
Vietnamese line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import get_engine
from meeting_pack.data import BriefingError, collect
from meeting_pack.deck import build_deck
from meeting_pack.workbook import build_workbook
from scorecard import service
from scorecard.cli_parser import Parser, UsageError
from texts import fmt_number, t


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The pack's arguments: --week, --out, --xlsx, --db."""
    p.add_argument("--week", help=t("brief.cli_week"))
    p.add_argument("--out", required=True, help=t("brief.cli_out"))
    p.add_argument("--xlsx", help=t("brief.cli_xlsx"))
    # Same dest as the scorecard CLI's other subcommands' --db, so either position works there.
    p.add_argument("--db", dest="db_sub", metavar="URL", help=t("brief.cli_db"))
    return p


def add_briefing_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``briefing`` subcommand to the scorecard CLI's subparsers."""
    return add_arguments(sub.add_parser("briefing", help=t("brief.cli_help")))


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
        b = collect(engine, week, communes=bool(args.xlsx))
        outputs = [(args.out, build_deck(engine, week, b))]
        if args.xlsx:
            outputs.append((args.xlsx, build_workbook(engine, week, b)))
        elapsed = time.perf_counter() - started
    except BriefingError as exc:
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


def main(argv: list[str] | None = None) -> int:
    """``python -m meeting_pack [--week W] --out F.pptx [--xlsx F.xlsx] [--db URL]``."""
    parser = add_arguments(Parser(prog="python -m meeting_pack", description=t("brief.cli_help")))
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return run_briefing(args)
