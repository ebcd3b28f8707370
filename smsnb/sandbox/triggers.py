"""Which input makes the sandbox answer what: one table, for the README, `%sms sandbox
triggers` and the tests. Numbers are Swedish mobiles (+46 70 000 0xxx) whose last three
digits say what they do: an HTTP status, or the delivery-report code they end in.
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SERVICE_PLAN_ID = "smsnb-sandbox"
DEFAULT_API_TOKEN = "sandbox-token"
DEFAULT_PROJECT_ID = "smsnb-project"
DEFAULT_KEY_ID = "sandbox-key"
DEFAULT_KEY_SECRET = "sandbox-secret"
BLOCKED_SERVICE_PLAN_ID = "blocked-plan"
CALLBACK_SERVICE_PLAN_ID = "callback-plan"  # has a plan-level callback URL: the sandbox's receiver
RECEIVER_PATH = "/_sandbox/callbacks"

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

# Recipient numbers whose delivery report ends other than Delivered: (status, report code).
DELIVERY_OUTCOMES = {
    "+46700000402": ("Failed", 402),
    "+46700000406": ("Expired", 406),
    "+46700000408": ("Rejected", 408),
}
DELIVERED = ("Delivered", 0)


@dataclass(frozen=True)
class Trigger:
    outcome: str  # what the sandbox answers, e.g. "403 missing_callback_url"
    status: int | None  # HTTP status; None where the outcome is not one answer
    code: str | None  # Sinch's error code, or None
    how: str  # the input that produces it


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("201 batch created, then Delivered", 201, None,
            f"any valid mobile number, e.g. {ORDINARY_MOBILE}"),
    Trigger("400 syntax_invalid_json", 400, "syntax_invalid_json",
            'a body that is not JSON (`{"to": [}`), or a wrong type (`"to": "+46701234567"`)'),
    Trigger("400 syntax_invalid_parameter_format", 400, "syntax_invalid_parameter_format",
            "a number without country code (`0701234567`), with letters, or of impossible length (`+1`); a "
            "`callback_url` that is not an http(s) URL; an unknown `delivery_report`"),
    Trigger("400 syntax_constraint_violation", 400, "syntax_constraint_violation",
            "no `to` or `body`, an empty `to`, over 1000 recipients, a body over 1600 characters, "
            "`client_reference` over 128, `expire_at` before `send_at`"),
    Trigger("403 missing_callback_url", 403, "missing_callback_url",
            "`delivery_report` other than `none` with no `callback_url` (plan "
            f"`{CALLBACK_SERVICE_PLAN_ID}` has a default one)"),
    Trigger("403 illegal_number_type", 403, "illegal_number_type",
            f"a fixed line {FIXED_LINE}, toll free {TOLL_FREE}, or any premium-rate, shared-cost, UAN, "
            "voicemail or pager number"),
    Trigger("403 blocked_account", 403, "blocked_account", f"service plan `{BLOCKED_SERVICE_PLAN_ID}`"),
    Trigger("403 unknown_group", 403, "unknown_group",
            f"a group id in `to`, e.g. `{UNKNOWN_GROUP_ID}` (the sandbox has no groups)"),
    Trigger("401 Unauthorized", 401, None,
            "a missing or wrong bearer token, or an expired OAuth2 access token"),
    Trigger("404 Not Found", 404, None,
            "a mistyped path, an unknown service plan or batch id, or the delivery report of a batch whose "
            "`send_at` is still ahead"),
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
    Trigger("delivery report Failed", None, None, "recipient +46700000402 (report code 402)"),
    Trigger("delivery report Expired", None, None, "recipient +46700000406 (report code 406)"),
    Trigger("delivery report Rejected", None, None, "recipient +46700000408 (report code 408)"),
)


def trigger_table_text() -> str:
    width = max(len(t.outcome) for t in TRIGGERS)
    return "\n".join(f"{t.outcome.ljust(width)}  {t.how.replace('`', '')}" for t in TRIGGERS)
