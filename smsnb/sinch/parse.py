"""Reading Sinch's answers, whatever shape they come in. Pure functions: bytes in, objects out.

Shapes seen in the wild (API.md): Sinch's ``{code, text}``; empty; HTML from a proxy; a
gateway's ``{timestamp, status, error, path}``; Sinch's other APIs' ``{"error": {...}}``; and
anything else (truncated JSON, other encodings, a megabyte of garbage).
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from .errors import ApiError, BadResponse, api_error_class
from .request import SentRequest

TEXT_CAP = 300  # characters of a non-Sinch body shown as "Sinch's text"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Body:
    shape: str  # "sinch", "gateway", "google", "json", "empty", "html", "text"
    code: str | None
    text: str | None
    raw: str  # the body decoded, for display (capped by the error that keeps it)
    data: object = None  # the parsed JSON, when it is JSON


def decode(content: bytes, content_type: str | None = None) -> str:
    charset = "utf-8"
    if content_type and "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
    try:
        return content.decode(charset, errors="replace")
    except (LookupError, ValueError):  # an unknown charset name, or a codec that cannot do this
        return content.decode("utf-8", errors="replace")


def _short(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= TEXT_CAP else text[: TEXT_CAP - 1] + "…"


def read_body(content: bytes, content_type: str | None = None) -> Body:
    raw = decode(content[: 1 << 20], content_type)
    if not raw.strip():
        return Body("empty", None, None, raw)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    else:
        return _read_json(data, raw)
    if "<html" in raw[:1000].lower() or "<!doctype" in raw[:100].lower():
        title = _TITLE.search(raw)
        text = html.unescape(title.group(1) if title else _TAGS.sub(" ", raw))
        return Body("html", None, _short(text), raw)
    return Body("text", None, _short(raw), raw)


def _read_json(data, raw: str) -> Body:
    if not isinstance(data, dict):
        return Body("json", None, _short(raw), raw, data)
    code, text = data.get("code"), data.get("text") or data.get("description") or data.get("message")
    if isinstance(code, str) and code and (text is None or isinstance(text, str)):
        return Body("sinch", code, text, raw, data)
    if isinstance(data.get("error"), dict):  # Sinch's other APIs
        inner = data["error"]
        label, message = inner.get("status"), inner.get("message")
        text = ": ".join(str(x) for x in (label, message) if x) or None
        return Body("google", None, text, raw, data)
    if "error" in data and "status" in data:  # a gateway in front of the API
        parts = [data.get("error"), data.get("message")]
        return Body("gateway", None, ": ".join(str(x) for x in parts if x) or None, raw, data)
    return Body("json", None, None, raw, data)


def error_from_answer(status: int, headers: dict, content: bytes, request: SentRequest | None) -> ApiError:
    """The exception for an error status, with everything the body told."""
    body = read_body(content, headers.get("Content-Type"))
    cls = api_error_class(status)
    return cls(body.text or "", status=status, code=body.code, text=body.text, raw_body=body.raw or None,
               request=request, headers=headers)


def json_from_success(status: int, headers: dict, content: bytes, request: SentRequest | None) -> dict:
    """The JSON object of a success answer; BadResponse when it is not one."""
    body = read_body(content, headers.get("Content-Type"))
    if isinstance(body.data, dict):
        return body.data
    raise BadResponse(f"HTTP {status} with a body that is not a JSON object ({body.shape})", status=status,
                      text=body.text or "(empty body)", raw_body=body.raw or None, request=request,
                      headers=headers)


def unreadable(status: int, headers: dict, content: bytes, request: SentRequest | None,
               why: str) -> BadResponse:
    """The error for an answer that could not be read whole (too large, or not decodable), with
    what was read of it."""
    body = read_body(content, headers.get("Content-Type"))
    return BadResponse(f"HTTP {status}: {why}", status=status, text=why, raw_body=body.raw or None,
                       request=request, headers=headers)
