"""Both of Sinch's auth styles: service plan + API token, and project + OAuth2 access key."""
import time

import requests

from smsnb.sandbox import Sandbox, triggers
from tests.conftest import Api

OK = {"to": [triggers.ORDINARY_MOBILE], "body": "hi"}


def token_for(sandbox, key_id=None, key_secret=None, grant="client_credentials"):
    c = sandbox.credentials
    return requests.post(c.token_url, data={"grant_type": grant},
                         auth=(key_id or c.key_id, key_secret or c.key_secret), timeout=5)


def test_service_plan_and_token(api):
    assert api.send(OK).status_code == 201


def test_overridden_plan_and_token():
    with Sandbox(service_plan_id="my-plan", api_token="my-token") as box:
        assert Api(box).send(OK).status_code == 201
        assert Api(box, token="sandbox-token").send(OK).status_code == 401
        assert Api(box, plan="smsnb-sandbox").send(OK).status_code == 404


def test_oauth2_token_opens_the_project_path(sandbox):
    answer = token_for(sandbox)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    project = Api(sandbox, plan=sandbox.credentials.project_id, token=body["access_token"])
    assert project.send(OK).status_code == 201
    # The API token does not open the project path, nor the access token the plan path.
    assert Api(sandbox, plan=sandbox.credentials.project_id).send(OK).status_code == 401
    assert Api(sandbox, token=body["access_token"]).send(OK).status_code == 401


def test_oauth2_wrong_secret_and_grant(sandbox):
    assert token_for(sandbox, key_secret="nope").status_code == 401
    assert token_for(sandbox, grant="password").status_code == 400


def test_expired_access_token_gets_401_that_says_so_and_a_new_one_works():
    with Sandbox(token_ttl=0.2) as box:
        token = token_for(box).json()["access_token"]
        project = Api(box, plan=box.credentials.project_id, token=token)
        assert project.send(OK).status_code == 201
        time.sleep(0.3)
        expired = project.send(OK)
        assert expired.status_code == 401
        assert "expired" in expired.headers["WWW-Authenticate"]
        fresh = Api(box, plan=box.credentials.project_id, token=token_for(box).json()["access_token"])
        assert fresh.send(OK).status_code == 201


def test_journal_redacts_every_credential(sandbox):
    access = token_for(sandbox).json()["access_token"]
    Api(sandbox).send(OK)
    entries = sandbox.journal.entries()
    text = repr(entries)
    for secret in (sandbox.api_token, sandbox.credentials.key_secret, access):
        assert secret not in text
    assert all(e["headers"].get("Authorization") == "***" for e in entries)
