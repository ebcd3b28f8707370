"""The interactive card's shell: one frame per outcome, the delivery status announced, a resolved
error folded into one line, copy-as-code that runs where it is pasted, and few widgets up front.

Driven as a person would (set .value, call .click()), against the sandbox; no browser."""
import html
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import ipywidgets as w
import pytest

from smsnb.card import copy_as_code, live_html, report, theme
from smsnb.card.theme import Outcome
from smsnb.card.widgets import ErrorCard, SuccessCard
from smsnb.sandbox import Sandbox, triggers
from tests.conftest import sms, wait_for
from tests.test_widgets import embedded, find, fix_and_resend, last_outcome, posts, walk

MOBILE = triggers.ORDINARY_MOBILE
REPO = Path(__file__).resolve().parent.parent
UNFINISHED = "the form is not finished; this is the original request"


def text(markup) -> str:
    """What a piece of HTML reads as."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))


def framed_in(card, outcome: Outcome) -> bool:
    layout, side = card.layout, f"1px solid {outcome.value}"
    return (layout.border_left == f"5px solid {outcome.value}" and layout.max_width == theme.CARD_WIDTH
            and layout.border_top == layout.border_right == layout.border_bottom == side)


def css_of(widget) -> tuple:
    return tuple(getattr(widget, "_dom_classes", ()))


# --- one visual language ---------------------------------------------------------------------

def test_the_live_error_card_is_framed_like_the_static_one(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    assert isinstance(card, ErrorCard) and framed_in(card, Outcome.ERROR)


def test_every_card_has_one_copy_as_code_below_its_own_parts(ip):
    cards = [sms(ip, f"{MOBILE} -m hi --delivery-report full").widget(), sms(ip, f"{MOBILE} -m hi").widget(),
             sms(ip, f"{MOBILE} -m hi --dry-run").widget()]
    for card in cards:
        toggles = [child for child in card.children if "smsnb-copy-toggle" in css_of(child)]
        assert toggles == [card.copy_toggle], css_of(card)
        card.close()


def test_a_success_card_is_framed_and_a_delivery_failure_turns_its_frame(ip):
    delivered = sms(ip, f"{MOBILE} -m hi").widget()
    assert framed_in(delivered, Outcome.SUCCESS)
    aborted = sms(ip, "+46700000402 -m hi").widget()
    assert framed_in(aborted, Outcome.SUCCESS)
    assert wait_for(lambda: aborted.failure is not None)
    assert framed_in(aborted, Outcome.ERROR) and "smsnb-delivery-failed" in css_of(aborted)
    for card in (delivered, aborted):
        card.close()


def test_the_delivery_status_says_its_outcome_in_words_with_a_dot_never_a_text_colour():
    delivered = report.groups({"statuses": [{"status": "Delivered", "code": 0, "count": 1,
                                             "recipients": ["46701234567"]}]})
    shown = str(live_html.report_status_html(delivered, True))
    assert "Delivered" in shown and str(theme.dot(Outcome.SUCCESS)) in shown
    assert not re.search(r"(?<!-)color:", shown.replace(str(theme.dot(Outcome.SUCCESS)), ""))
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", shown.replace(str(theme.dot(Outcome.SUCCESS)), ""))


# --- the delivery status is announced ------------------------------------------------------------

def test_the_delivery_status_is_a_polite_live_region_while_it_changes(ip):
    card = sms(ip, f"{MOBILE} -m hi").widget()
    region = '<div role="status" aria-live="polite">'
    assert card.delivery.value.startswith(region)  # waiting, or already the first report
    assert wait_for(lambda: "Delivered" in card.delivery.value)
    assert card.delivery.value.startswith(region) and card.delivery.value.endswith("</div>")
    card.close()


# --- a resolved error folds into one line -------------------------------------------------------

def resolved_card(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-field-callback_url").value = "https://example.com/dlr"
    fix_and_resend(card, embedded(ip).journal)
    return card, last_outcome(card)


def test_a_resend_that_succeeds_folds_the_error_into_one_line_above_the_success(ip):
    card, success = resolved_card(ip)
    shown = [child for child in card.children if "smsnb-log" not in css_of(child)]
    assert [css_of(part)[-1] for part in shown] == ["smsnb-resolved", "smsnb-chain"]
    assert shown[1].children == (success,)  # the success card right below the line
    line = text(find(card, "smsnb-resolved-text").value)
    assert line == f"Resolved by resend: 201, batch {success.result.batch_id}"
    assert card.summary not in card.children and card.form not in card.children
    assert "smsnb-folded" in css_of(card) and framed_in(card, Outcome.NEUTRAL)


def test_the_folded_error_opens_again_and_folds_again(ip):
    card, success = resolved_card(ip)
    reopen = find(card, "smsnb-reopen")
    reopen.value = True
    assert card.children[0] is card.resolved and card.children[1] is card.summary
    assert card.form in card.children
    assert card.chain in card.children and framed_in(card, Outcome.ERROR)
    assert "smsnb-folded" not in css_of(card) and reopen.description == "Hide the error"
    reopen.value = False
    assert card.summary not in card.children and reopen.description == "Show the error"


def test_a_resend_that_fails_leaves_the_card_open_and_its_error_folds_when_resolved(ip):
    ip.run_line_magic("config", 'SmsMagic.default_country = "SE"')
    card = sms(ip, "0701234567 -m hi --delivery-report full").widget()
    fix_and_resend(card, embedded(ip).journal, expect_success=False)
    second = last_outcome(card)
    assert isinstance(second, ErrorCard) and card.resolved is None
    assert card.summary in card.children and card.form in card.children
    find(second, "smsnb-field-callback_url").value = "https://example.com/dlr"
    fix_and_resend(second, embedded(ip).journal)
    assert second.resolved is not None and card.resolved is None


def odd_batch_id(index, path, headers, body):
    if index == 0:
        return 403, {"code": "brand_new_code", "text": "Something new."}
    return 201, {"id": "01<b>X</b>&", "to": ["46701234567"], "body": "x"}


def test_the_resolved_line_shows_the_batch_id_as_text(ip, stand_in):
    stand_in(odd_batch_id)
    card = sms(ip, f"{MOBILE} -m hi").widget()
    find(card, "smsnb-resend").click()
    last_outcome(card).stop_polling()
    line = find(card, "smsnb-resolved-text").value
    assert "01&lt;b&gt;X&lt;/b&gt;&amp;" in line and "<b>X" not in line


# --- copy as code: the original or the finished request, that runs where it is pasted -------------

def copied(card):
    find(card, "smsnb-copy-toggle").value = True
    return card.copy_python.value, card.copy_curl.value


def test_an_unfinished_form_copies_the_original_request_and_says_so(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    python, curl = copied(card)
    for code in (python, curl):
        assert UNFINISHED in code.lower() and "callback_url" not in code
    find(card, "smsnb-field-callback_url").value = "https://example.com/dlr"  # finished: the code follows
    python, curl = card.copy_python.value, card.copy_curl.value
    for code in (python, curl):
        assert UNFINISHED not in code.lower() and "https://example.com/dlr" in code


def test_a_form_that_changes_nothing_copies_the_original_as_finished(ip):
    card = sms(ip, f"{triggers.SERVER_ERROR} -m hi").widget()  # a retry: the request stays as it was
    for code in copied(card):
        assert UNFINISHED not in code.lower() and triggers.SERVER_ERROR in code


def test_a_sandbox_request_copies_no_environment_token_and_no_port_of_this_run(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-choice").value = "receiver"  # the body names this run's receiver
    python, curl = copied(card)
    run = embedded(ip).url
    for code in (python, curl):
        assert "SINCH_API_TOKEN" not in code and run not in code and str(embedded(ip).port) not in code
    assert "from smsnb.sandbox import Sandbox" in python
    assert f"smsnb-sandbox --port {copy_as_code.SANDBOX_PORT}" in curl


def test_the_sandbox_defaults_the_curl_names_are_the_sandboxs():
    assert copy_as_code.SANDBOX_PLAN == triggers.DEFAULT_SERVICE_PLAN_ID
    assert copy_as_code.SANDBOX_TOKEN == triggers.DEFAULT_API_TOKEN


def run_python(code: str) -> tuple[int, str]:
    """Run copied code in a fresh interpreter that has the repository on its path."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    status, _, answer = done.stdout.strip().partition(" ")
    return int(status), answer


