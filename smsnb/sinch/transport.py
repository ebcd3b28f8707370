"""One HTTP exchange: within its total deadline, at most `MAX_ANSWER` bytes of answer read, and
never through a proxy to a loopback host (the sandbox's token must not travel through one).

A failure is raised as an smsnb error (see `failures`) that keeps neither requests' exception
nor its request, so no traceback holds the Authorization header's objects.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import paths
from .deadline import Deadline
from .errors import Headers
from .failures import transport_error
from .parse import unreadable
from .request import SentRequest

MAX_ANSWER = 10 << 20  # bytes of an answer smsnb reads; past it, bad_response and the rest unread
TOO_LARGE = f"The answer is larger than {MAX_ANSWER >> 20} MiB; the rest was not read."
CHUNK = 16 << 10  # bytes read (and decompressed) at a time


@dataclass(frozen=True)
class Answer:
    """An answer as read off the wire; ``problem`` says why it could not be read whole."""

    status: int
    headers: Headers
    content: bytes
    elapsed: float  # seconds
    problem: str | None = None


def exchange(session: requests.Session, method: str, url: str, sent: SentRequest, *, seconds: float,
             connect_timeout: float, verify: bool | str, **kw) -> Answer:
    """One request, ``sent`` as it is shown, within ``seconds`` in all. Errors are raised here,
    outside any handler, so that none keeps requests' exception as a cause or context."""
    deadline = Deadline(seconds)
    answer = failure = None
    try:
        answer = _request(session, method, url, deadline, timeout=(min(connect_timeout, seconds), seconds),
                          verify=verify, **kw)
    except requests.RequestException as error:
        failure = transport_error(error, sent, deadline)
    finally:
        deadline.finish()
    if failure is None and deadline.expired:  # the deadline cut the answer short, wherever it was
        failure = transport_error(requests.exceptions.ReadTimeout(), sent, deadline)
    elif failure is None and answer.problem is not None:
        failure = unreadable(answer.status, answer.headers, answer.content, sent, answer.problem)
    if failure is not None:
        raise failure from None
    return answer


def _request(session: requests.Session, method: str, url: str, deadline: Deadline, **kw) -> Answer:
    started = time.perf_counter()
    _this_thread.deadline = deadline  # the pools hand this thread's connections to it (see _Watched)
    try:
        with session.request(method, url, allow_redirects=False, stream=True, **kw) as answer:
            content, problem = _read_capped(answer, deadline)
            return Answer(answer.status_code, Headers(answer.headers), content, time.perf_counter() - started,
                          problem)
    finally:
        _this_thread.deadline = None


def _read_capped(answer: requests.Response, deadline: Deadline) -> tuple[bytes, str | None]:
    """The body, read in chunks: at most MAX_ANSWER bytes and only until the deadline."""
    body = bytearray()
    try:
        for chunk in answer.iter_content(CHUNK):
            body += chunk
            if len(body) > MAX_ANSWER:
                del body[MAX_ANSWER:]
                return bytes(body), TOO_LARGE
            if time.monotonic() > deadline.at:
                raise requests.exceptions.ReadTimeout("the total deadline passed")
    except requests.exceptions.ContentDecodingError:
        return bytes(body), "The answer's compressed body could not be decompressed."
    return bytes(body), None


def mount(session: requests.Session) -> None:
    """Make ``session`` send through watched connections, and never to loopback through a proxy."""
    for prefix in ("http://", "https://"):
        session.mount(prefix, _Adapter())


# --- connections watched by the deadline of the request using them -------------------------

_this_thread = threading.local()  # .deadline: the deadline of the request this thread is making


class _Watched:
    """A connection pool that hands each connection it gives out to this thread's deadline."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        deadline = getattr(_this_thread, "deadline", None)
        if deadline is not None:
            deadline.watch(conn)
        return conn

    def _put_conn(self, conn) -> None:
        deadline = getattr(_this_thread, "deadline", None)
        if deadline is not None:
            deadline.release(conn)
        super()._put_conn(conn)


class _WatchedHTTPPool(_Watched, HTTPConnectionPool):
    pass


class _WatchedHTTPSPool(_Watched, HTTPSConnectionPool):
    pass


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _Adapter(HTTPAdapter):
    """requests' adapter with watched connections, that never sends to a loopback host through a
    proxy."""

    def init_poolmanager(self, *args, **kw):
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy, **kw):
        manager = super().proxy_manager_for(proxy, **kw)
        if not proxy.lower().startswith("socks"):  # SOCKS has pools of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if paths.is_loopback(request.url):
            proxies = {}
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                            proxies=proxies)
