"""Memory of the server processes, from /proc (Linux): the processes given by pid, or those
listening on given TCP ports, each with all its descendants; their RSS summed."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in PROC.iterdir():
        if not d.name.isdigit():
            continue
        try:
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d.name))
    return kids


def tree(pids: Iterable[int]) -> set[int]:
    """``pids`` and all their descendants."""
    kids = _children()
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(kids.get(p, []))
    return seen


def _listen_inodes(ports: set[int]) -> set[str]:
    inodes: set[str] = set()
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            # local address "ADDR:PORT" in hex, state 0A = LISTEN, inode in column 10
            if len(f) > 9 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) in ports:
                inodes.add(f[9])
    return inodes


def listening_pids(ports: Iterable[int]) -> set[int]:
    """The processes holding a listening socket on any of ``ports`` (those this user may
    inspect)."""
    inodes = _listen_inodes(set(ports))
    found: set[int] = set()
    if not inodes:
        return found
    targets = {f"socket:[{i}]" for i in inodes}
    for d in PROC.iterdir():
        if not d.name.isdigit():
            continue
        try:
            for fd in (d / "fd").iterdir():
                if fd.readlink().as_posix() in targets:
                    found.add(int(d.name))
                    break
        except OSError:
            continue
    return found


def rss_kb(pids: Iterable[int]) -> int:
    """Summed VmRSS of ``pids`` in kB (processes gone meanwhile count 0)."""
    total = 0
    for p in pids:
        try:
            for line in (PROC / str(p) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


class RssSampler:
    """Samples the summed RSS of the server processes every ``interval`` seconds in a thread;
    ``peak_kb`` is the highest sum seen. The process set is looked up again on every sample
    (a process started or restarted meanwhile is counted)."""

    def __init__(self, pids: Iterable[int] = (), ports: Iterable[int] = (),
                 interval: float = 0.5) -> None:
        self.pids, self.ports, self.interval = list(pids), list(ports), interval
        self.peak_kb = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def roots(self) -> set[int]:
        return set(self.pids) | (listening_pids(self.ports) if self.ports else set())

    def sample(self) -> int:
        procs = tree(self.roots())
        kb = rss_kb(procs)
        if kb > self.peak_kb:
            self.peak_kb, self.processes = kb, len(procs)
        return kb

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
