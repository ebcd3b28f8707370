"""The secret sweep: with a sentinel API token and key secret configured, every %sms path,
success and error alike, and the sentinel appears in no output, repr, exception, log record
or IPython history entry."""
import logging
import pickle

import pytest

from smsnb.sandbox import Sandbox, triggers

TOKEN = "SENTINELtokenQ7w3Zr9"
KEY_SECRET = "SENTINELkeysecretX4p8"
SENTINELS = ("SENTINEL",)


@pytest.fixture
def live_sandbox():
    """A sandbox that takes the sentinels as its credentials, so live-configured requests succeed."""
    with Sandbox(api_token=TOKEN, key_secret=KEY_SECRET) as box:
        yield box


LINES = [
    "%sms config",
    f"%sms {triggers.ORDINARY_MOBILE} -m hello",
    f"%sms --dry-run {triggers.ORDINARY_MOBILE} -m 'hej 😀'",
    "%sms +1 -m bad-number",
    f"%sms {triggers.ORDINARY_MOBILE} -m hi --delivery-report full",
    f"%sms {triggers.FIXED_LINE} -m hi",
    f"%sms {triggers.RATE_LIMITED} -m hi",
    f"%sms {triggers.SERVER_ERROR} -m hi",
    f"%sms {triggers.DROPPED} -m hi",
    f"%sms {triggers.SLOW} -m hi --timeout 0.3",
    '%%sms --json\n{"to": [}',
    f"%sms {triggers.ORDINARY_MOBILE} -m hi --sandbox",
    "%sms explain http_401",
    "%sms errors",
    "%sms history",
    "%sms history 1",
    "_.resend()",
    "%sms sandbox status",
    "%sms sandbox journal 50",
    "%config SmsMagic.raise_on_error = True",
    "%sms +1 -m raises",
    "%config SmsMagic.raise_on_error = False",
    "%sms login --service-plan-id smsnb-sandbox",
    f"%sms {triggers.ORDINARY_MOBILE} -m after-login",
    "%sms login --project smsnb-project --key-id sandbox-key",
    f"%sms {triggers.ORDINARY_MOBILE} -m oauth",
    "%sms config",
    "%sms history",
]


def everything_shown(ip, outcome):
    """Every form in which a cell's outcome reaches a person or a file."""
    seen = []
    value = outcome.result
    if value is not None:
        seen += [repr(value), str(value)]
        bundle = getattr(value, "_repr_mimebundle_", None)
        if bundle:
            seen += list(bundle().values())
        for name in ("error", "request", "reply", "value"):
            seen.append(repr(getattr(value, name, None)))
        error = getattr(value, "error", None)
        if error is not None:
            seen += [str(error), repr(error), repr(vars(error)), "\n".join(error._render_traceback_())]
    error = outcome.error_in_exec or outcome.error_before_exec
    if error is not None:
        seen += [str(error), repr(error), repr(getattr(error, "__dict__", ""))]
        if hasattr(error, "_render_traceback_"):
            seen.append("\n".join(error._render_traceback_()))
    return seen


def test_no_secret_anywhere(ip, clean_env, live_sandbox, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", live_sandbox.service_plan_id)
    clean_env.setenv("SINCH_API_TOKEN", TOKEN)
    clean_env.setenv("SMSNB_BASE_URL", live_sandbox.url)
    secrets = iter([TOKEN, KEY_SECRET])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(secrets))
    seen = []
    for line in LINES:
        outcome = ip.run_cell(line, store_history=True)
        seen += everything_shown(ip, outcome)
    printed = capsys.readouterr()
    seen += [printed.out, printed.err]
    seen += [record.getMessage() for record in caplog.records]
    history = ip.history_manager
    seen += [repr(history.input_hist_raw), repr(history.input_hist_parsed), repr(history.output_hist)]
    seen += [repr(list(history.get_range(output=True)))]
    magic = ip.magics_manager.registry["SmsMagic"]
    session = magic.session
    seen += [repr(session.login_values), repr(vars(session))]
    seen += [repr(vars(part)) for part in vars(session).values() if hasattr(part, "__dict__")]
    seen += [repr(live_sandbox.journal.entries())]
    seen += [repr(vars(client)) for client in magic.session.backends.clients.values()]
    blob = "\n".join(seen)
    assert "after-login" in blob and "oauth" in blob  # the sweep did run every path
    assert magic.session.history[-1].ok  # the OAuth send really used the key secret
    for sentinel in SENTINELS:
        leaks = [blob[max(0, i - 120):i + 40] for i in range(len(blob)) if blob.startswith(sentinel, i)]
        assert not leaks, leaks[:3]


