"""Writes of the official scores and of the units' portal aliases, inside the caller's
transaction (an import file's). Reads are in ``data_access.queries.official``.

No upsert syntax (portable): an update is a delete of the stored keys and an insert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, delete, insert, select

from data_access import schema as s
from data_access.official_defaults import ensure_tables

_IN_BATCH = 500  # values per IN (...) list: well under SQLite's bound-parameter limit
ALIAS_SEPARATOR = re.compile(r"\s*;\s*")
KEY_COLUMNS = ("unit_key", "period_type", "period", "code", "snapshot_date")
SCORE_COLUMNS = tuple(c.name for c in s.official_score.columns)


def split_aliases(text: str | None) -> list[str]:
    """``"000.20.34.H48; UBND P. Hải Vân"`` -> the two aliases (blank: none)."""
    if not text:
        return []
    return [a for a in ALIAS_SEPARATOR.split(str(text).strip()) if a]


def write_aliases(conn: Connection, pairs: Iterable[tuple[str, str | None]]) -> int:
    """Add the portal aliases of units ((unit code, ``BiDanhCong`` cell) pairs); an alias names
    one unit, so one already stored for another unit moves to this one. Blank cells add
    nothing (aliases are added, never removed, by a units file). Returns aliases written."""
    wanted: dict[str, str] = {}
    for code, text in pairs:
        for alias in split_aliases(text):
            wanted[alias] = str(code)
    if not wanted:
        return 0
    ensure_tables(conn)
    a = s.unit_alias.c
    names = list(wanted)
    for i in range(0, len(names), _IN_BATCH):
        conn.execute(delete(s.unit_alias).where(a.alias.in_(names[i : i + _IN_BATCH])))
    conn.execute(insert(s.unit_alias), [{"alias": k, "unit_code": v} for k, v in wanted.items()])
    return len(wanted)


def _stored_keys(conn: Connection, rows: Sequence[dict]) -> set[tuple]:
    """The keys of ``rows`` already stored."""
    o = s.official_score.c
    wanted = {tuple(r[k] for k in KEY_COLUMNS) for r in rows}
    groups: dict[tuple, list[str]] = {}
    for key in wanted:
        groups.setdefault((key[1], key[2], key[4]), []).append(key[0])
    found: set[tuple] = set()
    for (ptype, period, snap), units in groups.items():
        units = sorted(set(units))
        for i in range(0, len(units), _IN_BATCH):
            q = select(*(o[k] for k in KEY_COLUMNS)).where(
                and_(o.period_type == ptype, o.period == period, o.snapshot_date == snap,
                     o.unit_key.in_(units[i : i + _IN_BATCH]))
            )  # fmt: skip
            found.update(tuple(r) for r in conn.execute(q) if tuple(r) in wanted)
    return found


def write_scores(conn: Connection, rows: Sequence[dict]) -> tuple[int, int]:
    """Upsert official rows on (unit, period, code, snapshot date); (inserted, updated)."""
    if not rows:
        return 0, 0
    ensure_tables(conn)
    stored = _stored_keys(conn, rows)
    if stored:
        o = s.official_score.c
        for key in stored:
            conn.execute(delete(s.official_score).where(
                and_(*(o[k] == v for k, v in zip(KEY_COLUMNS, key, strict=True)))))  # fmt: skip
    conn.execute(insert(s.official_score), [{c: r.get(c) for c in SCORE_COLUMNS} for r in rows])
    return len(rows) - len(stored), len(stored)
