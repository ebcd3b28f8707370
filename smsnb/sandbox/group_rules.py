"""Sinch's checks on a group request (create, replace, update), in Sinch's order, as pure
functions: each field of its JSON type, then its format, then its limits. A referenced group
that does not exist (403 ``unknown_group``) is checked by the caller, which knows the groups."""
from __future__ import annotations

import re

from ..knowledge import msisdn
from ..knowledge.rules import MAX_CHILD_GROUPS, MAX_GROUP_MEMBERS, MAX_GROUP_NAME
from .answers import ErrorAnswer, bad_format, constraint_violation, invalid_json
from .json_body import check_field_types, json_name, short

GROUP_FIELDS = {"name": (str, "a string"), "members": (list, "an array of strings"),
                "child_groups": (list, "an array of strings"), "auto_update": (dict, "an object")}
UPDATE_FIELDS = {"name": (str, "a string"), "add": (list, "an array of strings"),
                 "remove": (list, "an array of strings"), "add_from_group": (str, "a string"),
                 "remove_from_group": (str, "a string"), "auto_update": (dict, "an object")}
_KEYWORD = re.compile(r"\w{1,15}")  # one word of at most 15 characters
_SHORT_CODE = re.compile(r"[0-9]{3,15}")


def _numbers(body: dict, field: str) -> ErrorAnswer | None:
    values = body.get(field) or ()
    if len(values) > MAX_GROUP_MEMBERS:  # counted first: numbers past the limit are not worth reading
        return constraint_violation(field, f"it must have at most {MAX_GROUP_MEMBERS} elements, "
                                           f"but has {len(values)}")
    for index, value in enumerate(values):
        if not msisdn.parse(value).ok:
            return bad_format(f"{field}[{index}]", f"value '{short(value)}' is not a valid MSISDN")
    return None


def _group_ids(body: dict, fields: tuple[str, ...]) -> ErrorAnswer | None:
    for field in fields:
        values = body.get(field)
        values = [values] if isinstance(values, str) else values or ()
        for index, value in enumerate(values):
            if not msisdn.is_group_id(value):
                where = field if isinstance(body.get(field), str) else f"{field}[{index}]"
                return bad_format(where, f"value '{short(value)}' is not a group ID")
    return None


def check_auto_update(auto: dict | None) -> ErrorAnswer | None:
    """``auto_update``: ``to`` (a number or short code) and the keywords that ``add`` a sender
    to the group and ``remove`` one, each ``first_word`` and an optional ``second_word``."""
    if auto is None:
        return None
    to = auto.get("to")
    if not isinstance(to, str):
        return invalid_json(f"'auto_update.to' must be a string, not {json_name(to)}")
    if not (msisdn.parse(to).ok or _SHORT_CODE.fullmatch(to)):
        return bad_format("auto_update.to", f"value '{short(to)}' is not a valid MSISDN or short code")
    for action in ("add", "remove"):
        words = auto.get(action)
        if words is None:
            continue
        if not isinstance(words, dict):
            return invalid_json(f"'auto_update.{action}' must be an object, not {json_name(words)}")
        for position in ("first_word", "second_word"):
            word = words.get(position)
            if word is None and position == "second_word":
                continue
            if not isinstance(word, str) or not _KEYWORD.fullmatch(word):
                return bad_format(f"auto_update.{action}.{position}",
                                  "it must be one word of at most 15 letters or digits")
    return None


def _name(body: dict) -> ErrorAnswer | None:
    name = body.get("name")
    if name is not None and len(name) > MAX_GROUP_NAME:
        return constraint_violation("name", f"it must be at most {MAX_GROUP_NAME} characters, "
                                            f"but is {len(name)}")
    return None


def check_group(body: dict, *, members_required: bool = False) -> ErrorAnswer | None:
    """A create (or, with ``members_required``, a replace) request."""
    error = (check_field_types(body, GROUP_FIELDS) or _numbers(body, "members")
             or _group_ids(body, ("child_groups",)) or check_auto_update(body.get("auto_update"))
             or _name(body))
    if error is not None:
        return error
    if members_required and body.get("members") is None:
        return constraint_violation("members", "it is required")
    children = body.get("child_groups") or ()
    if len(children) > MAX_CHILD_GROUPS:
        return constraint_violation("child_groups", f"it must have at most {MAX_CHILD_GROUPS} elements, "
                                                    f"but has {len(children)}")
    return None


def check_update(body: dict) -> ErrorAnswer | None:
    """An update request: numbers to ``add`` and ``remove``, groups to copy in or take out, a
    new ``name`` (null removes it) or ``auto_update``."""
    return (check_field_types(body, UPDATE_FIELDS) or _numbers(body, "add") or _numbers(body, "remove")
            or _group_ids(body, ("add_from_group", "remove_from_group"))
            or check_auto_update(body.get("auto_update")) or _name(body))


def digits(numbers) -> dict[str, None]:
    """Checked numbers as a group keeps them: digits, each once, in order."""
    return dict.fromkeys(msisdn.parse(number).e164[1:] for number in numbers or ())
