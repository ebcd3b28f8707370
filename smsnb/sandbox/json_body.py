"""A request body as Sinch reads it: strict JSON, an object, and each field of its JSON type;
a wrong one is Sinch's ``syntax_invalid_json``. Pure functions."""
from __future__ import annotations

import json
import math

from .answers import ErrorAnswer, invalid_json

JSON_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
              int: "a number", float: "a number", type(None): "null"}


class _NotStrict(ValueError):
    """A value Python's parser takes but strict JSON (RFC 8259) does not; raised from inside it."""


def _refuse_constant(name: str):
    raise _NotStrict(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotStrict(f"the number {text[:20]} is too large")
    return value


def _bounded_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over Python's 4300 digits
        raise _NotStrict(f"a number of {len(text)} digits is too long") from None


def strict_json(text: str):
    """``text`` parsed as strict JSON: no NaN or Infinity, no number too large for a double or of
    more than 4300 digits. Raises ValueError (or RecursionError when nested too deeply)."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                      parse_int=_bounded_int)


def parse_json_object(raw: bytes) -> dict | ErrorAnswer:
    """The request body as a JSON object, or Sinch's syntax_invalid_json."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return invalid_json(f"it is not UTF-8 (byte {error.start})")
    try:
        data = strict_json(text)
    except json.JSONDecodeError as error:
        return invalid_json(f"{error.msg} at line {error.lineno}, column {error.colno}")
    except _NotStrict as error:
        return invalid_json(str(error))
    except RecursionError:
        return invalid_json("it is nested too deeply")
    if not isinstance(data, dict):
        return invalid_json(f"expected an object, not {json_name(data)}")
    return data


def json_name(value) -> str:
    return JSON_NAMES.get(type(value), "a value")


def short(name: str, limit: int = 40) -> str:
    """A key or value quoted back in an error: it may be as long as the request."""
    return name if len(name) <= limit else name[:limit] + "..."


def check_field_types(body: dict, field_types: dict[str, tuple[type, str]]) -> ErrorAnswer | None:
    """Each field of ``field_types`` that ``body`` has (and is not null) is of its JSON type
    (``(python type, its name in the error)``); a list's items are strings."""
    for field, (kind, name) in field_types.items():
        value = body.get(field)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return invalid_json(f"'{field}' must be {name}, not {json_name(value)}")
        if kind is list:
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    return invalid_json(f"'{field}[{index}]' must be a string, not {json_name(item)}")
    return None
