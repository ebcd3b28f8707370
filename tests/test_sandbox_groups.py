"""Groups over real HTTP: create, list, get, update, replace, delete, members; a group id in a
batch's `to` expands to its members when the batch is sent; an unknown or deleted group is
403 unknown_group; keywords of `auto_update`; memory bounded."""
import json
import time
from datetime import datetime, timezone

import pytest

from smsnb.sandbox import triggers
from tests.conftest import Api, final_report, wait_for

A, B, C = "+46701234567", "+46701234568", "+46701234569"


def put(api, path, body):
    return api.session.put(api.url(path), data=json.dumps(body), headers=api.headers(), timeout=10)


def create(api, **body):
    response = api.send(body, path="groups")
    assert response.status_code == 201, response.text
    return response.json()


def members(api, group_id):
    response = api.get(f"groups/{group_id}/members")
    assert response.status_code == 200
    return response.json()


def error_of(response):
    assert set(response.json()) == {"code", "text"}
    return response.json()["code"], response.json()["text"]


def test_create_answers_sinchs_shape_without_members(api):
    group = create(api, name="Friends", members=[A, "0046701234568", A])
    assert set(group) == {"id", "name", "size", "created_at", "modified_at"}
    assert group["name"] == "Friends" and group["size"] == 2 and len(group["id"]) == 26
    assert api.get(f"groups/{group['id']}").json() == group
    assert members(api, group["id"]) == ["46701234567", "46701234568"]  # a duplicate is ignored


def test_list_is_newest_first_and_paged(api):
    ids = [create(api, name=f"g{n}")["id"] for n in range(3)]
    page = api.get("groups", params={"page_size": 2}).json()
    assert page["count"] == 3 and page["page"] == 0 and page["page_size"] == 2
    assert [g["id"] for g in page["groups"]] == ids[::-1][:2]
    second = api.get("groups", params={"page": 1, "page_size": 2}).json()
    assert [g["id"] for g in second["groups"]] == ids[:1]
    assert api.get("groups", params={"page_size": 101}).status_code == 400


def test_update_adds_before_it_removes_and_null_removes_the_name(api):
    group = create(api, name="Team", members=[A, B])
    updated = api.send({"add": [C, B], "remove": [A, C]}, path=f"groups/{group['id']}").json()
    assert updated["size"] == 1 and updated["name"] == "Team"  # name absent: unchanged
    assert members(api, group["id"]) == ["46701234568"]
    assert "name" not in api.send({"name": None}, path=f"groups/{group['id']}").json()


def test_update_copies_in_and_takes_out_other_groups(api):
    source = create(api, members=[B, C])
    group = create(api, members=[A])
    api.send({"add_from_group": source["id"]}, path=f"groups/{group['id']}")
    assert members(api, group["id"]) == ["46701234567", "46701234568", "46701234569"]
    api.send({"remove_from_group": source["id"]}, path=f"groups/{group['id']}")
    assert members(api, group["id"]) == ["46701234567"]
    response = api.send({"add_from_group": triggers.UNKNOWN_GROUP_ID}, path=f"groups/{group['id']}")
    assert response.status_code == 403 and error_of(response)[0] == "unknown_group"


def test_replace_sets_everything_anew(api):
    group = create(api, name="Old", members=[A, B])
    response = put(api, f"groups/{group['id']}", {"members": [C]})
    assert response.status_code == 200
    assert "name" not in response.json() and response.json()["size"] == 1
    assert members(api, group["id"]) == ["46701234569"]
    assert put(api, f"groups/{group['id']}", {"name": "x"}).status_code == 400  # members required


def test_child_groups_add_their_members(api):
    child = create(api, members=[B])
    parent = create(api, members=[A], child_groups=[child["id"]])
    assert parent["child_groups"] == [child["id"]] and parent["size"] == 2
    assert members(api, parent["id"]) == ["46701234567", "46701234568"]
    missing = api.send({"child_groups": [triggers.UNKNOWN_GROUP_ID]}, path="groups")
    assert missing.status_code == 403 and error_of(missing) == (
        "unknown_group", f"Unknown group ID '{triggers.UNKNOWN_GROUP_ID}' in parameter 'child_groups[0]'; "
                         "the group is unknown or deleted.")


def test_delete_then_it_is_unknown(api):
    group = create(api, members=[A])
    response = api.delete(f"groups/{group['id']}")
    assert response.status_code == 200 and response.content == b""
    for path in (f"groups/{group['id']}", f"groups/{group['id']}/members"):
        assert api.get(path).status_code == 404
    assert api.delete(f"groups/{group['id']}").status_code == 404
    sent = api.send({"to": [group["id"]], "body": "x"})
    assert sent.status_code == 403 and error_of(sent)[0] == "unknown_group"


