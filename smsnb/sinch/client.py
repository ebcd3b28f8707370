"""The HTTP client for Sinch's SMS API: one `requests.Session`, both auth styles, all regions.

Every call returns a `Reply` or raises an `SmsError` subclass (see `errors`). Nothing is ever
retried after the request may have reached Sinch: a read timeout is reported, not repeated.

Three promises are kept here. A credential stays a `Secret` until requests builds the request,
and the header it becomes masks itself wherever it is shown (a traceback's locals, %debug);
no error keeps requests' exception or request. Each request has one total deadline (connect,
send and the whole answer) and reads at most `MAX_ANSWER` bytes. An error says nothing was
sent only when it provably happened before the request left.
"""
from __future__ import annotations

import base64
import heapq
import itertools
import math
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .._version import __version__
from .secret import Secret
from . import errors, paths
from .parse import error_from_answer, json_from_success, read_body, unreadable
from .request import SentRequest, SmsRequest, redact_headers

USER_AGENT = f"smsnb/{__version__} python-requests/{requests.__version__}"
TOKEN_MARGIN = 30.0  # refresh an access token this many seconds before it expires
MAX_ANSWER = 10 << 20  # bytes of an answer smsnb reads; past it, bad_response and the rest unread
TOO_LARGE = f"The answer is larger than {MAX_ANSWER >> 20} MiB; the rest was not read."
CHUNK = 16 << 10  # bytes read (and decompressed) at a time
MAX_TOKEN_LIFETIME = 86400.0


@dataclass(frozen=True)
class Reply:
    """A successful answer: its JSON, status and headers, and the request that got it."""

    status: int
    data: dict
    headers: dict
    request: SentRequest
    elapsed: float  # seconds

    @property
    def from_sandbox(self) -> bool:
        return self.headers.get("X-Smsnb-Sandbox") == "1"


@dataclass(frozen=True)
class _Answer:
    """An answer as read off the wire; ``problem`` says why it could not be read whole."""

    status: int
    headers: errors.Headers
    content: bytes
    elapsed: float
    problem: str | None = None


def _secret(value) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


