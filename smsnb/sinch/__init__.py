"""The wire: Sinch's request model, the HTTP client, and the parsing of its answers.

Names load on first use (PEP 562), so that importing `smsnb.sinch.paths` for a region list
does not import requests.
"""
from importlib import import_module

_WHERE = {
    "Client": "client", "Reply": "client",
    "SmsRequest": "request", "SentRequest": "request",
    **{name: "errors" for name in (
        "SmsError", "ApiError", "AuthenticationError", "BadRequestError", "BadResponse", "ConnectionDropped",
        "ConnectionRefused", "ConnectTimeout", "DnsError", "ForbiddenError", "InvalidCredential", "NotFoundError",
        "OAuthError", "RateLimitError", "ReadTimeout", "ServerError", "TlsError", "TransportError",
        "TransportFailed")},
}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
