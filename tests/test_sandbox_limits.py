"""Bounded memory and no stalls: what the sandbox keeps is capped, and idle or trickling clients
cannot hold up anyone else."""
import json
import socket
import threading
import time
import tracemalloc

import pytest
import requests

from smsnb.sandbox import Sandbox, triggers
from tests.conftest import Api, wait_for
from tests.test_sandbox_robustness import JSON_AUTH, PLAN_PATH, raw_http, request, status_of

OK = {"to": [triggers.ORDINARY_MOBILE], "body": "still here"}


def timed_send(sandbox) -> float:
    started = time.monotonic()
    answer = requests.post(f"{sandbox.url}{PLAN_PATH}", json=OK, headers=JSON_AUTH, timeout=5)
    assert answer.status_code == 201
    return time.monotonic() - started


# --- item 15: memory is bounded ----------------------------------------------------------------

def test_a_request_head_over_16_kib_gets_431_and_is_journaled(sandbox):
    fits = raw_http(sandbox, request("GET", PLAN_PATH, {**JSON_AUTH, "X-Pad": "p" * 15_000}))
    assert status_of(fits) == 200
    answer = raw_http(sandbox, request("GET", PLAN_PATH, {**JSON_AUTH, "X-Pad": "p" * 20_000}))
    assert status_of(answer) in (431, None)  # None: reset, as the rest of the head was left unread
    entry = wait_for(lambda: [e for e in sandbox.journal.entries() if e["status"] == 431])[-1]
    assert entry["path"] == PLAN_PATH and len(json.dumps(entry)) < 4096


def test_a_journal_entry_keeps_capped_copies_with_a_visible_marker(sandbox):
    body = json.dumps({"to": ["+46701234567"], "body": "x", "padding": "b" * 100_000})
    Api(sandbox).session.post(f"{sandbox.url}{PLAN_PATH}?q={'q' * 3000}", data=body, timeout=5,
                              headers={**JSON_AUTH, "X-Long": "h" * 10_000})
    entry = sandbox.journal.entries()[-1]
    assert entry["status"] == 201
    assert entry["body"].startswith(body[:100]) and entry["body"].endswith("more characters not kept]")
    assert entry["headers"]["X-Long"].endswith("more characters not kept]")
    assert entry["query"].endswith("more characters not kept]")
    assert len(json.dumps(entry)) < 24_000


def test_300_requests_with_1_mb_headers_do_not_grow_memory(sandbox):
    big = request("POST", PLAN_PATH, {**JSON_AUTH, "X-Big": "m" * 1_000_000}, b"{}")
    raw_http(sandbox, big)  # warm up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            raw_http(sandbox, big)
        wait_for(lambda: len(sandbox.journal) >= 301)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 5_000_000  # before the cap: about 300 MB
    assert sum(len(json.dumps(e)) for e in sandbox.journal.entries()) < 301 * 4096
    assert Api(sandbox).send(OK).status_code == 201


def test_received_callbacks_and_callback_attempts_are_capped_like_the_journal():
    with Sandbox(journal_cap=5) as box:
        for i in range(8):
            requests.post(box.credentials.receiver_url, json={"n": i}, timeout=5)
        kept = requests.get(box.credentials.receiver_url, timeout=5).json()
        assert (kept["cap"], kept["dropped"]) == (5, 3)
        assert [c["n"] for c in kept["callbacks"]] == [3, 4, 5, 6, 7]
        assert [c["n"] for c in box.received_callbacks] == [3, 4, 5, 6, 7]
        for i in range(8):
            Api(box).send({**OK, "delivery_report": "summary", "callback_url": f"https://example.com/{i}"})
        assert len(box.callback_attempts) == 5 and box.callback_attempts.dropped == 3
        assert box.callback_attempts[-1]["url"] == "https://example.com/7"


def test_the_built_in_receiver_refuses_a_callback_over_64_kib(sandbox):
    big = requests.post(sandbox.credentials.receiver_url, json={"x": "y" * 70_000}, timeout=5)
    assert big.status_code == 413 and len(sandbox.received_callbacks) == 0


