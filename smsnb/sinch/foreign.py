"""Sinch's answers to requests smsnb did not make (the official Sinch SDK, plain `requests`), read
into what the wire already understands: the status, headers and body bytes of the answer, the
request as sent (a `SentRequest`, credentials masked) and the bearer token it carried (a `Secret`).

Duck-typed and pure: it imports neither the SDK nor requests. What each source gives:

- requests: a `Response` (``status_code``, ``headers``, the body already read, and ``request``, the
  PreparedRequest as sent: ``method``, ``url``, ``headers``, ``body``); an `HTTPError` carries it as
  ``.response``, a failure on the way (`ConnectionError`, `Timeout`) only its ``.request``.
- SDK 2.x: `SinchException` (``SmsException``, ``AuthenticationException``) with ``.http_response``,
  the SDK's HTTPResponse (``status_code``, ``headers``, ``body``: the parsed JSON, ``{}`` when the
  answer was empty), or the requests Response itself when the body was not JSON. The exception does
  not carry the request: the SDK's HttpRequest (``url``, ``http_method``, ``headers``,
  ``request_body``, ``query_params``) is read from the frames of its traceback.
- SDK 1.x: the same exception and HTTPResponse; on an error answer with an empty body it raises
  ``KeyError('text')`` instead. Either way its transport's frame holds the requests Response.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from . import errors, paths
from .errors import Headers
from .parse import error_from_answer, read_body
from .request import SentRequest
from .secret import Secret, masked_in

MASK = "********"
_SECRET_NAME = re.compile(r"token|secret|password|passwd|api[-_]?key|signature|cookie|authorization", re.I)
_ACCOUNT = re.compile(r"^(?P<base>.*?)/xms/v1/(?P<account>[^/]+)(?:/|$)")
_SOURCES = ("sinch", "requests")  # the packages whose exceptions this module reads


@dataclass(frozen=True)
class Endpoint:
    """Where a request went and the credential it carried: enough to send the same way again."""

    base_url: str  # e.g. https://us.sms.api.sinch.com, or the sandbox's http://127.0.0.1:PORT
    account_id: str  # the service plan id (or project id) of its path
    token: Secret = field(repr=False)


@dataclass(frozen=True)
class Foreign:
    """An answer from Sinch (or the sandbox) to a request made outside smsnb, or the failure on the
    way that left it without one (``failure``)."""

    status: int | None
    headers: Headers
    content: bytes
    request: SentRequest | None  # as sent; the Authorization header masked
    source: str  # "the Sinch SDK" or "requests"
    token: Secret | None = field(default=None, repr=False)  # the bearer token the request carried
    failure: errors.TransportError | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status is not None and 200 <= self.status < 300

    @property
    def from_sandbox(self) -> bool:
        """Whether the sandbox answered (its header), or, without an answer, the request went to loopback."""
        if self.headers.get("X-Smsnb-Sandbox") == "1":
            return True
        return not self.headers and self.request is not None and paths.is_loopback(self.request.url)

    def error(self) -> errors.SmsError | None:
        """The smsnb error for this answer (the same the wire raises for its own requests); None for a 2xx."""
        if self.failure is not None:
            return self.failure
        if self.ok:
            return None
        if self.request is not None and self.request.path.rstrip("/").endswith("/oauth2/token"):
            return _oauth_error(self.status, self.headers, self.content, self.request)
        return error_from_answer(self.status or 0, self.headers, self.content, self.request)

    def data(self):
        """The answer's JSON (None when it is not JSON)."""
        return read_body(self.content, self.headers.get("Content-Type")).data

    def endpoint(self) -> Endpoint | None:
        """Where the request went and the bearer token it carried; None when either is unknown."""
        if self.request is None or not self.token:
            return None
        found = _ACCOUNT.match(self.request.url.split("?", 1)[0])
        if not found or not found["base"] or not urlsplit(found["base"]).hostname:
            return None
        return Endpoint(found["base"], unquote(found["account"]), self.token)


# --- where a foreign object comes from ----------------------------------------------------------

def from_response(response, source: str = "requests") -> Foreign | None:
    """A requests `Response` from Sinch or the sandbox; None for any other object or host."""
    if not _is_response(response):
        return None
    sent, token = _prepared(getattr(response, "request", None))
    url = sent.url if sent else str(getattr(response, "url", "") or "")
    headers = _headers(response.headers)
    if not is_sinch(url, headers):
        return None
    content = response.__dict__.get("_content")  # what was read; never read here (a stream could block)
    content = masked_in(content, token) if isinstance(content, bytes) else b""
    return Foreign(response.status_code, headers, content, sent, source, token)


