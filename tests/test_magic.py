"""%sms on a real InteractiveShell, against the embedded sandbox over HTTP on 127.0.0.1."""
import pytest
from IPython.core.error import UsageError

from smsnb.card.outcome import Message, Result
from smsnb.knowledge.rules import MAX_CLIENT_REFERENCE
from smsnb.sandbox import triggers
from tests.conftest import html_of, sms, text_of

MOBILE = triggers.ORDINARY_MOBILE


def test_load_registers_one_line_cell_magic_and_unload_removes_it(ip):
    assert "sms" in ip.magics_manager.magics["line"] and "sms" in ip.magics_manager.magics["cell"]
    ip.run_line_magic("unload_ext", "smsnb")
    assert "sms" not in ip.magics_manager.magics["line"] and "sms" not in ip.magics_manager.magics["cell"]
    ip.run_line_magic("load_ext", "smsnb")
    assert "sms" in ip.magics_manager.magics["line"]


def test_unload_stops_the_embedded_sandbox(ip):
    sms(ip, f"{MOBILE} -m hi")
    magic = ip.magics_manager.registry["SmsMagic"]
    sandbox = magic.session.sandbox
    assert sandbox.running
    ip.run_line_magic("unload_ext", "smsnb")
    assert not sandbox.running
    ip.run_line_magic("load_ext", "smsnb")


def test_help_shows_options_subcommands_and_examples(ip):
    doc = ip.find_line_magic("sms").__doc__
    for needle in ("--from", "--delivery-report", "--callback-url", "--client-reference", "--dry-run",
                   "--timeout", "--json", "--sandbox", "--live", "%sms explain CODE", "%sms history",
                   "%%sms --json", "%%sms only: the cell is the raw JSON request",
                   '%sms +46701234567 -m "Hello"', "SmsMagic.region",
                   "--param NAME=VALUE", "NAME@MSISDN=VALUE", "--max-parts N", "--truncate", "--send-at TIME",
                   "--expire-at TIME", "--param name=there --param name@+46701234567=Anna",
                   "--max-parts 1 --truncate", "--send-at 2030-01-31T09:00:00Z --expire-at",
                   "%sms report [N | BATCH_ID]", "%sms explain 405", "%sms explain Aborted"):
        assert needle in doc, needle


def test_send_returns_a_result_held_in_underscore(ip):
    ip.run_cell(f'%sms {MOBILE} -m "hi there"')
    result = ip.user_ns["_"]
    assert isinstance(result, Result) and result.ok and result.status == 201 and len(result.batch_id) == 26
    text = text_of(result)
    assert text.startswith("SANDBOX · 201 · batch created") and "46701234567" in text
    assert f"batch id: {result.batch_id}" in text  # notebooks/sanitize.cfg masks it for nbval
    assert result.batch_id in html_of(result) and "SANDBOX" in html_of(result)


def test_cell_body_and_no_var_expand(ip):
    result = sms(ip, MOBILE, "Costs $5 and {braces}\n")
    assert result.ok and result.data["body"] == "Costs $5 and {braces}"
    assert sms(ip, f"{MOBILE} -m '$HOME {{x}}'").data["body"] == "$HOME {x}"


def test_all_send_options_reach_the_request(ip):
    box_receiver = "http://127.0.0.1:9/cb"
    result = sms(ip, f"{MOBILE} -m hi --from Acme --delivery-report full --callback-url {box_receiver} "
                     f"--client-reference ref-7")
    assert result.ok
    assert {k: result.data[k] for k in ("from", "delivery_report", "callback_url", "client_reference")} == \
        {"from": "Acme", "delivery_report": "full", "callback_url": box_receiver, "client_reference": "ref-7"}


def test_dry_run_card_names_the_characters_that_forced_unicode(ip):
    result = sms(ip, f"--dry-run {MOBILE} -m 'It’s fine 😀'")
    assert result.ok and result.action == "dry_run" and result.batch_id is None
    text = text_of(result)
    assert "dry run" in text and "unicode (UCS-2)" in text
    assert "forced by" in text and "unicode (UCS-2)  ’ 😀" in text and "nothing sent" in text
    assert sms(ip, "sandbox journal 1").value[0]["path"].endswith("/batches/dry_run")


def test_raw_json_is_sent_byte_for_byte_and_reproduces_invalid_json(ip):
    cell = '{"to": ["+46701234567"],\n "body": "hi", }'
    result = sms(ip, "--json", cell)
    assert result.code == "syntax_invalid_json" and result.status == 400
    journal = ip.magics_manager.registry["SmsMagic"].session.sandbox.journal.entries()
    assert journal[-1]["body"] == cell
    assert "line 2, column 16" in text_of(result)