class Client:
    """A client for one account. Give either ``service_plan_id`` + ``api_token``, or
    ``project_id`` + ``key_id`` + ``key_secret`` (OAuth2; US and EU only).

    ``region`` picks Sinch's host; ``base_url`` replaces it (the sandbox, a proxy, a mock).
    ``timeout`` is the most one request may take in all (connect, send and the whole answer) and
    ``connect_timeout`` the most its connect may take, in seconds. ``trust_env=False`` ignores
    proxy variables and other settings from the environment; a loopback ``base_url``
    (localhost, 127.0.0.1, ::1) is never reached through a proxy either way.
    """

    def __init__(self, *, service_plan_id: str | None = None, api_token: str | Secret | None = None,
                 project_id: str | None = None, key_id: str | None = None, key_secret: str | Secret | None = None,
                 region: str = "us", base_url: str | None = None, token_url: str | None = None,
                 timeout: float = 30.0, connect_timeout: float = 5.0, verify: bool | str = True,
                 session: requests.Session | None = None, trust_env: bool = True):
        if region not in paths.REGION_HOSTS:
            raise ValueError(f"Unknown region {region!r}: use one of {', '.join(paths.REGION_HOSTS)}.")
        self.region = region
        self.service_plan_id = service_plan_id
        self.api_token = _secret(api_token)
        self.project_id = project_id
        self.key_id = key_id
        self.key_secret = _secret(key_secret)
        self.oauth = bool(project_id and key_id and key_secret)
        if self.oauth and not base_url and region not in paths.OAUTH_REGIONS:
            raise ValueError(f"Project access keys work only in {' and '.join(paths.OAUTH_REGIONS)}, "
                             f"not {region!r}: use a service plan id and API token there.")
        host = paths.oauth_host(region) if self.oauth else paths.REGION_HOSTS[region]
        self.base_url = _checked_url((base_url or host).rstrip("/"), "base URL")
        self.token_url = _checked_url(token_url or (f"{self.base_url}/oauth2/token" if base_url
                                                    else paths.OAUTH_TOKEN_URL), "token URL")
        if verify is False and (paths.is_sinch_host(self.base_url) or paths.is_sinch_host(self.token_url)):
            raise ValueError("TLS verification stays on for Sinch's hosts; verify=False is only for your own base URL.")
        self.verify = verify
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if not trust_env:
            self.session.trust_env = False
        for prefix in ("http://", "https://"):  # the deadline and the loopback rule live in the adapter
            self.session.mount(prefix, _Adapter())
        self._token: tuple[Secret, float] | None = None  # (access token, expiry)
        self._token_lock = threading.Lock()

    def __repr__(self) -> str:
        who = f"project {self.project_id}" if self.oauth else f"service plan {self.service_plan_id}"
        return f"<smsnb Client {who} at {self.base_url}>"

    @property
    def account_id(self) -> str | None:
        return self.project_id if self.oauth else self.service_plan_id

    def close(self) -> None:
        self.session.close()

    # --- the API ---------------------------------------------------------------------------

    def send(self, request: SmsRequest, **kw) -> Reply:
        return self._call("POST", "batches", body=request.to_json(), **kw)

    def send_raw(self, body: str | bytes, **kw) -> Reply:
        """Send a body exactly as given, byte for byte (valid JSON or not)."""
        return self._call("POST", "batches", body=body, **kw)

    def dry_run(self, request: SmsRequest, *, per_recipient: bool = True, number_of_recipients: int | None = None,
                **kw) -> Reply:
        params = {"per_recipient": "true" if per_recipient else "false"}
        if number_of_recipients is not None:
            params["number_of_recipients"] = str(number_of_recipients)
        return self._call("POST", "batches/dry_run", body=request.to_json(), params=params, **kw)

    def get_batch(self, batch_id: str, **kw) -> Reply:
        return self._call("GET", f"batches/{quote(batch_id, safe='')}", **kw)

    def list_batches(self, page: int = 0, page_size: int = 30, **kw) -> Reply:
        return self._call("GET", "batches", params={"page": str(page), "page_size": str(page_size)}, **kw)

    def cancel(self, batch_id: str, **kw) -> Reply:
        return self._call("DELETE", f"batches/{quote(batch_id, safe='')}", **kw)

    def delivery_report(self, batch_id: str, kind: str = "summary", **kw) -> Reply:
        return self._call("GET", f"batches/{quote(batch_id, safe='')}/delivery_report", params={"type": kind}, **kw)

    def recipient_report(self, batch_id: str, recipient: str, **kw) -> Reply:
        path = f"batches/{quote(batch_id, safe='')}/delivery_report/{quote(recipient, safe='+')}"
        return self._call("GET", path, **kw)

    # --- the wire --------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        account = self.account_id
        if not account:
            raise ValueError("No service plan id or project id: smsnb cannot build Sinch's path without one.")
        return f"{self.base_url}/xms/v1/{quote(account, safe='')}/{path}"

    def _call(self, method: str, path: str, *, body: str | bytes | None = None, params: dict | None = None,
              timeout: float | None = None) -> Reply:
        url = self._url(path)
        text, data = body, body
        if isinstance(body, bytes):
            text = body.decode("utf-8", "replace")
        elif body is not None:
            data = body.encode("utf-8")
        headers = {"Accept": "application/json"}  # the credential is attached by requests, at the last moment
        if body is not None:
            headers["Content-Type"] = "application/json"
        sent = SentRequest(method, url, redact_headers({"Authorization": "", **headers}), text)
        for attempt in (1, 2):
            auth = _Bearer(self._bearer(sent, timeout))
            answer = self._http(method, url, sent, headers=headers, data=data, params=params, auth=auth,
                                timeout=timeout)
            if 200 <= answer.status < 300:
                parsed = json_from_success(answer.status, answer.headers, answer.content, sent)
                return Reply(answer.status, parsed, answer.headers, sent, answer.elapsed)
            error = error_from_answer(answer.status, answer.headers, answer.content, sent)
            # An expired access token was refused before anything was processed: safe to renew once.
            if (attempt == 1 and self.oauth and isinstance(error, errors.AuthenticationError)
                    and error.token_expired):
                self._token = None
                continue
            raise error
        raise AssertionError("unreachable")

    def _http(self, method: str, url: str, sent: SentRequest, *, timeout: float | None = None,
              **kw) -> _Answer:
        """One request within its total deadline. Errors are raised here, outside any handler, so
        that none keeps requests' exception (and its request) as a cause or context."""
        deadline = _Deadline(timeout or self.timeout)
        answer = failure = None
        try:
            answer = self._exchange(method, url, deadline, **kw)
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

    def _exchange(self, method: str, url: str, deadline: _Deadline, **kw) -> _Answer:
        started = time.perf_counter()
        timeout = (min(self.connect_timeout, deadline.seconds), deadline.seconds)
        _current.deadline = deadline  # the pools hand this thread's connections to it (see _Watched)
        try:
            with self.session.request(method, url, timeout=timeout, verify=self.verify, allow_redirects=False,
                                      stream=True, **kw) as answer:
                content, problem = _read_capped(answer, deadline)
                headers = errors.Headers(answer.headers)
                return _Answer(answer.status_code, headers, content, time.perf_counter() - started, problem)
        finally:
            _current.deadline = None

    def _bearer(self, sent: SentRequest, timeout: float | None) -> Secret:
        if not self.oauth:
            if not self.api_token:
                raise ValueError("No API token: set SINCH_API_TOKEN, or use %sms login.")
            return check_credential(self.api_token, "API token", sent)
        with self._token_lock:
            if self._token is None or self._token[1] - TOKEN_MARGIN <= time.time():
                self._token = self._fetch_token(timeout)
            return self._token[0]

    def _fetch_token(self, timeout: float | None) -> tuple[Secret, float]:
        sent = SentRequest("POST", self.token_url, {"Authorization": "Basic ********",
                                                    "Content-Type": "application/x-www-form-urlencoded"},
                           "grant_type=client_credentials")
        auth = _Basic(check_credential(Secret(self.key_id), "key id", sent),
                      check_credential(self.key_secret, "key secret", sent))
        answer = self._http("POST", self.token_url, sent, data={"grant_type": "client_credentials"},
                            auth=auth, timeout=timeout)
        body = read_body(answer.content, answer.headers.get("Content-Type"))
        data = body.data if isinstance(body.data, dict) else {}
        token = data.get("access_token")
        if answer.status != 200 or not isinstance(token, str) or _unsendable(Secret(token)):
            text = data.get("error_description") or data.get("error") or f"HTTP {answer.status}"
            if answer.status == 200:
                text = "The token endpoint's answer holds no access token that can be sent."
            raise errors.OAuthError(str(text), status=answer.status, text=str(text), request=sent,
                                    headers=answer.headers)
        return Secret(token), time.time() + _lifetime(data.get("expires_in"))


