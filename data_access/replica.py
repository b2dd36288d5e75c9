"""How far a PostgreSQL hot standby is behind its primary: monitoring, not a data query.

The dashboard may read a streaming replica (``REFORM_DB_READ_URL``, see ``data_access.config``)
while the command line writes the primary. This probe tells the page how old what it reads may
be. It is the one place that calls PostgreSQL's replication functions, which exist nowhere else:
on any other backend it runs no query and answers None. The scorecard's queries
(``data_access.queries``) stay portable.

Lag, in seconds:

- None: not PostgreSQL, not a standby (``pg_is_in_recovery()`` false: a primary), or a standby
  that has replayed no transaction since it started while WAL is still to replay (unknown);
- 0: the standby has replayed all the WAL it received (``pg_last_wal_receive_lsn() =
  pg_last_wal_replay_lsn()``): it shows what the primary had committed when that WAL was sent,
  however long ago the last transaction was (an idle primary is not a lagging replica);
- else ``now() - pg_last_xact_replay_timestamp()``: how long ago the newest transaction the
  standby shows was committed on the primary. An upper bound: while a long import is still
  streaming (not committed), nothing is actually missing yet. When the standby is not receiving
  (the primary unreachable) the receive position is NULL and this bound is what is reported.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Float, cast, extract, func, select
from sqlalchemy.sql import Select

from data_access.queries.base import _connect
from data_access.queries.registry import statement

POSTGRESQL = "postgresql"


@statement("replica_lag", dialects=(POSTGRESQL,))
def replica_lag_stmt() -> Select:
    """PostgreSQL only: [in_recovery, caught_up, replay_age_s] of the server (a standby or not)."""
    age = extract("epoch", func.now() - func.pg_last_xact_replay_timestamp())
    return select(
        func.pg_is_in_recovery().label("in_recovery"),
        (func.pg_last_wal_receive_lsn() == func.pg_last_wal_replay_lsn()).label("caught_up"),
        cast(age, Float).label("replay_age_s"),
    )


def lag_from(in_recovery: bool | None, caught_up: bool | None,
             replay_age_s: float | None) -> float | None:
    """The lag (seconds) that the probe's row means; see the module docstring."""
    if not in_recovery:
        return None
    if caught_up:
        return 0.0
    if replay_age_s is None:
        return None
    return max(0.0, float(replay_age_s))  # clocks of two machines may disagree a little


def lag_seconds(bind: Engine | Connection) -> float | None:
    """The replication lag of the server ``bind`` reads, in seconds (see the module docstring);
    None on SQLite and any other non-PostgreSQL backend, without a query."""
    if bind.dialect.name != POSTGRESQL:
        return None
    with _connect(bind) as conn:
        row = conn.execute(replica_lag_stmt()).one()
    return lag_from(row.in_recovery, row.caught_up, row.replay_age_s)
