"""The built-in callback receiver (``/_sandbox/callbacks``): a ``callback_url`` that needs no
server of one's own. It keeps the last ``journal_cap`` callbacks it was sent."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .answers import empty, json_response
from .capped import Capped
from .validation import strict_json

RECEIVER_MAX_BYTES = 64 * 1024  # one callback the built-in receiver keeps; Sinch's own are far smaller


class Receiver:
    """POST keeps a callback, GET lists them, DELETE forgets them."""

    def __init__(self, cap: int):
        self.received = Capped(cap)

    def on_request(self, request: Request) -> Response:
        if request.method == "POST":
            return self._keep(request.get_data())
        if request.method == "DELETE":
            self.received.clear()
            return empty(204)
        return json_response(200, {"cap": self.received.cap, "dropped": self.received.dropped,
                                   "callbacks": self.received.entries()})

    def _keep(self, data: bytes) -> Response:
        if len(data) > RECEIVER_MAX_BYTES:
            return Response(f"The receiver keeps callbacks of up to {RECEIVER_MAX_BYTES} bytes.", status=413)
        try:
            payload = strict_json(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return empty(400)
        self.received.append(payload)
        return empty(200)