def test_secrets_cannot_be_pickled_into_a_file():
    from smsnb.sinch.secret import Secret

    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(Secret(TOKEN))


def live_env(clean_env, box, token):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", box.service_plan_id)
    clean_env.setenv("SINCH_API_TOKEN", token)
    clean_env.setenv("SMSNB_BASE_URL", box.url)


@pytest.mark.parametrize("pasted", [TOKEN + "\r\n", TOKEN + "\n", f"  {TOKEN}\t"])
def test_a_pasted_token_with_whitespace_around_it_works(ip, clean_env, live_sandbox, pasted):
    from tests.conftest import sms

    live_env(clean_env, live_sandbox, pasted)
    assert sms(ip, f"{triggers.ORDINARY_MOBILE} -m hi").ok


@pytest.mark.parametrize("token, kind", [
    ("SENTINEL\x01QQZ", "a control character (U+0001) at position 9 of 12"),
    ("SENTINEL\r\nQQZ", "a control character (U+000D) at position 9 of 13"),
    ("SENTINEL\u2019QQZ", "a non-ASCII character (U+2019) at position 9 of 12"),
    ("SENTINELé", "a non-ASCII character (U+00E9) at position 9 of 9"),
    ("SENTINEL QQZ", "a space at position 9 of 12"),
])
def test_a_token_with_a_bad_character_inside_gets_a_card_that_says_so(ip, clean_env, live_sandbox, token,
                                                                     kind):
    from tests.conftest import html_of, sms, text_of

    live_env(clean_env, live_sandbox, token)
    result = sms(ip, f"{triggers.ORDINARY_MOBILE} -m hi")
    error = result.error
    assert error.key == "invalid_credential" and not error.may_have_been_sent
    assert kind in str(error) and "nothing was sent" in str(error) and "API token" in str(error)
    assert live_sandbox.journal.entries() == []  # it never left
    shown = text_of(result) + html_of(result) + str(error) + repr(error) + repr(vars(error))
    assert "SENTINEL" not in shown and "QQZ" not in shown


def test_a_key_secret_with_a_bad_character_inside_gets_the_same_card(ip, clean_env, live_sandbox):
    from tests.conftest import sms

    clean_env.setenv("SINCH_PROJECT_ID", live_sandbox.credentials.project_id)
    clean_env.setenv("SINCH_KEY_ID", live_sandbox.credentials.key_id)
    clean_env.setenv("SINCH_KEY_SECRET", KEY_SECRET[:8] + "\u200b" + KEY_SECRET[8:])  # a zero-width space
    clean_env.setenv("SMSNB_BASE_URL", live_sandbox.url)
    error = sms(ip, f"{triggers.ORDINARY_MOBILE} -m hi").error
    assert error.key == "invalid_credential" and "key secret" in str(error) and "U+200B" in str(error)
    assert live_sandbox.journal.entries() == [] and "SENTINEL" not in repr(vars(error))


def test_a_secret_drops_surrounding_whitespace():
    from smsnb.sinch.secret import Secret

    assert Secret(f" {TOKEN}\r\n") == Secret(TOKEN) and Secret("\n").reveal() == ""