# One test per catalog entry that the sandbox can trigger through %sms: status, code, card text.
@pytest.mark.parametrize("line, status, key, card", [
    ("+1 -m hi", 400, "syntax_invalid_parameter_format", "> " + '    "+1"'),
    (f"{MOBILE} -m hi --delivery-report sometimes", 400, "syntax_invalid_parameter_format",
     '>   "delivery_report": "sometimes"'),
    (f"{MOBILE} -m hi --client-reference {'r' * (MAX_CLIENT_REFERENCE + 1)}", 400,
     "syntax_constraint_violation",
     '>   "client_reference"'),
    (f"{MOBILE} -m hi --delivery-report full", 403, "missing_callback_url", '>   "callback_url": (missing)'),
    (f"{triggers.FIXED_LINE} -m hi", 403, "illegal_number_type", "is a fixed line number"),
    (f"{triggers.UNKNOWN_GROUP_ID} -m hi", 403, "unknown_group", "Unknown group ID"),
    (f"{triggers.RATE_LIMITED} -m hi", 429, "http_429", "Retry after: 2 s"),
    (f"{triggers.SERVER_ERROR} -m hi", 500, "http_500", "Sinch had an internal error"),
    (f"{triggers.UNAVAILABLE} -m hi", 503, "http_503", "Sinch is unavailable"),
    (f"{triggers.DROPPED} -m hi", None, "connection_dropped", "may have been sent"),
    (f"{triggers.SLOW} -m hi --timeout 0.3", None, "timeout_read",
     "within 0.3 s; the SMS may have been sent."),
])
def test_each_triggerable_entry_shows_its_card(ip, line, status, key, card):
    result = sms(ip, line)
    assert (result.status, result.code) == (status, key)
    text = text_of(result)
    head = f"SANDBOX · {status} · {key}:" if status else f"SANDBOX · {key}:"
    assert text.startswith(head) and card in text, text
    assert "What to do:" in text and "Docs: https://" in text
    assert "<" not in text_of(result).split("\n")[0]
    assert "smsnb-error" in html_of(result)


def test_blocked_account_card(ip, sandbox, clean_env):
    ip.run_line_magic("config", f'SmsMagic.base_url = "{sandbox.url}"')
    ip.run_line_magic("config", f'SmsMagic.service_plan_id = "{triggers.BLOCKED_SERVICE_PLAN_ID}"')
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    result = sms(ip, f"{MOBILE} -m hi")
    assert (result.status, result.code, result.backend) == (403, "blocked_account", "SANDBOX")
    assert "Contact your Sinch account manager" in text_of(result)


def test_401_and_404_cards(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", "wrong-token")
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    result = sms(ip, f"{MOBILE} -m hi")
    assert (result.status, result.code) == (401, "http_401")
    assert "Not authorized" in text_of(result) and "wrong-token" not in text_of(result) + html_of(result)
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "no-such-plan")
    result = sms(ip, f"{MOBILE} -m hi")
    assert (result.status, result.code) == (404, "http_404")
    assert "Most likely here: The service plan id is unknown here" in text_of(result)


def test_api_errors_do_not_raise_by_default_but_can(ip):
    assert sms(ip, "+1 -m hi").code == "syntax_invalid_parameter_format"
    ip.run_line_magic("config", "SmsMagic.raise_on_error = True")
    from smsnb.sinch.errors import BadRequestError

    with pytest.raises(BadRequestError) as caught:
        sms(ip, "+1 -m hi")
    lines = caught.value._render_traceback_()
    assert lines[0].startswith("BadRequestError: 400 syntax_invalid_parameter_format") and len(lines) == 2


def test_raise_on_error_shows_the_short_text_in_a_cell(ip, capsys):
    ip.run_line_magic("config", "SmsMagic.raise_on_error = True")
    outcome = ip.run_cell("%sms +1 -m hi")
    assert outcome.error_in_exec is not None
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    assert "400 syntax_invalid_parameter_format" in shown and "Traceback" not in shown


