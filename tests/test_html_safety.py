"""No value from an answer or a request becomes a tag, an attribute or a terminal control in a card.

Hostile strings go into every string field of every answer shape, of the request and of a
delivery report; every HTML renderer and every HTML value of every widget (a success card turned
delivery failure with each of its forms too) is parsed, and the text cards are checked for
control characters."""
import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets as w
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsnb.card import delivery_html, forms, live_html, render, report, widgets
from smsnb.card.outcome import Message, Result
from smsnb.card.table import table_html
from smsnb.ipython.session import SmsSession
from smsnb.sinch.client import Reply
from smsnb.sinch.errors import BadResponse, ConnectionDropped, ReadTimeout
from smsnb.sinch.parse import error_from_answer
from smsnb.sinch.request import SentRequest, SmsRequest
from tests.conftest import wait_for

MARKERS = ['<x-evil a="1">', '"onerror="alert(1)', "'onerror='alert(1)", "</code><x-evil a=1>",
           "<img src=x onerror=alert(1)>", "<!-- x-evil", "<script>alert(1)</script>", "&lt;x-evil a=1&gt;"]
AROUND = st.text(max_size=4)
HOSTILE = st.builds(lambda a, m, b: a + m + b, AROUND, st.sampled_from(MARKERS), AROUND)
TAGS = {"div", "span", "b", "i", "code", "pre", "mark", "table", "tr", "th", "td", "br", "details", "summary",
        "blockquote", "p", "ol", "ul", "li", "a"}
ATTRIBUTES = {"class", "style", "href", "target", "rel", "role", "aria-live", "aria-hidden"}
SETTINGS = SmsSession(env={}, cwd=Path(__file__).parent).settings()


