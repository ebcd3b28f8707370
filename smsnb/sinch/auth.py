"""Credentials on the wire: whether an HTTP header can carry one, the auth objects that set the
Authorization header when requests prepares the request, and the OAuth2 token endpoint's answer.

A credential stays a `Secret` until that moment, and the header value it becomes masks itself
wherever it is shown (a traceback's locals, %debug).
"""
from __future__ import annotations

import base64
import math

import requests

from . import errors
from .parse import read_body
from .request import SentRequest
from .secret import Secret
from .transport import Answer

DEFAULT_TOKEN_LIFETIME = 3600.0  # seconds, when the token endpoint does not say
MAX_TOKEN_LIFETIME = 86400.0


def check_credential(secret: Secret, label: str, sent: SentRequest) -> Secret:
    """``secret`` when an HTTP header can carry it as is; else InvalidCredential, which says where
    (never what) the bad character is. Surrounding whitespace is already gone (see `Secret`)."""
    bad = unsendable(secret)
    if bad is None:
        return secret
    position, length, char = bad
    kind = ("a space" if char == " " else f"a control character (U+{ord(char):04X})" if ord(char) < 0x20 or
            ord(char) == 0x7F else f"a non-ASCII character (U+{ord(char):04X})")
    message = (f"The {label} has {kind} at position {position} of {length}: no HTTP header can carry it, "
               f"so nothing was sent. Copy the {label} again.")
    raise errors.InvalidCredential(message, text=message, request=sent)


def unsendable(secret: Secret) -> tuple[int, int, str] | None:
    """(position, length, character) of the first character a header cannot carry, or None. The
    value is never bound to a name, so no frame of a traceback holds it."""
    return next(((index + 1, len(secret.reveal()), char) for index, char in enumerate(secret.reveal())
                 if not "!" <= char <= "~"), None)


class HeaderValue(str):
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


class Bearer(requests.auth.AuthBase):
    """Sets ``Authorization: Bearer ...`` on the prepared request, from a Secret, as a masked value."""

    __slots__ = ("_secret",)

    def __init__(self, secret: Secret):
        self._secret = secret

    def __call__(self, request):
        request.headers["Authorization"] = HeaderValue("Bearer " + self._secret.reveal())
        return request


class Basic(requests.auth.AuthBase):
    """HTTP Basic ``key_id:key_secret`` for the OAuth2 token endpoint, as a masked value."""

    __slots__ = ("_secret", "_user")

    def __init__(self, user: Secret, secret: Secret):
        self._user, self._secret = user, secret

    def __call__(self, request):
        request.headers["Authorization"] = HeaderValue("Basic " + base64.b64encode(
            f"{self._user.reveal()}:{self._secret.reveal()}".encode("ascii")).decode("ascii"))
        return request


def access_token(answer: Answer, sent: SentRequest) -> tuple[Secret, float]:
    """The access token of the token endpoint's answer and its lifetime in seconds; OAuthError
    when the answer holds none that can be sent."""
    body = read_body(answer.content, answer.headers.get("Content-Type"))
    data = body.data if isinstance(body.data, dict) else {}
    token = data.get("access_token")
    if answer.status != 200 or not isinstance(token, str) or unsendable(Secret(token)):
        text = data.get("error_description") or data.get("error") or f"HTTP {answer.status}"
        if answer.status == 200:
            text = "The token endpoint's answer holds no access token that can be sent."
        raise errors.OAuthError(str(text), status=answer.status, text=str(text), request=sent,
                                headers=answer.headers)
    return Secret(token), token_lifetime(data.get("expires_in"))


def token_lifetime(value) -> float:
    """An access token's lifetime in seconds, within [0, a day]; an hour when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return DEFAULT_TOKEN_LIFETIME
    try:
        seconds = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return MAX_TOKEN_LIFETIME
    return min(max(seconds, 0.0), MAX_TOKEN_LIFETIME) if not math.isnan(seconds) else DEFAULT_TOKEN_LIFETIME
