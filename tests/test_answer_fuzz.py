"""Any answer, of any shape, to any action with any status, gives a card: never a traceback; and
any delivery report, whatever its shape, leaves a success card whole.

Answers follow the real path: the wire's own parsing (error_from_answer, json_from_success),
then `Result`, the text and HTML cards and the interactive card."""
import json
from pathlib import Path

import pytest
from hypothesis import event, given, settings
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


class Reporting:
    """A session whose batch's delivery report is ``report``: what a success card polls."""

    def __init__(self, report):
        self.report = report

    def poll_delivery_report(self, result):
        return self.report

    def watch(self, poller):
        pass


STATUS_NAMES = st.sampled_from(["Delivered", "Aborted", "Failed", "Rejected", "Queued", "Unknown", "Expired"])
REPORT_ROWS = st.fixed_dictionaries({"status": STATUS_NAMES | VALUES},
                                    optional={"code": st.sampled_from([0, 402, 404, 405, 406, 410, 411, 88])
                                              | VALUES, "count": VALUES, "recipients": VALUES
                                              | st.lists(st.text(max_size=14), max_size=3)})
REPORTS = st.one_of(VALUES, st.fixed_dictionaries({"statuses": st.lists(REPORT_ROWS | VALUES, max_size=4)}))
FIELDS = ("parameters", "max_number_of_message_parts", "send_at", "expire_at", "from")
PAYLOADS = st.fixed_dictionaries({"to": st.lists(st.text(max_size=14), min_size=1, max_size=3) | VALUES,
                                  "body": st.text(max_size=20) | VALUES},
                                 optional={key: VALUES for key in FIELDS})


@settings(max_examples=60, deadline=None)
@given(report=REPORTS, payload=PAYLOADS)
def test_every_delivery_report_leaves_a_whole_card(report, payload):
    from tests.conftest import wait_for

    reply = Reply(201, {"id": "B1"}, {}, SENT, 0.01)
    result = Result("SANDBOX", "send_raw", None, raw_body=json.dumps(payload), reply=reply,
                    session=Reporting(report))
    card = card_for(result)
    try:
        wait_for(lambda: card.groups or not card._watcher.is_alive() or "no report" in card.delivery.value)
        if card.final:
            wait_for(lambda: not card._watcher.is_alive())
        assert not card.problem.value, card.problem.value
        event("turned" if card.failure else "final" if card.final else "not final")
        for form in card.failure.forms if card.failure else ():
            form.refresh()
            assert form.corrected_body() is not None
    finally:
        card.close()
