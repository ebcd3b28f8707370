"""The journal: every request the sandbox answered (and every callback URL it refused), each
entry capped and its secrets hidden."""
from __future__ import annotations

import itertools
import json
import time

from .capped import Capped, clip
from .clock import iso

# What one journal entry keeps at most: the request head is capped by the server (16 KiB), and
# bodies are cut here, so a journal of 1000 entries stays within a few tens of MB.
KEPT_TEXT = 8192  # characters of a body or an answer
KEPT_VALUE = 1024  # characters of a path, a query string or one header value
KEPT_HEADERS = 64
_REDACTED = "***"


class Journal(Capped):
    """Every request the sandbox answered, newest last; bounded, the oldest dropped first."""

    def __init__(self, cap: int = 1000):
        super().__init__(cap)
        self._seq = itertools.count(1)

    def record(self, entry: dict) -> None:
        with self._lock:  # numbered and appended at once: the newest entry has the highest seq
            self._append({"seq": next(self._seq), **entry})


def journaled(path: str) -> bool:
    return not path.startswith("/_sandbox/")  # the sandbox's own endpoints would crowd out the API's


def journal_entry(method: str, path: str, query: str, client_port, headers, body: bytes, status,
                  answer: bytes | str) -> dict:
    """One journal entry, every part capped (a visible marker says what was cut), secrets hidden."""
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    return {
        "kind": "request",
        "time": iso(time.time()),
        "method": clip(method, 40),
        "path": clip(path, KEPT_VALUE),
        "query": clip(query, KEPT_VALUE),
        "client_port": client_port,  # which connection: shows keep-alive at work
        "headers": redact_headers(headers),
        "body": clip(redact_body(body.decode("utf-8", "replace")), KEPT_TEXT),
        "status": status,
        "response": clip(redact_body(answer), KEPT_TEXT),
    }


def redact_headers(headers) -> dict:
    """Headers as the journal keeps them: Authorization hidden, values and their number capped."""
    kept: dict[str, str] = {}
    for index, (name, value) in enumerate(headers):
        if index == KEPT_HEADERS:
            kept["..."] = "more headers, not kept"
            break
        secret = name.lower() == "authorization"
        kept[clip(name, KEPT_VALUE)] = _REDACTED if secret else clip(value, KEPT_VALUE)
    return kept


def redact_body(body: str) -> str:
    """Hide OAuth2 secrets that travel in bodies (an access token answer, a client secret form)."""
    if "access_token" not in body and "client_secret" not in body:
        return body
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return "[a form or body with credentials, not recorded]"
    if isinstance(data, dict):
        data = {k: (_REDACTED if k in ("access_token", "client_secret") else v) for k, v in data.items()}
    return json.dumps(data)
