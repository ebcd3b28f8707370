"""A success card whose delivery report ends in a failure turns into that failure explained, with a
fix-it form per failing group that resends once, to the recipients that failed.

The first half drives the card against a fake session that answers report JSON (no HTTP); the
second sends through a real InteractiveShell to the sandbox, which produces each code from the
input that causes it at Sinch."""
import html
import json
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest

from smsnb.card import delivery_forms, live_html, widgets
from smsnb.card.delivery_forms import failing_recipients, form_for_group, unmatched_parameters
from smsnb.card.outcome import Result
from smsnb.card.report import Group
from smsnb.card.widgets import SuccessCard, card_for
from smsnb.knowledge.msisdn import digits
from smsnb.sinch.client import Reply
from smsnb.sinch.request import SmsRequest
from tests.conftest import sms, wait_for
from tests.test_widgets import find, posts, walk

A, B, C = "+46701234561", "+46701234562", "+46701234563"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def row(status, code, numbers):
    return {"status": status, "code": code, "count": len(numbers), "recipients": [digits(n) for n in numbers]}


def delivered(numbers):
    return {"type": "delivery_report_sms", "statuses": [row("Delivered", 0, numbers)]}


class FakeSession:
    """What a success card asks of the session: reports from a table; each resend is kept and
    answered 201 with a batch whose report is Delivered for all its recipients."""

    def __init__(self, report):
        self.reports = {"B0": report}
        self.sent: list[SmsRequest] = []
        self._lock = threading.Lock()

    def poll_delivery_report(self, result):
        return self.reports.get(result.batch_id)

    def poll_batch(self, result):
        return {"id": result.batch_id, "canceled": False}

    def resend(self, previous, *, request=None, raw_body=None):
        if request is None:
            request = previous.request or SmsRequest.from_payload(json.loads(raw_body or previous.raw_body))
        with self._lock:
            self.sent.append(request)
            batch = f"B{len(self.sent)}"
        self.reports[batch] = delivered(request.to)
        return ok_result(request, self, batch)

    def watch(self, poller):
        pass


def ok_result(request, session, batch="B0"):
    answer = {"id": batch, "to": [digits(n) for n in request.to], "body": request.body}
    return Result("SANDBOX", "send", request, reply=Reply(201, answer, {}, None, 0.01), session=session)


def failed_card(payload, report):
    """The card of a batch sent with ``payload`` whose report is ``report``, once it has turned."""
    session = FakeSession(report)
    card = card_for(ok_result(SmsRequest.from_payload(payload), session))
    assert isinstance(card, SuccessCard)
    wait_for(lambda: card.failure is not None or not card._watcher.is_alive())
    assert card.failure is not None, card.delivery.value
    return card, session


def group_of(card, css):
    return find(card.failure, css)


def resend_once(part, session):
    """Click Resend of one group's form twice: one request goes, and its card ends Delivered."""
    resend = find(part, "smsnb-resend")
    assert not resend.disabled, find(part, "smsnb-form").problems()
    before = len(session.sent)
    resend.click()
    resend.click()
    assert len(session.sent) == before + 1 and resend.disabled
    assert "Sent once" in find(part, "smsnb-form-status").value
    return session.sent[-1]


def chained_delivers(card):
    chained = find(card, "smsnb-chain").children[-1]
    assert isinstance(chained, SuccessCard)
    wait_for(lambda: chained.final)
    assert "Delivered" in chained.delivery.value and chained.failure is None
    chained.close()


def raw(widget):
    """Every string value of a card's widgets: HTML as it is, and what the inputs hold."""
    return " ".join(x.value for x in walk(widget) if isinstance(getattr(x, "value", None), str))


def text(widget):
    """The same as a person reads it: without tags."""
    return html.unescape(re.sub(r"<[^>]*>", "", raw(widget)))


PARAMETERS = {"to": [A, B, C], "body": "Hi ${name}, code ${code}",
              "parameters": {"name": {A: "Ann"}, "code": {"default": "42"}}}
REPORT_405 = {"statuses": [row("Delivered", 0, [A]), row("Aborted", 405, [B, C])]}


