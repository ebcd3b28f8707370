"""The session's life: stopping the sandbox and unloading smsnb end every delivery-status poller,
a poller never starts a sandbox, and two threads never start two sandboxes."""
import socket
import threading
import time

import pytest

from smsnb.card import widgets
from smsnb.sandbox import Clock, Sandbox, triggers
from tests.conftest import sms, wait_for

MOBILE = triggers.ORDINARY_MOBILE
SLOW_CLOCK = Clock(dispatch_after=30, final_after=60)  # reports stay Queued: the poller keeps polling
QUIET = 0.3  # seconds to watch for a poller that should be gone (three sandbox poll intervals)


def session_of(ip):
    return ip.magics_manager.registry["SmsMagic"].session


def polling_card(ip, line=f"{MOBILE} -m hi"):
    """A success card whose delivery status is being polled (it cannot turn final soon)."""
    card = sms(ip, line).widget()
    wait_for(lambda: "Queued" in card.delivery.value)
    assert card._watcher.is_alive()
    return card


@pytest.fixture
def slow_session(ip):
    """The shell's session, its embedded sandbox one whose batches stay Queued."""
    session = session_of(ip)
    session.sandbox = Sandbox(clock=SLOW_CLOCK).start()
    return session


@pytest.fixture
def starts(monkeypatch):
    """Every sandbox started from now on."""
    started = []
    original = Sandbox.start

    def start(self):
        started.append(self)
        return original(self)

    monkeypatch.setattr(Sandbox, "start", start)
    return started


def refuses(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_stop_ends_the_pollers_and_starts_no_sandbox(ip, slow_session, starts):
    box = slow_session.sandbox
    port = box.port
    cards = [polling_card(ip) for _ in range(3)]
    assert sms(ip, "sandbox stop").text == "Sandbox stopped."
    for card in cards:
        assert wait_for(lambda card=card: not card._watcher.is_alive(), timeout=2)
    time.sleep(QUIET)
    assert starts == [] and not slow_session.sandbox.running and refuses(port)


def test_a_poller_of_a_stopped_sandbox_ends_without_starting_one(ip, slow_session, starts):
    card = polling_card(ip)
    slow_session.sandbox.stop()  # stopped behind the session's back: the batch is gone with it
    assert wait_for(lambda: not card._watcher.is_alive(), timeout=2)
    time.sleep(QUIET)
    assert starts == []
    with pytest.raises(RuntimeError, match="stopped"):
        card.result.delivery_status()
    assert starts == []


def test_unload_leaves_no_sandbox_no_poller_and_no_request(ip, slow_session, starts):
    box = slow_session.sandbox
    port = box.port
    cards = [polling_card(ip) for _ in range(3)]
    ip.run_line_magic("unload_ext", "smsnb")
    try:
        assert all(not card._watcher.is_alive() for card in cards)  # unload waits for them
        time.sleep(QUIET)
        assert starts == [] and not box.running and refuses(port)
        assert not [t for t in threading.enumerate() if t.name == "smsnb-delivery" and t.is_alive()]
    finally:
        ip.run_line_magic("load_ext", "smsnb")


def test_unload_ends_live_pollers_and_they_send_nothing_after(ip, clean_env, monkeypatch):
    monkeypatch.setitem(widgets.POLL_SECONDS, "LIVE", 0.05)
    with Sandbox(clock=SLOW_CLOCK) as live:  # stands in for Sinch: the route is LIVE
        clean_env.setenv("SINCH_SERVICE_PLAN_ID", live.service_plan_id)
        clean_env.setenv("SINCH_API_TOKEN", live.api_token)
        clean_env.setenv("SMSNB_BASE_URL", live.url)
        card = polling_card(ip)
        assert card.result.route == "LIVE"
        ip.run_line_magic("unload_ext", "smsnb")
        try:
            assert not card._watcher.is_alive()
            seen = len(live.journal.entries())
            time.sleep(QUIET)
            assert len(live.journal.entries()) == seen
        finally:
            ip.run_line_magic("load_ext", "smsnb")


def test_threads_starting_the_sandbox_at_once_start_one(ip, starts):
    session = session_of(ip)
    barrier = threading.Barrier(8)
    boxes = []

    def start():
        barrier.wait()
        boxes.append(session.embedded.start())

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    try:
        assert len(starts) == 1 and len(boxes) == 8 and all(box is boxes[0] for box in boxes)
        assert boxes[0].running
    finally:
        for box in starts:
            box.stop()


def test_a_send_after_stop_starts_a_fresh_sandbox_and_polls_it(ip, slow_session):
    sms(ip, "sandbox stop")
    card = sms(ip, f"{MOBILE} -m again").widget()
    assert wait_for(lambda: card.final, timeout=5)  # the new default sandbox delivers at once
    assert session_of(ip).sandbox.running