def test_history_lists_outcomes_and_gives_rows_back(ip):
    sms(ip, f"{MOBILE} -m one")
    sms(ip, "+1 -m two")
    table = sms(ip, "history")
    text = text_of(table)
    assert "SANDBOX" in text and "201" in text and "syntax_invalid_parameter_format" in text
    second = sms(ip, "history 1")
    assert isinstance(second, Result) and second.code == "syntax_invalid_parameter_format"
    again = sms(ip, "history 0").resend()
    assert again.ok and again is not sms(ip, "history 0") and len(sms(ip, "history").value) == 3
    with pytest.raises(UsageError, match=r"No history row 9: rows are 0 to 2\. Usage: %sms history \[N\]"):
        sms(ip, "history 9")


def test_history_row_out_of_range_says_the_range(ip):
    with pytest.raises(UsageError, match="No history row 0: there are no requests yet. Usage:"):
        sms(ip, "history 0")
    sms(ip, f"{MOBILE} -m one")
    assert sms(ip, "history 000000").ok
    with pytest.raises(UsageError, match="rows are 0 to 0"):
        sms(ip, "history 999999")


def test_journal_count_is_checked_and_used(ip):
    for _ in range(3):
        sms(ip, f"--dry-run {MOBILE} -m hi")
    assert len(sms(ip, "sandbox journal 2").value) == 2
    assert len(sms(ip, "sandbox journal 999999").value) == 3
    assert sms(ip, "sandbox journal 0").value == []
    with pytest.raises(UsageError, match="Journal takes a number"):
        sms(ip, "sandbox journal ²")


def test_resend_with_a_change(ip):
    failed = sms(ip, "+1 -m hi")
    fixed = failed.resend(to=(MOBILE,))
    assert fixed.ok and fixed.data["to"] == ["46701234567"]


def test_explain_a_number_with_two_meanings_says_both_and_how_to_ask_for_one(ip):
    both = sms(ip, "explain 405")
    text = text_of(both)
    assert text.startswith("405 has 2 meanings:")
    assert "http_405      HTTP 405: Sinch's answer to the request" in text and "Method not allowed" in text
    assert "delivery_405  delivery-report code 405 (Aborted): after a 201" in text
    assert "Unmatched parameter" in text
    assert "Ask for one: %sms explain http_405, or %sms explain delivery_405" in text
    assert "Unmatched parameter" in html_of(both) and "Method not allowed" in html_of(both)
    assert text_of(sms(ip, "explain http_405")).startswith("405 · http_405\nMethod not allowed")
    assert text_of(sms(ip, "explain delivery_405")).startswith("delivery 405 · Aborted\nUnmatched parameter")


def test_explain_a_delivery_code_and_a_status(ip):
    code = sms(ip, "explain 402")
    assert text_of(code).startswith("delivery 402 · Aborted\nMessage unroutable\nWhat it means: The SMSC")
    assert "Fields to change: to" in text_of(code) and "delivery-report-error-codes" in html_of(code)
    for word in ("Aborted", "aborted", "status_aborted"):
        status = text_of(sms(ip, f"explain {word}"))
        assert status.startswith("delivery status Aborted\nAborted\nWhat it means: Aborted: stopped"), word
    assert text_of(sms(ip, "explain Queued")).startswith("delivery status Queued (not final)")
    assert text_of(sms(ip, "explain 429")).startswith("429 · http_429")  # an HTTP status alone: one meaning


@pytest.mark.parametrize("word, message", [
    ("9999", "No catalog entry '9999'. A delivery-report code outside 0 and 400 to 413 is the carrier's own"),
    ("http_402", "No catalog entry 'http_402'. Did you mean delivery_402"),
    ("delivery_429", "Did you mean http_429"),
    ("Abortd", "Did you mean Aborted?"),
])
def test_explain_of_an_unknown_key_is_a_usage_error_with_what_is_close(ip, word, message):
    with pytest.raises(UsageError) as caught:
        sms(ip, f"explain {word}")
    assert message in str(caught.value) and "Usage: %sms explain CODE" in str(caught.value)


def test_errors_lists_request_time_errors_and_delivery_codes_and_statuses_apart(ip):
    listing = sms(ip, "errors")
    request, delivery = text_of(listing).split("\n\nDelivery-report codes and statuses: ")
    assert request.startswith("Request-time errors: Sinch answers the request itself with an error")
    assert "http_405" in request and "syntax_invalid_json" in request and "delivery_" not in request
    for key in ("delivery_0", "delivery_402", "delivery_413", "status_aborted", "status_unknown"):
        assert key in delivery, key
    assert "http_" not in delivery and "syntax_" not in delivery
    assert "Request-time errors" in html_of(listing)
    assert "Delivery-report codes and statuses" in html_of(listing)