def test_405_is_explained_and_a_default_resends_to_the_failing_recipients_only():
    card, session = failed_card(PARAMETERS, REPORT_405)
    assert "smsnb-delivery-failed" in card._dom_classes
    assert "then not delivered" in card.summary.value and "2 of 3 messages failed" in card.summary.value
    part = group_of(card, "smsnb-code-405")
    said = text(part)
    assert "Aborted 405 · Unmatched parameter: 2 recipients: +46701234562, +46701234563" in said
    assert "has no value for this recipient and no default" in said and "What to do" in said
    assert "goes only to the 2 recipients that failed with Aborted 405: +46701234562, +46701234563" in said
    value = find(part, "smsnb-field-parameter-0")
    assert value.description == "Value of ${name}" and find(part, "smsnb-resend").disabled  # none typed yet
    value.value = "friend"
    assert '"default": "friend"' in html.unescape(find(part, "smsnb-diff").value)
    sent = resend_once(part, session)
    assert sent.to == (B, C) and sent.body == PARAMETERS["body"]
    assert sent.extra["parameters"] == {"name": {A: "Ann", "default": "friend"}, "code": {"default": "42"}}
    chained_delivers(card)
    card.close()


def test_405_can_give_each_failing_recipient_its_value():
    card, session = failed_card(PARAMETERS, REPORT_405)
    part = group_of(card, "smsnb-code-405")
    find(part, "smsnb-as").value = "each"
    find(part, "smsnb-field-parameter-0").value = "you"
    sent = resend_once(part, session)
    assert sent.extra["parameters"]["name"] == {A: "Ann", B: "you", C: "you"}
    card.close()


LONG = {"to": [A], "body": "ж" * 100, "max_number_of_message_parts": 1}
REPORT_411 = {"statuses": [row("Aborted", 411, [A])]}


def test_411_shows_the_parts_and_takes_a_higher_limit():
    card, session = failed_card(LONG, REPORT_411)
    part = group_of(card, "smsnb-code-411")
    assert "needs 2 parts (UCS-2); max_number_of_message_parts is 1" in text(part)
    limit = find(part, "smsnb-field-max_number_of_message_parts")
    assert limit.value == "2"
    limit.value = "1"
    assert find(part, "smsnb-resend").disabled and "at least 2" in text(part)
    limit.value = "²"
    assert find(part, "smsnb-resend").disabled and "A whole number" in text(part) and not card.problem.value
    limit.value = "3"
    sent = resend_once(part, session)
    assert sent.extra["max_number_of_message_parts"] == 3 and "truncate_concat" not in sent.extra
    chained_delivers(card)
    card.close()


def test_411_can_cut_the_body_to_fit_instead():
    card, session = failed_card(LONG, REPORT_411)
    part = group_of(card, "smsnb-code-411")
    find(part, "smsnb-field-max_number_of_message_parts").value = "nonsense"  # not used for truncation
    find(part, "smsnb-fix").value = "truncate"
    sent = resend_once(part, session)
    assert sent.extra == {"max_number_of_message_parts": 1, "truncate_concat": True}
    card.close()


def test_410_takes_a_sender():
    card, session = failed_card({"to": [A, B], "body": "hi"}, {"statuses": [row("Aborted", 410, [A, B])]})
    part = group_of(card, "smsnb-code-410")
    assert "no default originator" in text(part)
    sender = find(part, "smsnb-field-from")
    sender.value = "ALongShopName"
    assert find(part, "smsnb-resend").disabled and "at most 11 characters" in text(part)
    sender.value = " MyShop "
    sent = resend_once(part, session)
    assert sent.sender == "MyShop" and sent.to == (A, B)
    chained_delivers(card)
    card.close()


def test_406_takes_a_later_expiry_or_none():
    payload = {"to": [A], "body": "hi", "send_at": "2020-01-01T00:00:00Z",
               "expire_at": "2020-01-01T00:00:01Z"}
    for choice in ("later", "none"):
        card, session = failed_card(payload, {"statuses": [row("Aborted", 406, [A])]})
        part = group_of(card, "smsnb-code-406")
        assert "expired before it reached the SMSC" in text(part)
        assert "send_at (2020-01-01T00:00:00Z) has passed: the resend goes now" in text(part)
        expiry = find(part, "smsnb-field-expire_at")
        assert datetime.fromisoformat(expiry.value.replace("Z", "+00:00")) > datetime.now(timezone.utc)
        expiry.value = "2020-01-02T00:00:00Z"
        assert find(part, "smsnb-resend").disabled and "Already past" in text(part)
        find(part, "smsnb-expiry").value = choice
        if choice == "later":
            expiry.value = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
        sent = resend_once(part, session)
        assert sent.extra.get("expire_at") == (expiry.value if choice == "later" else None)
        assert "send_at" not in sent.extra  # it had passed: the resend goes now
        chained_delivers(card)
        card.close()


