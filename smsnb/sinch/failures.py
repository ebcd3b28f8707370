"""Which `TransportError` a failure on the way is, and whether it proves that nothing was sent.

requests wraps urllib3's errors, which wrap the socket's and ssl's; the kind of failure is read
from the whole chain. Only a failure proven to happen before any byte of the request left (while
resolving, connecting or in the TLS handshake) says that nothing was sent. The messages name no
address or id.
"""
from __future__ import annotations

import socket
import ssl

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import errors
from .deadline import Deadline
from .request import SentRequest

_CUT_OFF = ("RemoteDisconnected", "IncompleteRead", "ChunkedEncodingError")  # an answer that stopped short


def transport_error(error: requests.RequestException, sent: SentRequest,
                    deadline: Deadline) -> errors.TransportError:
    """The smsnb error for ``error``, a failure of the request ``sent`` within ``deadline``."""
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


def _causes(error: BaseException):
    """The error and every exception it wraps, as causes, contexts, arguments or a ``reason``."""
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
    """Whether the failure provably happened before any byte of the request left."""
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
