"""Streamlit's browser protocol, spoken by a script: one session over ``/_stcore/stream``.

What the browser does, and this client repeats (Streamlit 1.67, its Starlette server):

1. ``GET /<page>?<query>``: the HTML page. Behind ``deploy/nginx.conf`` this answer sets the
   sticky-routing cookie (``stroute``) that sends the websocket and every ``/_stcore/*`` and
   ``/media/*`` request of the session to the same app process; the ``X-Upstream`` header says
   which one served it.
2. A websocket to ``/_stcore/stream`` with subprotocol ``streamlit`` (the ``Sec-WebSocket-Protocol``
   entries after it carry the XSRF token and a session id to resume; both only matter for
   ``st.login`` cookies and reconnections, so a new anonymous session sends neither) and the
   cookies of step 1.
3. A ``BackMsg`` ``rerun_script`` (``ClientState``): the query string, the page (its url path as
   ``page_name`` on the first run, like a pasted link; afterwards the ``page_script_hash`` the
   ``navigation`` message listed, like a click in the sidebar), no widget state.
4. ``ForwardMsg``s until ``script_finished``: ``new_session`` when the script starts,
   ``navigation``, ``delta``s (elements), ``page_not_found``; a ``script_finished`` with status
   ``FINISHED_EARLY_FOR_RERUN`` means the script called ``st.rerun``/``st.switch_page`` and runs
   again, so the wait goes on until a final status.

The app reads its URL filters (``week``, ``period``, ``level``) only on a session's first run
(ui/state.py: afterwards the sidebar widgets own them), so a query string changes the filters
only on a new session; ``unit=`` is read whenever the unit page opens afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Subprotocol

STREAM_PATH = "/_stcore/stream"
FINAL = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)

# outcome of one rerun; every one but "ok" is an error
OK, EXCEPTION, COMPILE_ERROR, NOT_FOUND, TIMEOUT, DISCONNECTED = (
    "ok", "exception", "compile_error", "page_not_found", "timeout", "disconnected")


@dataclass
class RerunResult:
    """One rerun as a user lives it: from the message sent to the script's final
    ``script_finished``."""

    page: str  # the page's url path ("" is the default page)
    query: str
    ms: float
    outcome: str
    exceptions: int = 0  # exception elements (st.exception, an uncaught error)
    error_alerts: int = 0  # st.error banners: reported, not counted as errors
    elements: int = 0
    runs: int = 0  # script runs (more than 1 after st.rerun / st.switch_page)
    upstream: str = ""  # nginx's X-Upstream of the session's HTML request
    ws_upstream: str = ""  # ... and of its websocket handshake (the same process when sticky)
    detail: str = ""  # the first exception's type and message, or the connection error

    @property
    def error(self) -> bool:
        return self.outcome != OK

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_target(target: str) -> tuple[str, str]:
    """``"don-vi?unit=48&week=2026-W10"`` → ``("don-vi", "unit=48&week=2026-W10")``."""
    path, _, query = target.partition("?")
    return path.strip("/"), query


def ws_url(base_url: str) -> str:
    """``http://host:port[/prefix]`` → ``ws://host:port[/prefix]/_stcore/stream``."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{STREAM_PATH}"


def fetch_page(base_url: str, path: str, query: str, cookie: str = "",
               timeout: float = 30) -> tuple[str, str]:
    """GET the page's HTML like a browser: the cookie to keep (``name=value; …``) and the
    ``X-Upstream`` header (empty without nginx)."""
    url = f"{base_url.rstrip('/')}/{path}" + (f"?{query}" if query else "")
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        r.read()
        jar = dict(c.split(";", 1)[0].strip().split("=", 1)
                   for c in r.headers.get_all("Set-Cookie") or [] if "=" in c)
        upstream = r.headers.get("X-Upstream", "")
    if cookie:
        jar = {**dict(c.strip().split("=", 1) for c in cookie.split(";") if "=" in c), **jar}
    return "; ".join(f"{k}={v}" for k, v in jar.items()), upstream


