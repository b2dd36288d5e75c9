"""The PostgreSQL pool pings a connection before use only after it sat idle
(``data_access.engine.PING_AFTER_IDLE_S``): a connection whose server session ended while it was
idle is replaced without an error; one used a moment ago is not pinged (the outage banner covers
the rare server loss within that window)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from data_access import engine as engine_mod
from data_access.engine import get_engine
from tests.conftest import PG_URL, _require_pg


def _pings(eng) -> list[int]:  # noqa: ANN001
    """Count the statements that are the dialect's ping (``SELECT 1`` through do_ping)."""
    seen: list[int] = []
    real = eng.dialect.do_ping

    def counted(dbapi_conn) -> bool:  # noqa: ANN001
        seen.append(1)
        return real(dbapi_conn)

    eng.dialect.do_ping = counted
    return seen


def _kill_pooled_session(eng) -> None:  # noqa: ANN001
    with eng.connect() as c:
        pid = c.execute(text("select pg_backend_pid()")).scalar()
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text("select pg_terminate_backend(:p)"), {"p": pid})
    admin.dispose()


@pytest.mark.parametrize("read_only", [True, False])
def test_idle_connection_is_pinged_and_replaced(monkeypatch: pytest.MonkeyPatch, read_only: bool):
    _require_pg()
    eng = get_engine(PG_URL, read_only=read_only)
    pings = _pings(eng)
    try:
        with eng.connect() as c:
            assert c.execute(text("select 1")).scalar() == 1
        assert pings == []  # a fresh connection is not pinged
        for _ in range(3):  # used a moment ago: no ping
            with eng.connect() as c:
                c.execute(text("select 1"))
        assert pings == []
        _kill_pooled_session(eng)
        monkeypatch.setattr(engine_mod, "PING_AFTER_IDLE_S", 0.0)  # it has been idle long enough
        with eng.connect() as c:  # the ping fails, the pool reconnects: no error reaches us
            assert c.execute(text("select 2")).scalar() == 2
        # the dead connection's ping, then the new one's (every checkout pings at a 0 s window)
        assert len(pings) == 2
    finally:
        eng.dispose()


def test_recently_used_dead_connection_fails_then_recovers():
    _require_pg()
    eng = get_engine(PG_URL, read_only=True)
    connects: list[int] = []
    event.listen(eng, "connect", lambda *a: connects.append(1))
    try:
        with eng.connect() as c:
            c.execute(text("select 1"))
        _kill_pooled_session(eng)
        with pytest.raises(Exception), eng.connect() as c:  # noqa: B017 - the driver's error, wrapped
            c.execute(text("select 1"))
        with eng.connect() as c:  # the pool was invalidated: the next use reconnects
            assert c.execute(text("select 3")).scalar() == 3
        assert len(connects) >= 2
    finally:
        eng.dispose()
