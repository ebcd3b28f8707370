"""An ``mt_binary`` batch as Sinch takes it, as pure functions: a hex ``udh`` and a base64
``body``, 140 bytes together; and the type and numbering plan of the sender."""
from __future__ import annotations

import base64
import binascii
import re

from ..knowledge.rules import FROM_NPI, FROM_TON, MAX_BINARY_BYTES
from .answers import ErrorAnswer, bad_format, constraint_violation

_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")
_SHOWN = 40


def is_binary(batch: dict) -> bool:
    return batch.get("type") == "mt_binary"


def udh_bytes(udh: str) -> bytes | None:
    """The UDH's bytes, or None when it is not an even number of hex digits."""
    return bytes.fromhex(udh) if _HEX.fullmatch(udh) else None


def body_bytes(body: str) -> bytes | None:
    """The body's bytes, or None when it is not base64 (standard alphabet, padded)."""
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_binary_formats(batch: dict) -> ErrorAnswer | None:
    """A binary batch's ``udh`` is hex and its ``body`` base64 (types already checked)."""
    if not is_binary(batch):
        return None
    udh = batch.get("udh")
    if udh is not None and udh_bytes(udh) is None:
        return bad_format("udh", f"value '{udh[:_SHOWN]}' is not hex-encoded bytes")
    body = batch.get("body")
    if body is not None and body_bytes(body) is None:
        return bad_format("body", "an mt_binary body must be base64-encoded bytes")
    return None


def check_binary_constraints(batch: dict) -> ErrorAnswer | None:
    """A binary batch has a ``udh``, and its UDH and body are 140 bytes at most together."""
    if not is_binary(batch):
        return None
    if batch.get("udh") is None:
        return constraint_violation("udh", "it is required for an mt_binary batch")
    size = len(udh_bytes(batch["udh"])) + len(body_bytes(batch["body"]))
    if size > MAX_BINARY_BYTES:
        return constraint_violation("body", f"with 'udh' it must be at most {MAX_BINARY_BYTES} bytes, "
                                            f"but is {size}")
    return None


def check_sender_numbering(batch: dict) -> ErrorAnswer | None:
    """``from_ton`` 0 to 6 and ``from_npi`` 0 to 18."""
    for field, allowed in (("from_ton", FROM_TON), ("from_npi", FROM_NPI)):
        value = batch.get(field)
        if value is not None and value not in allowed:
            limits = f"{allowed.start} to {allowed.stop - 1}"
            return constraint_violation(field, f"it must be {limits}, but is {value}")
    return None
