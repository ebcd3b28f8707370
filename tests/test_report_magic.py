"""%sms report on a real InteractiveShell, against the sandbox over HTTP on 127.0.0.1: the delivery
report of an earlier send, grouped by status and code, each failure explained; and one send per
batch option whose report then shows the delivery code that option causes at Sinch."""
import pytest
from IPython.core.error import UsageError

from smsnb.card.outcome import Message, Result
from smsnb.card.report import groups, is_final
from smsnb.sandbox import Clock, Sandbox, triggers
from tests.conftest import html_of, sms, text_of, wait_for

MOBILE = triggers.ORDINARY_MOBILE
OTHER = "+46701234568"
UNKNOWN_ID = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"


def session_of(ip):
    return ip.magics_manager.registry["SmsMagic"].session


def final(ip, line="report") -> Message:
    """%sms report once every message has a final status."""
    def done():
        message = sms(ip, line)
        return message if isinstance(message.value, dict) and is_final(groups(message.value)) else None
    return wait_for(done)


def test_the_last_send_is_reported_grouped_and_each_failure_explained(ip):
    sent = sms(ip, f"{MOBILE} +46700000402 -m hi")
    sms(ip, "--dry-run +46701234567 -m 'no batch'")  # the last send *with a batch* is the one reported
    report = final(ip)
    assert isinstance(report, Message)
    text = text_of(report)
    assert text.startswith(f"SANDBOX · delivery report of batch {sent.batch_id}: 2 messages\n")
    assert "Aborted 402 (Message unroutable): 1 message to +46700000402\n  What it means: The SMSC" in text
    assert "Delivered 0 (Delivered): 1 message to +46701234567" in text
    assert text.index("Aborted 402") < text.index("Delivered 0")  # failures first
    assert "smsnb-report" in html_of(report) and "Message unroutable" in html_of(report)
    assert report.value["batch_id"] == sent.batch_id


def test_a_history_row_and_a_batch_id_report_their_own_batch(ip):
    first = sms(ip, "+46700000408 -m one")
    second = sms(ip, f"{MOBILE} -m two")
    assert "Aborted 408 (Internal reject): 1 message to +46700000408" in text_of(final(ip, "report 0"))
    assert "Delivered 0 (Delivered): 1 message to +46701234567" in text_of(final(ip, "report 1"))
    by_id = final(ip, f"report {first.batch_id}")
    assert text_of(by_id).startswith(f"SANDBOX · delivery report of batch {first.batch_id}: 1 message\n")
    assert "Internal reject" in text_of(by_id)
    assert final(ip, f"report --sandbox {second.batch_id}").value["batch_id"] == second.batch_id


def test_a_batch_id_is_looked_up_where_a_send_would_go(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)  # "live" credentials, here for a second sandbox
    sent = sms(ip, "+46700000412 -m hi")
    report = final(ip, f"report {sent.batch_id}")
    assert "Aborted 412 (Unprovisioned region)" in text_of(report)
    assert session_of(ip).sandbox is None  # the embedded sandbox was never needed, nor started
    assert isinstance(sms(ip, f"report --sandbox {sent.batch_id}"), Result)  # not in the embedded one


def test_a_batch_that_does_not_exist_gives_the_404_card(ip):
    from smsnb.sinch.errors import NotFoundError

    card = sms(ip, f"report {UNKNOWN_ID}")
    assert isinstance(card, Result) and not card.ok and isinstance(card.error, NotFoundError)
    assert (card.status, card.code, card.backend) == (404, "http_404", "SANDBOX")
    text = text_of(card)
    assert text.startswith("SANDBOX · 404 · http_404: Not found")
    assert "Most likely here: The sandbox does not know this batch" in text and "or the id is wrong" in text
    assert card.error.request.path.endswith(f"/batches/{UNKNOWN_ID}")
    assert "smsnb-error" in html_of(card)
    ip.run_line_magic("config", "SmsMagic.raise_on_error = True")
    with pytest.raises(NotFoundError):
        sms(ip, f"report {UNKNOWN_ID}")


def test_a_scheduled_batch_says_it_has_no_report_until_its_send_time(ip):
    sent = sms(ip, f"{MOBILE} -m later --send-at 2099-01-31T09:00:00Z")
    text = text_of(sms(ip, "report"))
    assert text == (f"SANDBOX · delivery report of batch {sent.batch_id}: the batch is scheduled for "
                    f"2099-01-31T09:00:00.000Z: Sinch has no delivery report for it until then.")


def test_a_queued_batch_says_so(ip):
    session_of(ip).sandbox = Sandbox(clock=Clock(dispatch_after=60, final_after=120)).start()
    sms(ip, f"{MOBILE} {OTHER} -m 'in the queue'")
    text = text_of(sms(ip, "report"))
    assert "Queued 400 (Queued): 2 messages to +46701234567, +46701234568" in text
    assert text.endswith("Still queued: no message has been dispatched yet. Ask again in a moment.")


def test_a_batch_cancelled_before_it_was_sent_has_an_empty_report_and_says_why(ip):
    session = session_of(ip)
    sent = sms(ip, f"{MOBILE} -m never --send-at 2099-01-31T09:00:00Z")
    session.backends.client("SANDBOX", session.settings()).cancel(sent.batch_id)
    text = text_of(sms(ip, "report"))
    assert text.endswith("the batch was cancelled before it was sent, so its report is empty (as Sinch "
                         "documents).")


