"""Several Streamlit processes of the dashboard behind nginx, on one machine.

Starts ``--processes`` N app processes (``streamlit run app.py``) on 127.0.0.1 ports
``--first-port`` (8601), 8602, …, waits until each answers ``/_stcore/health``, then nginx on
``--port`` (8600) with ``deploy/nginx.conf.template`` rendered into the run directory
(``--run-dir``, default ``run/cluster``: nginx.conf, its pid, logs and temporary files, one
log per app process, ``pids``), waits until nginx answers, prints the address and stays in the
foreground. Ctrl+C (or SIGTERM) stops nginx and every app process. No root needed (as root,
nginx's workers run as ``nobody``).

    .venv/bin/python deploy/run_cluster.py --processes 2
    .venv/bin/python deploy/run_cluster.py --processes 4 --port 8080 --listen 0.0.0.0 \\
        --db postgresql+psycopg://reform_reader@db.example/reform

Each process reads the same configuration as ``streamlit run app.py`` (REFORM_DB_URL or
``.streamlit/secrets.toml``); ``--db`` sets REFORM_DB_URL for all of them.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
MAX_FAILS, FAIL_TIMEOUT_S = 3, 10


class ClusterError(RuntimeError):
    """A process did not start or did not answer in time (with the end of its log)."""


def find_nginx(explicit: str | None = None) -> str | None:
    """The nginx binary: ``explicit``, else on PATH, else a usual location; None if missing."""
    if explicit:
        return explicit if Path(explicit).exists() else None
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_CANDIDATES if Path(p).exists()), None)


def render_conf(run_dir: Path, listen: str, app_ports: Sequence[int],
                secure_cookie: bool = False, template: Path = TEMPLATE) -> str:
    """The nginx configuration for these app ports, its paths under ``run_dir``."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT_S}s;"
        for p in app_ports)
    user = ""
    if os.geteuid() == 0:  # workers would run as "nobody:nobody"; Debian has no group nobody
        pw = pwd.getpwnam("nobody")
        user = f"user {pw.pw_name} {grp.getgrgid(pw.pw_gid).gr_name};"
    conf = (template.read_text(encoding="utf-8")
            .replace("@@USER@@", user)
            .replace("@@RUN_DIR@@", str(run_dir.resolve()))
            .replace("@@LISTEN@@", listen)
            .replace("@@SERVERS@@", servers)
            .replace("@@COOKIE_SECURE@@", "; Secure" if secure_cookie else ""))
    left = sorted(set(re.findall(r"@@[A-Z_]+@@", conf)))
    if left:
        raise ValueError(f"{template}: placeholders left unfilled: {', '.join(left)}")
    return conf