def from_exception(error: BaseException) -> Foreign | None:
    """What a foreign exception says, when it is an answer from Sinch (or a failure on the way to
    it); None for any other exception, and for the SDK's own checks made before sending."""
    if isinstance(error, KeyError) and error.args == ("text",):  # SDK 1.x on an empty error body
        answer = _local(error, _is_sdk_response) if _package(_raised_in(error)) == "sinch" else None
        return _from_sdk(error, answer) if answer is not None else None
    package = _package(type(error).__module__)
    if package not in _SOURCES:
        return None
    response = getattr(error, "response", None)
    if _is_response(response):  # requests' HTTPError
        return from_response(response)
    if package == "sinch" and hasattr(error, "http_response"):  # the SDK's SinchException
        return _from_sdk(error, error.http_response)
    return _failure_on_the_way(error) if package == "requests" else None


def is_sinch(url: str, headers: dict | None = None) -> bool:
    """Sinch's hosts, the sandbox (its header), or a loopback stand-in at Sinch's paths."""
    if paths.is_sinch_host(url) or (headers or {}).get("X-Smsnb-Sandbox") == "1":
        return True
    path = urlsplit(url).path
    return paths.is_loopback(url) and (path.startswith("/xms/v1/") or path.endswith("/oauth2/token"))


def pasted(value) -> errors.ApiError | None:
    """The error an answer holds: its body as text or data (``'{"code": ..., "text": ...}'``, a
    dict), with no status known; or the SDK's HTTPResponse, with its status. None when it holds no
    error: no Sinch code in a body, or a status below 400."""
    if _is_sdk_response(value) and isinstance(value.status_code, int):
        if value.status_code < 400:
            return None
        return error_from_answer(value.status_code, _headers(value.headers), _sdk_body(value.body), None)
    text = value if isinstance(value, str) else _json_text(value)
    if text is None:
        return None
    body = read_body(text.encode("utf-8", "replace"), "application/json")
    if body.shape != "sinch":
        return None
    return errors.ApiError(body.text or "", code=body.code, text=body.text, raw_body=body.raw)


# --- the SDK -------------------------------------------------------------------------------------

def _from_sdk(error: BaseException, answer) -> Foreign | None:
    """The SDK's answer (its HTTPResponse, or a requests Response) and the request found in frames."""
    if _is_response(answer):
        return from_response(answer, "the Sinch SDK")
    raw = _local(error, _is_response)  # SDK 1.x keeps the requests Response in its transport's frame
    if raw is not None:
        return from_response(raw, "the Sinch SDK")
    if not _is_sdk_response(answer) or not isinstance(answer.status_code, int):
        return None  # e.g. a ValidationException: the SDK's own check, nothing was sent
    sent, token = _sdk_request(_local(error, _is_sdk_request))
    headers = _headers(answer.headers)
    if sent is not None and not is_sinch(sent.url, headers):
        return None
    content = masked_in(_sdk_body(answer.body), token)
    return Foreign(answer.status_code, headers, content, sent, "the Sinch SDK", token)


def _sdk_body(body) -> bytes:
    """The SDK's parsed body as bytes again (``{}`` is how it keeps an empty answer)."""
    return b"" if body in (None, {}, "") else (_json_text(body) or str(body)).encode("utf-8")


def _sdk_request(request) -> tuple[SentRequest | None, Secret | None]:
    """The SDK's HttpRequest as requests sent it: the query in the URL, a dict body form-encoded."""
    if request is None:
        return None, None
    url, params = str(request.url), getattr(request, "query_params", None)
    if isinstance(params, dict) and params:
        url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
    body = request.request_body
    if isinstance(body, dict):
        body = urlencode(body, doseq=True)
    return _sent(str(request.http_method), url, request.headers, body)


# --- requests ------------------------------------------------------------------------------------

def _prepared(request) -> tuple[SentRequest | None, Secret | None]:
    """A PreparedRequest as it went on the wire."""
    if not _is_prepared(request):
        return None, None
    return _sent(str(request.method), str(request.url), request.headers, request.body)


def _failure_on_the_way(error: BaseException) -> Foreign | None:
    """A requests failure before any answer (refused, timed out, cut off) on the way to Sinch."""
    from .failures import transport_error  # requests is loaded already: the error is one of its own

    if not _is_requests_error(error):
        return None
    # An answer cut off while being read is raised without its request: requests' frames hold it.
    request = getattr(error, "request", None) or _local(error, _is_prepared, "requests")
    sent, token = _prepared(request)
    if sent is None or not is_sinch(sent.url):
        return None
    failure = transport_error(error, sent, _Unknown(_timeout_of(error)))
    return Foreign(None, Headers(), b"", sent, _source(error), token, failure)