def test_explain_and_errors(ip):
    card = sms(ip, "explain missing_callback_url")
    assert isinstance(card, Message)
    assert text_of(card).startswith("403 · missing_callback_url\nDelivery report needs a callback URL")
    assert "callback_url" in html_of(card)
    with pytest.raises(UsageError, match="Did you mean missing_callback_url"):
        sms(ip, "explain missing_calback_url")
    table = text_of(sms(ip, "errors"))
    for key in ("syntax_invalid_json", "blocked_account", "http_429", "timeout_read", "unknown_code"):
        assert key in table


# Each batch option reaches the sandbox as exactly the Sinch field it names.
@pytest.mark.parametrize("options, fields", [
    ("--param name=there", {"parameters": {"name": {"default": "there"}}}),
    ("--param name@+46701234567=Anna --param name=there --param code@46701234568=7",
     {"parameters": {"name": {"+46701234567": "Anna", "default": "there"}, "code": {"46701234568": "7"}}}),
    ("--max-parts 2", {"max_number_of_message_parts": 2}),
    ("--max-parts 1 --truncate", {"max_number_of_message_parts": 1, "truncate_concat": True}),
    ("--send-at 2099-01-31T09:00:00Z", {"send_at": "2099-01-31T09:00:00Z"}),
    ("--send-at 2099-01-31T09:00:00+01:00 --expire-at 2099-01-31T10:30:00.250+01:00",
     {"send_at": "2099-01-31T09:00:00+01:00", "expire_at": "2099-01-31T10:30:00.250+01:00"}),
])
def test_each_batch_option_reaches_the_sandbox_exactly(ip, options, fields):
    import json

    result = sms(ip, f"{MOBILE} +46701234568 -m 'Hi ${{name}}' {options}")
    assert result.ok, text_of(result)
    journal = ip.magics_manager.registry["SmsMagic"].session.sandbox.journal.entries()
    assert json.loads(journal[-1]["body"]) == {"to": [MOBILE, "+46701234568"], "body": "Hi ${name}", **fields}


def test_batch_options_reach_a_dry_run_too(ip):
    result = sms(ip, f"--dry-run {MOBILE} -m 'Hi ${{name}}' --param name=Anna --max-parts 1 --truncate")
    assert result.ok and result.action == "dry_run"
    journal = ip.magics_manager.registry["SmsMagic"].session.sandbox.journal.entries()
    assert '"parameters": {"name": {"default": "Anna"}}' in journal[-1]["body"]


def test_sandbox_subcommand(ip):
    assert "not running" in text_of(sms(ip, "sandbox"))
    sms(ip, "sandbox start")
    assert "Sandbox running" in text_of(sms(ip, "sandbox status"))
    assert "403 missing_callback_url" in text_of(sms(ip, "sandbox triggers"))
    sms(ip, f"{MOBILE} -m hi")
    journal = sms(ip, "sandbox journal")
    assert "POST" in text_of(journal) and len(journal.value) == 1
    sms(ip, "sandbox reset")
    assert sms(ip, "sandbox journal").value == []
    assert text_of(sms(ip, "sandbox stop")) == "Sandbox stopped."
    assert sms(ip, f"{MOBILE} -m 'restarted on first use'").ok


def inbounds_of(ip) -> list:
    """GET /inbounds of the embedded sandbox's plan, over HTTP."""
    import requests

    box = ip.magics_manager.registry["SmsMagic"].session.sandbox
    return requests.get(f"{box.url}/xms/v1/{box.service_plan_id}/inbounds", timeout=5,
                        headers={"Authorization": f"Bearer {box.api_token}"}).json()["inbounds"]


def test_sandbox_inbound_makes_an_sms_arrive_that_get_inbounds_lists(ip):
    arrived = sms(ip, f"sandbox inbound {MOBILE} -m 'STOP please'")
    inbound = arrived.value
    assert (inbound["type"], inbound["from"], inbound["to"], inbound["body"]) == (
        "mo_text", MOBILE[1:], triggers.SANDBOX_NUMBER[1:], "STOP please")
    assert f"Inbound SMS {inbound['id']} from {MOBILE[1:]}" in text_of(arrived)
    assert inbounds_of(ip) == [inbound]
    assert sms(ip, f"sandbox inbound -m again {MOBILE}").value["body"] == "again"