# --- item 16: idle or trickling clients block no one --------------------------------------------

@pytest.fixture
def held():
    """Sockets the test opens and holds; closed afterwards."""
    sockets = []
    yield sockets
    for sock in sockets:
        sock.close()


def connect(sandbox, sockets, first: bytes = b""):
    sock = socket.create_connection(("127.0.0.1", sandbox.port), timeout=5)
    sockets.append(sock)
    if first:
        sock.sendall(first)
    return sock


def test_64_idle_connections_do_not_delay_a_send(sandbox, held):
    for _ in range(64):
        connect(sandbox, held)
    time.sleep(0.2)  # let the sandbox accept them all
    assert timed_send(sandbox) < 1
    assert timed_send(sandbox) < 1


class Trickler:
    """Sends one byte every 50 ms on each of its sockets, from one thread, until stopped."""

    def __init__(self, sockets):
        self.sockets, self.stop = sockets, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(0.05):
            for sock in self.sockets:
                try:
                    sock.send(b"x")
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join()


def test_trickling_clients_do_not_delay_a_send(sandbox, held):
    heads = [connect(sandbox, held, f"GET {PLAN_PATH} HTTP/1.1\r\nX-Slow: ".encode()) for _ in range(24)]
    bodies = [connect(sandbox, held, request("POST", PLAN_PATH, JSON_AUTH, length=10_000)) for _ in range(8)]
    trickler = Trickler(heads + bodies)
    try:
        time.sleep(0.3)
        assert timed_send(sandbox) < 1
        assert timed_send(sandbox) < 1
    finally:
        trickler.close()


@pytest.mark.parametrize("first", [f"GET {PLAN_PATH} HTTP/1.1\r\nX-Slow: ".encode(),
                                   request("POST", PLAN_PATH, JSON_AUTH, length=10_000)],
                         ids=["head", "body"])
def test_a_trickling_request_is_cut_off_after_request_seconds(held, first):
    with Sandbox(request_seconds=0.5) as box:
        sock = connect(box, held, first)
        trickler = Trickler([sock])
        started = time.monotonic()
        try:
            answer = sock.recv(4096)
        finally:
            trickler.close()
        assert status_of(answer) == 408 and time.monotonic() - started < 1.5
        assert wait_for(lambda: box.journal.entries())[-1]["status"] == 408


def test_stored_batches_stay_within_their_memory_budget(sandbox, monkeypatch):
    """Batches are kept oldest-first within a count and a byte budget: sending forever (each
    batch echoing a large parameters object) cannot grow the sandbox without bound."""
    from smsnb.sandbox import store

    monkeypatch.setattr(store, "MAX_BATCH_BYTES", 400_000)
    api, parameters = Api(sandbox), {"pad": {"default": "p" * 100_000}}
    first = api.send({**OK, "parameters": parameters}).json()["id"]
    for _ in range(8):
        assert api.send({**OK, "parameters": parameters}).status_code == 201
    listed = api.get("batches", params={"page_size": 100}).json()
    assert 2 <= listed["count"] <= 4
    assert api.get(f"batches/{first}").status_code == 404  # the oldest went first


def test_callbacks_waiting_far_ahead_are_capped(sandbox, monkeypatch):
    """Scheduled batches asking for per-recipient reports pile up callbacks until their time comes:
    past the cap a callback is refused with why, instead of growing the sandbox without bound."""
    from smsnb.sandbox import dispatcher

    monkeypatch.setattr(dispatcher, "MAX_PENDING", 3)
    batch = {**OK, "delivery_report": "per_recipient", "callback_url": sandbox.credentials.receiver_url,
             "send_at": "2099-01-01T00:00:00Z", "expire_at": "2099-01-02T00:00:00Z"}
    api = Api(sandbox)
    for _ in range(3):
        assert api.send(batch).status_code == 201
    refused = [a for a in sandbox.callback_attempts if "callbacks are waiting" in str(a["outcome"])]
    assert len(refused) == 3  # 6 asked for (2 steps x 3 batches), 3 kept
