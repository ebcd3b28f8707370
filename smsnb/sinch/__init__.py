"""The wire: Sinch's request model, the HTTP client, and the parsing of its answers.

`client` (the Client and its API calls) stands on `transport` (one exchange, capped and proxy-safe),
`deadline` (one total deadline per request), `failures` (what a failure on the way means), `auth`
(credentials on the wire), `parse` (answers of any shape), `errors`, `request`, `paths` and `secret`.
It imports nothing else of smsnb.

Names load on first use (PEP 562), so that importing `smsnb.sinch.paths` for a region list
does not import requests.
"""
from importlib import import_module

_ERRORS = (
    "SmsError", "ApiError", "AuthenticationError", "BadRequestError", "BadResponse", "ConnectionDropped",
    "ConnectionRefused", "ConnectTimeout", "DnsError", "ForbiddenError", "InvalidCredential", "NotFoundError",
    "OAuthError", "RateLimitError", "ReadTimeout", "ServerError", "TlsError", "TransportError",
    "TransportFailed",
)
_WHERE = {
    "Client": "client", "Reply": "client",
    "SmsRequest": "request", "SentRequest": "request",
    **{name: "errors" for name in _ERRORS},
}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
