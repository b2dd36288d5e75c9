"""Whether the weekly score snapshot (score_week) can answer: built by this code's format, by
the latest refresh, from the reference data as it is now, covering the weeks asked for. Checked
once per database within a snapshot scope (a page run) rather than on every read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

from data_access import queries as q

P = ParamSpec("P")
R = TypeVar("R")

Bind = Engine | Connection

# Bumped when what build_snapshot writes changes meaning: an older snapshot is then ignored.
SNAPSHOT_FORMAT = 2  # 2: units and levels scored as of the period's end; không phát sinh
SNAPSHOT_KINDS = ("ytd", "week")
GROUPS = [f"group_{i}" for i in range(1, 7)]


# database URL -> the snapshot's checked state, within one snapshot_scope (a page run)
_CHECKED: ContextVar[dict[str, dict | None] | None] = ContextVar("snapshot_checked", default=None)


def start_snapshot_scope(checked: dict | None = None, reads: dict | None = None) -> None:
    """From here on in this thread (a page run: the dashboard calls it first thing each run),
    check the snapshot once per database, not once per ranking or series read: the check reads
    and hashes the reference tables, about 10 ms each time, and a page reads four to six.
    Reference reads (levels, units, methodology, grade bands, lineage) are memoised in it too.

    ``checked`` and ``reads``: memos the caller keeps and hands to several scopes, which then
    share one check and one read of each reference table (the dashboard's runs within one data
    version and a few seconds, ``ui.data.share_reads``); new empty ones by default."""
    _CHECKED.set({} if checked is None else checked)
    q.start_read_scope(reads)


@contextmanager
def snapshot_scope() -> Iterator[None]:
    """``start_snapshot_scope`` for a block (a service call that reads the snapshot several
    times), then back to what was before."""
    token = _CHECKED.set({})
    reads = q.start_read_scope()
    try:
        yield
    finally:
        q.end_read_scope(reads)
        _CHECKED.reset(token)


def checked_state(conn: Bind) -> dict | None:
    """The snapshot's state if it is current: built by this code's format, by the latest
    refresh, from the reference data as it is now."""
    state = q.snapshot_state(conn)
    if state is None or state["format"] != SNAPSHOT_FORMAT:
        return None
    if state["refresh_id"] != state["latest_refresh"] or not state["first_week"]:
        return None
    if state["inputs"] != q.snapshot_inputs_hash(conn):
        return None
    return state


def current_snapshot(conn: Bind, weeks: Sequence[str]) -> dict | None:
    """The snapshot's state if it can answer for ``weeks``: current (``checked_state``; once
    per database within a snapshot scope) and covering every week asked for."""
    checked = _CHECKED.get()
    if checked is None:
        state = checked_state(conn)
    else:
        key = conn.engine.url.render_as_string(hide_password=False)
        if key not in checked:
            checked[key] = checked_state(conn)
        state = checked[key]
    if state is None:
        return None
    if min(weeks) < state["first_week"] or max(weeks) > state["last_week"]:
        return None
    return state



def one_snapshot_check(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in a snapshot scope unless one is open (a page run): its reads of the
    snapshot check it once."""
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _CHECKED.get() is not None:
            return fn(*args, **kwargs)
        with snapshot_scope():
            return fn(*args, **kwargs)

    return run

