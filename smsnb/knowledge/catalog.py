"""What every failure means and what to do about it: one catalog, as data.

The sandbox, the error cards, ``%sms explain`` and the tutorials all read this. An entry is
found by Sinch's code, else by HTTP status, else by the kind of transport failure; anything
nobody has seen yet falls back to `UNKNOWN_CODE` or `UNKNOWN_STATUS`, so every outcome can be
explained.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from enum import Enum

from ..sinch.errors import key_for
from .rules import MAX_BODY, MAX_CALLBACK_URL, MAX_CLIENT_REFERENCE

DOCS = "https://developers.sinch.com/docs/sms/api-reference/"
ERROR_DOCS = DOCS + "#error-codes"
CALLBACK_DOCS = "https://developers.sinch.com/docs/sms/guide/#callbacks"
AUTH_DOCS = "https://developers.sinch.com/docs/sms/api-reference/#authentication"


class FormKind(Enum):
    """Which fix-it form a card offers for an entry (the card layer has one form per kind)."""

    EDIT_JSON = "edit the request as JSON"
    CALLBACK_URL = "give a callback URL, or turn delivery reports off"
    NUMBERS = "write the numbers in international form; else correct the fields Sinch names"
    FIELDS = "correct the fields Sinch names"
    OTHER_NUMBER = "send to another number"
    BLOCKED = "no resend: what to do instead"
    CREDENTIALS = "type the API token, service plan id and region"
    PLAN = "check the service plan id and region"
    COUNTDOWN = "wait as long as the server asked, then resend"
    RETRY = "resend as it is"
    LOOK_FIRST = "look for the batch, then resend"


@dataclass(frozen=True)
class Entry:
    key: str  # Sinch's code, or "http_404", "timeout_read", ...: how %sms explain names it
    status: int | None  # the HTTP status; None for failures with no answer
    title: str
    meaning: str
    causes: tuple[str, ...]  # most likely first
    steps: tuple[str, ...]
    fields: tuple[str, ...] = ()  # request fields that a fix touches
    doc_url: str = ERROR_DOCS
    sinch_code: bool = False  # True where Sinch itself sends this code in the body
    may_have_been_sent: bool = False  # True where the SMS may have gone out despite the error
    retryable: bool = False  # True where sending the same request again can succeed
    form: FormKind = FormKind.EDIT_JSON  # the fix-it form its card offers

    @property
    def headline(self) -> str:
        """"403 · missing_callback_url": status and the stable key."""
        return f"{self.status} · {self.key}" if self.status else self.key


ENTRIES: tuple[Entry, ...] = (
    # --- Sinch's own codes ----------------------------------------------------------------
    Entry(
        "syntax_invalid_json", 400, "The request body is not valid JSON for this API",
        "Sinch could not read the body: it is not JSON, or it is JSON whose values have the wrong "
        "types (a string where an array belongs, a number where a string belongs).",
        ("A syntax error in hand-written JSON: a trailing comma, a missing quote or bracket.",
         "A field of the wrong type, e.g. \"to\": \"+4670...\" instead of [\"+4670...\"].",
         "A body built by string concatenation instead of a JSON encoder."),
        ("Check the line and column named in Sinch's text.",
         "Make 'to' an array of strings, 'body' a string, booleans true/false without quotes.",
         "Build the body with json.dumps() (or requests' json=) rather than by hand."),
        ("body",), sinch_code=True, form=FormKind.EDIT_JSON,
    ),
    Entry(
        "syntax_invalid_parameter_format", 400, "A field has the wrong format",
        "A value is of the right type but not in a form Sinch accepts; most often a phone number "
        "that is not in international form.",
        ("A number without its country code (070-123 45 67 instead of +46701234567).",
         "A number with letters, or too short or too long to exist.",
         "A callback_url that is not an http(s) URL, or an unknown delivery_report value."),
        ("Write numbers in E.164: '+', country code, number, e.g. +46701234567.",
         "Check the parameter that Sinch's text names (e.g. to[0]).",
         "Use one of none, summary, full, per_recipient, per_recipient_final for delivery_report."),
        ("to", "callback_url", "delivery_report"), sinch_code=True, form=FormKind.NUMBERS,
    ),
    Entry(
        "syntax_constraint_violation", 400, "A field breaks a limit, or a required field is missing",
        "The request is well formed, but a field is missing or outside its allowed range.",
        ("A required field is missing: 'to' or 'body'.",
         "'to' is empty or has more than 1000 recipients.",
         f"A value is too long: body over {MAX_BODY} characters, client_reference over "
         f"{MAX_CLIENT_REFERENCE}, callback_url over {MAX_CALLBACK_URL}.",
         "expire_at is not after send_at, or more than 3 days after it."),
        ("Add the missing field, or bring the value within its limit (Sinch's text names it).",
         "Split more than 1000 recipients into several batches.",
         "Shorten the body, or let Sinch split it into parts (up to its limit)."),
        ("to", "body", "client_reference", "expire_at", "send_at"), sinch_code=True, form=FormKind.FIELDS,
    ),
    Entry(
        "missing_callback_url", 403, "Delivery report needs a callback URL",
        "You asked for delivery reports (delivery_report is not 'none') but gave no callback_url, "
        "and the service plan has no default one, so Sinch would have nowhere to send them.",
        ("delivery_report set to summary, full or per_recipient without a callback_url.",
         "A service plan whose default callback URL was removed or never set."),
        ("Add a callback_url: an http(s) URL that answers POSTs with 2xx.",
         "Or set delivery_report to 'none' and poll the delivery-report endpoint instead.",
         "Or set a default callback URL on the service plan in the Sinch dashboard."),
        ("callback_url", "delivery_report"), CALLBACK_DOCS, sinch_code=True, form=FormKind.CALLBACK_URL,
    ),
    Entry(
        "illegal_number_type", 403, "This kind of number cannot receive SMS",
        "The recipient is a valid number, but of a type that cannot take SMS in this region: a "
        "fixed line, toll-free, premium-rate or similar number.",
        ("A landline (fixed-line) number was given instead of a mobile.",
         "A toll-free, premium-rate, shared-cost or voicemail number.",
         "The number type is not enabled for your account's region."),
        ("Send to a mobile number instead.",
         "Check the number's type (smsnb shows what phonenumbers detects).",
         "Ask Sinch support whether this number type can be enabled for your account."),
        ("to",), sinch_code=True, form=FormKind.OTHER_NUMBER,
    ),
    Entry(
        "blocked_account", 403, "The account is blocked",
        "Sinch has blocked the account or service plan; nothing can be sent until it is lifted.",
        ("The account ran out of credit (prepaid balance is zero).",
         "An unpaid invoice, or a compliance review."),
        ("Check the balance and billing in the Sinch dashboard.",
         "Contact your Sinch account manager: only they can lift the block.",
         "Resending will not help until the block is lifted."),
        (), sinch_code=True, form=FormKind.BLOCKED,
    ),
    Entry(
        "unknown_group", 403, "The group does not exist",
        "A recipient in 'to' is a group id that Sinch does not know, or a group that was deleted.",
        ("A typo in the group id, or a group from another service plan.",
         "The group was deleted."),
        ("List your groups (GET /groups) and use an existing id.", "Or send to phone numbers directly."),
        ("to",), sinch_code=True,
    ),
    Entry(
        "unknown_campaign", 403, "The campaign does not match the sender",
        "The campaign id given for a US 10DLC sender does not belong to that originator, so Sinch "
        "will not send through it.",
        ("A campaign id from another brand or number.", "A sender number not yet linked to the campaign."),
        ("Check the campaign registered for this sender in the Sinch dashboard.",
         "Send from a number that is linked to the campaign."),
        ("from",), sinch_code=True,
    ),
    # --- HTTP statuses without a Sinch code ------------------------------------------------
    Entry(
        "http_401", 401, "Not authorized: token, service plan or region is wrong",
        "Sinch did not accept the credentials for this service plan.",
        ("The API token belongs to another service plan, or has a typo.",
         "The service plan is used in the wrong region (e.g. an EU plan on the US host).",
         "An OAuth2 access token that expired, or a key id/secret that is wrong."),
        ("Copy the service plan id and API token again from the Sinch dashboard (SMS > APIs).",
         "Set the region the plan belongs to: %config SmsMagic.region = \"eu\".",
         "Log in again with %sms login."),
        ("service_plan_id", "api_token", "region"), AUTH_DOCS, form=FormKind.CREDENTIALS,
    ),
    Entry(
        "http_404", 404, "Not found",
        "Sinch has no resource at this path.",
        ("A mistyped endpoint or service plan id in the URL.",
         "The resource is no longer available (batches are kept 14 days) or never existed.",
         "The resource had no time to load yet (e.g. a delivery report asked for right after sending, "
         "or for a batch whose send_at is still ahead)."),
        ("Check the path and the service plan id.",
         "Check the batch id; list recent batches with GET /batches.",
         "Wait a moment and ask again."),
        ("service_plan_id", "region"), DOCS, form=FormKind.PLAN,
    ),
    Entry(
        "http_405", 405, "Method not allowed",
        "The path exists but does not take this HTTP method.",
        ("A GET where a POST belongs, or a PUT on a path that only takes POST.",),
        ("Use the method the Allow header names.",), (), DOCS,
    ),
    Entry(
        "http_413", 413, "The request is too large",
        "The request body is larger than the server accepts.",
        ("Far too many recipients or a huge body in one request.",),
        (f"Send at most 1000 recipients per batch and keep the body under {MAX_BODY} characters.",),
        ("to", "body"), DOCS,
    ),
    Entry(
        "http_415", 415, "Wrong Content-Type",
        "Sinch only takes JSON: the Content-Type header is missing or not application/json.",
        ("A client that sends form data, or no Content-Type header.",),
        ("Send the header Content-Type: application/json (requests does this with json=).",), (), DOCS,
    ),
    Entry(
        "http_429", 429, "Too many requests",
        "Sinch is limiting how fast you may send: too many outstanding requests.",
        ("Sending in a tight loop without waiting for answers.",
         "Several processes sharing one service plan."),
        ("Wait for the time the Retry-After header names, then send again.",
         "Slow down, or put more recipients in one batch instead of many single sends."),
        (), DOCS, retryable=True, form=FormKind.COUNTDOWN,
    ),
    Entry(
        "http_500", 500, "Sinch had an internal error",
        "Something failed on Sinch's side; the request was not processed.",
        ("A transient fault at Sinch.",),
        ("Send again in a little while.",
         "If it persists, check status.sinch.com and contact Sinch support."),
        (), DOCS, retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "http_503", 503, "Sinch is unavailable",
        "Sinch is overloaded or under maintenance; the request was not processed.",
        ("Maintenance or an outage at Sinch.",),
        ("Send again in a little while.", "Check status.sinch.com."),
        (), DOCS, retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "gateway_error", None, "A gateway in front of Sinch failed: the SMS may have been sent",
        "The answer is a 5xx that Sinch does not document (502 Bad Gateway, 504 Gateway Timeout, or "
        "another): a proxy or load balancer answered, and the request may have reached Sinch first.",
        ("A gateway that timed out waiting for Sinch (504) after passing the request on.",
         "A proxy or load balancer that failed (502), or a base URL that points at another service."),
        ("Look for the batch first: %sms history, or GET /batches.",
         "Send again only if it is not there; a duplicate is possible.",
         "Check SmsMagic.base_url and any proxy between you and Sinch."),
        ("base_url",), DOCS, may_have_been_sent=True, form=FormKind.LOOK_FIRST,
    ),
    # --- failures with no answer -------------------------------------------------------------
    Entry(
        "connection_refused", None, "Connection refused",
        "Nothing is listening at the address: the request never reached a server.",
        ("A custom base URL whose server is not running (e.g. a stopped sandbox).",
         "A wrong port in the base URL."),
        ("Start the server, or check SmsMagic.base_url / SMSNB_BASE_URL.",
         "Then send again: nothing was sent."),
        ("base_url",), retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "dns_failure", None, "The host name could not be resolved",
        "DNS does not know the host: the request never left the machine.",
        ("A typo in the region or base URL.", "No network, or a DNS server that does not answer."),
        ("Check the region (us, eu, au, br, ca) and SmsMagic.base_url.",
         "Check the network, then send again."),
        ("region", "base_url"), retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "tls_failure", None, "The secure connection failed",
        "The TLS handshake failed, so no request was sent. smsnb never turns certificate checks off "
        "for Sinch's hosts.",
        ("A proxy that intercepts TLS with its own certificate.", "An outdated CA bundle on this machine.",
         "A base URL that points at a server without a valid certificate."),
        ("Set REQUESTS_CA_BUNDLE to your proxy's CA bundle.", "Update certifi / the system CA certificates.",
         "Then send again: nothing was sent."),
        ("base_url",), retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "timeout_connect", None, "No connection within the timeout",
        "The server did not accept a connection in time; the request was not sent.",
        ("A network path that drops packets, or a firewall.", "A server that is down."),
        ("Check the network, then send again.", "Raise the timeout: %sms --timeout 30 ..."),
        ("timeout",), retryable=True, form=FormKind.RETRY,
    ),
    Entry(
        "timeout_read", None, "No answer within the timeout: the SMS may have been sent",
        "The request went out, but no complete answer came back in time (the timeout covers the whole "
        "request: connect, send and answer). Sinch may have accepted it and sent the SMS, so sending "
        "again may send it twice.",
        ("A slow answer from Sinch or the network, or one that trickles in.", "A timeout set too short."),
        ("Look for the batch first: %sms history, or GET /batches.",
         "Send again only if it is not there, and accept that a duplicate is possible.",
         "Raise the timeout: %sms --timeout 30 ..."),
        ("timeout",), may_have_been_sent=True, form=FormKind.LOOK_FIRST,
    ),
    Entry(
        "connection_dropped", None, "The connection broke during the answer: the SMS may have been sent",
        "The server started answering and then closed the connection. The request may have been "
        "processed.",
        ("A proxy or load balancer that cut the connection.", "A network failure mid-answer."),
        ("Look for the batch first: %sms history, or GET /batches.",
         "Send again only if it is not there; a duplicate is possible."),
        (), may_have_been_sent=True, form=FormKind.LOOK_FIRST,
    ),
    Entry(
        "transport_failed", None, "The connection failed: the SMS may have been sent",
        "Something failed on the way that smsnb cannot place before the request left, so Sinch may "
        "have received it and sent the SMS. Sending again may send it twice.",
        ("A proxy, VPN or firewall that broke the connection in an unusual way.",
         "A TLS failure after the secure connection was made.",
         "A server at the base URL that answered something that is not HTTP."),
        ("Look for the batch first: %sms history, or GET /batches (by client_reference, if you set one).",
         "Send again only if it is not there; a duplicate is possible.",
         "Check SmsMagic.base_url and the network path; the error's text names the failure."),
        ("base_url",), may_have_been_sent=True, form=FormKind.LOOK_FIRST,
    ),
    Entry(
        "bad_response", None, "Sinch's answer could not be read",
        "The server answered, but its answer is not the JSON this API returns, is larger than smsnb "
        "reads (10 MiB), or is compressed in a way that cannot be undone. If it answered a send, the "
        "SMS may have been sent.",
        ("A proxy or captive portal answering in Sinch's place.",
         "A base URL that points at another service."),
        ("Look for the batch first: %sms history, or GET /batches.",
         "Check SmsMagic.base_url and the network path.", "Look at the raw body shown below."),
        ("base_url",), may_have_been_sent=True, form=FormKind.LOOK_FIRST,
    ),
    Entry(
        "oauth_failed", 401, "Could not get an OAuth2 access token",
        "The token endpoint refused the key id and key secret, so no request to the SMS API was made.",
        ("A wrong key id or key secret, or a key that was deleted.", "A project id from another account."),
        ("Create or copy the access key again in the Sinch dashboard (Settings > Access keys).",
         "Log in again with %sms login --project ID --key-id ID."),
        ("key_id", "key_secret", "project_id"), AUTH_DOCS, form=FormKind.CREDENTIALS,
    ),
    Entry(
        "invalid_credential", None, "The credential holds a character that cannot be sent",
        "The API token, key id or key secret has a control character, a space or a non-ASCII "
        "character inside it. No HTTP header can carry it as is, so smsnb sent nothing.",
        ("A token copied together with a line break, a tab or a space in the middle.",
         "A look-alike character pasted by accident: a curly quote, a non-breaking or zero-width space.",
         "Another value in SINCH_API_TOKEN or SINCH_KEY_SECRET, e.g. a whole line of a file."),
        ("Copy the API token again from the Sinch dashboard (SMS > APIs); then %sms login.",
         "For an access key, copy the key id and key secret again (Settings > Access keys).",
         "Then send again: nothing was sent."),
        ("api_token", "key_id", "key_secret"), AUTH_DOCS, form=FormKind.CREDENTIALS,
    ),
    # --- fallbacks ------------------------------------------------------------------------
    Entry(
        "unknown_code", None, "An error code smsnb does not know yet",
        "Sinch answered with a code that is not in smsnb's catalog; Sinch adds codes from time to time. "
        "Sinch's own text below is the best guide.",
        ("A newer Sinch error code.",),
        ("Read Sinch's text.", "Look the code up in Sinch's error reference.",
         "Edit the request and send again."),
        (), ERROR_DOCS,
    ),
    Entry(
        "unknown_status", None, "An unexpected HTTP status",
        "The server answered with a status this API does not document.",
        ("A proxy or gateway in front of Sinch.", "A base URL that points at another service."),
        ("Look at the raw body below.", "Check SmsMagic.base_url."),
        ("base_url",), DOCS,
    ),
)

_BY_KEY = {entry.key: entry for entry in ENTRIES}
UNKNOWN_CODE = _BY_KEY["unknown_code"]
UNKNOWN_STATUS = _BY_KEY["unknown_status"]


def get(key: str) -> Entry | None:
    """The entry named ``key`` (a Sinch code, "http_404", "timeout_read", ...), or None."""
    return _BY_KEY.get(key.strip().lower()) if key else None


def lookup(code: str | None = None, status: int | None = None) -> Entry:
    """The entry for an answer: by Sinch's code first, then by HTTP status; never None."""
    return _entry(key_for(code, status), code, status)


def entry_for(error) -> Entry:
    """The entry that explains an `SmsError` (the wire names its kind; this says what it means)."""
    return _entry(error.key, error.code, error.status)


def _entry(key: str, code: str | None, status: int | None) -> Entry:
    entry = _BY_KEY.get(key)
    if code and (entry is None or not entry.sinch_code):  # a code Sinch sent that nobody knows yet
        return _unknown_code(code, status)
    return entry or UNKNOWN_STATUS


def _unknown_code(code: str, status: int | None) -> Entry:
    return replace(UNKNOWN_CODE, key=code, status=status)


def suggest(key: str) -> list[str]:
    """Keys close to a mistyped one, for a "did you mean" hint."""
    return difflib.get_close_matches(key.strip().lower(), list(_BY_KEY), n=3, cutoff=0.5)


SINCH_CODES = tuple(entry.key for entry in ENTRIES if entry.sinch_code)
