"""The request as code to copy: Python `requests` and curl. No secret is ever written into it:
the code reads credentials from environment variables."""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from urllib.parse import quote

# Fetching an OAuth2 token in a shell, for curl: the key comes from the environment.
_CURL_TOKEN = ("SINCH_API_TOKEN=$(curl -s -u \"$SINCH_KEY_ID:$SINCH_KEY_SECRET\" "
               "-d grant_type=client_credentials {url} | "
               "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n")


@dataclass(frozen=True)
class Target:
    """Where a request goes, without any secret: the code refers to environment variables."""

    base_url: str
    account_id: str
    oauth: bool = False
    token_url: str = ""

    @property
    def url(self) -> str:
        return f"{self.base_url}/xms/v1/{quote(self.account_id, safe='')}/batches"  # the id is one segment


def as_python(body, target: Target) -> str:
    """The request as a runnable `requests` snippet; credentials come from the environment."""
    data = body if isinstance(body, str) else json.dumps(body, indent=4, ensure_ascii=False)
    lines = ["import os", "", "import requests", ""]
    if target.oauth:
        lines += [f"token = requests.post({target.token_url!r}, data={{'grant_type': 'client_credentials'}},",
                  "                      auth=(os.environ['SINCH_KEY_ID'], os.environ['SINCH_KEY_SECRET']),",
                  "                      timeout=30).json()['access_token']"]
    else:
        lines += ["token = os.environ['SINCH_API_TOKEN']"]
    lines += [
        "response = requests.post(",
        f"    {target.url!r},",
        "    headers={'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'},",
        f"    data={data!r}.encode('utf-8'),",
        "    timeout=30,",
        ")",
        "print(response.status_code, response.text)",
    ]
    return "\n".join(lines)


def as_curl(body, target: Target) -> str:
    """The request as a curl command; the token is $SINCH_API_TOKEN (or fetched with the key)."""
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    prefix = _CURL_TOKEN.format(url=shlex.quote(target.token_url)) if target.oauth else ""
    return (prefix + f"curl -X POST {shlex.quote(target.url)} \\\n"
            "  -H \"Authorization: Bearer $SINCH_API_TOKEN\" \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f"  --data-binary {shlex.quote(data)}")
