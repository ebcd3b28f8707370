"""The delivery-time half of "why didn't my SMS arrive": delivery-report codes and statuses.

A 201 only says Sinch took the batch. What became of each message comes later, in a delivery
report: a status (Delivered, Aborted, Failed...) and a code. Sinch's own codes are 400 to 413
(its page "Delivery report error codes"); the rest pass through from carriers (SMPP) and are
shown with their number and status, never dropped. Delivery codes overlap HTTP statuses (405 is
"Unmatched parameter" here, "Method not allowed" there), so their keys are ``delivery_405`` and
``http_405``: they never collide.

Entries have the attributes the catalog's entries have (key, headline, title, meaning, causes,
steps, fields, doc_url), so one renderer explains both halves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CODES_DOCS = ("https://developers.sinch.com/docs/sms/api-reference/sms/delivery-reports/"
              "delivery-report-error-codes")
STATUS_DOCS = "https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports/"
PARAMETER_DOCS = "https://developers.sinch.com/docs/sms/resources/message-info/message-parameterization"

INTERMEDIATE = ("Queued", "Dispatched")
FINAL = ("Aborted", "Cancelled", "Rejected", "Deleted", "Delivered", "Failed", "Expired", "Unknown")


@dataclass(frozen=True)
class DeliveryCode:
    """One delivery-report code: what it means, why, what to do, and whether sending again helps."""

    code: int
    name: str
    status: str  # the delivery status it comes with ("Aborted")
    meaning: str
    causes: tuple[str, ...]  # most likely first
    steps: tuple[str, ...]
    resend_helps: bool  # whether sending again (as it is, or with the fix) can deliver it
    fields: tuple[str, ...] = ()  # request fields that a fix touches
    doc_url: str = CODES_DOCS
    sinch_code: bool = True  # False for a carrier's code smsnb has no entry for

    @property
    def key(self) -> str:
        return f"delivery_{self.code}"

    @property
    def headline(self) -> str:
        """"delivery 405 · Aborted": the code and the status it comes with."""
        return f"delivery {self.code} · {self.status}"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class DeliveryStatus:
    """One delivery status: what it says about the message, and what to do when it is final."""

    name: str
    final: bool
    meaning: str
    causes: tuple[str, ...]
    steps: tuple[str, ...]
    resend_helps: bool
    fields: tuple[str, ...] = ()
    doc_url: str = STATUS_DOCS

    @property
    def key(self) -> str:
        return f"status_{self.name.lower()}"

    @property
    def headline(self) -> str:
        return f"delivery status {self.name}" + ("" if self.final else " (not final)")

    @property
    def title(self) -> str:
        return self.meaning.split(":")[0].split(".")[0]

    @property
    def failed(self) -> bool:
        return self.final and self.name != "Delivered"


_SAME_AGAIN = "Sending the same message again will likely fail the same way."
CODES: tuple[DeliveryCode, ...] = (
    DeliveryCode(
        0, "Delivered", "Delivered", "The message reached the handset.",
        ("Nothing went wrong.",), ("Nothing to do.",), False),
    DeliveryCode(
        400, "Queued", "Queued",
        "The message is queued in Sinch's REST API and will be dispatched at the account's rate.",
        ("Every message starts here; a long queue means a high sending rate for the account.",),
        ("Wait: the report changes when the message is dispatched.",), False),
    DeliveryCode(
        401, "Dispatched", "Dispatched", "The message was dispatched to, and accepted by, the SMSC.",
        ("The normal step before a final status.",),
        ("Wait for the final status; the carrier's receipt can take seconds to hours.",), False),
    DeliveryCode(
        402, "Message unroutable", "Aborted",
        "The SMSC rejected the message: there is no route to this recipient. " + _SAME_AGAIN,
        ("A number in a country or network your account cannot reach.",
         "A number that is not in service, or a ported number the route does not know."),
        ("Check the number and its country.", "Ask Sinch support to enable a route for this destination."),
        False, ("to",)),
    DeliveryCode(
        403, "Internal error", "Aborted", "An unexpected error at Sinch made the message fail.",
        ("A fault at Sinch.",),
        ("Send it again later.", "If it persists, contact Sinch support with the batch id."), True),
    DeliveryCode(
        404, "Temporary delivery failure", "Aborted",
        "The message failed because of a temporary delivery failure; it can be sent again.",
        ("A temporary problem at the carrier or the SMSC.",),
        ("Send the same message again.",), True),
    DeliveryCode(
        405, "Unmatched parameter", "Aborted",
        "A ${parameter} in the body has no value for this recipient and no default.",
        ("'parameters' has values for some recipients only, and no \"default\".",
         "The recipient's number is written differently in 'parameters' than in 'to' (a typo)."),
        ("Give the parameter a value for this recipient, or a \"default\" value.",
         "Check that each recipient's number in 'parameters' matches the one in 'to'."),
        True, ("parameters", "body"), PARAMETER_DOCS),
    DeliveryCode(
        406, "Internal expiry", "Aborted",
        "The message expired before it reached the SMSC: its expiry time was very short.",
        ("An expire_at that passed before Sinch dispatched the message.",
         "A send_at and expire_at too close together."),
        ("Send it again with a later expire_at (or none: Sinch's default is 3 days).",),
        True, ("expire_at", "send_at")),
    DeliveryCode(
        407, "Cancelled", "Cancelled", "The batch was cancelled before the message reached the SMSC.",
        ("You (or your code) cancelled a scheduled batch.",),
        ("Send it again if it was cancelled by mistake.",), True, ("send_at",)),
    DeliveryCode(
        408, "Internal reject", "Aborted", "The SMSC rejected the message. " + _SAME_AGAIN,
        ("A sender or content the route does not accept.", "A recipient the route refuses."),
        ("Check the sender and the content for this destination.",
         "Contact Sinch support with the batch id."), False, ("from", "to")),
    DeliveryCode(
        410, "Unmatched default originator", "Aborted",
        "There was no 'from', and no default originator is configured for this recipient.",
        ("A batch without 'from' on a service plan without an Automatic Default Originator.",),
        ("Add a sender: 'from' with a number, short code or alphanumeric name.",
         "Or configure a default originator for the service plan in the Sinch dashboard."),
        True, ("from",)),
    DeliveryCode(
        411, "Exceeded parts limit", "Aborted",
        "The message needs more parts than max_number_of_message_parts allows.",
        ("A long body, or one with characters outside GSM-7 (UCS-2 fits 67 per part, not 153).",
         "A max_number_of_message_parts set low on purpose."),
        ("Raise max_number_of_message_parts, or set truncate_concat to cut the body to fit.",
         "Or shorten the body, or keep to GSM-7 characters."),
        True, ("max_number_of_message_parts", "truncate_concat", "body")),
    DeliveryCode(
        412, "Unprovisioned region", "Aborted",
        "The SMSC is not provisioned for this region. " + _SAME_AGAIN,
        ("A destination country that is not enabled for your account.",),
        ("Ask Sinch support to provision the region.",), False, ("to",)),
    DeliveryCode(
        413, "Blocked account", "Aborted",
        "The account is blocked, so the message was not sent.",
        ("The account ran out of credit, or is under review.",),
        ("Check the balance and billing in the Sinch dashboard; your account manager can lift it.",),
        False),
)

STATUSES: tuple[DeliveryStatus, ...] = (
    DeliveryStatus("Queued", False, "Queued: waiting in Sinch's REST API to be dispatched.",
                   ("Every message starts here.",), ("Wait.",), False),
    DeliveryStatus("Dispatched", False, "Dispatched: accepted for delivery by the SMSC.",
                   ("The normal step before a final status.",), ("Wait for the final status.",), False),
    DeliveryStatus("Aborted", True, "Aborted: stopped before it reached the SMSC.",
                   ("See the code: a missing parameter (405), too many parts (411), no sender (410), an "
                    "expiry (406), no route (402)...",),
                   ("Read the code's explanation: it says whether a fix and a resend can help.",), True),
    DeliveryStatus("Cancelled", True, "Cancelled: cancelled by the user before it reached the SMSC.",
                   ("A scheduled batch was cancelled.",), ("Send it again if that was a mistake.",), True),
    DeliveryStatus("Rejected", True, "Rejected: the SMSC refused it.",
                   ("A destination, sender or content the carrier refuses.",),
                   ("Check the number, the sender and the content; contact Sinch support.",), False),
    DeliveryStatus("Deleted", True, "Deleted: a remote SMSC deleted it.",
                   ("An invalid MSISDN, or a subscriber who opted out.",),
                   ("Check the number; do not resend to someone who opted out.",), False, ("to",)),
    DeliveryStatus("Delivered", True, "Delivered: it reached the handset.", ("Nothing went wrong.",),
                   ("Nothing to do.",), False),
    DeliveryStatus("Failed", True, "Failed: it could not be delivered.",
                   ("The handset is off or unreachable for too long, or the number is out of service.",),
                   ("Check the number; try again later.",), True, ("to",)),
    DeliveryStatus("Expired", True, "Expired: it was not delivered before its expiry.",
                   ("The handset was unreachable until the message expired.", "A very short expire_at."),
                   ("Send it again with a later expire_at.",), True, ("expire_at",)),
    DeliveryStatus("Unknown", True, "Unknown: the SMSC gave no delivery receipt, or one nobody could read.",
                   ("A carrier that does not return receipts.",),
                   ("Ask the recipient; do not resend blindly: it may have arrived.",), False),
)

_BY_CODE = {entry.code: entry for entry in CODES}
_BY_STATUS = {entry.name.lower(): entry for entry in STATUSES}
_KEY = re.compile(r"^(?:delivery_)?(\d{1,6})$")


def code(number: int, status: str | None = None) -> DeliveryCode:
    """The entry for a delivery-report code; a carrier's code smsnb does not know is kept with its
    number and status, explained by what its status says."""
    known = _BY_CODE.get(number)
    if known is not None:
        return known
    shown = status if isinstance(status, str) and status else "Unknown"
    said = _BY_STATUS.get(shown.lower())
    return DeliveryCode(
        number, f"Carrier code {number}", shown,
        f"A code from the carrier (SMPP) or an MMS code, not one of Sinch's own (400 to 413). "
        f"{said.meaning if said else ''}".strip(),
        ("The carrier's own reason; Sinch passes it through.",),
        ("Look the code up in Sinch's SMPP error code list.",) + (said.steps if said else ()),
        said.resend_helps if said else False, sinch_code=False)


def status(name: str) -> DeliveryStatus | None:
    """The entry for a status name, in any case ("aborted", "Aborted"), or None."""
    return _BY_STATUS.get(name.strip().lower()) if isinstance(name, str) else None


def get(key: str) -> DeliveryCode | DeliveryStatus | None:
    """``delivery_405`` (or a Sinch code number alone), ``status_aborted`` or ``Aborted``."""
    if not isinstance(key, str):
        return None
    key = key.strip()
    match = _KEY.match(key)
    if match:
        return _BY_CODE.get(int(match.group(1)))
    return status(key[len("status_"):] if key.lower().startswith("status_") else key)


def is_failure(status_name: str) -> bool:
    """True for a final status other than Delivered."""
    entry = status(status_name)
    return entry is not None and entry.failed
