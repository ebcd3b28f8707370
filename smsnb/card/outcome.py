"""What ``%sms`` returns: a `Result` per request, and `Message` for everything else.

Plain data. How a Result is shown (text, static HTML, the widget card) is registered by the
card layer's `display` module, which this module does not import.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from ..knowledge import catalog, encoding

if TYPE_CHECKING:  # the client imports requests: not needed to load the extension
    from ..sinch.client import Reply
    from ..sinch.errors import SmsError
    from ..sinch.request import SmsRequest


@dataclass(eq=False)
class Result:
    """The outcome of one request to Sinch (or the sandbox).

    ``ok`` says whether it worked; ``error`` is the `SmsError` when it did not; ``data`` is
    Sinch's JSON answer when it did. ``resend()`` sends the same request again (or a changed
    one: ``resend(to=("+46...",))``)."""

    backend: str  # "SANDBOX" or "LIVE"
    action: str  # "send", "dry_run" or "send_raw"
    request: "SmsRequest | None"  # None for a raw JSON body
    raw_body: str | None = None  # the exact text of a %%sms --json cell
    reply: "Reply | None" = None
    error: "SmsError | None" = None
    hints: tuple[str, ...] = ()
    at: datetime = field(default_factory=datetime.now)
    session: Any = field(default=None, repr=False)  # the SmsSession that sent it, to resend it

    def __post_init__(self):
        self.route = self.backend  # where it was sent ("SANDBOX" or "LIVE"); the label may change

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int | None:
        return self.reply.status if self.reply else self.error.status

    @property
    def code(self) -> str | None:
        return None if self.ok else self.entry.key

    @property
    def entry(self) -> catalog.Entry | None:
        return None if self.ok else catalog.entry_for(self.error)

    @property
    def data(self) -> dict | None:
        return self.reply.data if self.reply else None

    @property
    def batch_id(self) -> str | None:
        """The batch's id; None for a dry run, and when the answer holds no id that is a string."""
        value = self.data.get("id") if self.data and self.action != "dry_run" else None
        return value if isinstance(value, str) and value else None

    @property
    def payload(self):
        """The request body as JSON data (None for a raw body that is not JSON)."""
        if self.request is not None:
            return self.request.payload()
        try:
            return json.loads(self.raw_body or "")
        except (ValueError, RecursionError):
            return None

    @property
    def recipients(self) -> list[str]:
        if self.data and isinstance(self.data.get("to"), list):
            return [str(x) for x in self.data["to"]]
        payload = self.payload
        to = payload.get("to") if isinstance(payload, dict) else None
        return [str(x) for x in to] if isinstance(to, list) else []

    @property
    def encoded(self) -> encoding.Encoded | None:
        payload = self.payload
        body = payload.get("body") if isinstance(payload, dict) else None
        return encoding.encode(body) if isinstance(body, str) else None

    def resend(self, raw: str | None = None, **changes) -> "Result":
        """Send this request again: as it was, with ``changes`` to its fields
        (``r.resend(to=("+46701234567",))``, ``r.resend(callback_url=...)``), or as new raw
        JSON text (``r.resend(raw='{"to": [...], "body": "..."}')``), to the same place."""
        if self.session is None:
            raise RuntimeError("This result was not made by %sms, so it cannot be resent.")
        if raw is not None:
            return self.session.resend(self, raw_body=raw)
        if changes and self.request is None:
            raise ValueError("This request was raw JSON: resend it with raw='{...}' holding the corrected "
                             "JSON.")
        return self.session.resend(self, request=replace(self.request, **changes) if changes else None)

    def delivery_status(self) -> dict[str, str]:
        """Each recipient's delivery status now, e.g. {"46701234567": "Delivered"}."""
        if self.session is None or not self.batch_id:
            raise RuntimeError("Only a sent batch has a delivery status.")
        return self.session.delivery_status(self)

    # --- display: how is the card layer's business (see `register`) -----------------------------

    def _repr_mimebundle_(self, include=None, exclude=None):
        show = _display.get("bundle")
        return show(self) if show else {"text/plain": repr(self)}

    def widget(self):
        """The interactive card (ipywidgets): built once, shown wherever the result is shown."""
        if getattr(self, "_widget", None) is None:
            self._widget = _display["widget"](self)
        return self._widget

    def __repr__(self) -> str:
        what = f"{self.status} {self.code}" if not self.ok else f"{self.status} {self.action}"
        return f"<smsnb Result {what} ({self.backend})>"


# How a Result is shown, registered by `smsnb.card.display`: this data module imports no renderer.
_display: dict[str, Callable] = {}


def register(*, bundle: Callable[[Result], dict], widget: Callable[[Result], Any]) -> None:
    """Say how a Result is shown: its MIME bundle (text, HTML, the widget) and its widget card."""
    _display.update(bundle=bundle, widget=widget)


class Message:
    """Any other output of %sms (explain, config, tables): text and HTML, like a card."""

    def __init__(self, text: str, html: str, value=None):
        self.text, self.html, self.value = text, html, value

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.text, "text/html": self.html}

    def __repr__(self) -> str:
        return self.text