def _source(error: BaseException) -> str:
    """Who made the request: the SDK when one of its frames is on the way, else requests."""
    return "the Sinch SDK" if _frames(error, "sinch") else "requests"


@dataclass(frozen=True)
class _Unknown:
    """The deadline of a request made elsewhere: not smsnb's, so never the one that expired."""

    seconds: float
    expired: bool = False


def _timeout_of(error: BaseException) -> float:
    """The read timeout requests names in its message ("read timeout=10"), or 0 when it names none."""
    found = re.search(r"timeout=([0-9.]+)", str(error))
    try:
        return float(found.group(1)) if found else 0.0
    except ValueError:
        return 0.0


def _is_requests_error(error: BaseException) -> bool:
    """A requests failure on the way: a RequestException, but not an HTTPError (that one has an answer)."""
    names = {cls.__name__ for cls in type(error).__mro__ if _package(cls.__module__) == "requests"}
    return "RequestException" in names and "HTTPError" not in names


# --- shapes, duck-typed ------------------------------------------------------------------------------

def _package(module: str | None) -> str:
    """The top-level package of a module name: "sinch" for "sinch.core.exceptions"."""
    return (module or "").split(".", 1)[0]


def _raised_in(error: BaseException) -> str:
    """The module of the innermost frame of ``error``'s traceback."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""


def _is_response(value) -> bool:
    """A requests Response (or one like it): a status, headers and a request."""
    return (isinstance(getattr(value, "status_code", None), int) and hasattr(value, "headers")
            and hasattr(value, "request") and hasattr(value, "iter_content"))


def _is_sdk_response(value) -> bool:
    """The SDK's HTTPResponse: a status, headers and the parsed body."""
    return (hasattr(value, "status_code") and hasattr(value, "headers") and hasattr(value, "body")
            and not hasattr(value, "iter_content"))


def _is_prepared(value) -> bool:
    """requests' PreparedRequest: what went on the wire."""
    return all(hasattr(value, name) for name in ("method", "url", "headers", "body", "prepare_body"))


def _is_sdk_request(value) -> bool:
    return all(hasattr(value, name) for name in ("url", "http_method", "headers", "request_body"))


def _frames(error: BaseException, package: str) -> list:
    """The frames of ``error``'s traceback that run ``package``'s code, outermost first."""
    frames, tb = [], error.__traceback__
    while tb is not None:
        if _package(tb.tb_frame.f_globals.get("__name__")) == package:
            frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _local(error: BaseException, wanted, package: str = "sinch"):
    """The innermost local variable that ``wanted`` accepts among ``package``'s own frames of
    ``error``'s traceback (never the user's: their variables may hold anything), or None."""
    for frame in reversed(_frames(error, package)):
        for value in list(frame.f_locals.values()):
            if wanted(value):
                return value
    return None


def _headers(headers) -> Headers:
    try:
        return Headers({str(k): str(v) for k, v in dict(headers or {}).items()})
    except (TypeError, ValueError):
        return Headers()


def _json_text(data) -> str | None:
    try:
        return json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None


# --- the request as sent, masked -----------------------------------------------------------------

def _sent(method: str, url: str, headers, body) -> tuple[SentRequest, Secret | None]:
    """The request with every credential masked, and the bearer token it carried."""
    token, shown = None, {}
    for name, value in dict(headers or {}).items():
        name, value = str(name), str(value)
        if name.lower() == "authorization":
            scheme, _, credential = value.partition(" ")
            if scheme.lower() == "bearer" and credential.strip():
                token = Secret(credential)
            shown[name] = f"{scheme} {MASK}" if credential else MASK
        elif _SECRET_NAME.search(name):
            shown[name] = MASK
        else:
            shown[name] = value
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", "replace")
    elif body is not None and not isinstance(body, str):
        body = None  # a stream or a file: what went out is not known here
    return SentRequest(method.upper(), _masked_url(url), shown, body), token


def _masked_url(url: str) -> str:
    """The URL without user:password and with secret-looking query values masked."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(_SECRET_NAME.search(name) for name, _ in query):
        shown = "&".join(f"{quote(name)}={MASK if _SECRET_NAME.search(name) else quote(value)}"
                         for name, value in query)
    else:
        shown = parts.query
    return urlunsplit((parts.scheme, host, parts.path, shown, ""))


def _oauth_error(status, headers: Headers, content: bytes, sent: SentRequest) -> errors.OAuthError:
    """The token endpoint's refusal, as smsnb's own client reports it."""
    body = read_body(content, headers.get("Content-Type"))
    data = body.data if isinstance(body.data, dict) else {}
    text = str(data.get("error_description") or data.get("error") or f"HTTP {status}")
    return errors.OAuthError(text, status=status, text=text, request=sent, headers=headers)
