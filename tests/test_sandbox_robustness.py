"""The sandbox as a server: bad input never takes it down, concurrency, lifecycle, the CLI."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from smsnb.sandbox import Sandbox, triggers
from tests.conftest import Api

OK = {"to": [triggers.ORDINARY_MOBILE], "body": "still here"}


def raw_http(sandbox, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def bad_inputs(api):
    plan_path = f"/xms/v1/{api.plan}/batches"
    return {
        "malformed request line": lambda: raw_http(api.sandbox, b"GARBAGE\r\n\r\n"),
        "malformed header": lambda: raw_http(api.sandbox, f"POST {plan_path} HTTP/1.1\r\nNo-Colon\r\n\r\n".encode()),
        "oversized body": lambda: api.send(raw="x" * (1024 * 1024 + 1)),
        "invalid utf-8": lambda: api.send(raw=b'{"to": ["\xff\xfe"], "body": "x"}'),
        "deeply nested json": lambda: api.send(raw="[" * 100_000 + "]" * 100_000),
        "huge to list": lambda: api.send({"to": [triggers.ORDINARY_MOBILE] * 50_000, "body": "x"}),
        "null bytes": lambda: api.send(raw=b"\x00" * 1000),
    }


@pytest.mark.parametrize("case", ["malformed request line", "malformed header", "oversized body", "invalid utf-8",
                                  "deeply nested json", "huge to list", "null bytes"])
def test_bad_input_then_a_normal_request_succeeds(api, case):
    result = bad_inputs(api)[case]()
    if isinstance(result, requests.Response):
        assert result.status_code in (400, 413), result.text
    assert api.send(OK).status_code == 201


def test_oversized_body_is_a_clear_413(api):
    response = api.send(raw="x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and "1 MiB" in response.text


def test_invalid_utf8_and_deep_nesting_are_syntax_invalid_json(api):
    assert api.send(raw=b'{"body": "\xff"}').json()["code"] == "syntax_invalid_json"
    assert api.send(raw="[" * 100_000 + "]" * 100_000).json()["code"] == "syntax_invalid_json"


def test_fifty_concurrent_clients_lose_no_journal_entry(sandbox):
    def one(i):
        return Api(sandbox).send({"to": [triggers.ORDINARY_MOBILE], "body": f"client {i}"}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    assert statuses == [201] * 50
    bodies = sorted(json.loads(e["body"])["body"] for e in sandbox.journal.entries())
    assert bodies == sorted(f"client {i}" for i in range(50))
    assert len({e["seq"] for e in sandbox.journal.entries()}) == 50


def test_journal_is_bounded_and_resettable():
    with Sandbox(journal_cap=5) as box:
        api = Api(box)
        for i in range(8):
            api.send({"to": [triggers.ORDINARY_MOBILE], "body": f"m{i}"})
        over_http = requests.get(f"{box.url}/_sandbox/journal", timeout=5).json()
        assert over_http["cap"] == 5 and over_http["dropped"] == 3
        assert [json.loads(e["body"])["body"] for e in over_http["entries"]] == ["m3", "m4", "m5", "m6", "m7"]
        assert requests.delete(f"{box.url}/_sandbox/journal", timeout=5).status_code == 204
        assert len(box.journal) == 0


def test_journal_records_method_path_status_and_response(api, sandbox):
    api.send({"to": ["+1"], "body": "x"})
    entry = sandbox.journal.entries()[-1]
    assert entry["method"] == "POST" and entry["path"].endswith("/batches") and entry["status"] == 400
    assert json.loads(entry["response"])["code"] == "syntax_invalid_parameter_format"


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_start_stop_many_times_leaks_no_threads_or_sockets():
    with Sandbox() as warm:  # let lazy imports and caches settle first
        Api(warm).send(OK)
    threads, fds = threading.active_count(), open_fds()
    for _ in range(20):
        with Sandbox() as box:
            assert Api(box).send(OK).status_code == 201
    assert threading.active_count() == threads
    assert open_fds() <= fds


def test_stop_wakes_a_slow_answer():
    box = Sandbox(slow_seconds=60).start()
    worker = threading.Thread(target=lambda: _swallow(lambda: Api(box).send({"to": [triggers.SLOW], "body": "x"})))
    worker.start()
    threading.Event().wait(0.2)
    box.stop()
    worker.join(timeout=5)
    assert not worker.is_alive()


def _swallow(call):
    try:
        call()
    except requests.RequestException:
        pass


def test_binds_to_loopback_only(sandbox):
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert sandbox.app is not None


def test_command_line_prints_url_credentials_and_triggers_and_stops_on_sigterm():
    process = subprocess.Popen([sys.executable, "-m", "smsnb.sandbox", "--service-plan-id", "cli-plan",
                                "--api-token", "cli-token"], stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not (lines and lines[-1].startswith("Ctrl-C")):
            lines.append(process.stdout.readline().strip())
        text = "\n".join(lines)
        url = next(line.split()[-1] for line in lines if line.startswith("base URL"))
        assert "cli-plan" in text and "cli-token" in text and "403 missing_callback_url" in text
        answer = requests.post(f"{url}/xms/v1/cli-plan/batches", json=OK,
                               headers={"Authorization": "Bearer cli-token"}, timeout=5)
        assert answer.status_code == 201
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()


def test_command_line_reports_a_busy_port(sandbox):
    result = subprocess.run([sys.executable, "-m", "smsnb.sandbox", "--port", str(sandbox.port)],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and "Pick another --port" in result.stderr and "Traceback" not in result.stderr


def test_a_process_that_never_stops_its_sandbox_still_exits():
    code = ("from smsnb.sandbox import Sandbox; import requests; box = Sandbox().start(); "
            "print(requests.get(box.url + '/_sandbox/triggers', timeout=5).status_code)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0 and result.stdout.strip() == "200"
