"""A bounded fuzzer of %sms and %%sms in a real InteractiveShell, against the embedded sandbox.

Random words, options with random values (the batch fields --param, --max-parts, --truncate,
--send-at and --expire-at too), report and explain with numbers, statuses and batch ids, quotes,
other scripts' digits, huge numbers, subcommands with random arguments and cell bodies: every
outcome is a `Result` or `Message` that renders as text and HTML, or a one-line `UsageError` with
the usage line. Nothing else may escape. The sandbox's 30 s slow trigger is left out so that it
runs in seconds."""
import getpass
import shlex

from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from smsnb.card.outcome import Message, Result
from smsnb.ipython import command
from smsnb.sandbox import triggers
from tests.conftest import sms

ODD_DIGITS = ["²", "١", "٣", "３", "१", "߁", "𝟙", "Ⅻ", "½", "0²", "1١"]
HUGE = ["9" * 4301, "1" + "0" * 5000, "-" + "9" * 4301, "1e99999", "-1e400", "nan", "inf", "-0", "0x10",
        "1_000", "000000", "999999", "1000000", "-1"]
NUMBERS = ["+46701234567", "+1", "0701234567", "+46812345678", "+46200123456", triggers.RATE_LIMITED,
           triggers.SERVER_ERROR, triggers.UNAVAILABLE, triggers.DROPPED, "+46700000402",
           triggers.UNKNOWN_GROUP_ID, "+46 70-123 45 67", "46701234567", "+", "++46701234567",
           "+４６７０１２３４５６７"]
OPTIONS = ["-m", "--message", "--from", "--delivery-report", "--callback-url", "--client-reference",
           "--dry-run", "--timeout", "--json", "--sandbox", "--live", "--", "-", "-h", "--help", "--bogus",
           "--time", "-m=", "--param", "--max-parts", "--truncate", "--send-at", "--expire-at", "--max",
           "--param="]
VALUES = ["full", "none", "summary", "per_recipient", "sometimes", "http://127.0.0.1:9/x",
          "https://example.com/dlr", "not a url", "0.5", "0", "-1", "3601", "Acme", "", " ", "😀", "$x",
          "{y}", "a\tb", "r" * 129, "name=Anna", "name@+46701234567=Anna", "name@46701234567=", "=x", "a b=c",
          "a@=x", "x${y}=1", "name=a=b", "2099-01-31T09:00:00Z", "2020-01-31T09:00:00Z", "2099-01-31",
          "2099-01-31T09:00:00", "2099-01-31T09:00:00+01:00", "1", "2", "255"]
SUBCOMMANDS = list(command.SUBCOMMANDS)
ACTIONS = ["status", "start", "stop", "triggers", "journal", "reset", "fly", "Journal"]
LOGIN_FLAGS = ["--service-plan-id", "--project", "--key-id", "--region", "--password"]
CODES = ["missing_callback_url", "http_404", "MISSING_CALLBACK_URL", "missing_calback_url", "unknown_code",
         "405", "402", "401", "9", "Aborted", "aborted", "status_queued", "delivery_405", "delivery_9",
         "http_402", "0"]
BATCH_IDS = ["01ZZZZZZZZZZZZZZZZZZZZZZZZ", "01FC66621VHDBN119Z8PMV1QPU", "x", "a/b", "..", "%2F"]

PLAIN = st.sampled_from(NUMBERS + OPTIONS + VALUES + SUBCOMMANDS + ACTIONS + ODD_DIGITS + HUGE + CODES
                        + LOGIN_FLAGS + BATCH_IDS)
WORD = st.one_of(PLAIN, PLAIN, st.text(max_size=12))
QUOTE = st.sampled_from(["'", '"', "\\", "'unclosed", '"x y"', "'a b'", "\\ ", "''", '""'])


def _quoted(words):
    return " ".join(shlex.quote(w) for w in words)


def _flags(pairs):
    return [w for flag, value in pairs for w in ([flag] if value is None else [flag, value])]


# A send: recipients, a body, and options each with a random value (or none).
OPTION = st.tuples(st.sampled_from(OPTIONS), st.one_of(st.none(), WORD))
SEND = st.tuples(st.lists(st.sampled_from(NUMBERS), max_size=3), st.one_of(st.none(), WORD),
                 st.lists(OPTION, max_size=4)).map(
    lambda t: _quoted(t[0] + (["-m", t[1]] if t[1] is not None else []) + _flags(t[2])))
