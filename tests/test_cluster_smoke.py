"""Two Streamlit processes of the dashboard behind nginx (deploy/run_cluster.py and
deploy/nginx.conf.template) on a small demo: both processes serve, a browser sticks to one (its
page, its /_stcore requests and its websocket), a page loads through nginx over the websocket,
and a process that dies leaves its browsers to the other.

Skips with the reason when nginx is missing (an error under CI, where .ci/run installs it)."""

from __future__ import annotations

import asyncio
import os
import re
import urllib.request
from pathlib import Path

import pytest
from helpers.server import free_port

from bench import bench_load as bl
from deploy.run_cluster import Cluster, find_nginx, render_conf

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster")]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require_nginx() -> None:
    if find_nginx() is None:
        if IN_CI:
            pytest.fail("nginx is required under CI but missing (apt-get install nginx)")
        pytest.skip("nginx not installed (apt-get install nginx; looked on PATH and in /usr/sbin)")


def _get(url: str, cookie: str = "") -> tuple[int, str, str]:
    """Status, X-Upstream and the routing cookie set (``stroute=…``, or "")."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
        return r.status, r.headers.get("X-Upstream", ""), next(
            (c for c in cookies if c.startswith("stroute=")), "")


@pytest.fixture(scope="module")
def cluster(demo_databases, tmp_path_factory: pytest.TempPathFactory):
    _require_nginx()
    run_dir = tmp_path_factory.mktemp("cluster")
    with Cluster([free_port(), free_port()], free_port(), run_dir,
                 db_url=demo_databases.url("sqlite")) as c:
        yield c


def test_the_rendered_configuration_lists_every_process(tmp_path: Path):
    conf = render_conf(tmp_path, "127.0.0.1:9000", [9001, 9002, 9003])
    for port in (9001, 9002, 9003):
        assert f"server 127.0.0.1:{port} max_fails=" in conf
    assert not re.search(r"@@[A-Z_]+@@", conf) and "listen 127.0.0.1:9000;" in conf
    assert "hash $stroute_key consistent;" in conf
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in conf


def test_both_processes_serve_and_a_browser_sticks_to_one(cluster: Cluster):
    for i in range(2):
        assert _get(f"{cluster.app_url(i)}/_stcore/health")[0] == 200
    # new browsers (no cookie) are spread by a random key: both processes get some
    seen: dict[str, str] = {}
    for _ in range(40):
        status, upstream, cookie = _get(f"{cluster.url}/")
        assert status == 200 and cookie
        seen.setdefault(upstream, cookie)
        if len(seen) == 2:
            break
    assert set(seen) == {f"127.0.0.1:{p}" for p in cluster.app_ports}
    # a browser with its cookie always reaches the same process, /_stcore requests included
    for upstream, cookie in seen.items():
        for path in ("/", "/_stcore/health", "/_stcore/host-config", "/don-vi"):
            status, again, new_cookie = _get(f"{cluster.url}{path}", cookie)
            assert (status, again, new_cookie) == (200, upstream, "")


def test_a_page_loads_through_nginx_over_the_websocket(cluster: Cluster):
    plan = bl.Plan(url=cluster.url, sessions=4, pages=["so-ban-nganh", "xu-huong"], burst=True,
                   rounds=1, timeout=90)
    samples, wall = asyncio.run(bl.run(plan))
    assert len(samples) == 8
    for s in samples:
        r = s.result
        assert r.outcome == "ok", r.detail
        assert r.ms > 0 and r.elements > 0
        assert r.upstream in {f"127.0.0.1:{p}" for p in cluster.app_ports}
        assert r.ws_upstream == r.upstream  # the websocket went where the page came from
    assert bl.summarise(samples, wall)["unsticky_sessions"] == 0


def test_a_dead_process_leaves_its_browsers_to_the_other(cluster: Cluster):
    # last: it stops one process of the module's cluster
    victim, survivor = cluster.app_ports
    cookie = ""
    for _ in range(40):
        _, upstream, c = _get(f"{cluster.url}/")
        if upstream == f"127.0.0.1:{victim}":
            cookie = c
            break
    assert cookie, "no new browser was routed to the first process"
    cluster.apps[0].terminate()
    cluster.apps[0].wait(timeout=15)
    status, upstream, _ = _get(f"{cluster.url}/_stcore/health", cookie)
    assert status == 200
    assert upstream.split(", ")[-1] == f"127.0.0.1:{survivor}"
