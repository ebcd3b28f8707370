"""Updating (POST) and replacing (PUT) a batch, over real HTTP: Sinch's shapes and rules, only
before the dispatch, and the batch then sent anew as it now is."""
import json
import time
from datetime import datetime, timezone

import pytest

from smsnb.sandbox import triggers
from tests.conftest import Api, final_report, wait_for

MOBILE = triggers.ORDINARY_MOBILE
LATER = {"send_at": "2099-01-01T00:00:00Z"}


def put(api, path, body):
    return api.session.put(api.url(path), data=json.dumps(body), headers=api.headers(), timeout=10)


def scheduled(api, **fields):
    response = api.send({"to": [MOBILE], "body": "first", **LATER, **fields})
    assert response.status_code == 201
    return response.json()


def error_of(response):
    assert set(response.json()) == {"code", "text"}
    return response.json()["code"], response.json()["text"]


def test_an_update_changes_the_fields_it_names_and_keeps_the_rest(api):
    batch = scheduled(api, client_reference="ref", **{"from": "Shop"})
    response = api.send({"body": "second", "delivery_report": "none", "from_ton": 5, "from": None},
                        path=f"batches/{batch['id']}")
    assert response.status_code == 200
    updated = response.json()
    assert updated["id"] == batch["id"] and updated["created_at"] == batch["created_at"]
    assert updated["body"] == "second" and updated["from_ton"] == 5
    assert updated["from"] == "Shop" and updated["client_reference"] == "ref"  # null or absent: unchanged
    assert updated["modified_at"] >= batch["modified_at"]
    assert api.get(f"batches/{batch['id']}").json() == updated


def test_to_add_and_to_remove_change_the_recipients_numbers_compared_in_any_form(api):
    batch = scheduled(api, to=[MOBILE, "+46701234568"])
    response = api.send({"to_add": ["0046701234569", "+46 70 123 45 67"], "to_remove": ["46701234568"]},
                        path=f"batches/{batch['id']}")
    assert response.json()["to"] == ["46701234567", "46701234569"]
    # the older OpenAPI description's name
    camel = api.send({"toRemove": ["+46701234569"]}, path=f"batches/{batch['id']}")
    assert camel.json()["to"] == ["46701234567"]


def test_removing_every_recipient_is_a_constraint_violation(api):
    batch = scheduled(api)
    response = api.send({"to_remove": [MOBILE]}, path=f"batches/{batch['id']}")
    assert response.status_code == 400 and error_of(response)[0] == "syntax_constraint_violation"
    assert api.get(f"batches/{batch['id']}").json()["to"] == ["46701234567"]  # unchanged


@pytest.mark.parametrize("update, status, code, where", [
    ({"to_add": ["0701234567"]}, 400, "syntax_invalid_parameter_format", "to_add[0]"),
    ({"to_add": MOBILE}, 400, "syntax_invalid_json", "'to_add' must be an array"),
    ({"to_add": [MOBILE] * 101}, 400, "syntax_constraint_violation", "to_add"),
    ({"body": 5}, 400, "syntax_invalid_json", "'body'"),
    ({"body": "x" * 2001}, 400, "syntax_constraint_violation", "'body'"),
    ({"expire_at": "2098-01-01T00:00:00Z"}, 400, "syntax_constraint_violation", "expire_at"),
    ({"to_add": [triggers.UNKNOWN_GROUP_ID]}, 403, "unknown_group", triggers.UNKNOWN_GROUP_ID),
    ({"delivery_report": "full"}, 403, "missing_callback_url", "callback URL"),
])
def test_an_update_is_checked_as_a_send_is(api, update, status, code, where):
    batch = scheduled(api)
    response = api.send(update, path=f"batches/{batch['id']}")
    assert response.status_code == status
    assert error_of(response)[0] == code and where in error_of(response)[1]
    assert api.get(f"batches/{batch['id']}").json()["body"] == "first"


