"""The HTTP client for Sinch's SMS API: one `requests.Session`, both auth styles, all regions.

Every call returns a `Reply` or raises an `SmsError` subclass (see `errors`). Nothing is ever
retried after the request may have reached Sinch: a read timeout is reported, not repeated.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests

from .. import __version__
from ..secret import Secret
from . import errors, paths
from .parse import error_from_answer, json_from_success, read_body
from .request import SentRequest, SmsRequest, redact_headers

USER_AGENT = f"smsnb/{__version__} python-requests/{requests.__version__}"
TOKEN_MARGIN = 30.0  # refresh an access token this many seconds before it expires


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


def _secret(value) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


class Client:
    """A client for one account. Give either ``service_plan_id`` + ``api_token``, or
    ``project_id`` + ``key_id`` + ``key_secret`` (OAuth2; US and EU only).

    ``region`` picks Sinch's host; ``base_url`` replaces it (the sandbox, a proxy, a mock).
    ``timeout`` is the read timeout and ``connect_timeout`` the connect timeout, in seconds.
    """

    def __init__(self, *, service_plan_id: str | None = None, api_token: str | Secret | None = None,
                 project_id: str | None = None, key_id: str | None = None, key_secret: str | Secret | None = None,
                 region: str = "us", base_url: str | None = None, token_url: str | None = None,
                 timeout: float = 30.0, connect_timeout: float = 5.0, verify: bool | str = True,
                 session: requests.Session | None = None):
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
        self.base_url = (base_url or host).rstrip("/")
        self.token_url = token_url or (f"{self.base_url}/oauth2/token" if base_url else paths.OAUTH_TOKEN_URL)
        if verify is False and (paths.is_sinch_host(self.base_url) or paths.is_sinch_host(self.token_url)):
            raise ValueError("TLS verification stays on for Sinch's hosts; verify=False is only for your own base URL.")
        self.verify = verify
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
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
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._bearer(timeout)}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            sent = SentRequest(method, url, redact_headers(headers), text)
            answer, elapsed = self._http(method, url, sent, headers=headers, data=data, params=params, timeout=timeout)
            answer_headers = dict(answer.headers)
            if answer.status_code < 400:
                parsed = json_from_success(answer.status_code, answer_headers, answer.content, sent)
                return Reply(answer.status_code, parsed, answer_headers, sent, elapsed)
            error = error_from_answer(answer.status_code, answer_headers, answer.content, sent)
            # An expired access token was refused before anything was processed: safe to renew once.
            if (attempt == 1 and self.oauth and isinstance(error, errors.AuthenticationError)
                    and error.token_expired):
                self._token = None
                continue
            raise error
        raise AssertionError("unreachable")

    def _http(self, method: str, url: str, sent: SentRequest, *, timeout: float | None = None, **kw):
        started = time.perf_counter()
        try:
            answer = self.session.request(method, url, timeout=(self.connect_timeout, timeout or self.timeout),
                                          verify=self.verify, allow_redirects=False, **kw)
            answer.content  # read the whole body here, so that a cut-off answer fails here too
        except requests.RequestException as error:
            raise transport_error(error, sent, timeout or self.timeout) from None
        return answer, time.perf_counter() - started

    def _bearer(self, timeout: float | None) -> str:
        if not self.oauth:
            if not self.api_token:
                raise ValueError("No API token: set SINCH_API_TOKEN, or use %sms login.")
            return self.api_token.reveal()
        with self._token_lock:
            if self._token is None or self._token[1] - TOKEN_MARGIN <= time.time():
                self._token = self._fetch_token(timeout)
            return self._token[0].reveal()

    def _fetch_token(self, timeout: float | None) -> tuple[Secret, float]:
        sent = SentRequest("POST", self.token_url, {"Authorization": "Basic ********",
                                                    "Content-Type": "application/x-www-form-urlencoded"},
                           "grant_type=client_credentials")
        answer, _ = self._http("POST", self.token_url, sent, data={"grant_type": "client_credentials"},
                               auth=(self.key_id, self.key_secret.reveal()), timeout=timeout)
        body = read_body(answer.content, answer.headers.get("Content-Type"))
        data = body.data if isinstance(body.data, dict) else {}
        if answer.status_code != 200 or not isinstance(data.get("access_token"), str):
            text = data.get("error_description") or data.get("error") or body.text or f"HTTP {answer.status_code}"
            raise errors.OAuthError(str(text), status=answer.status_code, text=str(text), request=sent,
                                    headers=dict(answer.headers))
        lifetime = data.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool) else 3600.0
        return Secret(data["access_token"]), time.time() + lifetime


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


def transport_error(error: requests.RequestException, sent: SentRequest, read_timeout: float) -> errors.TransportError:
    """The smsnb error for a failure on the way, with a message free of addresses and ids."""
    kw = {"request": sent}
    if isinstance(error, requests.exceptions.SSLError):
        return errors.TlsError("The TLS handshake failed; no request was sent.", **kw)
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return errors.ConnectTimeout("No connection within the connect timeout; nothing was sent.", **kw)
    if isinstance(error, requests.exceptions.ReadTimeout):
        return errors.ReadTimeout(f"No answer within {read_timeout:g} s; the SMS may have been sent.", **kw)
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return errors.ConnectionDropped("The connection broke during the answer; the SMS may have been sent.", **kw)
    for cause in _causes(error):
        name = type(cause).__name__
        if isinstance(cause, socket.gaierror) or name == "NameResolutionError":
            return errors.DnsError("The host name could not be resolved; nothing was sent.", **kw)
        if isinstance(cause, ConnectionRefusedError):
            return errors.ConnectionRefused("Nothing is listening at the base URL; nothing was sent.", **kw)
        if name in ("RemoteDisconnected", "ProtocolError", "IncompleteRead") or isinstance(cause, ConnectionResetError):
            return errors.ConnectionDropped("The connection broke during the answer; the SMS may have been sent.", **kw)
    return errors.ConnectionRefused(f"The connection failed ({type(error).__name__}); nothing was sent.", **kw)
