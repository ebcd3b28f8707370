"""Sinch's hosts and paths, and what a 404 on a path most likely means."""
from __future__ import annotations

import re

REGION_HOSTS = {
    "us": "https://us.sms.api.sinch.com",
    "eu": "https://eu.sms.api.sinch.com",
    "au": "https://au.sms.api.sinch.com",
    "br": "https://br.sms.api.sinch.com",
    "ca": "https://ca.sms.api.sinch.com",
}
OAUTH_REGIONS = ("us", "eu")  # project + access key works only there
OAUTH_TOKEN_URL = "https://auth.sinch.com/oauth2/token"


def oauth_host(region: str) -> str:
    return f"https://zt.{region}.sms.api.sinch.com"


def is_sinch_host(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "sinch.com" or host.endswith(".sinch.com")


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is ``localhost`` or a loopback address literal (127.0.0.0/8, ::1)."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "").lower()
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # not an address literal, or a malformed URL
        return False


_KNOWN = re.compile(r"^/xms/v1/[^/]+/batches(/dry_run|/[^/]+(/delivery_report(/[^/]+)?)?)?/?$")
_REPORT = re.compile(r"/batches/[^/]+/delivery_report")
_BATCH = re.compile(r"/batches/[^/]+")

NOT_FOUND_REASONS = {
    "mistyped": "The path is not one of Sinch's: check the endpoint and the service plan id.",
    "not_yet": "The delivery report is not available yet: wait a moment and ask again.",
    "gone": "The batch is no longer available (Sinch keeps batches 14 days), or the id is wrong.",
    "plan": "The service plan id is unknown here: check it, and the region it belongs to.",
}
# The sandbox keeps its batches in memory: one it does not know was most likely made by an earlier
# sandbox (a restarted kernel, %sms sandbox stop), not 14 days ago.
SANDBOX_GONE = ("The sandbox does not know this batch: it keeps batches only while it runs, so one "
                "from before a kernel restart or `%sms sandbox stop` is gone; or the id is wrong.")


def not_found_reason(path: str) -> str:
    """Which of the usual reasons for a 404 fits this path best: a key of NOT_FOUND_REASONS."""
    if not _KNOWN.match(path or ""):
        return "mistyped"
    if _REPORT.search(path):
        return "not_yet"
    if _BATCH.search(path) and not path.rstrip("/").endswith("/dry_run"):
        return "gone"
    return "plan"