def test_a_replace_is_a_whole_new_batch_under_the_same_id(api):
    batch = scheduled(api, client_reference="old")
    response = put(api, f"batches/{batch['id']}", {"to": ["+46701234568"], "body": "new"})
    assert response.status_code == 200
    replaced = response.json()
    assert replaced["id"] == batch["id"] and replaced["to"] == ["46701234568"] and replaced["body"] == "new"
    assert "client_reference" not in replaced  # nothing of the old request stays
    assert put(api, f"batches/{batch['id']}", {"to": [MOBILE]}).status_code == 400  # needs a body
    assert put(api, f"batches/{batch['id']}", {"body": "x"}).status_code == 400  # and a to


def test_the_batch_is_sent_as_it_now_is(api):
    """Replaced to send now: its report, recipients and outcome are the new request's."""
    batch = scheduled(api)
    put(api, f"batches/{batch['id']}", {"to": ["+46700000402", MOBILE], "body": "now"})
    report = final_report(api, batch["id"], "full")
    assert {(s["status"], s["code"], tuple(s["recipients"])) for s in report["statuses"]} == {
        ("Aborted", 402, ("46700000402",)), ("Delivered", 0, ("46701234567",))}


def test_callbacks_follow_the_edit(sandbox):
    """The callback scheduled before an edit is dropped; the edited batch's is sent."""
    api = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    soon = datetime.fromtimestamp(time.time() + 0.4, timezone.utc).isoformat()
    batch = api.send({"to": [MOBILE], "body": "x", "delivery_report": "full", "send_at": soon,
                      "client_reference": "before"}).json()
    api.send({"client_reference": "after"}, path=f"batches/{batch['id']}")
    callbacks = wait_for(lambda: sandbox.received_callbacks.entries())
    time.sleep(0.2)  # the dropped one was due at the same moment
    assert [c["client_reference"] for c in sandbox.received_callbacks.entries()] == ["after"]
    assert callbacks[0]["statuses"] == [{"code": 0, "status": "Delivered", "count": 1,
                                         "recipients": ["46701234567"]}]


def test_only_before_dispatch(api):
    sent = api.send({"to": [MOBILE], "body": "x"}).json()
    wait_for(lambda: api.get(f"batches/{sent['id']}/delivery_report/{MOBILE}").json()["status"] != "Queued")
    for response in (api.send({"body": "y"}, path=f"batches/{sent['id']}"),
                     put(api, f"batches/{sent['id']}", {"to": [MOBILE], "body": "y"})):
        assert response.status_code == 400
        code, text = error_of(response)
        assert code == "syntax_constraint_violation" and "dispatched" in text
    assert api.get(f"batches/{sent['id']}").json()["body"] == "x"


def test_a_cancelled_batch_cannot_be_edited(api):
    batch = scheduled(api)
    api.delete(f"batches/{batch['id']}")
    response = api.send({"body": "y"}, path=f"batches/{batch['id']}")
    assert response.status_code == 400 and "cancelled" in error_of(response)[1]


def test_unknown_batch_is_404_and_other_methods_405(api, sandbox):
    assert api.send({"body": "x"}, path="batches/01FC66621VHDBN119Z8PMV1QPQ").status_code == 404
    assert put(api, "batches/01FC66621VHDBN119Z8PMV1QPQ", {"to": [MOBILE], "body": "x"}).status_code == 404
    other = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    batch = scheduled(api)
    assert other.send({"body": "y"}, path=f"batches/{batch['id']}").status_code == 404  # another plan's
    patch = api.session.patch(api.url(f"batches/{batch['id']}"), headers=api.headers(), timeout=10)
    assert patch.status_code == 405


def test_an_edit_needs_json(api):
    batch = scheduled(api)
    form = {**api.headers(), "Content-Type": "application/x-www-form-urlencoded"}
    response = api.session.post(api.url(f"batches/{batch['id']}"), data="body=x", headers=form, timeout=10)
    assert response.status_code == 415
    assert error_of(api.send(raw="{", path=f"batches/{batch['id']}"))[0] == "syntax_invalid_json"
