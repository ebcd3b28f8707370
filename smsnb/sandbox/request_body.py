"""Reading a request body whole before anything else, never past its cap."""
from __future__ import annotations

from werkzeug.wrappers import Response

from .answers import closing
from .capped import clip

MAX_BODY_BYTES = 1024 * 1024


def read_body(environ) -> bytes | Response:
    """The request body, read whole but never past MAX_BODY_BYTES; or the answer saying why it
    cannot be (413 too large, 400 malformed or cut short, 408 too slow)."""
    declared = environ.get("CONTENT_LENGTH") or "0"
    chunked = bool(environ.get("wsgi.input_terminated"))
    if not chunked and not (declared.isascii() and declared.isdigit()):
        return closing(400, f"Content-Length {clip(declared, 40)!r} is not a number of bytes.")
    if not chunked and int(declared) > MAX_BODY_BYTES:
        return _too_large(f"is {declared} bytes")
    wanted = MAX_BODY_BYTES + 1 if chunked else int(declared)
    try:
        body = environ["wsgi.input"].read(wanted) if wanted else b""
    except TimeoutError:
        return closing(408, "The request body did not arrive in time.")
    except (ValueError, OSError) as error:
        return closing(400, f"The request body could not be read: {error}.")
    if len(body) > MAX_BODY_BYTES:
        return _too_large("is over 1 MiB")
    if not chunked and len(body) < wanted:
        return closing(400, f"The request body ended after {len(body)} of {wanted} bytes.")
    return body


def _too_large(what: str) -> Response:
    return closing(413, f"The request body {what}; the sandbox takes at most {MAX_BODY_BYTES} bytes (1 MiB).")