def _tail(path: Path, n: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return ""


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until ``url`` answers 200; ClusterError if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            raise ClusterError(f"{url}: the process exited ({proc.returncode}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{url}: no answer within {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class Cluster:
    """N app processes and nginx in front; a context manager (``with Cluster(...) as c:``)."""

    def __init__(self, app_ports: Sequence[int], port: int, run_dir: Path,
                 db_url: str | None = None, listen: str | None = None,
                 nginx: str | None = None, start_timeout: float = 90,
                 extra_args: Sequence[str] = (), secure_cookie: bool = False) -> None:
        self.app_ports, self.port, self.run_dir = list(app_ports), port, run_dir.resolve()
        self.db_url, self.listen = db_url, listen or f"127.0.0.1:{port}"
        self.nginx_bin = find_nginx(nginx)
        self.start_timeout, self.extra_args = start_timeout, list(extra_args)
        self.secure_cookie = secure_cookie
        self.apps: list[subprocess.Popen[bytes]] = []
        self.nginx: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[i]}"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.apps]

    def _app_cmd(self, port: int) -> list[str]:
        return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", *self.extra_args]

    def start(self) -> None:
        if self.nginx_bin is None:
            raise ClusterError("nginx not found (apt-get install nginx)")
        for sub in ("tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for d in (self.run_dir / "tmp").rglob("*"):
                os.chown(d, nobody.pw_uid, nobody.pw_gid)
        env = {**os.environ}
        if self.db_url:
            env["REFORM_DB_URL"] = self.db_url
        for port in self.app_ports:
            log = (self.run_dir / f"app-{port}.log").open("wb")
            # a session of its own: Ctrl+C reaches this script only, which stops them in order
            self.apps.append(subprocess.Popen(
                self._app_cmd(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))
            log.close()
        (self.run_dir / "pids").write_text("".join(f"{p.pid}\n" for p in self.apps))
        for port, proc in zip(self.app_ports, self.apps, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc,
                         self.run_dir / f"app-{port}.log", self.start_timeout)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_conf(self.run_dir, self.listen, self.app_ports,
                                    self.secure_cookie), encoding="utf-8")
        err = self.run_dir / "nginx-error.log"
        test = subprocess.run([self.nginx_bin, "-t", "-q", "-p", str(self.run_dir), "-c", str(conf),
                               "-e", str(err)], capture_output=True, text=True)
        if test.returncode != 0:
            raise ClusterError(f"nginx -t failed:\n{test.stderr}{_tail(err)}")
        out = (self.run_dir / "nginx-stdout.log").open("wb")
        self.nginx = subprocess.Popen(
            [self.nginx_bin, "-p", str(self.run_dir), "-c", str(conf), "-e", str(err)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        wait_healthy(f"{self.url}/_stcore/health", self.nginx, err, 30)

    def stop(self) -> None:
        if self.nginx is not None:
            stop(self.nginx)
        for proc in self.apps:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.apps:
            stop(proc)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=2, help="Streamlit processes (default 2)")
    ap.add_argument("--first-port", type=int, default=8601, help="port of the first process")
    ap.add_argument("--port", type=int, default=8600, help="nginx's port (default 8600)")
    ap.add_argument("--listen", default=None,
                    help="nginx's listen address (default 127.0.0.1:PORT; 0.0.0.0:PORT for the LAN)")
    ap.add_argument("--run-dir", type=Path, default=ROOT / "run" / "cluster")
    ap.add_argument("--db", default=None, help="database URL for every process (REFORM_DB_URL)")
    ap.add_argument("--nginx", default=None, help="the nginx binary (default: PATH, /usr/sbin)")
    ap.add_argument("--secure-cookie", action="store_true",
                    help="mark the routing cookie Secure (when a TLS proxy is in front)")
    a = ap.parse_args(argv)
    if a.processes < 1:
        ap.error("--processes must be at least 1")
    ports = [a.first_port + i for i in range(a.processes)]
    signal.signal(signal.SIGTERM, _terminate)
    cluster = Cluster(ports, a.port, a.run_dir, db_url=a.db, listen=a.listen, nginx=a.nginx,
                      secure_cookie=a.secure_cookie)
    try:
        with cluster:
            print(f"{a.processes} Streamlit process(es) on ports {ports[0]}–{ports[-1]} "
                  f"(pids {', '.join(map(str, cluster.pids))}), nginx on {cluster.listen}")
            print(f"open {cluster.url}   logs: {cluster.run_dir}   stop: Ctrl+C", flush=True)
            while True:
                for port, proc in zip(ports, cluster.apps, strict=True):
                    if proc.poll() is not None:
                        print(f"process on port {port} exited ({proc.returncode}); "
                              f"nginx sends its browsers to the others", file=sys.stderr)
                        cluster.apps = [p for p in cluster.apps if p is not proc]
                        ports = [p for p in ports if p != port]
                if cluster.nginx is not None and cluster.nginx.poll() is not None:
                    print("nginx exited; stopping", file=sys.stderr)
                    return 1
                if not cluster.apps:
                    print("every app process exited; stopping", file=sys.stderr)
                    return 1
                time.sleep(1)
    except KeyboardInterrupt:
        print("stopping", flush=True)
        return 0
    except ClusterError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
