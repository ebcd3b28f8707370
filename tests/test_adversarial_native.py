"""A hostile user and a hostile server against what issue 13 added: copy as code, Enter to resend,
folding a resolved card, the forms' disabled fields, help, and tables.

Each defect found has a test here that failed before its fix; the sweeps that held stay as tests
too, so that a later change cannot break what they check."""
import json
import os
import shlex
import subprocess
import threading
import warnings

import ipywidgets as w
import pytest

from smsnb.card import forms
from smsnb.card.copy_as_code import SANDBOX_URL, Target, code_for
from smsnb.card.forms import Context, form_for
from smsnb.card.outcome import Message
from smsnb.card.table import table_html, table_text, width
from smsnb.sandbox import triggers
from tests.conftest import LocalServer, sms, text_of, wait_for
from tests.test_forms_native import enter
from tests.test_widgets import SENTINEL, embedded, find, posts

MOBILE = triggers.ORDINARY_MOBILE
HOSTILE = ["a'b", 'a"b', "a`id`b", "$(touch PWNED)", "\\", "x\\'y", "line1\nline2", "nul\x00x", '"""',
           "'''", "ünï😀漢", "x" * 20_000, "\r\n", "a\\nb", "}\n{", "$HOME", "!!", "%s {x} %(y)s",
           "\x1b[31m\x9b31m\x7f", "\u202eevil\u2066", "\u2028\u2029\x85", "--data @/etc/passwd"]


def hostile_body(value):
    return {"to": [MOBILE], "from": value, "body": value, "callback_url": value, "client_reference": value,
            "parameters": {value: {"default": value}}}


def open_widgets():
    """Every widget of the kernel that is still open: its state is what a frontend (or a saved
    notebook's widget state) can get."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Widget.widgets: the registry of them all
        return {key: widget for key, widget in w.Widget.widgets.items() if widget.comm is not None}


# --- copy as code ------------------------------------------------------------------------------

def curl_data(curl: str) -> bytes:
    """What the copied curl sends: run by a POSIX sh (dash) with curl swapped for a stand-in that
    writes its --data-binary argument (or, for @-, its standard input) out as it gets it."""
    fake = ('curl() { while [ $# -gt 0 ]; do if [ "$1" = --data-binary ]; then '
            'if [ "$2" = @- ]; then cat; else printf %s "$2"; fi; fi; shift; done; }\n')
    done = subprocess.run(["sh", "-c", fake + curl], capture_output=True, env={"PATH": os.environ["PATH"]},
                          check=True, cwd="/tmp")
    return done.stdout


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("route", ["LIVE", "SANDBOX"])
def test_copied_code_sends_exactly_the_hostile_value_and_runs_nothing(value, route, tmp_path):
    body = hostile_body(value)
    python, curl = code_for(body, Target("https://eu.sms.api.sinch.com", "plan'$(id)"), route)
    compile(python, "copy", "exec")  # valid Python
    start, end = python.index("data=") + len("data="), python.index(".encode('utf-8')")
    sent = eval(python[start:end], {"body": python and _body_of(python)})  # the literal as Python reads it
    assert json.loads(sent) == body
    assert json.loads(curl_data(curl).decode("utf-8")) == body  # a POSIX shell reads the same value
    assert not (tmp_path / "PWNED").exists() and not os.path.exists("/tmp/PWNED")


def _body_of(python: str):
    """The sandbox copy's ``body = ...`` value, for its ``data=body...`` expression."""
    if "\nbody = " not in python:
        return None
    source = python[python.index("\nbody = "):python.index("\nwith Sandbox()")]
    scope = {}
    exec(source, scope)
    return scope["body"]


@pytest.mark.parametrize("route", ["LIVE", "SANDBOX"])
def test_the_copied_curl_shows_no_character_that_acts_on_a_terminal(route):
    """DEL, C1 controls (\\x9b is an 8-bit CSI), bidi overrides and line separators sat raw in the
    single-quoted data: pasted, a terminal can act on them or show the line reordered."""
    body = hostile_body("\x7f\x9b31m\u202edlr\u2066\u2028\x85")
    _, curl = code_for(body, Target("https://eu.sms.api.sinch.com", "p"), route)
    assert not any(c in curl for c in "\x7f\x9b\u202e\u2066\u2028\x85")
    assert json.loads(curl_data(curl).decode("utf-8")) == body


