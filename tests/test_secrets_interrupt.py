"""Ctrl-C during a send, and %debug after a failed one: with a sentinel token configured for a
live-style client, the token is in nothing IPython prints and in no frame or exception smsnb
leaves behind, under every %xmode."""
import base64
import inspect
import signal
import socket
import sys
import threading

import pytest

from smsnb.sandbox import Sandbox, triggers
from smsnb.sinch.secret import Secret
from tests.conftest import wait_for

TOKEN = "SENTINELtokenQ7w3Zr9"
KEY_ID = "sentinel-key"
KEY_SECRET = "SENTINELkeysecretX4p8"
# The Basic header carries key id and secret in base64: a leak of it is a leak of the secret.
FORMS = ("SENTINEL", base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()[:16])


@pytest.fixture
def slow_box():
    with Sandbox(api_token=TOKEN, key_secret=KEY_SECRET, key_id=KEY_ID, slow_seconds=30) as box:
        yield box


@pytest.fixture
def live_env(clean_env, slow_box):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", slow_box.service_plan_id)
    clean_env.setenv("SINCH_API_TOKEN", TOKEN)
    clean_env.setenv("SMSNB_BASE_URL", slow_box.url)
    return clean_env


@pytest.fixture
def oauth_env(clean_env, slow_box):
    clean_env.setenv("SINCH_PROJECT_ID", slow_box.credentials.project_id)
    clean_env.setenv("SINCH_KEY_ID", KEY_ID)
    clean_env.setenv("SINCH_KEY_SECRET", KEY_SECRET)
    clean_env.setenv("SMSNB_BASE_URL", slow_box.url)
    return clean_env


@pytest.fixture
def token_env(clean_env):
    """OAuth2 against a token endpoint that takes the request and never answers: the Basic header
    with the key secret is in flight when Ctrl-C comes."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            stop.wait(30)

    threading.Thread(target=serve, daemon=True).start()
    clean_env.setenv("SINCH_PROJECT_ID", "project")
    clean_env.setenv("SINCH_KEY_ID", KEY_ID)
    clean_env.setenv("SINCH_KEY_SECRET", KEY_SECRET)
    clean_env.setenv("SMSNB_BASE_URL", f"http://127.0.0.1:{listener.getsockname()[1]}")
    yield clean_env
    stop.set()
    listener.close()


def views(value, depth=2, seen=None):
    """repr of ``value``, and shallowly of what it holds: items, attributes, slots."""
    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, (type, type(sys))) or inspect.isroutine(value):
        return
    seen.add(id(value))
    try:
        yield repr(value)
    except Exception as error:  # noqa: BLE001 - a half-built object's repr may fail; look at its parts
        yield f"<repr failed: {type(error).__name__}>"
    if depth == 0 or isinstance(value, (str, bytes, int, float, Secret)):  # a Secret's inside is its purpose
        return
    parts = []
    if isinstance(value, dict):
        parts = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = list(value)[:200]
    else:
        parts = list(getattr(value, "__dict__", {}).values())
        for cls in type(value).__mro__:
            for name in getattr(cls, "__slots__", ()):
                parts.append(getattr(value, name, None))
        if isinstance(value, BaseException):
            parts += [value.args, value.__cause__, value.__context__]
    for part in parts:
        yield from views(part, depth - 1, seen)


def frames_of(tb, stop_file):
    """Every frame of a traceback, and each one's callers up to the test itself."""
    frames, seen = [], set()
    while tb is not None:
        frame = tb.tb_frame
        while frame is not None and frame.f_code.co_filename != stop_file and id(frame) not in seen:
            seen.add(id(frame))
            frames.append(frame)
            frame = frame.f_back
        tb = tb.tb_next
    return frames


def sweep_frames(tb):
    for frame in frames_of(tb, __file__):
        for name, value in frame.f_locals.items():
            for shown in views(value):
                yield f"{frame.f_code.co_name}:{name} = {shown}"


def exception_chain(error):
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def access_tokens(ip):
    """The OAuth2 access tokens the session's clients hold: credentials too."""
    clients = ip.magics_manager.registry["SmsMagic"].session.backends.clients.values()
    return tuple(client._token[0].reveal() for client in clients if client._token)


def leaks(texts, forms=FORMS):
    found = []
    for text in texts:
        for form in forms:
            if form in text:
                index = text.index(form)
                found.append(text[max(0, index - 150):index + 40])
    return found


def in_flight():
    """True once the main thread is blocked reading the answer."""
    frame = sys._current_frames().get(threading.main_thread().ident)
    while frame is not None:
        if frame.f_code.co_name in ("_read_status", "readinto"):
            return True
        frame = frame.f_back
    return False


def interrupt_when_in_flight():
    def run():
        wait_for(in_flight, timeout=10)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


ENVIRONMENTS = {"token": "live_env", "oauth": "oauth_env", "oauth-token-request": "token_env"}


@pytest.mark.parametrize("mode", ["Plain", "Context", "Verbose", "Minimal"])
@pytest.mark.parametrize("auth", list(ENVIRONMENTS))
def test_ctrl_c_during_a_send_shows_no_secret(ip, request, capsys, mode, auth):
    request.getfixturevalue(ENVIRONMENTS[auth])
    ip.run_line_magic("colors", "nocolor")
    ip.run_line_magic("xmode", mode)
    capsys.readouterr()
    sys.last_traceback = None
    try:
        thread = interrupt_when_in_flight()
        outcome = ip.run_cell(f"%sms {triggers.SLOW} -m hi --timeout 20", store_history=False)
        thread.join(10)
    finally:
        ip.run_line_magic("xmode", "Context")
    assert isinstance(outcome.error_in_exec, KeyboardInterrupt)
    printed = capsys.readouterr()
    assert "KeyboardInterrupt" in printed.out + printed.err
    assert sys.last_traceback is not None
    seen = [printed.out, printed.err, *sweep_frames(sys.last_traceback)]
    assert any("Authorization" in text for text in seen)  # the sweep did see the header, masked
    forms = FORMS + access_tokens(ip)
    assert len(forms) == len(FORMS) + (auth == "oauth")
    assert not leaks(seen, forms), leaks(seen, forms)[:3]


@pytest.mark.parametrize("auth", ["token", "oauth"])
def test_a_transport_error_keeps_no_secret_for_debug(ip, request, auth):
    request.getfixturevalue("live_env" if auth == "token" else "oauth_env")
    ip.run_line_magic("config", "SmsMagic.raise_on_error = True")  # as %debug would find it
    sys.last_traceback = None
    outcome = ip.run_cell(f"%sms {triggers.DROPPED} -m hi", store_history=False)
    error = outcome.error_in_exec
    assert error.key == "connection_dropped" and sys.last_traceback is not None
    assert error.__cause__ is None and error.__context__ is None  # requests' exception is not kept
    seen = [text for link in exception_chain(error) for text in views(link, depth=3)]
    seen += list(sweep_frames(error.__traceback__)) + list(sweep_frames(sys.last_traceback))
    assert not leaks(seen), leaks(seen)[:3]