def test_404_sends_the_same_request_again_to_the_failing_recipients():
    card, session = failed_card({"to": [A, B], "body": "hi", "client_reference": "r1"},
                                {"statuses": [row("Delivered", 0, [A]), row("Aborted", 404, [B])]})
    part = group_of(card, "smsnb-code-404")
    assert "Temporary delivery failure" in text(part) and not find(part, "smsnb-form").inputs
    sent = resend_once(part, session)
    assert sent == SmsRequest((B,), "hi", client_reference="r1")
    chained_delivers(card)
    card.close()


@pytest.mark.parametrize("status, code", [("Aborted", 402), ("Aborted", 408), ("Aborted", 412),
                                          ("Aborted", 413), ("Rejected", 69), ("Deleted", 11),
                                          ("Unknown", 255)])
def test_a_code_whose_resend_cannot_help_gets_what_to_do_and_no_resend(status, code):
    card, session = failed_card({"to": [A], "body": "hi"}, {"statuses": [row(status, code, [A])]})
    part = group_of(card, f"smsnb-code-{code}")
    assert "No resend" in find(part, "smsnb-no-resend").value and "What to do" in text(part)
    assert not [x for x in walk(part) if "smsnb-resend" in x._dom_classes]
    assert session.sent == []
    card.close()


def test_each_failing_group_gets_its_own_form_and_resend():
    report = {"statuses": [row("Aborted", 404, [A]), row("Aborted", 410, [B]), row("Delivered", 0, [C])]}
    card, session = failed_card({"to": [A, B, C], "body": "hi"}, report)
    resend_once(group_of(card, "smsnb-code-404"), session)
    find(group_of(card, "smsnb-code-410"), "smsnb-field-from").value = "Shop"
    resend_once(group_of(card, "smsnb-code-410"), session)
    assert [s.to for s in session.sent] == [(A,), (B,)] and session.sent[1].sender == "Shop"
    assert len(find(card, "smsnb-chain").children) == 2
    card.close()


def test_a_thousand_recipients_are_a_summary_by_status_and_code():
    numbers = [f"+467000{i:05d}" for i in range(1000)]
    report = {"statuses": [row("Delivered", 0, numbers[:990]), row("Aborted", 404, numbers[990:997]),
                           row("Aborted", 402, numbers[997:])]}
    card, session = failed_card({"to": numbers, "body": "hi"}, report)
    shown = text(card)
    assert "10 of 1000 messages failed" in shown
    assert raw(card).count("<tr>") <= 4 and "and 985 more" in shown and "+46700000500" not in shown
    assert sum(shown.count(n[1:]) for n in numbers) < 100  # a few named per group, not a thousand rows
    assert len(shown) < 20000
    part = group_of(card, "smsnb-code-404")
    assert "goes only to the 7 recipients that failed with Aborted 404" in text(part)
    assert resend_once(part, session).to == tuple(numbers[990:997])
    card.close()


def test_a_report_that_names_no_one_resends_to_the_whole_batch_and_says_so():
    card, session = failed_card({"to": [A, B], "body": "hi"},
                                {"statuses": [{"status": "Aborted", "code": 404, "count": 2}]})
    part = group_of(card, "smsnb-code-404")
    assert "goes to all 2 recipients of the batch" in text(part) and "does not name" in text(part)
    assert resend_once(part, session).to == (A, B)
    card.close()


def test_a_delivered_batch_stays_a_success_card():
    session = FakeSession(delivered([A]))
    card = card_for(ok_result(SmsRequest((A,), "hi"), session))
    wait_for(lambda: card.final)
    wait_for(lambda: not card._watcher.is_alive())
    assert card.failure is None and "smsnb-delivery-failed" not in card._dom_classes
    assert "Delivery status (final)" in card.delivery.value and "46701234561" in card.delivery.value
    card.close()


def test_the_card_waits_for_a_final_report_before_turning():
    session = FakeSession({"statuses": [row("Aborted", 410, [A]), row("Dispatched", 401, [B])]})
    card = card_for(ok_result(SmsRequest((A, B), "hi"), session))
    wait_for(lambda: "Unmatched default originator" in card.delivery.value)  # explained while it waits
    assert card.failure is None and not card.final
    session.reports["B0"] = {"statuses": [row("Aborted", 410, [A]), row("Delivered", 0, [B])]}
    wait_for(lambda: card.failure is not None)
    assert "1 of 2 messages failed" in card.summary.value
    card.close()


