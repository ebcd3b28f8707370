"""The request as code to copy: Python `requests` and curl, that work where they are pasted.

No secret is ever written into it. A request to Sinch reads its credentials from environment
variables; a request to the sandbox never does (the sandbox's credentials open nothing, and the
port of this run is gone with its kernel): the Python code starts a sandbox of its own and sends
to it, and the curl says how to start one on a fixed port, with that sandbox's documented token.
"""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..knowledge import sandbox_defaults

# Fetching an OAuth2 token in a shell, for curl: the key comes from the environment.
_CURL_TOKEN = ("SINCH_API_TOKEN=$(curl -s -u \"$SINCH_KEY_ID:$SINCH_KEY_SECRET\" "
               "-d grant_type=client_credentials {url} | "
               "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n")
# `smsnb-sandbox --port 8765` listens here, with the sandbox's documented (not secret) defaults.
SANDBOX_PORT = 8765
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
SANDBOX_PLAN = sandbox_defaults.SERVICE_PLAN_ID
SANDBOX_TOKEN = sandbox_defaults.API_TOKEN
UNFINISHED = "The form is not finished; this is the original request."


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


def sent_to(url: str) -> Target:
    """Where a request sent to ``url`` ({base}/xms/v1/{account}/batches...) went, read from the URL."""
    base, _, rest = url.partition("/xms/v1/")
    return Target(base, unquote(rest.split("/", 1)[0]))


# What must not sit raw in a command pasted into a terminal: C0 controls but the newline (a tab
# completes, a carriage return ends the line), DEL and C1 controls (\x9b is an 8-bit CSI), and what
# reorders or breaks a line on screen (bidi controls, line and paragraph separators, the BOM).
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     r"\u2066-\u2069\ufeff]")


def _json(body, indent: int | None = None) -> str:
    return body if isinstance(body, str) else json.dumps(body, indent=indent, ensure_ascii=False)


def _printf_format(text: str) -> str:
    """``text`` as a POSIX printf format that writes it back byte for byte: each unsafe character as
    the octal escapes of its UTF-8 bytes, ``\\`` and ``%`` doubled."""
    def one(char: str) -> str:
        if _UNSAFE.match(char):
            return "".join(f"\\{byte:03o}" for byte in char.encode("utf-8"))
        return {"\\": "\\\\", "%": "%%"}.get(char, char)
    return "".join(one(char) for char in text)


def _curl_data(text: str, raw: bool) -> tuple[str, str]:
    """(what comes before ``curl``, the argument of ``--data-binary``) for the body ``text``, with no
    character in the command that a terminal acts on. JSON that smsnb wrote has such a character
    only inside a string: it becomes its \\u escape, the same value. A ``raw`` body (a %%sms --json
    cell's text) goes byte for byte: printf writes it to curl's standard input from octal escapes."""
    if not raw:
        return "", shlex.quote(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    if _UNSAFE.search(text):
        return f"printf {shlex.quote(_printf_format(text))} | ", "@-"
    return "", shlex.quote(text)


def _literal(text: str, indent: str) -> str:
    """A Python literal of ``text``, a line of source per line of text (each escaped by repr)."""
    lines = re.findall(r"[^\n]*\n|[^\n]+", text)
    if len(lines) <= 1:
        return repr(text)
    return "(\n" + "".join(f"{indent}    {line!r}\n" for line in lines) + f"{indent})"


def as_python(body, target: Target) -> str:
    """The request as a runnable `requests` snippet; credentials come from the environment."""
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
        f"    data={_literal(_json(body, 4), '    ')}.encode('utf-8'),",
        "    timeout=30,",
        ")",
        "print(response.status_code, response.text)",
    ]
    return "\n".join(lines)


def as_curl(body, target: Target) -> str:
    """The request as a curl command; the token is $SINCH_API_TOKEN (or fetched with the key)."""
    prefix = _CURL_TOKEN.format(url=shlex.quote(target.token_url)) if target.oauth else ""
    pipe, data = _curl_data(_json(body), isinstance(body, str))
    return (prefix + f"{pipe}curl -X POST {shlex.quote(target.url)} \\\n"
            "  -H \"Authorization: Bearer $SINCH_API_TOKEN\" \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f"  --data-binary {data}")


def _sandbox_body(body, target: Target, indent: int | None) -> str:
    """The body with this run's sandbox (e.g. its receiver as callback_url) moved to SANDBOX_URL."""
    text = _json(body, indent)
    return text.replace(target.base_url, SANDBOX_URL) if target.base_url else text


def sandbox_python(body, target: Target) -> str:
    """The request as Python that starts a sandbox of its own and sends it there."""
    data = _sandbox_body(body, target, 4)
    moved = f".replace({SANDBOX_URL!r}, sandbox.url)" if SANDBOX_URL in data else ""
    return "\n".join([
        "import requests",
        "",
        "from smsnb.sandbox import Sandbox  # smsnb's local simulator of the Sinch SMS API: no SMS is sent",
        "",
        f"body = {_literal(data, '')}",
        "with Sandbox() as sandbox:  # a sandbox of its own, on a free port, stopped at the end",
        "    response = requests.post(",
        "        f'{sandbox.url}/xms/v1/{sandbox.service_plan_id}/batches',",
        "        headers={'Authorization': f'Bearer {sandbox.api_token}',",
        "                 'Content-Type': 'application/json'},",
        f"        data=body{moved}.encode('utf-8'),",
        "        timeout=30,",
        "    )",
        "print(response.status_code, response.text)",
    ])


def sandbox_curl(body, target: Target) -> str:
    """The request as curl to a sandbox started on SANDBOX_PORT, with its documented token."""
    pipe, data = _curl_data(_sandbox_body(body, target, None), isinstance(body, str))
    return (f"# Start smsnb's sandbox (a local simulator of the Sinch SMS API) in another terminal first:\n"
            f"#   smsnb-sandbox --port {SANDBOX_PORT}\n"
            f"{pipe}curl -X POST {SANDBOX_URL}/xms/v1/{SANDBOX_PLAN}/batches \\\n"
            f"  -H 'Authorization: Bearer {SANDBOX_TOKEN}' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f"  --data-binary {data}")


def code_for(body, target: Target, route: str, finished: bool = True) -> tuple[str, str]:
    """(Python, curl) for a request that went to ``route`` ("SANDBOX" or "LIVE"). Unless
    ``finished``, both start by saying that this is the original request, not the form's."""
    if route == "SANDBOX":
        python, curl = sandbox_python(body, target), sandbox_curl(body, target)
    else:
        python, curl = as_python(body, target), as_curl(body, target)
    note = "" if finished else f"# {UNFINISHED}\n"
    return note + python, note + curl
