"""Any answer, of any shape, to any action with any status, gives a card: never a traceback.

Answers follow the real path: the wire's own parsing (error_from_answer, json_from_success),
then `Result`, the text and HTML cards and the interactive card."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsnb.card import render
from smsnb.card.outcome import Result
from smsnb.card.widgets import card_for
from smsnb.ipython.session import SmsSession
from smsnb.sinch.client import Reply
from smsnb.sinch.errors import SmsError
from smsnb.sinch.parse import error_from_answer, json_from_success
from smsnb.sinch.request import SentRequest, SmsRequest

REQUEST = SmsRequest(("+46701234567",), "hi", client_reference="ref-1")
SENT = SentRequest("POST", "http://127.0.0.1:9/xms/v1/plan/batches", {}, REQUEST.to_json())
# No credentials and no sandbox started: it builds every form and never sends.
SESSION = SmsSession(env={}, cwd=Path(__file__).parent)

KNOWN = ["id", "to", "from", "body", "per_recipient", "number_of_recipients", "number_of_messages",
         "recipient", "number_of_parts", "encoding", "delivery_report", "code", "text", "description",
         "error", "status", "message", "timestamp", "path", "created_at", "statuses"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10 ** 300, max_value=10 ** 4000)
           | st.floats() | st.text(max_size=30))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(KNOWN) | st.text(max_size=5), inner, max_size=6), max_leaves=20)
SHAPED = st.fixed_dictionaries({}, optional={key: VALUES for key in KNOWN})
ROWS = st.fixed_dictionaries({"per_recipient": st.lists(SCALARS | SHAPED | VALUES, min_size=1, max_size=4)},
                             optional={key: VALUES for key in ("number_of_recipients", "number_of_messages")})
ODD = [b"1.1", b"[]", b"null", b'"text"', b'{"per_recipient": [false]}', b'{"per_recipient": {"a": 1}}',
       b'{"to": [1, null, {"a": []}]}', b'{"id": ' + b"9" * 5000 + b"}", b'{"code": 1, "text": 2}',
       b'{"error": {"message": []}}', b"<html><title>Bad gateway</title></html>", b"\xff\xfe\x00"]
ANSWERS = st.one_of(st.sampled_from(ODD), st.binary(max_size=100),
                    *(shape.map(lambda v: json.dumps(v).encode()) for shape in (VALUES, SHAPED, ROWS)))
HEADERS = st.dictionaries(st.sampled_from(["Content-Type", "Retry-After", "Location", "WWW-Authenticate"]),
                          st.sampled_from(["inf", "1e308", "-5", "nan", "3", "text/html; charset=nope"])
                          | st.text(max_size=20), max_size=4)


def outcome(action: str, status: int, content: bytes, headers: dict) -> Result:
    try:
        if 200 <= status < 300:
            reply = Reply(status, json_from_success(status, headers, content, SENT), headers, SENT, 0.01)
            # No session: a success card would start polling for delivery reports.
            return Result("LIVE", action, REQUEST, reply=reply)
        raise error_from_answer(status, headers, content, SENT)
    except SmsError as error:
        return Result("LIVE", action, REQUEST, error=error, session=SESSION)


@pytest.mark.parametrize("status", [200, 201, 400, 403, 404, 429, 500])
@pytest.mark.parametrize("action", ["send", "dry_run"])
@settings(max_examples=25, deadline=None)
@given(content=ANSWERS, headers=HEADERS)
def test_every_answer_gives_a_card(action, status, content, headers):
    result = outcome(action, status, content, headers)
    text, html = render.result_text(result), render.result_html(result)
    assert text.strip() and "smsnb-card" in html
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"] == text and bundle["text/html"] == html
    card = card_for(result)
    try:
        assert card.children
    finally:
        card.close()


def test_the_answers_the_attack_found():
    for action, content in [("dry_run", b'{"per_recipient": [false]}'), ("send", b"1.1"),
                            ("dry_run", b'{"per_recipient": [{"recipient": [], "encoding": {}}], '
                                        b'"number_of_recipients": 1e999}')]:
        for status in (200, 201, 400):
            result = outcome(action, status, content, {})
            assert render.result_text(result) and render.result_html(result)
            card_for(result).close()