def test_a_raw_body_copies_byte_for_byte_even_with_controls_in_it():
    """A %%sms --json body is sent as typed: its curl sends the same bytes, NUL and ESC included,
    without a raw control character in the command."""
    raw = '{"to": ["+46701234567"], "body": "a\x00b\x1b[31m\u202e %s %% \\\\ \'q\' $(id)"}\n\ttail\r\n'
    python, curl = code_for(raw, Target("https://eu.sms.api.sinch.com", "p"), "LIVE")
    assert not any(c in curl.replace("\n", "") for c in "\x00\x1b\u202e\r\t")
    assert curl_data(curl) == raw.encode("utf-8")
    start, end = python.index("data=") + len("data="), python.index(".encode('utf-8')")
    assert eval(python[start:end]) == raw


def test_copied_python_runs_against_a_server_and_sends_the_value():
    server = LocalServer(lambda index, path, headers, body: (201, {"id": "01X"}))
    try:
        body = hostile_body("q'\"`$(id)\\\n\x00\"\"\"😀")
        python, _ = code_for(body, Target(server.url, "p"), "LIVE")
        os.environ["SINCH_API_TOKEN"] = "from-the-environment"
        try:
            exec(compile(python.replace("print(", "(print)("), "copy", "exec"), {})
        finally:
            del os.environ["SINCH_API_TOKEN"]
        path, headers, sent = server.requests[-1]
        assert json.loads(sent) == body and headers["Authorization"] == "Bearer from-the-environment"
    finally:
        server.close()


def test_copy_of_a_sandbox_card_after_stop_starts_no_sandbox_and_shows_no_port(ip):
    """The copy asked the session for the target: with the sandbox stopped, that started a new one,
    and the receiver's URL kept the stopped sandbox's port."""
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    port = embedded(ip).url.rsplit(":", 1)[1]
    find(card, "smsnb-choice").value = "receiver"
    sms(ip, "sandbox stop")
    find(card, "smsnb-copy-toggle").value = True
    python, curl = find(card, "smsnb-copy-python").value, find(card, "smsnb-copy-curl").value
    assert embedded(ip) is None or not embedded(ip).running  # nothing was started
    assert f":{port}" not in python + curl
    assert f"{SANDBOX_URL}/_sandbox/callbacks" in curl and ".replace(" in python