def test_closing_the_card_closes_its_forms_and_the_cards_of_its_resends():
    card, session = failed_card({"to": [A], "body": "hi"}, {"statuses": [row("Aborted", 404, [A])]})
    resend_once(group_of(card, "smsnb-code-404"), session)
    chained = find(card, "smsnb-chain").children[-1]
    card.close()
    assert card.failure.comm is None and chained.comm is None
    assert wait_for(lambda: not chained._watcher.is_alive(), timeout=2)


def test_a_report_of_any_shape_never_breaks_the_card():
    for report in ([], "x", {"statuses": "x"}, {"statuses": [None, {"status": 5, "code": "x"}]},
                   {"statuses": [{"status": "Aborted", "code": "405", "recipients": [None, 5, {}]}]}):
        card = card_for(ok_result(SmsRequest((A,), "${x}"), FakeSession(report)))
        wait_for(lambda card=card: card.delivery.value != live_html.WAITING)  # polled at least once
        if card.final:  # it turned, or stayed a success
            wait_for(lambda card=card: not card._watcher.is_alive())
        card.stop_polling(timeout=2)
        assert not card.problem.value, (report, card.problem.value)
        card.close()


# --- the forms, pure ----------------------------------------------------------------------------

def test_the_failing_recipients_are_written_as_in_the_request():
    group = Group("Aborted", 404, 3, ("46701234562", "46701234563", "4670999"))
    assert failing_recipients(group, {"to": [A, "0046 70-123 45 62", "+46 70 123 45 63"]}) == (
        ("0046 70-123 45 62", "+46 70 123 45 63", "+4670999"), True)
    assert failing_recipients(Group("Aborted", 404, 2, ()), {"to": [A, B]}) == ((A, B), False)


def test_unmatched_parameters_are_those_without_a_value_for_a_failing_recipient():
    parameters = {"name": {"46701234561": "Ann"}, "code": {"default": "1"}, "other": {B: "x"}}
    body = "${name} ${code} ${other} ${typo} ${not a name}"
    assert unmatched_parameters(body, parameters, (A,)) == ("other",)
    assert unmatched_parameters(body, parameters, (A, C)) == ("name", "other")
    assert unmatched_parameters("${typo}", parameters, (A,)) == ()  # not in parameters: sent as written
    assert delivery_forms.substituted(body, parameters, A) == "Ann 1 ${other} ${typo} ${not a name}"


def test_a_405_whose_parameter_cannot_be_found_edits_the_json_of_the_failing_recipients():
    form = form_for_group(Group("Aborted", 405, 1, ("46701234562",)), {"to": [A, B], "body": "hi"}, NOW)
    assert isinstance(form, delivery_forms.FailedJson)
    assert json.loads(form.fields()[0].value) == {"to": [B], "body": "hi"}
    assert form.corrected({"json": '{"to": ["+46701234562"], "body": "x"}'}, {}, None) == \
        '{"to": ["+46701234562"], "body": "x"}'


def test_the_parts_are_counted_on_each_recipients_own_body():
    payload = {"to": [A, B], "body": "${x}", "parameters": {"x": {A: "a", B: "b" * 200}},
               "max_number_of_message_parts": 1}
    form = form_for_group(Group("Aborted", 411, 2, ("46701234561", "46701234562")), payload, NOW)
    assert (form.parts, form.encoded) == (2, "text")


def test_the_expiry_must_be_ahead_and_within_three_days():
    form = form_for_group(Group("Aborted", 406, 1, ("46701234561",)), {"to": [A], "body": "x"}, NOW)
    values = {"expiry": "later"}

    def problem(moment):
        return form.problems({**values, "expire_at": moment}).get("expire_at")
    assert problem("2030-01-02T12:00:00Z") is None and form.fields()[1].value == "2030-01-02T12:00:00Z"
    assert "Already past" in problem("2030-01-01T11:00:00Z")
    assert "At most 3 days" in problem("2030-01-05T12:00:00Z")
    assert "ISO-8601" in problem("tomorrow") and "ISO-8601" in problem("2030-01-02T12:00:00")
    assert form.problems({"expiry": "none", "expire_at": "tomorrow"}) == {}


def test_a_status_without_a_code_and_a_carrier_code_that_can_help_resend_as_they_were():
    for group in (Group("Failed", None, 1, ("46701234561",)), Group("Expired", 98, 1, ("46701234561",))):
        assert type(form_for_group(group, {"to": [A], "body": "x"}, NOW)) is delivery_forms.Again


# --- through a real shell, to the sandbox -------------------------------------------------------

def sandbox_of(ip):
    return ip.magics_manager.registry["SmsMagic"].session.sandbox


