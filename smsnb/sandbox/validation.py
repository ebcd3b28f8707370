"""The checks Sinch runs on a batch, in Sinch's order, as pure functions.

Each check returns an `ErrorAnswer` (status, code and a text in Sinch's style) or None.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..knowledge import msisdn
from ..knowledge.rules import (
    BATCH_TYPES,
    DELIVERY_REPORTS,
    MAX_BODY,
    MAX_CALLBACK_URL,
    MAX_CLIENT_REFERENCE,
    MAX_RECIPIENTS,
    is_http_url,
    parse_time,
)
from .answers import ErrorAnswer, bad_format, constraint_violation, invalid_json
from .binary import check_binary_constraints, check_binary_formats, check_sender_numbering, is_binary
from .json_body import check_field_types, json_name, parse_json_object, short, strict_json

__all__ = ["check_batch", "check_types", "check_formats", "check_constraints", "check_permissions",
           "unknown_group", "parse_json_object", "strict_json"]  # the last two: json_body's, for callers

# JSON type of each field Sinch knows; unknown fields are ignored, as Sinch does.
_FIELD_TYPES: dict[str, tuple[type, str]] = {
    "to": (list, "an array of strings"),
    "from": (str, "a string"),
    "body": (str, "a string"),
    "type": (str, "a string"),
    "udh": (str, "a string"),
    "delivery_report": (str, "a string"),
    "callback_url": (str, "a string"),
    "client_reference": (str, "a string"),
    "send_at": (str, "an ISO-8601 string"),
    "expire_at": (str, "an ISO-8601 string"),
    "flash_message": (bool, "a boolean"),
    "truncate_concat": (bool, "a boolean"),
    "feedback_enabled": (bool, "a boolean"),
    "max_number_of_message_parts": (int, "an integer"),
    "from_ton": (int, "an integer"),
    "from_npi": (int, "an integer"),
    "parameters": (dict, "an object"),
}
# The sandbox's own horizon: a later time would put the default expiry (3 days on) past year 9999.
LATEST_TIME = datetime(9999, 12, 25, tzinfo=timezone.utc)


def check_types(batch: dict) -> ErrorAnswer | None:
    return check_field_types(batch, _FIELD_TYPES) or check_parameters(batch.get("parameters") or {})


def check_parameters(parameters: dict) -> ErrorAnswer | None:
    """``parameters`` is ``{name: {msisdn or "default": value}}``, every value a string."""
    for name, values in parameters.items():
        if not isinstance(values, dict):
            return invalid_json(f"'parameters.{short(name)}' must be an object, not "
                                f"{json_name(values)}")
        for key, value in values.items():
            if not isinstance(value, str):
                return invalid_json(f"'parameters.{short(name)}.{short(key)}' must be a string, not "
                                    f"{json_name(value)}")
    return None


def check_formats(batch: dict) -> ErrorAnswer | None:
    for index, item in enumerate(batch.get("to") or ()):
        if not msisdn.is_group_id(item) and not msisdn.parse(item).ok:
            return bad_format(f"to[{index}]", f"value '{item}' is not a valid MSISDN or group ID")
    report = batch.get("delivery_report")
    if report is not None and report not in DELIVERY_REPORTS:
        return bad_format("delivery_report", f"value '{report}' is not one of {', '.join(DELIVERY_REPORTS)}")
    kind = batch.get("type")
    if kind is not None and kind not in BATCH_TYPES:
        return bad_format("type", f"value '{kind}' is not one of {', '.join(BATCH_TYPES)}")
    url = batch.get("callback_url")
    if url is not None and len(url) <= MAX_CALLBACK_URL and not _is_http_url(url):
        return bad_format("callback_url", f"value '{url}' is not a valid URL")
    for field in ("send_at", "expire_at"):
        value = batch.get(field)
        if value is not None and parse_time(value) is None:
            return bad_format(field, f"value '{value}' is not an ISO-8601 date and time with a zone")
    return check_binary_formats(batch)


def _is_http_url(url: str) -> bool:
    try:
        return is_http_url(url)
    except ValueError:  # urlsplit refuses a malformed IPv6 host such as "http://[::1"
        return False


def check_constraints(batch: dict) -> ErrorAnswer | None:
    for field in ("to", "body"):
        if batch.get(field) is None:
            return constraint_violation(field, "it is required")
    count = len(batch["to"])
    if not 1 <= count <= MAX_RECIPIENTS:
        return constraint_violation("to", f"it must have 1 to {MAX_RECIPIENTS} elements, but has {count}")
    limits = (("body", None if is_binary(batch) else MAX_BODY), ("client_reference", MAX_CLIENT_REFERENCE),
              ("callback_url", MAX_CALLBACK_URL))
    for field, limit in limits:
        if limit is None:  # an mt_binary body: its bytes are counted with the udh's
            continue
        value = batch.get(field)
        if value is not None and len(value) > limit:
            return constraint_violation(field, f"it must be at most {limit} characters, but is {len(value)}")
    parts = batch.get("max_number_of_message_parts")
    if parts is not None and parts < 1:
        return constraint_violation("max_number_of_message_parts", f"it must be 1 or more, but is {parts}")
    for field in ("send_at", "expire_at"):
        value = batch.get(field)
        if value is not None and parse_time(value).timestamp() >= LATEST_TIME.timestamp():
            return constraint_violation(field, f"it must be before {LATEST_TIME:%Y-%m-%dT%H:%M:%SZ}")
    if batch.get("expire_at") is not None:
        expire = parse_time(batch["expire_at"])
        send = parse_time(batch["send_at"]) if batch.get("send_at") else datetime.now(expire.tzinfo)
        if not send < expire <= send + timedelta(days=3):
            return constraint_violation("expire_at", "it must be after 'send_at' and at most 3 days after it")
    return check_binary_constraints(batch) or check_sender_numbering(batch)


def check_permissions(batch: dict, *, plan_callback_url: str | None, plan_blocked: bool,
                      group_exists=None) -> ErrorAnswer | None:
    """The 403 checks, which run once the request itself is well formed. ``group_exists(id)``
    says whether the plan has that group (without it, none is known)."""
    wants_report = batch.get("delivery_report", "none") != "none"
    if wants_report and not batch.get("callback_url") and not plan_callback_url:
        return ErrorAnswer(403, "missing_callback_url",
                           "Requesting delivery report without any callback URL.")
    for index, item in enumerate(batch["to"]):
        if msisdn.is_group_id(item):
            continue
        number = msisdn.parse(item)
        if not number.can_receive_sms:
            return ErrorAnswer(403, "illegal_number_type",
                               f"Illegal number type of parameter 'to[{index}]'; '{item}' is a "
                               f"{number.number_type} number, which cannot receive SMS.")
    if plan_blocked:
        return ErrorAnswer(403, "blocked_account", "The account is blocked; contact your account manager.")
    for index, item in enumerate(batch["to"]):
        if msisdn.is_group_id(item) and not (group_exists and group_exists(item)):
            return unknown_group(item, f"to[{index}]")
    return None


def unknown_group(group_id: str, param: str) -> ErrorAnswer:
    return ErrorAnswer(403, "unknown_group", f"Unknown group ID '{short(group_id)}' in parameter '{param}'; "
                                             "the group is unknown or deleted.")


def check_batch(batch: dict, *, plan_callback_url: str | None = None, plan_blocked: bool = False,
                group_exists=None) -> ErrorAnswer | None:
    """All of Sinch's checks on a parsed batch, in Sinch's order; None when it would be accepted."""
    return (check_types(batch) or check_formats(batch) or check_constraints(batch)
            or check_permissions(batch, plan_callback_url=plan_callback_url, plan_blocked=plan_blocked,
                                 group_exists=group_exists))
