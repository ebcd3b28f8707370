"""Delivery reports on the simulated clock, and callbacks to a real local HTTP receiver."""
import json
import time

import pytest

from smsnb.sandbox import triggers
from tests.conftest import Api, LocalServer, final_report, wait_for


class Receiver(LocalServer):
    """A callback receiver that fails its first ``fail_first`` callbacks with 500."""

    def __init__(self, fail_first=0):
        self.answered = []

        def answer(index, path, headers, body):
            self.answered.append(500 if index < fail_first else 200)
            return self.answered[-1], None

        super().__init__(answer)
        self.url += "/callback"

    @property
    def received(self):
        answered = zip(self.requests, self.answered, strict=False)  # the newest may not be answered yet
        return [json.loads(body) for (_, _, body), status in answered if status == 200]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def flaky_receiver():
    r = Receiver(fail_first=2)
    yield r
    r.close()


def final_status(api, batch_id, recipient):
    def done():
        report = api.get(f"batches/{batch_id}/delivery_report/{recipient}").json()
        return report if report["status"] not in ("Queued", "Dispatched") else None
    return wait_for(done)


@pytest.mark.parametrize("number, status, code", [
    (triggers.ORDINARY_MOBILE, "Delivered", 0),
    ("+46700000402", "Aborted", 402),  # Sinch's codes come with Sinch's status (API.md)
    ("+46700000254", "Failed", 254),  # the carrier-side ones with the carrier's code
    ("+46700000069", "Rejected", 69),
])
def test_recipient_report_reaches_the_triggered_final_status(api, number, status, code):
    batch = api.send({"to": [number], "body": "x"}).json()
    first = api.get(f"batches/{batch['id']}/delivery_report/{number}").json()
    assert first["status"] in ("Queued", "Dispatched")
    report = final_status(api, batch["id"], number)
    assert (report["status"], report["code"]) == (status, code)
    assert report["type"] == "recipient_delivery_report_sms" and report["recipient"] == number[1:]


def test_summary_and_full_reports_group_by_status(api):
    batch = api.send({"to": [triggers.ORDINARY_MOBILE, "+46700000402"], "body": "x"}).json()
    summary = final_report(api, batch["id"])
    assert summary["type"] == "delivery_report_sms" and summary["total_message_count"] == 2
    counts = sorted((s["status"], s["count"]) for s in summary["statuses"])
    assert counts == [("Aborted", 1), ("Delivered", 1)]
    assert all("recipients" not in s for s in summary["statuses"])
    full = api.get(f"batches/{batch['id']}/delivery_report", params={"type": "full"}).json()
    assert {s["status"]: s["recipients"] for s in full["statuses"]} == {"Delivered": ["46701234567"],
                                                                       "Aborted": ["46700000402"]}
    bad = api.get(f"batches/{batch['id']}/delivery_report", params={"type": "report"})
    assert bad.status_code == 400 and bad.json()["code"] == "syntax_invalid_parameter_format"


def test_recipient_not_in_batch_is_404(api):
    batch = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x"}).json()
    assert api.get(f"batches/{batch['id']}/delivery_report/46700000001").status_code == 404


def test_per_recipient_callbacks_reach_a_real_receiver(api, receiver):
    api.send({"to": [triggers.ORDINARY_MOBILE, "+46700000254"], "body": "x",
              "delivery_report": "per_recipient", "callback_url": receiver.url})
    wait_for(lambda: len(receiver.received) >= 4)
    time.sleep(0.1)
    seen = sorted((r["recipient"], r["status"]) for r in receiver.received)
    assert seen == [("46700000254", "Dispatched"), ("46700000254", "Failed"),
                    ("46701234567", "Delivered"), ("46701234567", "Dispatched")]
    assert all(r["type"] == "recipient_delivery_report_sms" for r in receiver.received)


def test_summary_callback_is_sent_once_when_final(api, receiver):
    batch = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x", "delivery_report": "full",
                      "callback_url": receiver.url}).json()
    report = wait_for(lambda: receiver.received)[0]
    time.sleep(0.1)
    assert len(receiver.received) == 1
    assert report["batch_id"] == batch["id"]
    assert report["statuses"] == [{"code": 0, "status": "Delivered", "count": 1,
                                   "recipients": ["46701234567"]}]


def test_failed_callbacks_are_retried_with_doubling_delay(sandbox, flaky_receiver):
    Api(sandbox).send({"to": [triggers.ORDINARY_MOBILE], "body": "x",
                       "delivery_report": "per_recipient_final", "callback_url": flaky_receiver.url})
    wait_for(lambda: flaky_receiver.received)
    assert flaky_receiver.answered == [500, 500, 200]

    def attempts_to_receiver():  # the sandbox records an attempt once its answer is in: a moment after
        attempts = [a for a in sandbox.callback_attempts if a["url"] == flaky_receiver.url]
        return attempts if len(attempts) >= 3 else None

    attempts = wait_for(attempts_to_receiver)
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["outcome"] for a in attempts] == [500, 500, 200]


def test_sandbox_receiver_records_callbacks(sandbox):
    api = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    batch = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x",
                      "delivery_report": "per_recipient_final"}).json()
    wait_for(lambda: sandbox.received_callbacks)
    assert sandbox.received_callbacks[0]["batch_id"] == batch["id"]
    over_http = api.session.get(sandbox.credentials.receiver_url, timeout=5).json()["callbacks"]
    assert over_http == sandbox.received_callbacks


def test_callbacks_never_leave_the_machine(api, sandbox):
    api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x", "delivery_report": "summary",
              "callback_url": "https://example.com/callback"})
    attempt = wait_for(lambda: sandbox.callback_attempts)[0]
    assert "loopback only" in attempt["outcome"]


def test_get_list_and_cancel(api):
    ids = [api.send({"to": [triggers.ORDINARY_MOBILE], "body": f"m{i}"}).json()["id"] for i in range(3)]
    page = api.get("batches", params={"page_size": 2}).json()
    assert page["count"] == 3 and page["page_size"] == 2
    assert [b["id"] for b in page["batches"]] == ids[::-1][:2]
    assert api.get("batches", params={"page": 1, "page_size": 2}).json()["batches"][0]["id"] == ids[0]
    assert api.get(f"batches/{ids[1]}").json()["body"] == "m1"
    assert api.get("batches", params={"page_size": 101}).status_code == 400