def test_report_in_terminal_ipython_prints_text(ip, capsys):
    sms(ip, f"{MOBILE} -m hi")
    final(ip)
    capsys.readouterr()
    ip.run_cell("%sms report")
    shown = capsys.readouterr().out
    assert "delivery report of batch" in shown and "Delivered 0 (Delivered)" in shown and "<" not in shown


def test_without_a_send_or_a_running_sandbox_report_says_what_it_can(ip):
    assert text_of(sms(ip, "report")).startswith("No send with a batch id in this session yet")
    sms(ip, f"{MOBILE} -m hi")
    sms(ip, "sandbox stop")
    stopped = "The sandbox that sent this batch has stopped: its reports went with it."
    assert text_of(sms(ip, "report")) == stopped
    assert session_of(ip).sandbox.running is False  # reporting a row never starts a sandbox
    assert text_of(sms(ip, f"report --live {UNKNOWN_ID}")).startswith("No live credentials")


@pytest.mark.parametrize("line, message", [
    ("report 5", "No history row 5: rows are 0 to 1. Usage: %sms report"),
    ("report 0", "History row 0 has no batch to report: it was a dry run."),
    ("report 1", "History row 1 has no batch to report: it was an error (syntax_invalid_parameter_format)."),
])
def test_a_row_without_a_batch_is_a_usage_error(ip, line, message):
    sms(ip, f"--dry-run {MOBILE} -m hi")
    sms(ip, "+1 -m hi")
    with pytest.raises(UsageError) as caught:
        sms(ip, line)
    assert message in str(caught.value) and "\n" not in str(caught.value)


# --- each batch option, end to end: the sandbox causes the code Sinch would, and the report shows it --

@pytest.mark.parametrize("options, shown", [
    # 405: a ${name} with no value for a recipient and no default; only that recipient.
    (f"-m 'Hi ${{name}}' --param name@{MOBILE}=Anna",
     ["Aborted 405 (Unmatched parameter): 1 message to +46701234568",
      "Delivered 0 (Delivered): 1 message to +46701234567"]),
    (f"-m 'Hi ${{name}}' --param name@{MOBILE}=Anna --param name=there", ["Delivered 0 (Delivered): 2"]),
    # 411: more parts than --max-parts; --truncate cuts the body to fit instead.
    (f"-m '{'x' * 200}' --max-parts 1", ["Aborted 411 (Exceeded parts limit): 2"]),
    (f"-m '{'x' * 200}' --max-parts 1 --truncate", ["Delivered 0 (Delivered): 2"]),
    (f"-m '{'x' * 200}' --max-parts 2", ["Delivered 0 (Delivered): 2"]),
    # 406: an expire_at that passed before the dispatch.
    ("-m hi --send-at 2020-01-31T09:00:00Z --expire-at 2020-01-31T09:00:01Z",
     ["Aborted 406 (Internal expiry): 2"]),
])
def test_each_option_causes_its_delivery_code_and_the_report_explains_it(ip, options, shown):
    sent = sms(ip, f"{MOBILE} {OTHER} {options}")
    assert sent.ok, text_of(sent)
    text = text_of(final(ip))
    for line in shown:
        assert line in text, text
    if "Aborted" in shown[0]:
        assert "What it means: " in text


def test_from_avoids_410_on_a_plan_without_a_default_originator(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", triggers.NO_ORIGINATOR_SERVICE_PLAN_ID)
    clean_env.setenv("SINCH_API_TOKEN", sandbox.api_token)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    sms(ip, f"{MOBILE} -m 'no sender'")
    text = text_of(final(ip))
    assert "Aborted 410 (Unmatched default originator): 1 message to +46701234567" in text
    assert "Fields to change: from" in text
    sms(ip, f"{MOBILE} -m 'with a sender' --from Acme")
    assert "Delivered 0 (Delivered): 1 message to +46701234567" in text_of(final(ip))


def test_a_dry_run_shows_each_recipients_own_text_when_it_differs(ip):
    """Parameters filled in per recipient, and a body cut to fit, show in the dry run's card."""
    card = sms(ip, '--dry-run +46701234567 +46701234568 -m "Hi ${name}!" --param name@+46701234567=Ada '
                   '--param name=friend')
    text = text_of(card)
    assert "+46701234567      1  text (GSM-7)  Hi Ada!" in text  # as typed, with its +
    assert "+46701234568      1  text (GSM-7)  Hi friend!" in text and "Hi Ada!" in html_of(card)
    plain = text_of(sms(ip, '--dry-run +46701234567 -m "Hi there"'))
    assert "its own text" not in plain  # the same as the request's body: not repeated
    cut = text_of(sms(ip, "--dry-run +46701234567 --max-parts 1 --truncate -m " + "'" + "word " * 60 + "'"))
    assert "1 message part " in cut and "text (GSM-7)  word word" in cut


def test_a_batch_of_an_earlier_sandbox_is_said_gone_with_the_sandbox_not_after_14_days(ip):
    sent = sms(ip, "+46701234567 -m hi")
    sms(ip, "sandbox stop")
    sms(ip, "sandbox start")
    text = text_of(sms(ip, f"report {sent.batch_id}"))
    assert "Most likely here: The sandbox does not know this batch" in text and "kernel restart" in text
    assert "Most likely here: The batch is no longer available" not in text