def turned(result):
    card = result.widget()
    assert isinstance(card, SuccessCard), result
    wait_for(lambda: card.failure is not None, timeout=10)
    return card


def resend_through(card, css, journal):
    """Resend one group's fix: exactly one request arrives, and its card ends Delivered."""
    part = group_of(card, css)
    before = len(posts(journal))
    resend = find(part, "smsnb-resend")
    assert not resend.disabled, find(part, "smsnb-form").problems()
    resend.click()
    resend.click()
    sent = posts(journal)[before:]
    assert len(sent) == 1, sent
    chained = find(card, "smsnb-chain").children[-1]
    assert isinstance(chained, SuccessCard), text(chained)
    wait_for(lambda: chained.final, timeout=10)
    assert chained.failure is None and "Delivered" in chained.delivery.value, chained.delivery.value
    chained.close()
    return json.loads(sent[0]["body"])


def send_json(ip, batch):
    return sms(ip, "--json", json.dumps(batch))


def test_a_405_from_the_sandbox_is_fixed_with_a_default(ip):
    card = turned(send_json(ip, {"to": [A, B], "body": "Hi ${name}", "parameters": {"name": {A: "Ann"}}}))
    part = group_of(card, "smsnb-code-405")
    assert "Unmatched parameter" in text(part) and "46701234562" in text(part)
    find(part, "smsnb-field-parameter-0").value = "friend"
    body = resend_through(card, "smsnb-code-405", sandbox_of(ip).journal)
    assert body["to"] == [B] and body["parameters"]["name"] == {A: "Ann", "default": "friend"}
    card.close()


@pytest.mark.parametrize("fix", ["raise", "truncate"])
def test_a_411_from_the_sandbox_is_fixed_by_a_higher_limit_or_truncation(ip, fix):
    card = turned(send_json(ip, {"to": [A], "body": "x" * 400, "max_number_of_message_parts": 2}))
    part = group_of(card, "smsnb-code-411")
    assert "needs 3 parts (GSM-7); max_number_of_message_parts is 2" in text(part)
    find(part, "smsnb-fix").value = fix
    body = resend_through(card, "smsnb-code-411", sandbox_of(ip).journal)
    assert body["max_number_of_message_parts"] == (3 if fix == "raise" else 2)
    assert body.get("truncate_concat") is (True if fix == "truncate" else None)
    card.close()


def test_a_406_from_the_sandbox_is_fixed_with_a_later_expiry(ip):
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    batch = {"to": [A], "body": "hi", "send_at": past.isoformat(),
             "expire_at": (past + timedelta(seconds=1)).isoformat()}
    card = turned(send_json(ip, batch))
    assert "Internal expiry" in text(group_of(card, "smsnb-code-406"))
    body = resend_through(card, "smsnb-code-406", sandbox_of(ip).journal)
    assert body["expire_at"] != batch["expire_at"]
    card.close()


def test_a_404_from_the_sandbox_passes_sent_again(ip):
    card = turned(sms(ip, f"{A} +46700000404 -m hi"))
    assert "1 of 2 messages failed" in card.summary.value
    body = resend_through(card, "smsnb-code-404", sandbox_of(ip).journal)
    assert body == {"to": ["+46700000404"], "body": "hi"}
    card.close()


def test_a_402_from_the_sandbox_offers_no_resend(ip):
    card = turned(sms(ip, "+46700000402 -m hi"))
    part = group_of(card, "smsnb-code-402")
    assert "Message unroutable" in text(part) and "No resend" in text(part)
    assert not [x for x in walk(part) if "smsnb-resend" in x._dom_classes]
    card.close()


def test_a_410_from_the_sandbox_is_fixed_with_a_sender(ip, sandbox, clean_env, monkeypatch):
    monkeypatch.setitem(widgets.POLL_SECONDS, "LIVE", 0.1)  # the plan is reached as a live one
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "no-originator-plan")
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = turned(sms(ip, f"{A} -m hi"))
    find(group_of(card, "smsnb-code-410"), "smsnb-field-from").value = "MyShop"
    assert resend_through(card, "smsnb-code-410", sandbox.journal)["from"] == "MyShop"
    card.close()


def test_a_sandbox_batch_of_a_thousand_is_a_summary(ip):
    numbers = [f"+467012{i:05d}" for i in range(998)] + ["+46700000402", "+46700000404"]
    card = turned(sms(ip, " ".join(numbers) + " -m hi"))
    assert "2 of 1000 messages failed" in card.summary.value
    assert raw(card).count("<tr>") <= 4 and "and 993 more" in text(card)
    card.close()