def test_sandbox_inbound_from_a_wrong_number_says_why_and_nothing_arrives(ip):
    refused = sms(ip, "sandbox inbound 0701234567 -m hi")
    assert text_of(refused).startswith("No inbound SMS arrived: ") and "'from'" in text_of(refused)
    assert refused.value is None and inbounds_of(ip) == []


@pytest.mark.parametrize("line, cell, message", [
    (f"{MOBILE}", None, "No message body"),
    ("-m hi", None, "No recipient"),
    (f"{MOBILE} -m hi --bogus", None, "Unrecognized arguments: --bogus"),
    (f"{MOBILE} -m hi there", None, 'Unrecognized arguments: there (put quotes around a body with spaces'),
    (f"{MOBILE} -m hi --timeout 0", None, "--timeout must be more than 0"),
    (f"{MOBILE} -m hi --timeout 46701234567", None, "at most 3600 seconds"),
    (f"{MOBILE} -m hi --timeout soon", None, "Argument --timeout: invalid float value"),
    (f"{MOBILE} --sandbox --live -m hi", None, "Choose one of --sandbox and --live"),
    (f"{MOBILE} -m 'unclosed", None, "close every quote"),
    (f"{MOBILE} -m hi", "and a cell", "not both"),
    ("--json", None, "--json takes the raw JSON request from the cell"),
    (f"--json {MOBILE}", "{}", "put recipients and fields in the JSON"),
    ("--json --dry-run", '{"to": ["+46701234567"], "body": "x"}', "--dry-run takes recipients and a body"),
    ("explain", None, "Usage: %sms explain CODE"),
    ("sandbox fly", None, "Unknown sandbox action"),
    ("history x", None, "History takes a row number"),
    ("history ²", None, "History takes a row number from 0 to 999999, not '²'"),
    ("history ١", None, "History takes a row number"),
    ("history " + "9" * 4301, None, "History takes a row number from 0 to 999999, not '999"),
    ("sandbox journal ²", None, "Journal takes a number of requests from 0 to 999999, not '²'"),
    ("sandbox journal " + "9" * 4301, None, "Journal takes a number of requests"),
    ("sandbox status 3", None, "Only 'journal' takes a number"),
    ("sandbox inbound", None, "An inbound SMS takes the number it comes from and -m BODY"),
    (f"sandbox inbound {MOBILE} hi", None, "An inbound SMS takes the number it comes from and -m BODY"),
    ("sandbox journal 1 2", None, "Wrong number of arguments for sandbox"),
    ("explain " + "x" * 5000, None, "No catalog entry 'xxx"),
    ("login --" + "p" * 5000 + " x", None, "Unknown login option '--ppp"),
    (f"{MOBILE} -m hi --param name", None, "--param takes NAME=VALUE (every recipient) or NAME@MSISDN=VALUE"),
    (f"{MOBILE} -m hi --max-parts 0", None, "--max-parts takes a whole number from 1 to 999999, not '0'"),
    (f"{MOBILE} -m hi --max-parts", None, "Argument --max-parts: expected one argument"),
    (f"{MOBILE} -m hi --send-at 9am", None, "--send-at takes an ISO-8601 time with a zone"),
    (f"{MOBILE} -m hi --expire-at 2030-01-31T09:00", None, "--expire-at takes an ISO-8601 time with a zone"),
    ("report x/y", None, "Report takes a history row number or a batch id"),
    ("report 2 --live", None, "--live goes with a batch id"),
])
def test_bad_syntax_is_a_one_line_usage_error(ip, line, cell, message):
    with pytest.raises(UsageError) as caught:
        sms(ip, line, cell)
    text = str(caught.value)
    assert message in text and "\n" not in text and "Usage:" in text


def test_bad_syntax_sends_nothing(ip):
    sms(ip, "sandbox start")
    with pytest.raises(UsageError):
        sms(ip, f"{MOBILE} -m hi --bogus")
    assert sms(ip, "sandbox journal").value == []


def test_hints_are_shown_never_applied(ip):
    result = sms(ip, "'+46 70-123 45 67' -m hi")
    assert result.ok
    hint = "'+46 70-123 45 67' is a mobile number in Sweden; Sinch wants E.164: +46701234567"
    assert hint in text_of(result)
    journal = ip.magics_manager.registry["SmsMagic"].session.sandbox.journal.entries()
    assert '"+46 70-123 45 67"' in journal[-1]["body"]


def test_default_country_suggests_an_e164_form(ip):
    ip.run_line_magic("config", 'SmsMagic.default_country = "SE"')
    result = sms(ip, "070-123 45 67 -m hi".replace("070-123 45 67", "'070-123 45 67'"))
    assert result.code == "syntax_invalid_parameter_format"
    assert "read as a number of SE it is +46701234567" in text_of(result)


