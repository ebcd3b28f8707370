"""Sinch's rules for a batch's fields (API.md and the current SMS reference): limits, allowed
values, formats; and for groups, inbounds and the list endpoints."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

MAX_RECIPIENTS = 1000
MAX_BODY = 2000  # characters of an mt_text body (older docs: 1600)
MAX_CLIENT_REFERENCE = 2048  # (older docs: 128)
MAX_CALLBACK_URL = 2048
MAX_BINARY_BYTES = 140  # an mt_binary message: its udh and its decoded body together
FROM_TON = range(0, 7)  # type of number of the sender: 0 to 6
FROM_NPI = range(0, 19)  # numbering plan indicator of the sender: 0 to 18
MAX_PAGE_SIZE = 100  # of every list: batches, groups, inbounds, delivery reports
DEFAULT_PAGE_SIZE = 30
LIST_HOURS = 24  # a list's start_date defaults to this many hours ago
MAX_BATCH_EDITS = 100  # numbers or group ids in an update's to_add, and in its to_remove
MAX_GROUP_NAME = 20
MAX_GROUP_MEMBERS = 10_000  # in a group's members, and in an update's add or remove
MAX_CHILD_GROUPS = 10
DELIVERY_REPORTS = ("none", "summary", "full", "per_recipient", "per_recipient_final")
BATCH_TYPES = ("mt_text", "mt_binary")
# Delivery-report statuses after which nothing changes any more.
FINAL_STATUSES = frozenset({"Delivered", "Failed", "Aborted", "Rejected", "Expired", "Cancelled", "Deleted",
                            "Unknown"})


def parse_time(value: str) -> datetime | None:
    """An ISO-8601 time with a zone, or None."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value
    except ValueError:  # e.g. "http://[::1": an IPv6 literal never closed
        return False
