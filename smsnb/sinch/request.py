"""What smsnb sends: the batch as the user wrote it, and a record of a request as it went out."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

REDACTED = "Bearer ********"


@dataclass(frozen=True)
class SmsRequest:
    """A text batch (``mt_text``). Numbers are sent exactly as given: smsnb never rewrites them."""

    to: tuple[str, ...]
    body: str
    sender: str | None = None  # Sinch's "from"
    delivery_report: str | None = None
    callback_url: str | None = None
    client_reference: str | None = None
    extra: dict = field(default_factory=dict)  # any other Sinch field, passed through

    def payload(self) -> dict:
        data: dict = {"to": list(self.to), "body": self.body}
        optional = {"from": self.sender, "delivery_report": self.delivery_report,
                    "callback_url": self.callback_url, "client_reference": self.client_reference}
        data.update({k: v for k, v in optional.items() if v is not None})
        data.update(self.extra)
        return data

    def to_json(self) -> str:
        return json.dumps(self.payload(), ensure_ascii=False)

    @classmethod
    def from_payload(cls, data: dict) -> "SmsRequest":
        """The inverse of payload(), for a request the user wrote as JSON."""
        known = {"to", "body", "from", "delivery_report", "callback_url", "client_reference"}
        to = data.get("to")
        return cls(
            to=tuple(to) if isinstance(to, list) else (to,) if to is not None else (),
            body=data.get("body"),
            sender=data.get("from"),
            delivery_report=data.get("delivery_report"),
            callback_url=data.get("callback_url"),
            client_reference=data.get("client_reference"),
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass(frozen=True)
class SentRequest:
    """A request as it went on the wire, with the Authorization header masked."""

    method: str
    url: str
    headers: dict
    body: str | None  # the body text exactly as sent (None for GET/DELETE)

    @property
    def path(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).path

    def json(self):
        """The body as JSON, or None when it is not JSON (a syntax_invalid_json reproduction)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def redact_headers(headers) -> dict:
    return {k: (REDACTED if k.lower() == "authorization" else v) for k, v in dict(headers).items()}
