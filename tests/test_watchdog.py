"""data_access.watchdog: a call that waits on a server that no longer answers is cut; a slow call
on a server that still answers is left alone (the server's statement_timeout bounds it)."""

from __future__ import annotations

import socket
import threading

import pytest

from data_access.watchdog import Watchdog


def _refuse() -> None:
    raise OSError("connection timeout expired")


def test_a_call_on_a_dead_server_is_cut():
    dog = Watchdog(probe_after=0.2, probe_timeout=1.0)
    waiting, peer = socket.socketpair()
    try:
        dog.start_call(waiting.fileno(), _refuse)
        waiting.settimeout(20)  # a bound on a hang, not a timing assertion
        assert waiting.recv(1) == b"", "the socket was shut down under the waiting call"
    finally:
        waiting.close()
        peer.close()


def test_a_slow_call_on_a_live_server_is_left_alone():
    dog = Watchdog(probe_after=0.1, probe_timeout=1.0)
    probed = threading.Event()
    waiting, peer = socket.socketpair()
    try:
        token = dog.start_call(waiting.fileno(), probed.set)
        assert probed.wait(20), "the server was probed"
        probed.clear()
        assert probed.wait(20), "and probed again while the call still waits"
        peer.sendall(b"x")
        waiting.settimeout(20)
        assert waiting.recv(1) == b"x", "the answer still arrives"
        dog.end_call(token)
    finally:
        waiting.close()
        peer.close()


@pytest.mark.slow
def test_a_probe_that_hangs_counts_as_no_answer():
    dog = Watchdog(probe_after=0.1, probe_timeout=0.5)
    never = threading.Event()
    waiting, peer = socket.socketpair()
    try:
        dog.start_call(waiting.fileno(), never.wait)
        waiting.settimeout(20)
        assert waiting.recv(1) == b""
    finally:
        never.set()
        waiting.close()
        peer.close()