def test_no_secret_in_any_open_widget_after_every_kind_of_live_card(ip, sentinel_sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", SENTINEL)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sentinel_sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sentinel_sandbox.url)
    cards = [sms(ip, line).widget() for line in (f"{MOBILE} -m hi --delivery-report full",
                                                    "'070-123 45 67' -m hi", f"{MOBILE} -m hi")]
    find(cards[0], "smsnb-field-callback_url").value = "https://example.com/dlr"
    for card in cards:
        card.copy_toggle.value = True
    find(cards[0], "smsnb-resend").click()
    for widget in open_widgets().values():
        assert SENTINEL not in json.dumps(widget.get_state(), default=str), type(widget).__name__
    for card in cards:
        card.close()


@pytest.fixture
def sentinel_sandbox():
    from smsnb.sandbox import Sandbox

    with Sandbox(api_token=SENTINEL) as box:
        yield box


# --- Enter to resend, once ---------------------------------------------------------------------

def callback_card(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    url = find(card, "smsnb-field-callback_url")
    url.value = "https://example.com/dlr"
    return card, url


def test_enter_or_a_click_after_the_card_closed_sends_nothing(ip):
    card, url = callback_card(ip)
    resend, journal = find(card, "smsnb-resend"), embedded(ip).journal
    before = len(posts(journal))
    card.close()
    enter(url)
    resend.click()
    assert len(posts(journal)) == before
    assert card._problem is None  # no failure of smsnb's either


def test_an_outcome_for_a_closed_card_draws_nothing_folds_nothing_and_polls_nothing(ip):
    """A resend that ends after its card closed drew a success card into the closed one: 21 widgets
    nobody can see, and a poller thread watching the batch."""
    card, _ = callback_card(ip)
    success = sms(ip, f"{MOBILE} -m hi")
    card.close()
    before = set(open_widgets())
    pollers = {t for t in threading.enumerate() if t.name == "smsnb-delivery"}
    card.append(success)
    assert set(open_widgets()) == before and card.resolved is None
    assert {t for t in threading.enumerate() if t.name == "smsnb-delivery"} <= pollers


def test_enter_twice_then_a_click_while_a_slow_resend_is_in_flight_sends_once(ip, stand_in):
    gate = threading.Event()

    def answer(index, path, headers, body):
        if index == 0:
            return 403, {"code": "missing_callback_url", "text": "Delivery report needs a callback URL."}
        gate.wait(5)
        return 201, {"id": "<b>" + "B" * 5000, "to": ["46701234567"], "body": "hi"}

    server = stand_in(answer)
    try:
        card, url = callback_card(ip)
        first = threading.Thread(target=enter, args=(url,))
        first.start()
        wait_for(lambda: len(server.requests) == 2)
        enter(url)
        find(card, "smsnb-resend").click()
        gate.set()
        first.join(5)
        assert len(server.requests) == 2 and len(card.chain.children) == 1 and card._problem is None
        line = find(card, "smsnb-resolved-text").value  # the hostile id folds escaped
        assert "<b>BBB" not in line and "&lt;b&gt;BBB" in line
        assert "B" * 40 not in line and "the whole id is in .batch_id" in line  # still one line
        card.chain.children[0].stop_polling()
    finally:
        gate.set()  # before the stand-in closes: its handler waits on it


def test_a_click_during_the_countdown_sends_nothing_and_says_why(ip):
    card = sms(ip, f"{triggers.RATE_LIMITED} -m hi").widget()
    before = len(posts(embedded(ip).journal))
    find(card, "smsnb-resend").click()
    assert len(posts(embedded(ip).journal)) == before and not card.chain.children
    assert "Not sent" in find(card, "smsnb-form-status").value
    card.close()


def test_a_message_outcome_does_not_fold_the_card(ip):
    card, _ = callback_card(ip)
    card.append(Message("No credentials <b>x</b>", "<b>x</b>"))
    assert card.resolved is None and "smsnb-folded" not in card._dom_classes


def test_a_resolved_card_whose_success_card_closed_still_opens_and_closes(ip):
    card, _ = callback_card(ip)
    find(card, "smsnb-resend").click()
    card.chain.children[0].close()
    card.reopen.value = True
    assert card.form in card.children
    card.reopen.value = False
    assert card.form not in card.children
    card.close()


# --- the forms: what is shown is what is sent ----------------------------------------------------

def test_a_number_field_sinch_names_is_fixed_as_a_number_not_a_string(ip):
    """max_number_of_message_parts: 0 -> the form showed "0"; typing 2 sent "2", a string, and Sinch
    refused it again ('must be an integer, not a string')."""
    request = {"to": [MOBILE], "body": "hi", "max_number_of_message_parts": 0}
    card = sms(ip, "--json", json.dumps(request)).widget()
    field = find(card, "smsnb-field-max_number_of_message_parts")
    assert field.value == "0"
    field.value = "2"
    find(card, "smsnb-resend").click()
    assert json.loads(posts(embedded(ip).journal)[-1]["body"])["max_number_of_message_parts"] == 2
    assert card.chain.children[0].result.ok
    card.chain.children[0].stop_polling()


@pytest.mark.parametrize("value, typed, sent", [
    (True, "false", False), ({"n": {"default": "x"}}, '{"n": {"default": "y"}}', {"n": {"default": "y"}}),
    (0, " 3 ", 3), (1.5, "2.5", 2.5), (["a"], '["b"]', ["b"])])
def test_a_field_that_is_not_text_is_shown_and_sent_as_json(value, typed, sent):
    text = "The value of parameter 'flag' violates a constraint."
    payload = {"to": [MOBILE], "body": "hi", "flag": value}
    form = form_for("syntax_constraint_violation", text, payload, Context())
    (field,) = form.asks()
    assert field.value == json.dumps(value)  # JSON, not Python's True or {'name': ...}
    assert form.corrected({"flag": typed}, payload, None)["flag"] == sent
    for wrong in ("", "NaN", "[1,", "1" * 5000, "[" * 100_000):
        assert form.problems({"flag": wrong}), wrong
        form.corrected({"flag": wrong}, {"flag": value}, None)  # the diff is drawn: never a traceback


def test_text_fields_stay_text():
    text = "The value of parameter 'client_reference' violates a constraint."
    form = form_for("syntax_constraint_violation", text, {"to": [MOBILE], "client_reference": "7"})
    fixed = form.corrected({"client_reference": " 8 "}, {"client_reference": "7"}, None)
    assert fixed["client_reference"] == "8"


def test_switching_choices_back_and_forth_sends_what_is_shown(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    choice, url = find(card, "smsnb-choice"), find(card, "smsnb-field-callback_url")
    url.value = "not a url"
    for value in ("off", "url", "receiver", "off"):
        choice.value = value
    url_disabled = url.disabled
    find(card, "smsnb-resend").click()
    sent = json.loads(posts(embedded(ip).journal)[-1]["body"])
    assert url_disabled and sent["delivery_report"] == "none" and "callback_url" not in sent
    card.chain.children[0].stop_polling()


# --- help and empty input -----------------------------------------------------------------------

@pytest.mark.parametrize("line", ["", "help", "  help  "])
def test_help_and_a_bare_sms_show_the_usage(ip, line):
    shown = text_of(sms(ip, line))
    assert "%sms +46701234567" in shown and "%sms? lists every option" in shown


@pytest.mark.parametrize("line, cell", [("", "   \n\t "), ("", "\n"), ("--json", "  "), ("help", "x"),
                                        ("help me", None), ("'", None)])
def test_empty_or_wrong_input_is_a_usage_error_not_a_traceback(ip, line, cell):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError):
        sms(ip, line, cell)


# --- tables -------------------------------------------------------------------------------------

def test_zero_width_characters_take_no_column():
    """An emoji with its presentation selector (U+FE0F), a joiner (U+200D) or a vowel sign that
    combines without a combining class (U+0941) took a column each: the rows after it shifted."""
    assert width("❤\ufe0f") == width("❤") and width("a\u200db") == 2 and width("क\u0941") == 1
    text = table_text(["name", "n"], [["❤\ufe0f", 1], ["ab", 22]]).splitlines()
    assert width(text[2]) == width(text[3])


def test_hostile_cells_neither_crash_nor_reach_html_unescaped():
    rows = [[None, "漢字😀", "a\x1b[31mb\u202e"], [10 ** 5000, float("nan"), [1, [2, {"<b>": "</td>"}]]],
            ["<script>", 1.5, -3], [True, "", "x" * 5000], [b"\x00", object(), {"k": None}], []]
    text = table_text(["a", "b", "c"], rows, indent="  ")
    assert "\x1b" not in text and "\u202e" not in text and "(int too large to show)" in text
    markup = table_html(["<h>", "b", "c"], rows)
    assert "<script>" not in markup and "<b>" not in markup and "<h>" not in markup


def test_a_field_form_never_shows_python_reprs():
    form = form_for("syntax_constraint_violation", "parameter 'flash_message' is wrong",
                    {"to": [MOBILE], "body": "x", "flash_message": True})
    assert isinstance(form, forms.Fields) and form.asks()[0].value == "true"


def test_the_hint_of_a_second_fixed_line_is_kept_when_sinch_names_only_the_first(ip):
    """Sinch's text names to[0] only; the hint of to[1] was dropped too, because its first word
    ("+46") is in Sinch's text."""
    result = sms(ip, "'+46 8 123 456 78' '+46 31 123 45 67' -m hi")
    assert result.code == "illegal_number_type" and "+46 31 123 45 67" not in result.error.text
    assert "Hint: +46 31 123 45 67 is a fixed-line number" in text_of(result)
    assert "Hint: +46 8 123 456 78" not in text_of(result)  # Sinch's text says it: said once


def test_shlex_reads_the_same_data_as_the_shell():
    _, curl = code_for(hostile_body("'\"$(id)`x`\\"), Target("https://eu.sms.api.sinch.com", "p"), "LIVE")
    words = shlex.split(curl)
    assert json.loads(words[words.index("--data-binary") + 1]) == hostile_body("'\"$(id)`x`\\")


@pytest.mark.parametrize("line", [
    f"{MOBILE} -m hi --delivery-report full", "'070-123 45 67' -m hi", f"{triggers.SLOW} -m hi --timeout 0.3",
    f"{triggers.RATE_LIMITED} -m hi",
    f"{MOBILE} -m hi --callback-url http://127.0.0.1:1/x --delivery-report full"])
def test_every_sandbox_card_copies_without_this_run_s_port_or_a_failure(ip, line):
    card = sms(ip, line).widget()
    port = embedded(ip).url.rsplit(":", 1)[1]
    card.copy_toggle.value = True
    copied = card.copy_python.value + card.copy_curl.value
    assert f":{port}" not in copied and card._problem is None
    if "--callback-url" in line:
        assert "http://127.0.0.1:1/x" in copied  # a URL of the user's own stays as typed
    card.close()


def test_a_look_first_form_has_nothing_enter_can_send_and_resend_waits_for_the_look(ip):
    card = sms(ip, f"{triggers.SLOW} -m hi --timeout 0.3").widget()
    assert not [x for x in card.form.inputs.values() if isinstance(x, w.Text)]  # no one-line field
    before = len(posts(embedded(ip).journal))
    find(card, "smsnb-resend").click()
    assert len(posts(embedded(ip).journal)) == before and not card.chain.children
    card.close()