def test_copied_python_for_the_sandbox_runs_and_sends_the_finished_request(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-choice").value = "receiver"
    python, _ = copied(card)
    status, answer = run_python(python)
    assert status == 201, answer
    assert json.loads(answer)["callback_url"].endswith(triggers.RECEIVER_PATH)


def test_copied_python_for_the_sandbox_gets_the_same_error(ip):
    card = sms(ip, f"{triggers.FIXED_LINE} -m hi").widget()
    python, _ = copied(card)
    status, answer = run_python(python)
    assert status == card.result.status and json.loads(answer)["code"] == card.result.code


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl here")
def test_copied_curl_reaches_a_sandbox_started_as_it_says(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-field-callback_url").value = "https://example.com/dlr"
    _, curl = copied(card)
    assert f"smsnb-sandbox --port {copy_as_code.SANDBOX_PORT}" in curl
    try:
        box = Sandbox(port=copy_as_code.SANDBOX_PORT).start()
    except OSError:
        pytest.skip(f"port {copy_as_code.SANDBOX_PORT} is taken on this machine")
    try:
        done = subprocess.run(["bash", "-c", curl + " -s -w '\\n%{http_code}'"], capture_output=True,
                              text=True, timeout=30)
        answer, _, status = done.stdout.rpartition("\n")
        assert status == "201", (done.stdout, done.stderr)
        assert json.loads(posts(box.journal)[-1]["body"])["callback_url"] == "https://example.com/dlr"
    finally:
        box.stop()


# --- few widgets up front --------------------------------------------------------------------

def widget_ids() -> set:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return set(w.Widget.widgets)


def built(result):
    """The card of ``result`` and the widget models building it created (each a comm message)."""
    before = widget_ids()
    card = result.widget()
    return card, widget_ids() - before


def models_of(widget) -> set:
    """A widget's model and those of its layout, style and children, their children too."""
    found = {widget.model_id}
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            found.add(part.model_id)
    for child in getattr(widget, "children", ()):
        found |= models_of(child)
    return found


# Reached by building copy as code, the log, the problem line and the chain only when first needed:
# a success card went from 28 models to 11, an error card from 54 to 37 (its fix-it form is 29).
SUCCESS_MODELS = 11
ERROR_MODELS_BESIDE_THE_FORM = 8


def test_a_fresh_success_card_creates_few_widgets(ip):
    card, created = built(sms(ip, f"{MOBILE} -m hi"))
    assert len(created) <= SUCCESS_MODELS, len(created)
    assert not [x for x in walk(card) if isinstance(x, (w.Tab, w.Textarea, w.Output))]
    card.close()


def test_a_fresh_error_card_creates_few_widgets_beside_its_form(ip):
    card, created = built(sms(ip, f"{MOBILE} -m hi --delivery-report full"))
    beside = created - models_of(card.form)
    assert len(beside) <= ERROR_MODELS_BESIDE_THE_FORM, len(beside)
    assert not [x for x in walk(card) if isinstance(x, (w.Tab, w.Textarea, w.Output))]
    assert not [x for x in walk(card) if {"smsnb-chain", "smsnb-problem"} & set(css_of(x))]


def test_what_a_card_builds_later_is_there_when_needed(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-copy-toggle").value = True  # a click: its output has a place now
    assert find(card, "smsnb-copy-python").value and find(card, "smsnb-log") is card.output
    card._said(RuntimeError("boom"))
    assert "smsnb could not do that: boom" in text(find(card, "smsnb-problem").value)
    find(card, "smsnb-copy-toggle").value = False
    assert card.copy_python.value and find(card, "smsnb-copy").layout.display == "none"
    assert isinstance(card, ErrorCard) and not isinstance(card, SuccessCard)


def test_a_closed_card_leaves_no_widget_of_its_own_open(ip):
    def open_now():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return {key for key, widget in w.Widget.widgets.items() if widget.comm is not None}

    before = open_now()
    cards = [sms(ip, f"{MOBILE} -m hi --delivery-report full").widget(), sms(ip, f"{MOBILE} -m hi").widget(),
             sms(ip, "+46700000402 -m hi").widget()]  # this one turns into a delivery failure
    wait_for(lambda: cards[2].failure is not None)
    find(cards[0], "smsnb-field-callback_url").value = "https://example.com/dlr"
    for card in cards:
        card.copy_toggle.value = True
    fix_and_resend(cards[0], embedded(ip).journal)  # folds, with a success card in its chain
    assert open_now() - before
    for card in cards:
        card.close()
    assert open_now() - before == set()


# --- a delivery status that will not come soon ----------------------------------------------------

def test_a_scheduled_batch_says_when_and_is_not_polled_for_hours(ip):
    card = sms(ip, f"{MOBILE} -m hi --send-at 2031-01-01T09:00:00Z").widget()
    journal = embedded(ip).journal
    wait_for(lambda: not card._watcher.is_alive())
    shown = text(card.delivery.value)
    assert "scheduled for 2031-01-01T09:00:00Z" in shown and "%sms report" in shown
    assert not [entry for entry in journal.entries() if "delivery_report" in entry.get("path", "")]
    card.close()


class CancelledSession:
    """A batch cancelled before it was sent: Sinch's report of it stays empty for good."""

    def __init__(self, canceled: bool):
        self.canceled, self.reports = canceled, 0

    def poll_delivery_report(self, result):
        self.reports += 1
        return {"batch_id": result.batch_id, "total_message_count": 1, "statuses": []}

    def poll_batch(self, result):
        return {"id": result.batch_id, "canceled": self.canceled}

    def watch(self, poller):
        pass


def test_a_cancelled_batch_says_so_and_stops_polling():
    from smsnb.sinch.request import SmsRequest
    from tests.test_delivery_card import ok_result

    session = CancelledSession(canceled=True)
    card = SuccessCard(ok_result(SmsRequest((MOBILE,), "hi"), session))
    wait_for(lambda: not card._watcher.is_alive())
    assert "cancelled before it was sent" in text(card.delivery.value) and session.reports == 1
    card.close()


def test_a_status_never_final_is_given_up_with_a_pointer_to_report(monkeypatch):
    from smsnb.card import widgets
    from smsnb.sinch.request import SmsRequest
    from tests.test_delivery_card import ok_result

    monkeypatch.setattr(widgets, "POLL_LIMIT_SECONDS", 0.5)
    session = CancelledSession(canceled=False)  # an empty report that is not a cancel
    card = SuccessCard(ok_result(SmsRequest((MOBILE,), "hi"), session))
    wait_for(lambda: not card._watcher.is_alive())
    assert "no longer watched after 0.5 s" in text(card.delivery.value) and session.reports > 1
    card.close()
