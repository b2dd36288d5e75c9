"""A client-side watchdog for PostgreSQL calls that get no answer.

TCP keepalives and ``tcp_user_timeout`` cut a connection whose packets are no longer
acknowledged, but not one whose peer still acknowledges and never answers (a wedged server, a
proxy or a firewall that keeps the session half-open): libpq then waits forever in ``recv`` and
the page stays blank. The server's ``statement_timeout`` cannot help, the query never arrived.

So every call on a read-only PostgreSQL connection (pre-ping included) is registered here. A call
still waiting after ``probe_after`` seconds triggers a probe: a fresh connection and ``SELECT 1``
within ``probe_timeout``. A slow but healthy query passes the probe and is left to the server's
statement_timeout; when the probe fails the server is unreachable, and the waiting sockets are
shut down, which turns the hang into an ordinary OperationalError (the outage banner).
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

PROBE_AFTER = 4.0  # seconds a call may wait before the server is probed
PROBE_TIMEOUT = 4.0  # seconds the probe may take (connect + SELECT 1)
TICK = 0.25


@dataclass
class _Call:
    fd: int
    started: float
    probe: Callable[[], None]
    probed_at: float = 0.0


class Watchdog:
    """One daemon thread for the process, watching every registered call."""

    def __init__(self, probe_after: float = PROBE_AFTER, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self.probe_after = probe_after
        self.probe_timeout = probe_timeout
        self._calls: dict[int, _Call] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start_call(self, fd: int, probe: Callable[[], None]) -> int:
        """Register a call waiting on socket ``fd``; returns the token for ``end_call``."""
        token = next(self._ids)
        with self._lock:
            self._calls[token] = _Call(fd, time.monotonic(), probe)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="reform-db-watchdog")
                self._thread.start()
        return token

    def end_call(self, token: int | None) -> None:
        if token is None:
            return
        with self._lock:
            self._calls.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                due = [(k, c) for k, c in self._calls.items()
                       if now - max(c.started, c.probed_at) >= self.probe_after]
                for _, c in due:
                    c.probed_at = now
            for token, call in due:
                if not self._answers(call.probe):
                    log.warning("database not answering: cutting a call that waited %.0f s",
                                now - call.started)
                    with self._lock:
                        still = self._calls.pop(token, None)
                    if still is not None:
                        _shutdown(still.fd)

    def _answers(self, probe: Callable[[], None]) -> bool:
        """Does the server answer a fresh connection within ``probe_timeout``? The probe runs in
        its own thread: a server that accepts and then never answers must not block the
        watchdog."""
        ok: list[bool] = []

        def run() -> None:
            try:
                probe()
                ok.append(True)
            except Exception:  # noqa: BLE001 - any failure means "not answering"
                ok.append(False)

        th = threading.Thread(target=run, daemon=True, name="reform-db-probe")
        th.start()
        th.join(self.probe_timeout)
        return bool(ok and ok[0])


def _shutdown(fd: int) -> None:
    """Shut the socket down under libpq's feet: its wait returns, the read fails, and the
    driver raises OperationalError ("server closed the connection") for the pool to discard."""
    try:
        dup = os.dup(fd)
    except OSError:
        return  # already closed
    try:
        s = socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        s.close()


WATCHDOG = Watchdog()
