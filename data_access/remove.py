"""``python -m data_access remove dossier|feedback [CODE...] [--received-after D]
[--received-before D]``: take wrongly imported rows out again, without SQL by hand.

Rows are chosen by code, by received day (strictly after / strictly before; both together mean
the days in between), or both (codes among those days). The delete, the refresh of the
aggregate buckets the rows were counted in and the log entry share one transaction, exactly as
an import does: a failure leaves everything as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, Engine, and_, delete, insert, select

from data_access import schema as s
from data_access.refresh import SnapshotBuilder, refresh
from data_access.validate import parse_datetime
from texts import t

TABLES = {"dossier": s.dossier, "feedback": s.feedback}
_BATCH = 500  # codes per IN (...) list
_SHOWN_CODES = 20  # codes not found listed in the message


class RemoveError(ValueError):
    """A selector that cannot be used; the message is Vietnamese."""


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_datetime(text).date()
    except ValueError:
        raise RemoveError(t("remove.bad_date", value=text)) from None


def _conditions(table, after: date | None, before: date | None) -> list:  # noqa: ANN001
    out = []
    if after is not None:
        out.append(table.c.received_date > after)
    if before is not None:
        out.append(table.c.received_date < before)
    return out


def _selected(conn: Connection, table, codes: Sequence[str], cond: list) -> dict[str, date]:  # noqa: ANN001
    """Code -> received bucket of every row chosen."""
    cols = (table.c.code, table.c.received_bucket)
    if not codes:
        return {r[0]: r[1] for r in conn.execute(select(*cols).where(and_(*cond)))}
    out: dict[str, date] = {}
    unique = list(dict.fromkeys(codes))
    for i in range(0, len(unique), _BATCH):
        q = select(*cols).where(table.c.code.in_(unique[i : i + _BATCH]), *cond)
        out.update({r[0]: r[1] for r in conn.execute(q)})
    return out


def remove_rows(engine: Engine, kind: str, codes: Sequence[str] = (), after: date | None = None,
                before: date | None = None,
                snapshot: SnapshotBuilder | None = None) -> tuple[list[str], int]:  # fmt: skip
    """Delete the chosen rows of ``kind`` and refresh their buckets (and ``snapshot``, see
    data_access.refresh), in one transaction. Returns (codes removed, buckets refreshed)."""
    table = TABLES[kind]
    cond = _conditions(table, after, before)
    if not codes and not cond:
        raise RemoveError(t("remove.no_selector"))
    with engine.begin() as conn:
        chosen = _selected(conn, table, codes, cond)
        if not chosen:
            return [], 0
        removed = list(chosen)
        for i in range(0, len(removed), _BATCH):
            conn.execute(delete(table).where(table.c.code.in_(removed[i : i + _BATCH])))
        how = ", ".join(
            x for x in (
                t("remove.how.codes", n=len(codes)) if codes else "",
                t("remove.how.after", day=after.isoformat()) if after else "",
                t("remove.how.before", day=before.isoformat()) if before else "",
            ) if x
        )  # fmt: skip
        # logged before the refresh, as an import is (check compares the ids)
        conn.execute(insert(s.load_log).values(
            at=datetime.now(), action="remove", rows=len(removed),
            detail=t("remove.log.detail", kind=kind, n=len(removed), how=how)))  # fmt: skip
        buckets = set(chosen.values())
        refresh(conn, buckets, snapshot=snapshot)
    return removed, len(buckets)


def run_remove(engine: Engine, kind: str, codes: Sequence[str], after: str | None = None,
               before: str | None = None, snapshot: SnapshotBuilder | None = None) -> int:  # fmt: skip
    """The command: prints what was removed; 0 when something was, 1 otherwise."""
    name = t(f"remove.kind.{kind}")
    try:
        removed, buckets = remove_rows(engine, kind, codes, _day(after), _day(before), snapshot)
    except RemoveError as e:
        print(e, file=sys.stderr)
        return 2
    missing = [c for c in dict.fromkeys(codes) if c not in set(removed)]
    if missing:
        shown = ", ".join(missing[:_SHOWN_CODES]) + (" …" if len(missing) > _SHOWN_CODES else "")
        print(t("remove.not_found", n=len(missing), codes=shown), file=sys.stderr)
    if not removed:
        print(t("remove.nothing", kind=name), file=sys.stderr)
        return 1
    print(t("remove.done", n=len(removed), kind=name, buckets=buckets))
    return 0