# A send that parses, so that most examples reach the sandbox and come back as a card.
GOOD_OPTION = st.sampled_from([("--dry-run", None), ("--from", "Acme"), ("--delivery-report", "full"),
                               ("--callback-url", "http://127.0.0.1:9/x"), ("--client-reference", "ref-1"),
                               ("--timeout", "5"), ("--sandbox", None), ("--live", None),
                               ("--delivery-report", "sometimes"), ("--param", "name=Anna"),
                               ("--param", "name@+46701234567=Anna"), ("--param", "name@+46700000402=x"),
                               ("--max-parts", "1"), ("--max-parts", "3"), ("--truncate", None),
                               ("--send-at", "2099-01-31T09:00:00Z"), ("--send-at", "2020-01-31T09:00:00Z"),
                               ("--expire-at", "2099-01-31T10:00:00Z"),
                               ("--expire-at", "2020-01-31T09:00:01Z")])
GOOD_HEAD = st.tuples(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3),
                      st.lists(GOOD_OPTION, max_size=3)).map(lambda t: t[0] + _flags(t[1]))
GOOD_SEND = st.tuples(GOOD_HEAD, WORD).map(lambda t: _quoted(t[0] + ["-m", t[1]]))
SUB = st.tuples(st.sampled_from(SUBCOMMANDS), st.lists(WORD, max_size=3)).map(
    lambda t: _quoted([t[0], *t[1]]))
COUNT = st.sampled_from(ODD_DIGITS + HUGE + ["2", "0", "x"])
SANDBOX = st.tuples(st.sampled_from(ACTIONS), st.lists(COUNT, max_size=2)).map(
    lambda t: _quoted(["sandbox", t[0], *t[1]]))
HISTORY = COUNT.map(lambda n: f"history {n}")
REPORT = st.lists(st.one_of(COUNT, st.sampled_from(BATCH_IDS + ["--sandbox", "--live", "0", "1"])),
                  max_size=3).map(lambda words: _quoted(["report", *words]))
RAW = st.lists(st.one_of(WORD, QUOTE), max_size=8).map(" ".join)  # quoting left to chance
LINES = st.one_of(GOOD_SEND, GOOD_SEND, SEND, SUB, SANDBOX, HISTORY, REPORT, RAW, st.text(max_size=60))

# IPython itself refuses an empty cell before %%sms sees it.
BODY = st.one_of(st.text(min_size=1, max_size=80),
                 st.sampled_from(["Hello\nworld\n", "\n\n", " ", "😀" * 80]))
JSON = st.sampled_from([
    '{"to": ["+46701234567"], "body": "x"}', '{"to": [}', "[]", "null", '{"to": "x"}', " ",
    '{"to": ["+46701234567"], "body": "x", "n": ' + "9" * 4301 + "}", '{"to": [' + "[" * 5000 + "]}",
    '{"to": ["+46701234567"], "body": "x", "delivery_report": "full"}',
    '{"to": ["+46701234567"], "body": NaN}'])
CALLS = st.one_of(
    LINES.map(lambda line: (line, None)),  # %sms line
    st.tuples(GOOD_HEAD.map(_quoted), BODY),  # %%sms recipients, the body in the cell
    st.tuples(st.sampled_from(["--json", "--json --dry-run", "--json --timeout 5", "--json +46701234567"]),
              st.one_of(JSON, BODY)),  # %%sms --json
    st.tuples(LINES, st.one_of(BODY, JSON)),  # anything, with any cell
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=CALLS)
# What this fuzzer found once, kept: each gave a traceback.
@example(call=("history ²", None))
@example(call=("sandbox journal " + "9" * 4301, None))
@example(call=("--json --dry-run", '{"to": ["+46701234567"], "body": "x"}'))
@example(call=("--json", '{"to": ["+46701234567"], "body": "x", "n": ' + "9" * 4301 + "}"))
@example(call=("+46701234567 -m hi --callback-url +46701234567", None))
@example(call=("report 01ZZZZZZZZZZZZZZZZZZZZZZZZ", None))  # the 404 card of a lookup, and its widget
@example(call=("+46701234567 -m 'Hi ${name}' --param name@+46701234567=A --max-parts 1 --truncate", None))
def test_every_line_gives_an_outcome_or_a_usage_error(ip, monkeypatch, call):
    line, cell = call
    assume(triggers.SLOW not in line + (cell or ""))  # a 30 s answer: covered with --timeout elsewhere
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "")  # %sms login: nothing typed, cancelled
    monkeypatch.setattr("builtins.input", lambda prompt="": "")
    try:
        value = sms(ip, line, cell)
    except UsageError as error:
        event("usage error")
        text = str(error)
        assert "\n" not in text and "Usage:" in text and len(text) < 600, text
        return
    assert isinstance(value, (Result, Message)), value
    event(f"{type(value).__name__} {getattr(value, 'action', '')} {getattr(value, 'code', '')}")
    bundle = value._repr_mimebundle_()
    assert bundle["text/plain"] and bundle["text/html"]
    if isinstance(value, Result):  # the interactive card too: its form reads the same request
        value.widget().close()
