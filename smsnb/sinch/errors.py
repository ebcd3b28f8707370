"""One exception class per kind of failure, each carrying what a person needs to act.

In the style of stripe-python's errors: status, Sinch's code and text, the raw body (capped),
the request that was sent (auth masked), and a one-line ``str()``. ``key`` names the kind of
failure; what it means and what to do is the catalog's business (`smsnb.knowledge.catalog`),
which the wire does not import.
"""
from __future__ import annotations

import math
import time
from datetime import timezone
from http import HTTPStatus

from .paths import not_found_reason
from .request import SentRequest

RAW_BODY_CAP = 1 << 20  # characters of the raw body kept on an error: the card points at it
RETRY_AFTER_CAP = 3600.0  # seconds: the longest wait a Retry-After header may ask for
# Statuses whose meaning Sinch documents for this API without a code in the body (API.md).
DOCUMENTED_STATUSES = frozenset({401, 404, 405, 413, 415, 429, 500, 503})


def key_for(code: str | None, status: int | None) -> str:
    """The kind of an error answer: Sinch's code; else "http_404" for a documented status; else
    "gateway_error" for a 5xx Sinch does not send (it may have processed the request first);
    else "unknown_status"."""
    if code:
        return code
    if status in DOCUMENTED_STATUSES:
        return f"http_{status}"
    if status is not None and 500 <= status < 600:
        return "gateway_error"
    return "unknown_status"


class Headers(dict):
    """An answer's headers as the server sent them, found in any case, as HTTP means them."""

    def _key(self, name):
        if dict.__contains__(self, name) or not isinstance(name, str):
            return name
        return next((key for key in self if isinstance(key, str) and key.lower() == name.lower()), name)

    def __getitem__(self, name):
        return dict.__getitem__(self, self._key(name))

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, self._key(name))

    def get(self, name, default=None):
        return dict.get(self, self._key(name), default)


class SmsError(Exception):
    """Base of every failure smsnb reports. ``str()`` is one stable line."""

    kind: str | None = None  # the key, for classes that always mean one kind of failure
    may_have_been_sent = False  # True where the SMS may have gone out despite the error

    def __init__(self, message: str = "", *, status: int | None = None, code: str | None = None,
                 text: str | None = None, raw_body: str | None = None, request: SentRequest | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.text = text
        self.raw_body = raw_body[:RAW_BODY_CAP] if raw_body else raw_body
        self.request = request
        self.headers = Headers(headers or {})

    @property
    def key(self) -> str:
        """The kind of failure, e.g. "missing_callback_url", "http_404", "timeout_read"."""
        return self.kind or key_for(self.code, self.status)

    def __str__(self) -> str:
        head = f"{self.status} {self.key}" if self.status else self.key
        detail = self.text or self.message or _phrase(self.status) or self._summary()
        return " ".join(f"{head}: {detail}".split())  # always one line, even for a code holding a newline

    def _summary(self) -> str:
        return (type(self).__doc__ or type(self).__name__).strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback (SmsMagic.raise_on_error)."""
        return [f"{type(self).__name__}: {self}", f"  What it means and what to do: %sms explain {self.key}"]


def _phrase(status: int | None) -> str:
    """HTTP's own name for a status ("Not Found"), or ""."""
    try:
        return HTTPStatus(status).phrase if status else ""
    except ValueError:
        return ""


class ApiError(SmsError):
    """Sinch (or whatever answered at the base URL) answered with an error status."""

    @property
    def may_have_been_sent(self) -> bool:
        return self.key == "gateway_error"


class BadRequestError(ApiError):
    """400: syntax_invalid_json, syntax_invalid_parameter_format, syntax_constraint_violation."""


class ForbiddenError(ApiError):
    """403: missing_callback_url, illegal_number_type, blocked_account, ..."""


class AuthenticationError(ApiError):
    """401: the token, service plan or region is wrong, or the access token expired."""

    @property
    def token_expired(self) -> bool:
        return "expired" in self.headers.get("WWW-Authenticate", "").lower()


class OAuthError(AuthenticationError):
    """The OAuth2 token endpoint refused the key id and secret."""

    kind = "oauth_failed"


class NotFoundError(ApiError):
    """404. ``reason`` says which of the three usual reasons is most likely here."""

    @property
    def reason(self) -> str:
        """A key of `paths.NOT_FOUND_REASONS`."""
        return not_found_reason(self.request.path if self.request else "")


class RateLimitError(ApiError):
    """429. ``retry_after`` is the wait the server asked for, in seconds within [0, 3600] (or None);
    ``retry_after_header`` is the header as the server sent it."""

    @property
    def retry_after_header(self) -> str | None:
        return self.headers.get("Retry-After")

    @property
    def retry_after(self) -> float | None:
        return retry_after_seconds(self.retry_after_header)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as a finite wait within [0, RETRY_AFTER_CAP]."""
    from email.utils import parsedate_to_datetime

    if not isinstance(value, str) or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment.tzinfo is None:  # "-0000": UTC, as HTTP dates are
            moment = moment.replace(tzinfo=timezone.utc)
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


class ServerError(ApiError):
    """5xx: Sinch's 500 or 503 (not processed), or a gateway's (it may have been processed)."""


class TransportError(SmsError):
    """No usable answer: the failure happened on the way."""


class ConnectionRefused(TransportError):
    kind = "connection_refused"


class DnsError(TransportError):
    kind = "dns_failure"


class TlsError(TransportError):
    kind = "tls_failure"


class ConnectTimeout(TransportError):
    kind = "timeout_connect"


class ReadTimeout(TransportError):
    """The request went out and no answer came: the SMS may have been sent. Never retried."""

    kind = "timeout_read"
    may_have_been_sent = True


class ConnectionDropped(TransportError):
    """The answer was cut off: the SMS may have been sent."""

    kind = "connection_dropped"
    may_have_been_sent = True


class TransportFailed(TransportError):
    """A failure on the way that smsnb cannot place before the request left: the SMS may have
    been sent."""

    kind = "transport_failed"
    may_have_been_sent = True


class InvalidCredential(SmsError):
    """A credential holds a character that no HTTP header can carry as is; raised before the
    request leaves, so nothing was sent."""

    kind = "invalid_credential"


class BadResponse(SmsError):
    """A success status whose body is not the JSON this API returns."""

    kind = "bad_response"
    may_have_been_sent = True


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError,
              429: RateLimitError}


def api_error_class(status: int) -> type[ApiError]:
    if 500 <= status < 600:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
