"""The sandbox's success bodies fit the schemas of Sinch's OpenAPI description.

The description (shared/sinch/openapi-sms-v1.yaml) is older than the live API; the two places
where it is known to be wrong are corrected here, and say why."""
import copy
from pathlib import Path

import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from smsnb.sandbox import triggers
from tests.conftest import final_report

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "sinch" / "openapi-sms-v1.yaml"


@pytest.fixture(scope="module")
def spec():
    if not SPEC_PATH.exists():
        pytest.skip(f"no OpenAPI description at {SPEC_PATH}")
    spec = yaml.safe_load(SPEC_PATH.read_text())
    schemas = spec["components"]["schemas"]
    # Known defects of this copy (see API.md): the live API also has per_recipient_final, the
    # status enum is written as one comma-separated string, and the count is a number.
    schemas["sendBatchCreated"]["properties"]["delivery_report"]["enum"].append("per_recipient_final")
    schemas["retrieveRecipientDeliveryResponseObj"]["properties"]["status"].pop("enum")
    schemas["retrieveDeliveryResponseObj"]["properties"]["total_message_count"]["type"] = "integer"
    schemas["retrieveDeliveryResponseObj"]["properties"]["statuses"]["items"]["properties"]["status"]["enum"].append("Cancelled")
    return spec


def response_schema(spec, path, method, status):
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return {**copy.deepcopy(schema), "components": spec["components"]}


def assert_fits(spec, path, method, status, body):
    OAS30Validator(response_schema(spec, path, method, status)).validate(body)


BATCHES = "/xms/v1/{service_plan_id}/batches"


def test_created_batch_fits(spec, api):
    body = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "hi", "from": "Sandbox",
                     "client_reference": "r", "delivery_report": "per_recipient_final",
                     "callback_url": "http://127.0.0.1:9/cb"}).json()
    assert_fits(spec, BATCHES, "post", "201", body)
    assert_fits(spec, BATCHES + "/{batch_id}", "get", "200", api.get(f"batches/{body['id']}").json())


def test_list_fits(spec, api):
    api.send({"to": [triggers.ORDINARY_MOBILE], "body": "hi"})
    assert_fits(spec, BATCHES, "get", "200", api.get("batches").json())


def test_dry_run_fits(spec, api):
    body = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "hi"}, path="batches/dry_run",
                    params={"per_recipient": "true"}).json()
    assert_fits(spec, BATCHES + "/dry_run", "post", "200", body)


def test_delivery_reports_fit(spec, api):
    batch = api.send({"to": [triggers.ORDINARY_MOBILE, "+46700000402"], "body": "hi"}).json()
    final_report(api, batch["id"])
    for kind in ("summary", "full"):
        body = api.get(f"batches/{batch['id']}/delivery_report", params={"type": kind}).json()
        assert_fits(spec, BATCHES + "/{batch_id}/delivery_report", "get", "200", body)
    recipient = api.get(f"batches/{batch['id']}/delivery_report/46701234567").json()
    assert_fits(spec, BATCHES + "/{batch_id}/delivery_report/{recipient_msisdn}", "get", "200", recipient)


def test_error_bodies_fit(spec, api):
    body = api.send({"to": ["+1"], "body": "x"}).json()
    assert_fits(spec, BATCHES, "post", "400", body)
    assert_fits(spec, BATCHES, "post", "403", api.send({"to": [triggers.FIXED_LINE], "body": "x"}).json())


def test_cancel_fits(spec, api):
    later = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x", "send_at": "2099-01-01T00:00:00Z",
                      "expire_at": "2099-01-02T00:00:00Z"}).json()
    assert_fits(spec, BATCHES + "/{batch_id}", "delete", "200", api.delete(f"batches/{later['id']}").json())


def test_update_and_replace_fit(spec, api):
    later = api.send({"to": [triggers.ORDINARY_MOBILE], "body": "x", "send_at": "2099-01-01T00:00:00Z"})
    path = f"batches/{later.json()['id']}"
    assert_fits(spec, BATCHES + "/{batch_id}", "post", "200", api.send({"body": "y"}, path=path).json())
    replaced = api.session.put(api.url(path), json={"to": [triggers.ORDINARY_MOBILE], "body": "z"},
                               headers=api.headers(), timeout=10).json()
    assert_fits(spec, BATCHES + "/{batch_id}", "put", "200", replaced)


GROUPS = "/xms/v1/{service_plan_id}/groups"


def test_groups_fit(spec, api):
    group = api.send({"name": "g", "members": [triggers.ORDINARY_MOBILE]}, path="groups").json()
    assert_fits(spec, GROUPS, "post", "201", group)
    assert_fits(spec, GROUPS, "get", "200", api.get("groups").json())
    assert_fits(spec, GROUPS + "/{group_id}", "get", "200", api.get(f"groups/{group['id']}").json())
    assert_fits(spec, GROUPS + "/{group_id}", "post", "200",
                api.send({"add": ["+46701234568"]}, path=f"groups/{group['id']}").json())
    members = api.get(f"groups/{group['id']}/members").json()
    assert_fits(spec, GROUPS + "/{group_id}/members", "get", "200", members)
    assert_fits(spec, GROUPS, "post", "403",
                api.send({"child_groups": [triggers.UNKNOWN_GROUP_ID]}, path="groups").json())


def test_inbounds_fit(spec, sandbox, api):
    sandbox.inbound(triggers.ORDINARY_MOBILE, "hi")
    assert_fits(spec, "/xms/v1/{service_plan_id}/inbounds", "get", "200", api.get("inbounds").json())