@dataclass
class Session:
    """One browser tab: ``await s.open(target)``, then ``await s.rerun(target)`` per click,
    ``await s.close()``."""

    base_url: str
    timeout: float = 60.0
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    upstream: str = ""
    ws_upstream: str = ""
    cookie: str = ""
    _ws: ClientConnection | None = None
    _inbox: asyncio.Queue[ForwardMsg | None] | None = None
    _reader: asyncio.Task[None] | None = None
    _closed_reason: str = ""

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._closed_reason

    async def open(self, target: str) -> RerunResult:
        """Load ``target`` (``path?query``) in a new session: its HTML, the websocket, the first
        rerun. A failure to connect is a ``disconnected`` result, not an exception."""
        path, query = split_target(target)
        t0 = time.perf_counter()
        try:
            self.cookie, self.upstream = await asyncio.to_thread(
                fetch_page, self.base_url, path, query, self.cookie, self.timeout)
            headers = {"Cookie": self.cookie} if self.cookie else None
            self._ws = await asyncio.wait_for(
                connect(ws_url(self.base_url), subprotocols=[Subprotocol("streamlit")],
                        additional_headers=headers, max_size=None, open_timeout=self.timeout),
                self.timeout)
            if self._ws.response is not None:
                self.ws_upstream = self._ws.response.headers.get("X-Upstream", "")
        except (OSError, TimeoutError, WebSocketException) as exc:
            return RerunResult(path, query, (time.perf_counter() - t0) * 1000, DISCONNECTED,
                               upstream=self.upstream, detail=f"{type(exc).__name__}: {exc}")
        self._inbox = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        return await self.rerun(target, first=True, started=t0)

    async def _read(self) -> None:
        assert self._ws is not None and self._inbox is not None
        try:
            async for raw in self._ws:
                if isinstance(raw, bytes):
                    msg = ForwardMsg()
                    msg.ParseFromString(raw)
                    self._inbox.put_nowait(msg)
        except ConnectionClosed as exc:
            self._closed_reason = f"closed: {exc}"
        except Exception as exc:  # noqa: BLE001 - any failure ends the session, reported
            self._closed_reason = f"{type(exc).__name__}: {exc}"
        finally:
            self._closed_reason = self._closed_reason or "closed by the server"
            self._inbox.put_nowait(None)

    def _back_msg(self, path: str, query: str, first: bool) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        page_hash = None if first else self.pages.get(path)
        if page_hash:
            cs.page_script_hash = page_hash
        else:
            cs.page_name = path
        cs.context_info.timezone = "Asia/Ho_Chi_Minh"
        cs.context_info.timezone_offset = -420
        cs.context_info.locale = "vi-VN"
        cs.context_info.url = f"{self.base_url.rstrip('/')}/{path}" + (f"?{query}" if query else "")
        cs.widget_states.SetInParent()
        return msg.SerializeToString()

    async def rerun(self, target: str, first: bool = False,
                    started: float | None = None) -> RerunResult:
        """Ask for ``target`` in this session and wait for the script's final finish."""
        path, query = split_target(target)
        t0 = started if started is not None else time.perf_counter()
        res = RerunResult(path, query, 0.0, OK, upstream=self.upstream,
                          ws_upstream=self.ws_upstream)
        if self._ws is None or self._inbox is None or self._closed_reason:
            res.outcome, res.detail = DISCONNECTED, self._closed_reason or "not connected"
            return res
        while not self._inbox.empty():  # anything left over from the previous run
            self._inbox.get_nowait()
        deadline = t0 + self.timeout
        try:
            await self._ws.send(self._back_msg(path, query, first))
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError
                msg = await asyncio.wait_for(self._inbox.get(), left)
                if msg is None:
                    res.outcome, res.detail = DISCONNECTED, self._closed_reason
                    break
                if self._take(msg, res):
                    break
        except TimeoutError:
            res.outcome, res.detail = TIMEOUT, f"no script_finished within {self.timeout:g} s"
        except ConnectionClosed as exc:
            res.outcome, res.detail = DISCONNECTED, f"closed: {exc}"
        res.ms = (time.perf_counter() - t0) * 1000
        return res

    def _take(self, msg: ForwardMsg, res: RerunResult) -> bool:
        """Account for one message; True once the rerun is over."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            res.runs += 1
            for p in msg.new_session.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
        elif kind == "navigation":
            for p in msg.navigation.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
        elif kind == "page_not_found":
            res.outcome = NOT_FOUND
            res.detail = res.detail or f"page not found: {res.page!r}"
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            res.elements += 1
            which = el.WhichOneof("type")
            if which == "exception":
                res.exceptions += 1
                if res.outcome == OK:
                    res.outcome = EXCEPTION
                res.detail = res.detail or f"{el.exception.type}: {el.exception.message}"[:300]
            elif which == "alert" and el.alert.format == Alert.ERROR:
                res.error_alerts += 1
        elif kind == "script_finished" and msg.script_finished in FINAL:
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR and res.outcome == OK:
                res.outcome = COMPILE_ERROR
            return True
        return False

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 5)
        self._ws = None
        self._reader = None
        self._inbox = None
        self._closed_reason = ""