class Parsed(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.other = set(), [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += attrs

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.other.append(data)

    handle_decl = handle_pi = unknown_decl = handle_comment


def assert_inert(output: str, where: str = "") -> None:
    parsed = Parsed(str(output))
    assert parsed.tags <= TAGS, (where, parsed.tags - TAGS, output)
    assert {name for name, _ in parsed.attributes} <= ATTRIBUTES, (where, parsed.attributes)
    for name, value in parsed.attributes:
        assert not re.search("evil|alert|onerror", value or ""), (where, name, value)
        assert name != "href" or value.startswith("https://developers.sinch.com/"), (where, value)
    assert not parsed.other, (where, parsed.other)


class FakeSession:
    """What a card asks of the session, answering with hostile batches (or failing with them)."""

    def __init__(self, batches):
        self.batches = batches

    def settings(self):
        return SETTINGS

    def receiver_url(self, result):
        return None

    def find_batches(self, result):
        if isinstance(self.batches, Exception):
            raise self.batches
        return self.batches


def request(s: str) -> SmsRequest:
    return SmsRequest((s, "+46701234567"), s, sender=s, delivery_report=s, callback_url=s, client_reference=s,
                      extra={s: s, "send_at": s})


def sent(s: str) -> SentRequest:
    return SentRequest("POST", "http://127.0.0.1:9/xms/v1/plan/batches", {}, request(s).to_json())


STATUSES = st.sampled_from([302, 400, 403, 404, 429, 500])


def answers(s: str, t: str, status: int = 400) -> list[Result]:
    """Every answer shape, with s and t in each of its string fields; errors with ``status``."""
    req, wire = request(s), sent(s)
    rows = [{"recipient": s, "number_of_parts": t, "encoding": s, "body": t},
            {"recipient": t, "number_of_parts": 1, "encoding": "unicode", "body": s + "é"}, s]
    success = {"id": s, "to": [s, t], "from": t, "body": s, "delivery_report": t, "created_at": s}
    dry_run = {"number_of_recipients": s, "number_of_messages": t, "per_recipient": rows}
    results = [Result("LIVE", "send", req, reply=Reply(201, success, {}, wire, 0.1), hints=(s, t)),
               Result("SANDBOX", "dry_run", req, reply=Reply(200, dry_run, {}, wire, 0.1), hints=(t,))]
    bodies = [{"code": s, "text": t},
              {"code": "syntax_invalid_parameter_format", "text": f"parameter '{s}' is bad"},
              {"code": "illegal_number_type", "text": t}, {"code": "missing_callback_url", "text": s},
              {"timestamp": s, "status": 502, "error": s, "message": t, "path": s},
              {"error": {"code": 400, "message": s, "status": t}}, [s, t]]
    raw = [json.dumps(b).encode() for b in bodies]
    raw += [f"<html><title>{s}</title>{t}</html>".encode(), t.encode()]
    headers = {"Location": s, "Retry-After": t, "Content-Type": "application/json"}
    session = FakeSession([{"id": s, "created_at": t, "to": [s, t]}, s])
    for content in raw:
        error = error_from_answer(status, headers, content, wire)
        results.append(Result("LIVE", "send", req, error=error, hints=(s,), session=session))
    for error in (BadResponse(s, status=201, text=t, raw_body=s, request=wire), ReadTimeout(s, request=wire),
                  ConnectionDropped(t, request=wire)):
        results.append(Result("LIVE", "send", req, error=error, session=FakeSession(RuntimeError(s))))
    raw_json = json.dumps({s: t, "to": [s], "body": 5})
    results += [Result("LIVE", "send_raw", None, raw_body=body, error=error_from_answer(
        400, {}, json.dumps({"code": "syntax_invalid_json", "text": t}).encode(), wire), session=session)
        for body in (raw_json, s)]
    return results


def row(status, code, *recipients):
    return {"status": status, "code": code, "count": len(recipients), "recipients": list(recipients)}


def hostile_report(s: str, t: str, final: bool = True) -> dict:
    """A delivery report with s and t in its recipients and codes (and, unless ``final``, as a
    status), every fixable code among them, so that every delivery form is drawn."""
    rows = [row("Aborted", code, s, t) for code in (404, 405, 406, 410, 411)]
    rows += [row("Rejected", 88, t), row("Failed", s, t), row("Delivered", 0, s, t)]
    return {"batch_id": s, "statuses": rows + ([] if final else [row(s, t, s)])}


class ReportSession(FakeSession):
    """A session whose batch's delivery report is hostile."""

    def __init__(self, s: str, t: str):
        super().__init__([])
        self.report = hostile_report(s, t)

    def poll_delivery_report(self, result):
        return self.report

    def watch(self, poller):
        pass


def delivery_failure(s: str, t: str) -> Result:
    """A batch sent with s and t in every field of the request, whose report then fails."""
    payload = {**request(s).payload(), "parameters": {"x": {s: t}}, "body": s + "${x}${" + t + "}",
               "max_number_of_message_parts": s, "send_at": t, "expire_at": s}
    answer = {"id": "B1", "to": [s, t], "body": s}
    reply = Reply(201, answer, {}, sent(s), 0.1)
    return Result("LIVE", "send", SmsRequest.from_payload(payload), reply=reply, session=ReportSession(s, t))


def html_values(widget):
    if isinstance(widget, w.HTML):
        yield widget.value
    for child in getattr(widget, "children", ()):
        yield from html_values(child)


@settings(max_examples=150, deadline=None)
@given(s=HOSTILE, t=HOSTILE, status=STATUSES)
def test_no_answer_or_request_value_becomes_html(s, t, status):
    for result in answers(s, t, status):
        assert_inert(render.result_html(result), result)
        assert_inert(result._repr_mimebundle_()["text/html"], result)
    found = report.groups(hostile_report(s, t, final=False))
    delivered = report.groups({"statuses": [row("Delivered", 0, s, t)]})
    assert_inert(live_html.report_status_html(found, True))
    assert_inert(live_html.report_status_html(delivered, False))
    assert_inert(delivery_html.failed_header_html(answers(s, t)[0], found))
    for group in found:
        assert_inert(delivery_html.group_html(group), group)
    assert_inert(table_html([s], [[s], [t]]))


@settings(max_examples=30, deadline=None)
@given(s=HOSTILE, t=HOSTILE, status=STATUSES)
def test_no_answer_or_request_value_becomes_html_in_a_widget(s, t, status):
    for result in answers(s, t, status):
        card = widgets.card_for(result)
        try:
            form = getattr(card, "form", None)
            if form is not None:
                for field in form.inputs.values():
                    if isinstance(field, (w.Text, w.Textarea)):
                        field.value = s  # the messages and the before/after diff show it
                if isinstance(form.spec, forms.LookFirst):
                    form.look.click()
            card._guarded(lambda: 1 / len(s[:0]))()  # a failing callback: its line holds no input
            for value in html_values(card):
                assert_inert(value, result)
        finally:
            card.close()
    assert_inert(widgets._outcome_widget(Message(s, t)).value)


@settings(max_examples=15, deadline=None)
@given(s=HOSTILE, t=HOSTILE)
def test_no_delivery_report_or_request_value_becomes_html_in_a_failed_card(s, t):
    card = widgets.card_for(delivery_failure(s, t))
    try:
        wait_for(lambda: card.failure is not None)
        for form in card.failure.forms:
            for field in form.inputs.values():
                if isinstance(field, (w.Text, w.Textarea)):
                    field.value = s  # the messages and the before/after diff show it
        for value in html_values(card):
            assert_inert(value)
        assert not card.problem.value
    finally:
        card.close()


CONTROLS = [chr(c) for c in range(0x20) if chr(c) != "\n"] + ["\x7f", "\x9b", "\u202e", "\u2028"]
SEQUENCES = ["\x1b[2J", "\x1b]0;pwned\x07", "\r", "\x9b31m", "\u202eevil", "\x1b]8;;http://x\x1b\\"]
TERMINAL = st.builds(lambda a, c, b: a + c + b, AROUND, st.sampled_from(SEQUENCES), AROUND)


@settings(max_examples=100, deadline=None)
@given(s=TERMINAL, t=TERMINAL, status=STATUSES)
def test_no_control_character_reaches_a_text_card(s, t, status):
    for result in answers(s, t, status):
        text = render.result_text(result)
        assert not [c for c in text if c in CONTROLS], (result, text)


def test_control_characters_are_shown_escaped():
    body = json.dumps({"code": "c\x1b[2J", "text": "a\x1b]0;x\x07b"}).encode()
    error = error_from_answer(400, {}, body, None)
    text = render.result_text(Result("LIVE", "send", request("+46701234567"), error=error))
    assert "400 · c\\x1b[2J: " in text and 'Sinch says: "a\\x1b]0;x\\x07b"' in text


def test_long_server_text_is_cut_with_where_the_rest_is():
    error = error_from_answer(400, {}, json.dumps({"code": "c", "text": "x" * 5000}).encode(), None)
    result = Result("LIVE", "send", request("+46701234567"), error=error)
    cut = "x" * 2000 + " … 3000 more characters; the whole answer is in .error.raw_body"
    assert f'Sinch says: "{cut}"' in render.result_text(result)
    assert cut in render.result_html(result) and "x" * 2001 not in render.result_html(result)


def test_the_dry_run_encoding_the_attack_used_is_text():
    row = {"recipient": "1", "encoding": "<img src=x onerror=alert(1)>"}
    reply = Reply(200, {"per_recipient": [row]}, {}, sent("x"), 0.1)
    html = render.result_html(Result("LIVE", "dry_run", request("+46701234567"), reply=reply))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_card_shows_its_location(status):
    error = error_from_answer(status, {"location": "https://elsewhere.test/<b>"}, b'{"id": "x"}', sent("x"))
    result = Result("LIVE", "send", request("+46701234567"), error=error)
    assert "Location: https://elsewhere.test/<b>" in render.result_text(result)
    assert ">https://elsewhere.test/&lt;b&gt;</code>" in render.result_html(result)
    card = widgets.card_for(result)
    assert "https://elsewhere.test/&lt;b&gt;" in card.summary.value
    card.close()


def test_printable_text_is_shown_as_it_is():
    body = json.dumps({"code": "c", "text": string.printable.strip() + "åäö€"}).encode()
    error = error_from_answer(400, {}, body, None)
    text = render.result_text(Result("LIVE", "send", request("+46701234567"), error=error))
    assert string.printable.strip() + "åäö€" in text


@pytest.mark.parametrize("sent, wait", [("2", None), ("inf", 3600), ("soon", 1),
                                        ("Wed, 21 Oct 2015 07:28:00 GMT", 0)])
def test_a_429_card_says_what_the_server_sent(sent, wait):
    error = error_from_answer(429, {"retry-after": sent}, b"", None)
    said = f'Retry after: the server sent "{sent}"; smsnb waits {wait} s'
    line = "Retry after: 2 s" if wait is None else said
    text = render.result_text(Result("LIVE", "send", request("+46701234567"), error=error))
    assert line in text.splitlines()