def _lifetime(value) -> float:
    """An access token's lifetime in seconds, within [0, a day]; an hour when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 3600.0
    try:
        seconds = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return MAX_TOKEN_LIFETIME
    return min(max(seconds, 0.0), MAX_TOKEN_LIFETIME) if not math.isnan(seconds) else 3600.0


def _checked_url(url: str, what: str) -> str:
    """``url`` when requests can send to it; else a ValueError that does not repeat it (it may
    hold a password)."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port out of range, a broken IPv6 literal
        usable = False
    if not usable:
        raise ValueError(f"The {what} must be an http:// or https:// URL with a host (and a valid port).")
    return url


# --- credentials ---------------------------------------------------------------------------

def check_credential(secret: Secret, label: str, sent: SentRequest) -> Secret:
    """``secret`` when an HTTP header can carry it as is; else InvalidCredential, which says where
    (never what) the bad character is. Surrounding whitespace is already gone (see `Secret`)."""
    bad = _unsendable(secret)
    if bad is None:
        return secret
    position, length, char = bad
    kind = ("a space" if char == " " else f"a control character (U+{ord(char):04X})" if ord(char) < 0x20 or
            ord(char) == 0x7F else f"a non-ASCII character (U+{ord(char):04X})")
    message = (f"The {label} has {kind} at position {position} of {length}: no HTTP header can carry it, "
               f"so nothing was sent. Copy the {label} again.")
    raise errors.InvalidCredential(message, text=message, request=sent)


def _unsendable(secret: Secret) -> tuple[int, int, str] | None:
    """(position, length, character) of the first character a header cannot carry, or None. The
    value is never bound to a name, so no frame of a traceback holds it."""
    return next(((index + 1, len(secret.reveal()), char) for index, char in enumerate(secret.reveal())
                 if not "!" <= char <= "~"), None)


class _HeaderValue(str):
    """An Authorization header: the credential on the wire, a mask wherever it is shown."""

    __slots__ = ()

    def _mask(self) -> str:
        return self.split(" ", 1)[0] + " ********"

    def __repr__(self) -> str:
        return repr(self._mask())

    def __str__(self) -> str:
        return self._mask()

    def __format__(self, spec: str) -> str:
        return format(self._mask(), spec)

    def __reduce__(self):
        raise TypeError("a credential header is not pickled: it would be written out in clear")


class _Bearer(requests.auth.AuthBase):
    """Sets ``Authorization: Bearer ...`` on the prepared request, from a Secret, as a masked value."""

    __slots__ = ("_secret",)

    def __init__(self, secret: Secret):
        self._secret = secret

    def __call__(self, request):
        request.headers["Authorization"] = _HeaderValue("Bearer " + self._secret.reveal())
        return request


class _Basic(requests.auth.AuthBase):
    """HTTP Basic ``key_id:key_secret`` for the OAuth2 token endpoint, as a masked value."""

    __slots__ = ("_secret", "_user")

    def __init__(self, user: Secret, secret: Secret):
        self._user, self._secret = user, secret

    def __call__(self, request):
        request.headers["Authorization"] = _HeaderValue("Basic " + base64.b64encode(
            f"{self._user.reveal()}:{self._secret.reveal()}".encode("ascii")).decode("ascii"))
        return request


# --- the total deadline --------------------------------------------------------------------

_current = threading.local()  # the deadline of the request this thread is making


