"""Which input makes the sandbox answer what: one table, for the README, `%sms sandbox
triggers` and the tests. Numbers are Swedish mobiles (+46 70 000 0xxx) whose last three
digits say what they do: an HTTP status, or the delivery-report code they end in.

Every delivery outcome has a row too: Sinch's own codes (with the status that
`knowledge.delivery` gives each) come from the input that causes them at Sinch where there is
one (a missing parameter, too many parts, no sender, an early expiry, a cancel), else from a
number; the carrier-side statuses come from numbers, each with a carrier (SMPP-style) code.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..knowledge import delivery, sandbox_defaults
from ..knowledge.rules import (
    MAX_BINARY_BYTES,
    MAX_BODY,
    MAX_CLIENT_REFERENCE,
    MAX_GROUP_NAME,
    MAX_PAGE_SIZE,
    MAX_RECIPIENTS,
)

DEFAULT_SERVICE_PLAN_ID = sandbox_defaults.SERVICE_PLAN_ID
DEFAULT_API_TOKEN = sandbox_defaults.API_TOKEN
DEFAULT_PROJECT_ID = "smsnb-project"
DEFAULT_KEY_ID = "sandbox-key"
DEFAULT_KEY_SECRET = "sandbox-secret"
BLOCKED_SERVICE_PLAN_ID = "blocked-plan"
CALLBACK_SERVICE_PLAN_ID = "callback-plan"  # has a plan-level callback URL: the sandbox's receiver
RECEIVER_PATH = "/_sandbox/callbacks"
INBOUNDS_PATH = "/_sandbox/inbounds"  # POST makes an inbound SMS arrive

ORDINARY_MOBILE = "+46701234567"
FIXED_LINE = "+46812345678"
TOLL_FREE = "+46200123456"
UNKNOWN_GROUP_ID = "01FC66621VHDBN119Z8PMV1QPU"

# Recipient numbers that change how the server answers (before any validation, as a
# gateway in front of Sinch would).
RATE_LIMITED = "+46700000429"
SERVER_ERROR = "+46700000500"
UNAVAILABLE = "+46700000503"
SLOW = "+46700000504"
DROPPED = "+46700000444"
HTTP_TRIGGERS = {RATE_LIMITED: 429, SERVER_ERROR: 500, UNAVAILABLE: 503, SLOW: "slow", DROPPED: "drop"}

NO_ORIGINATOR_SERVICE_PLAN_ID = "no-originator-plan"  # no default originator: a batch needs `from`

# Two-way SMS: every plan's own number, where inbound SMS arrive unless they name another; and a
# number that replies to whatever it receives, with the same body.
SANDBOX_NUMBER = "+46700001000"
ECHO_NUMBER = "+46700000777"

# Recipient numbers whose messages end in one of Sinch's own codes (the last three digits); the
# status each comes with is knowledge.delivery's.
CODE_NUMBERS = {f"+46700000{code}": code for code in (402, 403, 404, 408, 412, 413)}
TEMPORARY_CODES = frozenset({404})  # fails the first time on a plan; sent again, it passes
# Recipient numbers whose messages end at the carrier: (status, the carrier's SMPP-style code).
CARRIER_NUMBERS = {
    "+46700000069": ("Rejected", 69),
    "+46700000254": ("Failed", 254),
    "+46700000011": ("Deleted", 11),
    "+46700000098": ("Expired", 98),
    "+46700000255": ("Unknown", 255),
}
_CARRIER_SAYS = {  # what each carrier-side outcome is, for its row
    "Rejected": "the carrier's SMSC rejected it (SMPP submit failed)",
    "Failed": "the carrier could not deliver it (SMPP delivery failure)",
    "Deleted": "a remote SMSC deleted it (SMPP invalid destination address)",
    "Expired": "the handset stayed unreachable until the message expired",
    "Unknown": "no readable delivery receipt came back (SMPP unknown error)",
}
DELIVERED = ("Delivered", 0)


@dataclass(frozen=True)
class Trigger:
    outcome: str  # what the sandbox answers, e.g. "403 missing_callback_url"
    status: int | None  # HTTP status; None where the outcome is not one answer
    code: str | None  # Sinch's error code, or None
    how: str  # the input that produces it
    delivery_status: str | None = None  # for a delivery outcome: the report's final status
    delivery_code: int | None = None  # and its code


def _number_of(code: int) -> str:
    return next(number for number, value in CODE_NUMBERS.items() if value == code)


def _sinch_code(code: int, how: str) -> Trigger:
    entry = delivery.code(code)
    return Trigger(f"delivery {entry.status} {code} {entry.name}", None, None, how, entry.status, code)


def _carrier(number: str) -> Trigger:
    status, code = CARRIER_NUMBERS[number]
    return Trigger(f"delivery {status} {code} (carrier code)", None, None,
                   f"recipient {number}: {_CARRIER_SAYS[status]}", status, code)


DELIVERY_TRIGGERS: tuple[Trigger, ...] = (
    _sinch_code(402, f"recipient {_number_of(402)}"),
    _sinch_code(403, f"recipient {_number_of(403)}"),
    _sinch_code(404, f"recipient {_number_of(404)}, the first time on a service plan; sent again, it is "
                     "Delivered (and the next time fails again)"),
    _sinch_code(405, "`parameters` given and a `${name}` of it in `body` with no value for a recipient "
                     "(keyed `46701234567` or `+46701234567`) and no `default`: that recipient only"),
    _sinch_code(406, "an `expire_at` that has passed by the dispatch (by default 0.05 s after the send "
                     "time), e.g. a `send_at` in the past and an `expire_at` a second after it"),
    _sinch_code(407, "a batch cancelled (`DELETE`) before its dispatch, e.g. one whose `send_at` is "
                     "ahead: its batch report is then empty, each recipient's report says Cancelled 407"),
    _sinch_code(408, f"recipient {_number_of(408)}"),
    _sinch_code(410, f"no `from` on service plan `{NO_ORIGINATOR_SERVICE_PLAN_ID}` (same token; the other "
                     "plans have a default originator)"),
    _sinch_code(411, "a body of more parts than `max_number_of_message_parts`; with `truncate_concat: true` "
                     "it is cut to fit instead, and Delivered"),
    _sinch_code(412, f"recipient {_number_of(412)}"),
    _sinch_code(413, f"recipient {_number_of(413)}"),
    *(_carrier(number) for number in CARRIER_NUMBERS),
)


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("201 batch created, then Delivered", 201, None,
            f"any valid mobile number, e.g. {ORDINARY_MOBILE}", *DELIVERED),
    Trigger("400 syntax_invalid_json", 400, "syntax_invalid_json",
            'a body that is not JSON (`{"to": [}`), or a wrong type (`"to": "+46701234567"`, `parameters` '
            "not an object of objects of strings; likewise in an update, a group or an inbound)"),
    Trigger("400 syntax_invalid_parameter_format", 400, "syntax_invalid_parameter_format",
            "a number without country code (`0701234567`), with letters, or of impossible length (`+1`), "
            "in `to`, `to_add`, a group's `members` or `add`, or feedback's `recipients`; a `callback_url` "
            "that is not an http(s) URL; an unknown `delivery_report`; an `mt_binary` `udh` that is not hex "
            "or `body` that is not base64; a report `status` or `code` filter that is not one; a list's "
            "`start_date` or `end_date` that is not ISO-8601"),
    Trigger("400 syntax_constraint_violation", 400, "syntax_constraint_violation",
            f"no `to` or `body`, an empty `to`, over {MAX_RECIPIENTS} recipients, a body over {MAX_BODY} "
            f"characters, `client_reference` over {MAX_CLIENT_REFERENCE}, `expire_at` not after `send_at` or "
            "over 3 days after it, `max_number_of_message_parts` below 1; an `mt_binary` batch without "
            f"`udh`, or over {MAX_BINARY_BYTES} bytes of `udh` and `body`; `from_ton` over 6 or `from_npi` "
            f"over 18; `page_size` over {MAX_PAGE_SIZE}; a group `name` over {MAX_GROUP_NAME} characters; an "
            "update or replace of a batch already dispatched (Sinch documents no answer for it) or "
            "cancelled; delivery feedback for a batch sent without `feedback_enabled: true`"),
    Trigger("403 missing_callback_url", 403, "missing_callback_url",
            "`delivery_report` other than `none` with no `callback_url` (plan "
            f"`{CALLBACK_SERVICE_PLAN_ID}` has a default one)"),
    Trigger("403 illegal_number_type", 403, "illegal_number_type",
            f"a fixed line {FIXED_LINE}, toll free {TOLL_FREE}, or any premium-rate, shared-cost, UAN, "
            "voicemail or pager number"),
    Trigger("403 blocked_account", 403, "blocked_account", f"service plan `{BLOCKED_SERVICE_PLAN_ID}`"),
    Trigger("403 unknown_group", 403, "unknown_group",
            f"a group id that is none of the plan's groups (never created, deleted, or another plan's), e.g. "
            f"`{UNKNOWN_GROUP_ID}`, in `to` or an update's `to_add`, or in a group's `child_groups`, "
            "`add_from_group` or `remove_from_group`"),
    Trigger("403 unknown_campaign", 403, "unknown_campaign",
            "none: no field of Sinch's SMS API carries a campaign id (a US 10DLC campaign is tied to the "
            "sender number in the account's setup), so no documented input reaches it, and the sandbox never "
            "answers it"),
    Trigger("401 Unauthorized", 401, None,
            "a missing or wrong bearer token, or an expired OAuth2 access token; checked first, so a wrong "
            "token on a mistyped path or with a wrong method is 401 too"),
    Trigger("404 Not Found", 404, None,
            "a mistyped path, an unknown service plan, batch, group or inbound id, or the delivery report of "
            "a batch whose `send_at` is still ahead (and that is not cancelled)"),
    Trigger("405 Method Not Allowed", 405, None, "a method the path does not take, e.g. PUT on `batches`"),
    Trigger("413 Payload Too Large", 413, None, "a request body over 1 MiB"),
    Trigger("415 Unsupported Media Type", 415, None, "a POST without `Content-Type: application/json`"),
    Trigger("429 Too Many Requests", 429, None,
            f"recipient {RATE_LIMITED} (with `Retry-After: 2`; sent again after that wait, it passes)"),
    Trigger("500 Internal Server Error", 500, None,
            f"recipient {SERVER_ERROR} (fails once; sent again, it passes)"),
    Trigger("503 Service Unavailable", 503, None,
            f"recipient {UNAVAILABLE} (fails once; sent again, it passes)"),
    Trigger("slow answer (read timeout)", None, None,
            f"recipient {SLOW}: answers only after `slow_seconds` (default 30 s); sent again, at once"),
    Trigger("connection dropped mid-answer", None, None,
            f"recipient {DROPPED} (once; sent again, it passes)"),
    Trigger("201 inbound SMS arrives", 201, None,
            f"`POST {INBOUNDS_PATH}` with `from` and `body` (and `to`, else the plan's number "
            f"{SANDBOX_NUMBER}; `service_plan_id`; `client_reference`), or `Sandbox.inbound(from_, body)`: "
            "listed by `GET inbounds`, POSTed to the plan's callback URL as Sinch's `mo_text` callback"),
    Trigger("inbound SMS replying to a batch", None, None,
            f"a batch to {ECHO_NUMBER}: once its message is Delivered, that number replies with the same "
            f"body, to the batch's `from` if that is a number or short code, else to {SANDBOX_NUMBER}"),
    *DELIVERY_TRIGGERS,
)


def trigger_table_text() -> str:
    width = max(len(t.outcome) for t in TRIGGERS)
    return "\n".join(f"{t.outcome.ljust(width)}  {t.how.replace('`', '')}" for t in TRIGGERS)
