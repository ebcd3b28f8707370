"""The list endpoints' filters over real HTTP: batches by sender, time and client reference
(24 hours back unless told otherwise), and the recipient delivery report list."""
import time

import pytest

from tests.conftest import final_report

A, B = "+46701234567", "+46701234568"  # ordinary mobiles: Delivered


def ids(answer, key="batches"):
    return [item["id"] for item in answer[key]]


def age(sandbox, batch_id, hours):
    """Move a batch back in time, as if it had been sent ``hours`` ago."""
    batch = sandbox.app.store.get(batch_id)
    batch.created -= hours * 3600
    batch.send_time -= hours * 3600


@pytest.fixture
def three(api):
    sent = [api.send({"to": [A], "body": "1", "from": "+46700009999", "client_reference": "r1"}).json(),
            api.send({"to": [A], "body": "2", "from": "Shop"}).json(),
            api.send({"to": [A], "body": "3"}).json()]
    return [batch["id"] for batch in sent]


def test_batches_by_sender_in_any_form_and_by_client_reference(api, three):
    assert ids(api.get("batches", params={"from": "46700009999"}).json()) == three[:1]
    assert ids(api.get("batches", params={"from": "Shop, +46 70 000 99 99"}).json()) == three[1::-1]
    assert ids(api.get("batches", params={"client_reference": "r1"}).json()) == three[:1]
    assert api.get("batches", params={"from": "Nobody"}).json()["count"] == 0


def test_batches_by_time_and_24_hours_back_by_default(sandbox, api, three):
    age(sandbox, three[0], 25)
    assert ids(api.get("batches").json()) == three[:0:-1]  # the old one is left out
    assert ids(api.get("batches", params={"start_date": "2000-01-01T00:00:00Z"}).json()) == three[::-1]
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now - 3600))  # no zone: UTC
    assert ids(api.get("batches", params={"start_date": "2000-01-01", "end_date": stamp}).json()) == three[:1]
    assert api.get("batches", params={"start_date": "2099-01-01T00:00:00+02:00"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"start_date": "soon"}, {"end_date": "2024-13-45"}, {"page": "-1"},
                                    {"page_size": "x"}])
def test_a_wrong_list_parameter_is_a_400_with_sinchs_body(api, params):
    response = api.get("batches", params=params)
    assert response.status_code == 400 and set(response.json()) == {"code", "text"}


def test_recipient_reports_listed_newest_first_with_sinchs_shape(api):
    first = api.send({"to": [A, "+46700000402"], "body": "x", "client_reference": "r"}).json()
    final_report(api, first["id"])
    second = api.send({"to": [B], "body": "y"}).json()
    final_report(api, second["id"])
    listed = api.get("delivery_reports").json()
    assert listed["count"] == 3 and listed["page"] == 0 and listed["page_size"] == 3
    newest = listed["delivery_reports"][0]
    assert newest == api.get(f"batches/{second['id']}/delivery_report/{B}").json()
    assert set(newest) == {"type", "batch_id", "recipient", "code", "status", "at"}
    assert newest["type"] == "recipient_delivery_report_sms"


def test_recipient_report_filters(sandbox, api):
    batch = api.send({"to": [A, "+46700000402", "+46700000069"], "body": "x", "client_reference": "r"}).json()
    final_report(api, batch["id"])
    api.send({"to": [B], "body": "y"})

    def recipients(**params):
        reports = api.get("delivery_reports", params=params).json()["delivery_reports"]
        return sorted(report["recipient"] for report in reports)

    # any case, as the SDK sends them
    assert recipients(status="ABORTED,Rejected") == ["46700000069", "46700000402"]
    assert recipients(code="402") == ["46700000402"]
    assert recipients(client_reference="r", status="Delivered") == ["46701234567"]
    assert recipients(end_date="2000-01-01T00:00:00Z") == []
    assert api.get("delivery_reports", params={"status": "Sent"}).status_code == 400
    assert api.get("delivery_reports", params={"code": "abc"}).status_code == 400
    age(sandbox, batch["id"], 25)
    assert "46701234567" not in recipients()  # 24 hours back by default
    assert "46701234567" in recipients(start_date="2000-01-01T00:00:00Z")


def test_scheduled_batches_have_no_reports_yet(api):
    api.send({"to": [A], "body": "x", "send_at": "2099-01-01T00:00:00Z"})
    assert api.get("delivery_reports").json()["count"] == 0
