"""Sinch's rules for a batch's fields (API.md): limits, allowed values, formats."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

MAX_RECIPIENTS = 1000
MAX_BODY = 1600
MAX_CLIENT_REFERENCE = 128
MAX_CALLBACK_URL = 2048
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
