"""Sending one callback, to loopback only: where a callback URL leads (a literal loopback
address, never a name to resolve), and one POST within one deadline."""
from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .capped import clip

_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})(?:[ \r\n]|$)")


@dataclass(frozen=True)
class Target:
    """Where a callback goes: a literal loopback address, never a name to resolve."""

    scheme: str
    address: str
    port: int
    path: str  # with the query, percent-encoded for the request line

    @property
    def receiver(self) -> tuple[str, str, int]:
        return self.scheme, self.address, self.port


def callback_target(url: str) -> Target | str:
    """The loopback ``Target`` of a callback URL, or why the sandbox will not call it.

    Only literal loopback addresses (127.0.0.0/8, ::1) and ``localhost`` (taken as 127.0.0.1)
    pass: no name is resolved, so nothing can lead the sandbox off the machine."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError as error:
        return f"the URL cannot be read ({error})"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs are called"
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return f"'{clip(host, 200)}' is a name, and the sandbox resolves none but localhost"
    if not address.is_loopback:
        return f"{address} is not a loopback address"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    path = quote(path, safe="!#$%&'()*+,/:;=?@[]~")  # no space, CR or LF can reach the request line
    return Target(parts.scheme, str(address), port or (443 if parts.scheme == "https" else 80), path)


class NotHttp(Exception):
    """The receiver answered something that is not an HTTP status line."""


def post_json(target: Target, body: bytes, seconds: float) -> int:
    """POST ``body`` to ``target`` and return the answer's status, all within ``seconds``.

    A plain socket rather than urllib: no proxy from the environment, no redirect followed, no
    name resolved, and one deadline for the whole exchange (a receiver trickling bytes cannot
    stretch it)."""
    deadline = time.monotonic() + seconds
    family = socket.AF_INET6 if ":" in target.address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as raw:
        raw.settimeout(seconds)
        raw.connect((target.address, target.port))
        sock = raw
        if target.scheme == "https":
            _settimeout(raw, deadline)
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=target.address)
        host = f"[{target.address}]" if family == socket.AF_INET6 else target.address
        head = (f"POST {target.path} HTTP/1.1\r\nHost: {host}:{target.port}\r\n"
                f"User-Agent: smsnb-sandbox\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        _settimeout(sock, deadline)
        sock.sendall(head.encode("ascii") + body)
        line = _status_line(sock, deadline)
    match = _STATUS_LINE.match(line)
    if match is None:
        raise NotHttp(f"the answer is not HTTP: {line[:80]!r}")
    return int(match.group(1))


def _status_line(sock, deadline: float) -> bytes:
    """The answer's first line (at most 1 KiB of it), read by the deadline."""
    line = b""
    while b"\n" not in line and len(line) < 1024:
        _settimeout(sock, deadline)
        piece = sock.recv(1024 - len(line))
        if not piece:
            break
        line += piece
    return line


def _settimeout(sock, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    sock.settimeout(left)
