"""The HTTP client for Sinch's SMS API: one `requests.Session`, both auth styles, all regions.

Every call returns a `Reply` or raises an `SmsError` subclass (see `errors`). Nothing is ever
retried after the request may have reached Sinch: a read timeout is reported, not repeated.

Three promises are kept on the way down. A credential stays a `Secret` until requests builds the
request, and the header it becomes masks itself wherever it is shown (`auth`); no error keeps
requests' exception or request (`transport`). Each request has one total deadline (connect, send
and the whole answer; `deadline`) and reads at most `transport.MAX_ANSWER` bytes. An error says
nothing was sent only when it provably happened before the request left (`failures`).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import requests

from .._version import __version__
from . import errors, paths
from .auth import Basic, Bearer, access_token, check_credential
from .parse import error_from_answer, json_from_success
from .request import SentRequest, SmsRequest, redact_headers
from .secret import Secret, masked_in
from .transport import Answer, exchange, mount

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
                 project_id: str | None = None, key_id: str | None = None,
                 key_secret: str | Secret | None = None, region: str = "us", base_url: str | None = None,
                 token_url: str | None = None, timeout: float = 30.0, connect_timeout: float = 5.0,
                 verify: bool | str = True, session: requests.Session | None = None, trust_env: bool = True):
        if region not in paths.REGION_HOSTS:
            raise ValueError(f"Unknown region {region!r}: use one of {', '.join(paths.REGION_HOSTS)}.")
        self.region = region
        self.service_plan_id = service_plan_id
        self.api_token = _secret(api_token)
        self.project_id = project_id
        self.key_id = key_id
        self.key_secret = _secret(key_secret)
        self.oauth = bool(project_id and key_id and key_secret)
        self.base_url, self.token_url = self._urls(region, base_url, token_url)
        if verify is False and (paths.is_sinch_host(self.base_url) or paths.is_sinch_host(self.token_url)):
            raise ValueError("TLS verification stays on for Sinch's hosts; verify=False is only for your "
                             "own base URL.")
        self.verify = verify
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if not trust_env:
            self.session.trust_env = False
        mount(self.session)  # the deadline and the loopback rule live in the adapter
        self._token: tuple[Secret, float] | None = None  # (access token, expiry)
        self._token_lock = threading.Lock()

    def _urls(self, region: str, base_url: str | None, token_url: str | None) -> tuple[str, str]:
        """The base URL and the token URL, checked."""
        if self.oauth and not base_url and region not in paths.OAUTH_REGIONS:
            raise ValueError(f"Project access keys work only in {' and '.join(paths.OAUTH_REGIONS)}, "
                             f"not {region!r}: use a service plan id and API token there.")
        host = paths.oauth_host(region) if self.oauth else paths.REGION_HOSTS[region]
        base = _checked_url((base_url or host).rstrip("/"), "base URL")
        token = token_url or (f"{base}/oauth2/token" if base_url else paths.OAUTH_TOKEN_URL)
        return base, _checked_url(token, "token URL")

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

    def dry_run(self, request: SmsRequest, *, per_recipient: bool = True,
                number_of_recipients: int | None = None, **kw) -> Reply:
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
        path = f"batches/{quote(batch_id, safe='')}/delivery_report"
        return self._call("GET", path, params={"type": kind}, **kw)

    def recipient_report(self, batch_id: str, recipient: str, **kw) -> Reply:
        path = f"batches/{quote(batch_id, safe='')}/delivery_report/{quote(recipient, safe='+')}"
        return self._call("GET", path, **kw)

    # --- one call, and its credential ------------------------------------------------------

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
            bearer = self._bearer(sent, timeout)
            answer = self._http(method, url, sent, headers=headers, data=data, params=params,
                                auth=Bearer(bearer), timeout=timeout)
            content = masked_in(answer.content, bearer)
            if 200 <= answer.status < 300:
                parsed = json_from_success(answer.status, answer.headers, content, sent)
                return Reply(answer.status, parsed, answer.headers, sent, answer.elapsed)
            error = error_from_answer(answer.status, answer.headers, content, sent)
            # An expired access token was refused before anything was processed: safe to renew once.
            if (attempt == 1 and self.oauth and isinstance(error, errors.AuthenticationError)
                    and error.token_expired):
                self._token = None
                continue
            raise error
        raise AssertionError("unreachable")

    def _http(self, method: str, url: str, sent: SentRequest, *, timeout: float | None = None,
              **kw) -> Answer:
        return exchange(self.session, method, url, sent, seconds=timeout or self.timeout,
                        connect_timeout=self.connect_timeout, verify=self.verify, **kw)

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
        """A new access token from the token endpoint, and when it expires."""
        sent = SentRequest("POST", self.token_url, {"Authorization": "Basic ********",
                                                    "Content-Type": "application/x-www-form-urlencoded"},
                           "grant_type=client_credentials")
        auth = Basic(check_credential(Secret(self.key_id), "key id", sent),
                     check_credential(self.key_secret, "key secret", sent))
        answer = self._http("POST", self.token_url, sent, data={"grant_type": "client_credentials"},
                            auth=auth, timeout=timeout)
        token, lifetime = access_token(answer, sent)
        return token, time.time() + lifetime


def _secret(value) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


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
