"""Who may use the API: the service plans with their API tokens, and the OAuth2 access tokens the
sandbox issues for its project (``POST /oauth2/token``)."""
from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from . import triggers
from .answers import empty, json_response
from .settings import Settings

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sinch"'}
_INVALID = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
_EXPIRED = {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token expired"'}


@dataclass
class Plan:
    token: str
    callback_url: str | None = None
    blocked: bool = False
    oauth: bool = False  # a project id: takes OAuth2 access tokens instead of the API token
    default_originator: bool = True  # without one, a batch with no `from` is Aborted (code 410)


def plans_of(settings: Settings) -> dict[str, Plan]:
    """The service plans (and the project) the sandbox knows, by id."""
    plans = {
        settings.service_plan_id: Plan(settings.api_token),
        triggers.BLOCKED_SERVICE_PLAN_ID: Plan(settings.api_token, blocked=True),
        triggers.CALLBACK_SERVICE_PLAN_ID: Plan(settings.api_token),
        triggers.NO_ORIGINATOR_SERVICE_PLAN_ID: Plan(settings.api_token, default_originator=False),
        settings.project_id: Plan("", oauth=True),
    }
    for plan_id, url in settings.plan_callback_urls.items():
        plans.setdefault(plan_id, Plan(settings.api_token)).callback_url = url
    return plans


class Auth:
    """Checks a request's bearer token against its plan, and issues OAuth2 access tokens."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.plans = plans_of(settings)
        self._lock = threading.Lock()
        self._access_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)

    def authenticate(self, request: Request, plan: Plan) -> Response | None:
        """None when the request may use ``plan``; else the 401 to answer."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return empty(401, _CHALLENGE)
        if not plan.oauth:
            return None if _same_secret(_wire_bytes(token), plan.token) else empty(401, _INVALID)
        expiry = self._access_tokens.get(token)
        if expiry is None:
            return empty(401, _INVALID)
        if expiry <= time.time():
            return empty(401, _EXPIRED)
        return None

    def on_token(self, request: Request) -> Response:
        """OAuth2's client credentials grant: key id and key secret in Basic auth."""
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            key_id, _, key_secret = base64.b64decode(encoded, validate=True).partition(b":")
        except ValueError:  # not base64, or not ASCII at all
            key_id = key_secret = b""
        good = (scheme.lower() == "basic" and _same_secret(key_id, self.settings.key_id)
                and _same_secret(key_secret, self.settings.key_secret))
        if not good:
            return json_response(401, {"error": "invalid_client",
                                       "error_description": "Unknown key id or wrong key secret."})
        if _grant_type(request) != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type",
                                       "error_description": "grant_type must be client_credentials."})
        return json_response(200, {"access_token": self._issue(), "token_type": "Bearer",
                                   "expires_in": int(self.settings.token_ttl), "scope": ""})

    def _issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.time()
            self._access_tokens = {t: e for t, e in self._access_tokens.items() if e > now - 3600}
            self._access_tokens[token] = now + self.settings.token_ttl
        return token


def _grant_type(request: Request) -> str | None:
    """The form's grant_type. OAuth2 takes only a urlencoded form; parsing it here, with a bound on
    its fields, spares werkzeug's form parser, which answers a form of too many parts with an
    exception."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    try:
        form = parse_qs(request.get_data().decode("latin-1"), max_num_fields=100)
    except ValueError:
        return None
    return (form.get("grant_type") or [None])[0]


def _wire_bytes(value: str) -> bytes:
    return value.encode("latin-1", "replace")  # WSGI hands header bytes over decoded as latin-1


def _same_secret(given: bytes, expected: str) -> bool:
    # bytes, not str: compare_digest refuses non-ASCII strings, and a client may send any byte
    return secrets.compare_digest(given, expected.encode("utf-8"))
