"""The interactive card, driven as a person would: set .value, call .click(); no browser.

Every fix is checked twice: from the sandbox journal, exactly one corrected request arrived;
and the card now ends in a success card."""
import html
import json
import socket
import threading

import pytest

from smsnb.card import forms
from smsnb.card.widgets import ErrorCard, SuccessCard
from smsnb.knowledge.rules import MAX_CLIENT_REFERENCE
from smsnb.sandbox import Sandbox, triggers
from tests.conftest import sms, wait_for

MOBILE = triggers.ORDINARY_MOBILE
SENTINEL = "SENTINELcardTOKEN42"


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(card, css):
    found = [x for x in walk(card) if css in getattr(x, "_dom_classes", ())]
    assert found, f"no .{css} in the card"
    return found[0]


def posts(journal):
    return [e for e in journal.entries() if e["method"] == "POST" and e["path"].endswith("/batches")]


def embedded(ip):
    return ip.magics_manager.registry["SmsMagic"].session.sandbox


def live_widgets(card):
    """The widgets of a card that are still open (a closed one has no state to show)."""
    return [x for x in walk(card) if x.comm is not None]


def last_outcome(card):
    chain = find(card, "smsnb-chain")
    assert chain.children, "nothing was appended to the card"
    return chain.children[-1]


def fix_and_resend(card, journal, expect_success=True):
    before = len(posts(journal))
    resend = find(card, "smsnb-resend")
    assert not resend.disabled, find(card, "smsnb-form").problems()
    resend.click()
    sent = posts(journal)[before:]
    assert len(sent) == 1, sent
    outcome = last_outcome(card)
    if expect_success:
        assert isinstance(outcome, SuccessCard), outcome
        outcome.stop_polling()
    return json.loads(sent[0]["body"]) if sent[0]["body"].startswith("{") else sent[0]["body"]