def test_resend_raw_json_from_code(ip):
    broken = sms(ip, "--json", '{"to": [}')
    fixed = broken.resend(raw='{"to": ["+46701234567"], "body": "fixed in code"}')
    assert fixed.ok and fixed.data["body"] == "fixed in code"
    with pytest.raises(ValueError, match="resend it with raw="):
        broken.resend(body="x")


def test_delivery_status_from_code(ip):
    from tests.conftest import wait_for

    result = sms(ip, f"{MOBILE} +46700000402 -m hi")
    assert wait_for(lambda: set(result.delivery_status().values()) <= {"Delivered", "Aborted"} and
                    len(result.delivery_status()) == 2)
    assert result.delivery_status() == {"46701234567": "Delivered", "46700000402": "Aborted"}
    with pytest.raises(RuntimeError, match="Only a sent batch"):
        sms(ip, "+1 -m x").delivery_status()


def test_find_batches_finds_the_batch_a_send_created_and_only_it(ip):
    session = ip.magics_manager.registry["SmsMagic"].session
    first = sms(ip, f"{MOBILE} -m hi --client-reference ref-a")
    sms(ip, f"{MOBILE} -m hi --client-reference ref-b")
    sms(ip, f"{MOBILE} -m hi")
    found = session.find_batches(first)
    assert [batch["id"] for batch in found] == [first.batch_id]
    plain = sms(ip, "'+46 70-123 45 67' -m 'same body'")  # Sinch echoes the number as 46701234567
    sms(ip, f"{MOBILE} -m 'another body'")
    sms(ip, "+46701234568 -m 'same body'")
    assert [batch["id"] for batch in session.find_batches(plain)] == [plain.batch_id]
    assert session.find_batches(sms(ip, "--dry-run +46701234567 -m 'never sent'")) == []


def test_find_batches_finds_what_a_timed_out_send_created_without_resending(ip):
    from smsnb.sandbox import Sandbox
    from tests.conftest import wait_for

    session = ip.magics_manager.registry["SmsMagic"].session
    session.sandbox = Sandbox(slow_seconds=0.5).start()  # its slow trigger answers, late, after 0.5 s
    result = sms(ip, f"{triggers.SLOW} -m 'maybe sent' --timeout 0.1")
    assert result.code == "timeout_read"
    found = wait_for(lambda: session.find_batches(result), timeout=5)
    assert [batch["to"] for batch in found] == [["46700000504"]] and found[0]["body"] == "maybe sent"
    posts = [e for e in session.sandbox.journal.entries() if e["method"] == "POST"]
    assert len(posts) == 1


def test_find_batches_skips_batches_from_before_the_send(ip):
    session = ip.magics_manager.registry["SmsMagic"].session
    older = sms(ip, f"{MOBILE} -m 'same again'")
    newer = sms(ip, f"{MOBILE} -m 'same again'")
    # Both are within the margin of the second send's time, newest first.
    assert [b["id"] for b in session.find_batches(newer)] == [newer.batch_id, older.batch_id]
    from datetime import timedelta

    newer.at += timedelta(minutes=5)  # as if sent five minutes later: both batches are from before it
    assert session.find_batches(newer) == []


def test_sends_to_the_embedded_sandbox_ignore_proxy_settings(ip, monkeypatch):
    from tests.conftest import LocalServer

    proxy = LocalServer(lambda index, path, headers, body: (502, None))
    try:
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        result = sms(ip, f"{MOBILE} -m 'not through a proxy'")
        assert result.ok and result.status == 201
        assert proxy.requests == []  # the proxy never saw the request, nor the sandbox token
    finally:
        proxy.close()


def test_an_unknown_subcommand_reaching_the_router_is_a_usage_error_listing_the_names():
    from smsnb.ipython import command
    from smsnb.ipython.magic import route

    with pytest.raises(UsageError) as caught:
        route(None, command.Subcommand("bogus"))
    text = str(caught.value)
    assert "Unknown subcommand 'bogus'" in text and "Usage:" in text and "\n" not in text
    assert all(name in text for name in command.SUBCOMMANDS)


def test_every_subcommand_of_the_grammar_has_a_route():
    from smsnb.ipython import command
    from smsnb.ipython.magic import ROUTES

    assert list(ROUTES) == list(command.SUBCOMMANDS)