def test_another_plans_group_is_unknown(sandbox, api):
    group = create(api, members=[A])
    other = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    assert other.get(f"groups/{group['id']}").status_code == 404
    assert error_of(other.send({"to": [group["id"]], "body": "x"}))[0] == "unknown_group"


@pytest.mark.parametrize("body, status, code, where", [
    ({"members": ["0701234567"]}, 400, "syntax_invalid_parameter_format", "members[0]"),
    ({"members": A}, 400, "syntax_invalid_json", "'members' must be an array"),
    ({"members": [A], "name": "n" * 21}, 400, "syntax_constraint_violation", "'name'"),
    ({"members": [A] * 10_001}, 400, "syntax_constraint_violation", "'members'"),
    ({"child_groups": ["not-a-group"]}, 400, "syntax_invalid_parameter_format", "child_groups[0]"),
    ({"auto_update": {"to": A, "add": {"first_word": "two words"}}}, 400, "syntax_invalid_parameter_format",
     "auto_update.add.first_word"),
    ({"auto_update": {"add": {"first_word": "JOIN"}}}, 400, "syntax_invalid_json", "auto_update.to"),
])
def test_create_is_checked(api, body, status, code, where):
    response = api.send(body, path="groups")
    assert response.status_code == status
    assert error_of(response)[0] == code and where in error_of(response)[1]
    assert api.get("groups").json()["count"] == 0


def test_update_is_checked_and_an_unknown_group_is_404(api):
    group = create(api, members=[A])
    response = api.send({"add": ["+1"]}, path=f"groups/{group['id']}")
    assert response.status_code == 400 and "add[0]" in error_of(response)[1]
    assert api.send({"add": [A]}, path=f"groups/{triggers.UNKNOWN_GROUP_ID}").status_code == 404
    assert api.session.patch(api.url(f"groups/{group['id']}"), headers=api.headers()).status_code == 405


def test_a_group_in_to_is_its_members_when_sent(api):
    group = create(api, members=[A, B])
    sent = api.send({"to": [group["id"], B, "+46700000402"], "body": "hi"}).json()
    assert sent["to"] == [group["id"], "46701234568", "46700000402"]  # the group id as given
    report = final_report(api, sent["id"], "full")
    assert report["total_message_count"] == 3  # B is sent once
    by_status = {s["status"]: sorted(s["recipients"]) for s in report["statuses"]}
    assert by_status == {"Delivered": ["46701234567", "46701234568"], "Aborted": ["46700000402"]}
    dry = api.send({"to": [group["id"]], "body": "hi"}, path="batches/dry_run").json()
    assert dry["number_of_recipients"] == 2


def test_a_scheduled_batch_takes_the_members_of_its_send_time(api):
    group = create(api, members=[A])
    soon = datetime.fromtimestamp(time.time() + 0.3, timezone.utc).isoformat()
    sent = api.send({"to": [group["id"]], "body": "hi", "send_at": soon}).json()
    api.send({"add": [B], "remove": [A]}, path=f"groups/{group['id']}")
    wait_for(lambda: api.get(f"batches/{sent['id']}/delivery_report").ok)  # 404 until its send time
    report = final_report(api, sent["id"], "full")
    assert [s["recipients"] for s in report["statuses"]] == [["46701234568"]]


def test_a_group_deleted_before_a_scheduled_send_counts_as_empty(api):
    group = create(api, members=[A])
    soon = datetime.fromtimestamp(time.time() + 0.3, timezone.utc).isoformat()
    sent = api.send({"to": [group["id"]], "body": "hi", "send_at": soon}).json()
    api.delete(f"groups/{group['id']}")
    report = wait_for(lambda: (r := api.get(f"batches/{sent['id']}/delivery_report")).ok and r.json())
    assert report["total_message_count"] == 0 and report["statuses"] == []


def test_auto_update_keywords_add_and_remove_the_sender(sandbox, api):
    group = create(api, members=[A], auto_update={"to": "+46700001000", "add": {"first_word": "JOIN"},
                                                  "remove": {"first_word": "stop", "second_word": "now"}})
    sandbox.inbound(B, "join please")
    sandbox.inbound(C, "join", to="+46700009999")  # another number: not this group's
    assert members(api, group["id"]) == ["46701234567", "46701234568"]
    sandbox.inbound(A, "STOP")  # only one of the two remove words
    sandbox.inbound(B, "Stop now")
    assert members(api, group["id"]) == ["46701234567"]


def test_groups_are_capped_oldest_first(sandbox, api):
    store = sandbox.app.groups
    store.max_groups, store.max_members = 3, 5
    first = create(api, members=[A])
    for _ in range(3):
        create(api, members=[B])
    assert api.get(f"groups/{first['id']}").status_code == 404 and api.get("groups").json()["count"] == 3
    create(api, members=[A, B, C, "+46701234570"])  # 3 + 4 members: the oldest ones go
    assert api.get("groups").json()["count"] == 2