class _Deadline:
    """One request's total time. At the deadline the socket of the connection in use is shut,
    which ends any read or write blocked on it, however slowly a server trickles its answer."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self._conn = None
        self._lock = threading.Lock()
        _WATCHDOG.add(self)

    def watch(self, conn) -> None:
        with self._lock:
            self._conn = conn

    def release(self, conn) -> None:
        """The connection went back to the pool: another request may use it now."""
        with self._lock:
            if self._conn is conn:
                self._conn = None

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._conn = None

    def expire(self) -> bool:
        """Shut the connection's socket; False while there is none yet (still connecting)."""
        with self._lock:
            if self.done:
                return True
            self.expired = True
            sock = getattr(self._conn, "sock", None)
            if sock is None:
                return False
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
            return True


class _Watchdog:
    """One thread for every deadline, asleep until the nearest one."""

    RETRY = 0.05  # seconds between attempts to shut a connection that is still being made

    def __init__(self):
        self._heap: list = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: _Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="smsnb-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                delay = self._heap[0][0] - time.monotonic() if self._heap else None
                if delay is None or delay > 0:
                    self._wake.wait(delay)
                    continue
                deadline = heapq.heappop(self._heap)[2]
                if not deadline.expire():
                    heapq.heappush(self._heap, (time.monotonic() + self.RETRY, next(self._order), deadline))


_WATCHDOG = _Watchdog()


class _Watched:
    """A connection pool whose connections are watched by the deadline of the request using them."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(conn)
        return conn

    def _put_conn(self, conn) -> None:
        deadline = getattr(_current, "deadline", None)
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
    proxy (the sandbox's token must not travel through one)."""

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


def _read_capped(answer: requests.Response, deadline: _Deadline) -> tuple[bytes, str | None]:
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


# --- failures on the way -------------------------------------------------------------------

def _causes(error: BaseException):
    """The error and every exception it wraps: requests wraps urllib3's errors, which wrap the
    socket's, as causes, contexts, arguments or a ``reason``."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]


def _raised_in(error: BaseException, function: str) -> bool:
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == function:
            return True
        tb = tb.tb_next
    return False


def _before_sending(causes: list[BaseException]) -> bool:
    """Whether the failure provably happened before any byte of the request left: while resolving,
    connecting or in the TLS handshake."""
    for cause in causes:
        if isinstance(cause, (NewConnectionError, ConnectTimeoutError, ssl.SSLCertVerificationError)):
            return True
        if isinstance(cause, ssl.SSLError) and _raised_in(cause, "do_handshake"):
            return True
    return False


def _not_connected(causes: list[BaseException], sent: SentRequest) -> errors.TransportError:
    """The error for a failure before sending, by what failed."""
    def found(*kinds):
        return any(isinstance(cause, kinds) for cause in causes)

    if found(socket.gaierror) or any(type(cause).__name__ == "NameResolutionError" for cause in causes):
        return errors.DnsError("The host name could not be resolved; nothing was sent.", request=sent)
    if found(ConnectionRefusedError):
        return errors.ConnectionRefused("Nothing is listening at the base URL; nothing was sent.",
                                        request=sent)
    if found(ssl.SSLError):
        return errors.TlsError("The TLS handshake failed; no request was sent.", request=sent)
    if any(isinstance(c, ConnectTimeoutError) and not isinstance(c, NewConnectionError) for c in causes):
        return errors.ConnectTimeout("No connection within the connect timeout; nothing was sent.",
                                     request=sent)
    return errors.ConnectionRefused("The connection could not be made; nothing was sent.", request=sent)


_CUT_OFF = ("RemoteDisconnected", "IncompleteRead", "ChunkedEncodingError")  # an answer that stopped short


def transport_error(error: requests.RequestException, sent: SentRequest,
                    deadline: _Deadline) -> errors.TransportError:
    """The smsnb error for a failure on the way, with a message free of addresses and ids. Only a
    failure proven to happen before the request left says that nothing was sent."""
    causes = list(_causes(error))
    if _before_sending(causes):
        if deadline.expired:  # the watchdog shut a connection still being made
            return errors.ConnectTimeout("No connection within the timeout; nothing was sent.", request=sent)
        return _not_connected(causes, sent)
    if deadline.expired or isinstance(error, requests.exceptions.Timeout):
        return errors.ReadTimeout(f"No complete answer within {deadline.seconds:g} s; the SMS may have been "
                                  f"sent.", request=sent)
    if any(type(c).__name__ in _CUT_OFF or isinstance(c, (ConnectionResetError, BrokenPipeError))
           for c in causes):
        return errors.ConnectionDropped("The connection broke during the answer; the SMS may have been sent.",
                                        request=sent)
    return errors.TransportFailed(f"The connection failed ({type(error).__name__}); the SMS may have been "
                                  f"sent.", request=sent)
