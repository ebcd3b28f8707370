"""How the sandbox answers: JSON, empty, closing, Sinch's error answers, a dropped connection."""
from __future__ import annotations

import json
from dataclasses import dataclass

from werkzeug.wrappers import Response


def json_response(status: int, body, headers: dict | None = None) -> Response:
    # allow_nan=False: answers are strict JSON; request parsing already refuses NaN and Infinity
    return Response(json.dumps(body, allow_nan=False), status=status, headers=headers,
                    content_type="application/json")


def empty(status: int, headers: dict | None = None) -> Response:
    return Response(b"", status=status, headers=headers)


def closing(status: int, text: str) -> Response:
    """An answer after which the connection closes: the body was not read to its end, so what
    follows on the connection cannot be taken for a next request."""
    return Response(text, status=status, content_type="text/plain", headers={"Connection": "close"})


@dataclass(frozen=True)
class ErrorAnswer:
    """An error answer the sandbox gives, as Sinch does: a status and Sinch's error body. (What
    a client makes of such an answer is the wire's `smsnb.sinch.errors.ApiError`.)"""

    status: int
    code: str
    text: str

    def body(self) -> dict:
        return {"code": self.code, "text": self.text}

    def response(self) -> Response:
        return json_response(self.status, self.body())


# Sinch's three 400 answers, each with its text pattern.

def invalid_json(detail: str) -> ErrorAnswer:
    return ErrorAnswer(400, "syntax_invalid_json", f"The JSON in the request body is invalid; {detail}.")


def bad_format(param: str, detail: str) -> ErrorAnswer:
    return ErrorAnswer(400, "syntax_invalid_parameter_format",
                       f"The format of parameter '{param}' is invalid; {detail}.")


def constraint_violation(param: str, detail: str) -> ErrorAnswer:
    return ErrorAnswer(400, "syntax_constraint_violation",
                       f"The value of parameter '{param}' violates a constraint; {detail}.")


class DroppedResponse(Response):
    """Starts a 201 answer, then breaks off halfway through its body: the server closes the
    connection, and the client is left with a status and part of a body."""

    def __init__(self):
        super().__init__(self._half(), status=201, content_type="application/json",
                         headers={"Content-Length": "120"})

    @staticmethod
    def _half():
        yield b'{"id": "01'
        raise ConnectionAbortedError("the sandbox drops this connection on purpose")