def test_missing_callback_url_with_a_typed_url(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    assert isinstance(card, ErrorCard)
    assert "403 · missing_callback_url" in card.summary.value
    find(card, "smsnb-field-callback_url").value = "http://127.0.0.1:9/dlr"
    assert '+  "callback_url": "http://127.0.0.1:9/dlr"' in html.unescape(find(card, "smsnb-diff").value)
    body = fix_and_resend(card, embedded(ip).journal)
    assert body["callback_url"] == "http://127.0.0.1:9/dlr" and body["delivery_report"] == "full"


def test_missing_callback_url_with_the_sandbox_receiver(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report per_recipient_final").widget()
    find(card, "smsnb-choice").value = "receiver"
    body = fix_and_resend(card, embedded(ip).journal)
    assert body["callback_url"] == embedded(ip).credentials.receiver_url
    assert wait_for(lambda: embedded(ip).received_callbacks)


def test_missing_callback_url_by_turning_reports_off(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report summary").widget()
    find(card, "smsnb-choice").value = "off"
    body = fix_and_resend(card, embedded(ip).journal)
    assert body["delivery_report"] == "none" and "callback_url" not in body


def test_invalid_input_keeps_resend_disabled_with_its_message(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    url, resend = find(card, "smsnb-field-callback_url"), find(card, "smsnb-resend")
    assert resend.disabled  # empty
    url.value = "not a url"
    assert resend.disabled and "Not an http(s) URL" in find(card, "smsnb-field-message").value
    url.value = "https://example.com/dlr"
    assert not resend.disabled and find(card, "smsnb-field-message").value == ""


def test_invalid_number_prefilled_with_its_e164_form(ip):
    ip.run_line_magic("config", 'SmsMagic.default_country = "SE"')
    card = sms(ip, "'070-123 45 67' -m hi").widget()
    field = find(card, "smsnb-field-to-0")
    assert field.value == "+46701234567"
    assert field.description == "Recipient 1 (070-123 45 67, no country code)"  # its label
    body = fix_and_resend(card, embedded(ip).journal)
    assert body["to"] == ["+46701234567"]


def test_default_country_picker_changes_the_suggestion(ip):
    card = sms(ip, "'070-123 45 67' -m hi").widget()
    field, country = find(card, "smsnb-field-to-0"), find(card, "smsnb-country")
    assert field.value == "" and find(card, "smsnb-resend").disabled
    country.value = "SE"
    assert field.value == "+46701234567" and not find(card, "smsnb-resend").disabled


def test_illegal_number_type_shows_the_type_and_takes_another_number(ip):
    card = sms(ip, f"{triggers.FIXED_LINE} -m hi").widget()
    field = find(card, "smsnb-field-to-0")
    assert field.description == f"Recipient 1: a mobile number instead of {triggers.FIXED_LINE}"  # type: said once
    field.value = triggers.TOLL_FREE
    assert find(card, "smsnb-resend").disabled  # another number that cannot take SMS
    field.value = MOBILE
    assert fix_and_resend(card, embedded(ip).journal)["to"] == [MOBILE]


def test_invalid_json_is_edited_with_line_and_column_as_you_type(ip):
    card = sms(ip, "--json", '{"to": ["+46701234567"],\n "body": "hi",}').widget()
    editor = find(card, "smsnb-field-json")
    assert "line 2, column 15" in find(card, "smsnb-field-message").value
    assert find(card, "smsnb-resend").disabled
    editor.value = '{"to": ["+46701234567"],\n "body": "hi"}'
    assert find(card, "smsnb-field-message").value == ""
    assert fix_and_resend(card, embedded(ip).journal) == {"to": ["+46701234567"], "body": "hi"}
    assert posts(embedded(ip).journal)[-1]["body"] == '{"to": ["+46701234567"],\n "body": "hi"}'  # as typed


def test_constraint_violation_shows_the_field_with_its_limit(ip):
    card = sms(ip, f"{MOBILE} -m hi --client-reference {'r' * (MAX_CLIENT_REFERENCE + 2)}").widget()
    field = find(card, "smsnb-field-client_reference")
    assert field.description == f"Client reference (at most {MAX_CLIENT_REFERENCE} characters)"
    assert find(card, "smsnb-resend").disabled
    field.value = "ref-1"
    assert fix_and_resend(card, embedded(ip).journal)["client_reference"] == "ref-1"


def test_missing_body_in_raw_json_becomes_a_body_field(ip):
    card = sms(ip, "--json", '{"to": ["+46701234567"]}').widget()
    find(card, "smsnb-field-body").value = "now with a body"
    assert fix_and_resend(card, embedded(ip).journal) == {"to": ["+46701234567"], "body": "now with a body"}


def test_blocked_account_offers_no_resend(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", triggers.BLOCKED_SERVICE_PLAN_ID)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = sms(ip, f"{MOBILE} -m hi").widget()
    assert "account manager" in find(card, "smsnb-blocked").value
    assert not [x for x in walk(card) if "smsnb-resend" in x._dom_classes]
    assert not find(card, "smsnb-form").ready()


def test_401_takes_a_token_that_never_stays_in_widget_state(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", "wrong-token")
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = sms(ip, f"{MOBILE} -m hi").widget()
    token = find(card, "smsnb-field-api_token")
    assert type(token).__name__ == "Password"
    token.value = sandbox.api_token
    fix_and_resend(card, sandbox.journal)
    assert token.value == ""
    assert all(sandbox.api_token not in json.dumps(x.get_state(), default=str) for x in live_widgets(card))


def test_404_takes_the_service_plan(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "no-such-plan")
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = sms(ip, f"{MOBILE} -m hi").widget()
    assert "service plan id is unknown" in find(card, "smsnb-reason").value
    find(card, "smsnb-field-service_plan_id").value = sandbox.service_plan_id
    fix_and_resend(card, sandbox.journal)


def test_429_counts_down_then_retries(ip):
    card = sms(ip, f"{triggers.RATE_LIMITED} -m hi").widget()
    resend = find(card, "smsnb-resend")
    assert resend.disabled and "retry in" in find(card, "smsnb-countdown").value
    assert wait_for(lambda: not resend.disabled, timeout=4)
    assert "retry now" in find(card, "smsnb-countdown").value
    fix_and_resend(card, embedded(ip).journal)


@pytest.mark.parametrize("number", [triggers.SERVER_ERROR, triggers.UNAVAILABLE])
def test_5xx_retry(ip, number):
    card = sms(ip, f"{number} -m hi").widget()
    fix_and_resend(card, embedded(ip).journal)


def test_refused_connection_retry_after_the_server_is_back(ip, clean_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "smsnb-sandbox")
    clean_env.setenv("SINCH_API_TOKEN", "sandbox-token")
    clean_env.setenv("SMSNB_BASE_URL", f"http://127.0.0.1:{port}")
    result = sms(ip, f"{MOBILE} -m hi")
    assert result.code == "connection_refused"
    card = result.widget()
    with Sandbox(port=port) as box:
        fix_and_resend(card, box.journal)


def test_read_timeout_retry_needs_confirmation(ip):
    card = sms(ip, f"{triggers.SLOW} -m hi --timeout 0.3").widget()
    resend, confirm = find(card, "smsnb-resend"), find(card, "smsnb-confirm")
    assert resend.disabled
    resend.click()  # a click on a disabled button (e.g. from a stale frontend) sends nothing
    assert not card.chain.children
    confirm.value = True
    assert not resend.disabled
    fix_and_resend(card, embedded(ip).journal)


def test_double_click_sends_one_request(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-field-callback_url").value = "http://127.0.0.1:9/dlr"
    before = len(posts(embedded(ip).journal))
    resend = find(card, "smsnb-resend")
    resend.click()
    resend.click()
    assert len(posts(embedded(ip).journal)) == before + 1
    assert len(find(card, "smsnb-chain").children) == 1 and resend.disabled


def test_resend_from_a_background_click_while_in_flight_sends_once(ip):
    card = sms(ip, f"{triggers.SLOW} -m hi --timeout 0.3").widget()
    find(card, "smsnb-confirm").value = True
    resend = find(card, "smsnb-resend")
    clicks = [threading.Thread(target=resend.click) for _ in range(5)]
    before = len(posts(embedded(ip).journal))
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    assert len(posts(embedded(ip).journal)) == before + 1


def test_a_chain_of_two_errors_ends_in_success(ip):
    ip.run_line_magic("config", 'SmsMagic.default_country = "SE"')
    card = sms(ip, "0701234567 -m hi --delivery-report full").widget()
    assert "syntax_invalid_parameter_format" in card.summary.value
    fix_and_resend(card, embedded(ip).journal, expect_success=False)
    second = last_outcome(card)
    assert isinstance(second, ErrorCard) and "missing_callback_url" in second.summary.value
    find(second, "smsnb-field-callback_url").value = "http://127.0.0.1:9/dlr"
    body = fix_and_resend(second, embedded(ip).journal)
    assert body["to"] == ["+46701234567"] and body["callback_url"] == "http://127.0.0.1:9/dlr"


@pytest.mark.parametrize("number, final", [(MOBILE, "Delivered"), ("+46700000402", "Aborted")])
def test_delivery_status_goes_live_to_final(ip, number, final):
    card = sms(ip, f"{number} -m hi").widget()
    assert isinstance(card, SuccessCard)
    status = find(card, "smsnb-status")
    wait_for(lambda: final in status.value, timeout=5)
    assert "(final)" in status.value and card.final
    assert wait_for(lambda: not card._watcher.is_alive(), timeout=2)  # polling stops at final


def test_closing_the_card_stops_polling(ip):
    ip.run_line_magic("config", 'SmsMagic.backend = "sandbox"')
    result = sms(ip, f"{MOBILE} -m hi --sandbox")
    magic = ip.magics_manager.registry["SmsMagic"]
    magic.session.sandbox.stop()  # reports can no longer come: only closing can stop it
    card = result.widget()
    card.close()
    assert wait_for(lambda: not card._watcher.is_alive(), timeout=2)


@pytest.fixture
def sentinel_sandbox():
    """A sandbox whose API token is the sentinel: live-configured requests to it succeed."""
    with Sandbox(api_token=SENTINEL) as box:
        yield box


def test_copy_as_code_refers_to_the_token_by_name(ip, sentinel_sandbox, clean_env):
    sandbox = sentinel_sandbox
    clean_env.setenv("SINCH_API_TOKEN", SENTINEL)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-field-callback_url").value = "https://example.com/dlr"
    find(card, "smsnb-copy-toggle").value = True
    python, curl = find(card, "smsnb-copy-python").value, find(card, "smsnb-copy-curl").value
    assert "os.environ['SINCH_API_TOKEN']" in python and "$SINCH_API_TOKEN" in curl
    assert "https://example.com/dlr" in python and "https://example.com/dlr" in curl  # the corrected request
    assert SENTINEL not in python + curl
    namespace = {}
    runnable = python.replace("print(response.status_code, response.text)", "result = response")
    exec(compile(runnable, "copy", "exec"), namespace)  # it runs as it is, the token from the environment
    assert namespace["result"].status_code == 201
    assert json.loads(posts(sandbox.journal)[-1]["body"])["callback_url"] == "https://example.com/dlr"


def test_no_secret_in_any_widget_state(ip, sentinel_sandbox, clean_env):
    sandbox = sentinel_sandbox
    clean_env.setenv("SINCH_API_TOKEN", SENTINEL)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    lines = (f"{MOBILE} -m hi", "+1 -m hi", f"{MOBILE} -m hi --delivery-report full",
             f"{triggers.RATE_LIMITED} -m hi", f"{triggers.SLOW} -m x --timeout 0.3")
    cards = [sms(ip, line).widget() for line in lines]
    for card in cards:
        toggle = [x for x in walk(card) if "smsnb-copy-toggle" in getattr(x, "_dom_classes", ())]
        toggle[0].value = True
        for widget in live_widgets(card):
            assert SENTINEL not in json.dumps(widget.get_state(), default=str), type(widget).__name__
        if isinstance(card, SuccessCard):
            card.close()


def strange_sinch(index, path, headers, body):
    """First a code nobody has seen, then acceptance."""
    if index == 0:
        return 403, {"code": "brand_new_code", "text": "Something new."}
    return 201, {"id": "01STRANGE", "to": ["46701234567"], "body": "x"}


def test_unknown_code_edits_the_raw_json(ip, stand_in):
    strange = stand_in(strange_sinch)
    result = sms(ip, f"{MOBILE} -m hi")
    assert result.code == "brand_new_code" and result.backend == "LIVE"
    card = result.widget()
    editor = find(card, "smsnb-field-json")
    editor.value = editor.value.replace('"hi"', '"edited"')
    find(card, "smsnb-resend").click()
    assert len(strange.requests) == 2 and json.loads(strange.requests[1][2])["body"] == "edited"
    assert isinstance(last_outcome(card), SuccessCard)
    last_outcome(card).stop_polling()


def test_prints_of_a_callback_go_to_the_cards_output(ip, monkeypatch):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    entered = []
    monkeypatch.setattr(type(card.output), "__enter__", lambda self: entered.append(self))
    monkeypatch.setattr(type(card.output), "__exit__", lambda self, *exc: None)
    card._guarded(lambda: None)()
    assert entered == [card.output] and "smsnb-log" in card.output._dom_classes


def test_a_failing_callback_is_a_line_in_the_card_not_a_traceback(ip, capsys):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    card._guarded(lambda: 1 / 0)()
    assert "smsnb could not do that: division by zero" in find(card, "smsnb-problem").value
    assert "Traceback" not in capsys.readouterr().err


def test_in_a_kernel_the_bundle_is_the_widget_plus_stable_text_and_html(ip, monkeypatch):
    import smsnb.card.display

    result = sms(ip, "+1 -m hi")
    plain = result._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in plain  # terminal IPython: text and HTML
    monkeypatch.setattr(smsnb.card.display, "_in_kernel", lambda: True)
    bundle = result._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == result.widget().model_id
    assert bundle["text/plain"] == plain["text/plain"] and bundle["text/html"] == plain["text/html"]
    assert result.widget() is result.widget()  # built once


def rate_limited(retry_after):
    """A 429 card whose Retry-After is ``retry_after``, without a server."""
    from smsnb.card.outcome import Result
    from smsnb.card.widgets import card_for
    from smsnb.sinch.parse import error_from_answer
    from smsnb.sinch.request import SmsRequest

    error = error_from_answer(429, {"Retry-After": retry_after}, b"", None)
    return card_for(Result("LIVE", "send", SmsRequest((MOBILE,), "hi"), error=error))


@pytest.mark.parametrize("sent", ["inf", "1e308", "86400"])
def test_a_huge_retry_after_waits_at_most_an_hour_and_shows_what_was_sent(sent):
    card = rate_limited(sent)
    countdown = find(card, "smsnb-countdown")
    assert wait_for(lambda: "retry in" in countdown.value)
    assert f"the server sent &#34;{sent}&#34;; smsnb waits 3600 s" in countdown.value
    assert "retry in 3600 s" in countdown.value or "retry in 3599 s" in countdown.value
    card.close()
    assert wait_for(lambda: not card.form._ticker.is_alive(), timeout=1)


def test_closing_the_card_ends_the_countdown(ip):
    card = sms(ip, f"{triggers.RATE_LIMITED} -m hi").widget()
    assert "Retry after: 2 s" in find(card, "smsnb-countdown").value
    card.close()
    assert wait_for(lambda: not card.form._ticker.is_alive(), timeout=0.5)
    assert find(card, "smsnb-resend").disabled  # closed: no "retry now" from a stopped countdown


def looking_card(ip, monkeypatch, found):
    """A read timeout (the SMS may have been sent), with the session's batch search answering ``found``."""
    session = ip.magics_manager.registry["SmsMagic"].session
    looked = []

    def find_batches(result):
        looked.append(result)
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(session, "find_batches", find_batches, raising=False)
    card = sms(ip, f"{triggers.SLOW} -m hi --timeout 0.3").widget()
    assert isinstance(find(card, "smsnb-form").spec, forms.LookFirst)
    return card, looked


def test_may_have_been_sent_looks_first_and_finding_nothing_enables_resend(ip, monkeypatch):
    card, looked = looking_card(ip, monkeypatch, [])
    resend, journal = find(card, "smsnb-resend"), embedded(ip).journal
    before = len(posts(journal))
    assert resend.disabled and "Look first" in find(card, "smsnb-confirm-note").value
    find(card, "smsnb-look").click()
    assert looked == [card.result] and "No batch matches" in find(card, "smsnb-matches").value
    assert not resend.disabled and len(posts(journal)) == before  # enabled, never sent by itself
    fix_and_resend(card, journal)


def test_a_matching_batch_keeps_resend_off_until_a_duplicate_is_accepted(ip, monkeypatch):
    batch = {"id": "01MATCH", "created_at": "2026-01-01T00:00:00Z", "to": ["46701234567"], "body": "hi"}
    card, _ = looking_card(ip, monkeypatch, [batch])
    find(card, "smsnb-look").click()
    matches = find(card, "smsnb-matches").value
    assert "01MATCH" in matches and "2026-01-01T00:00:00Z" in matches and "46701234567" in matches
    assert find(card, "smsnb-resend").disabled
    find(card, "smsnb-confirm").value = True
    fix_and_resend(card, embedded(ip).journal)


def test_a_failed_look_says_so_and_leaves_the_choice_to_the_person(ip, monkeypatch):
    card, _ = looking_card(ip, monkeypatch, RuntimeError("still unreachable"))
    find(card, "smsnb-look").click()
    assert "Could not list the batches: still unreachable" in find(card, "smsnb-matches").value
    assert find(card, "smsnb-resend").disabled and not card.problem.value
    find(card, "smsnb-confirm").value = True
    assert not find(card, "smsnb-resend").disabled


def test_a_callback_url_named_by_sinch_is_a_plain_field(ip):
    card = sms(ip, f"{MOBILE} -m hi --callback-url not-a-url").widget()
    field = find(card, "smsnb-field-callback_url")
    assert isinstance(card.form.spec, forms.Fields) and find(card, "smsnb-resend").disabled
    field.value = "https://example.com/dlr"
    assert fix_and_resend(card, embedded(ip).journal)["callback_url"] == "https://example.com/dlr"


def test_look_first_with_the_real_session_finds_the_timed_out_batch(ip):
    session = ip.magics_manager.registry["SmsMagic"].session
    session.sandbox = Sandbox(slow_seconds=0.5).start()  # its slow trigger creates the batch, answers late
    try:
        card = sms(ip, f"{triggers.SLOW} -m 'maybe sent' --timeout 0.1").widget()
        look, matches = find(card, "smsnb-look"), find(card, "smsnb-matches")

        def looked_and_found():
            look.click()
            return "1 matching batch" in matches.value
        assert wait_for(looked_and_found, timeout=5) and "46700000504" in matches.value
        assert find(card, "smsnb-resend").disabled  # found: a resend would be a duplicate
        assert len(posts(session.sandbox.journal)) == 1
    finally:
        session.sandbox.stop()
