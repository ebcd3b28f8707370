"""The sandbox's WSGI application: Sinch's paths, auth, checks and answers."""
from __future__ import annotations

import base64
import io
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..knowledge import encoding, msisdn
from . import triggers
from .state import (KEPT_TEXT, KEPT_VALUE, Batch, CallbackDispatcher, Capped, Clock, Journal, callback_target,
                    clip, iso, new_batch_id, redact_body, redact_headers)
from ..knowledge.rules import parse_time
from .validation import ApiError, check_batch, parse_json_object, strict_json

MAX_BODY_BYTES = 1024 * 1024
RECEIVER_MAX_BYTES = 64 * 1024  # one callback the built-in receiver keeps; Sinch's own are far smaller
READS = ("GET", "HEAD")
# Batches kept, oldest dropped first, so that memory stays bounded whatever is sent (a batch may
# echo a 1 MiB body of parameters): at most this many, and this many bytes of echoes in all.
MAX_BATCHES = 10_000
MAX_BATCH_BYTES = 64 << 20
_DEFAULT_ROUTES = (
    Rule("/xms/v1/<plan>/batches", endpoint="batches", methods=["GET", "POST"]),
    Rule("/xms/v1/<plan>/batches/dry_run", endpoint="dry_run", methods=["POST"]),
    Rule("/xms/v1/<plan>/batches/<batch_id>", endpoint="batch", methods=["GET", "DELETE"]),
    Rule("/xms/v1/<plan>/batches/<batch_id>/delivery_report", endpoint="report", methods=["GET"]),
    Rule("/xms/v1/<plan>/batches/<batch_id>/delivery_report/<recipient>", endpoint="recipient_report", methods=["GET"]),
    Rule("/oauth2/token", endpoint="token", methods=["POST"]),
    Rule("/_sandbox/journal", endpoint="journal", methods=["GET", "DELETE"]),
    Rule(triggers.RECEIVER_PATH, endpoint="receiver", methods=["GET", "POST", "DELETE"]),
    Rule("/_sandbox/triggers", endpoint="triggers", methods=["GET"]),
)
ROUTES = Map(list(_DEFAULT_ROUTES), strict_slashes=False, merge_slashes=False)


@dataclass
class Plan:
    token: str
    callback_url: str | None = None
    blocked: bool = False
    oauth: bool = False  # a project id: takes OAuth2 access tokens instead of the API token


@dataclass
class Settings:
    service_plan_id: str = triggers.DEFAULT_SERVICE_PLAN_ID
    api_token: str = triggers.DEFAULT_API_TOKEN
    project_id: str = triggers.DEFAULT_PROJECT_ID
    key_id: str = triggers.DEFAULT_KEY_ID
    key_secret: str = triggers.DEFAULT_KEY_SECRET
    token_ttl: float = 3600.0  # seconds an OAuth2 access token lives
    slow_seconds: float = 30.0
    retry_after: int = 2
    journal_cap: int = 1000  # also the cap of received callbacks and of callback attempts
    request_seconds: float = 5.0  # a client has this long to send one whole request, head and body
    clock: Clock = field(default_factory=Clock)
    plan_callback_urls: dict[str, str] = field(default_factory=dict)


def json_response(status: int, body, headers: dict | None = None) -> Response:
    # allow_nan=False: answers are strict JSON; request parsing already refuses NaN and Infinity
    return Response(json.dumps(body, allow_nan=False), status=status, headers=headers,
                    content_type="application/json")


def api_error(error: ApiError) -> Response:
    return json_response(error.status, error.body())


def empty(status: int, headers: dict | None = None) -> Response:
    return Response(b"", status=status, headers=headers)


def closing(status: int, text: str) -> Response:
    """An answer after which the connection closes: the body was not read to its end, so what
    follows on the connection cannot be taken for a next request."""
    return Response(text, status=status, content_type="text/plain", headers={"Connection": "close"})


def read_body(environ) -> bytes | Response:
    """The request body, read whole before anything else but never past MAX_BODY_BYTES; or the
    answer saying why it cannot be (413 too large, 400 malformed or cut short, 408 too slow)."""
    declared = environ.get("CONTENT_LENGTH") or "0"
    chunked = bool(environ.get("wsgi.input_terminated"))
    if not chunked and not (declared.isascii() and declared.isdigit()):
        return closing(400, f"Content-Length {clip(declared, 40)!r} is not a number of bytes.")
    if not chunked and int(declared) > MAX_BODY_BYTES:
        return too_large(f"is {declared} bytes")
    wanted = MAX_BODY_BYTES + 1 if chunked else int(declared)
    try:
        body = environ["wsgi.input"].read(wanted) if wanted else b""
    except TimeoutError:
        return closing(408, "The request body did not arrive in time.")
    except (ValueError, OSError) as error:
        return closing(400, f"The request body could not be read: {error}.")
    if len(body) > MAX_BODY_BYTES:
        return too_large("is over 1 MiB")
    if not chunked and len(body) < wanted:
        return closing(400, f"The request body ended after {len(body)} of {wanted} bytes.")
    return body


def too_large(what: str) -> Response:
    return closing(413, f"The request body {what}; the sandbox takes at most {MAX_BODY_BYTES} bytes (1 MiB).")


def _grant_type(request: Request) -> str | None:
    """The form's grant_type. OAuth2 takes only a urlencoded form; parsing it here, with a bound on
    its fields, spares werkzeug's form parser, which answers a form of too many parts with an
    exception."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    try:
        form = parse_qs(request.get_data().decode("latin-1"), max_num_fields=100)
    except ValueError:
        return None
    return (form.get("grant_type") or [None])[0]


def _wire_bytes(value: str) -> bytes:
    return value.encode("latin-1", "replace")  # WSGI hands header bytes over decoded as latin-1


def _same_secret(given: bytes, expected: str) -> bool:
    # bytes, not str: compare_digest refuses non-ASCII strings, and a client may send any byte
    return secrets.compare_digest(given, expected.encode("utf-8"))


class SandboxApp:
    """A WSGI app that answers as Sinch's SMS API does. ``receiver_url`` is filled in once the
    server knows its port."""

    def __init__(self, settings: Settings, stopping: threading.Event):
        self.settings = settings
        self.stopping = stopping  # set on shutdown: wakes slow answers so threads end
        self.receiver_url: str | None = None
        self.journal = Journal(settings.journal_cap)
        self.received_callbacks = Capped(settings.journal_cap)
        self._lock = threading.Lock()
        self._batches: dict[str, Batch] = {}  # oldest first
        self._batch_bytes = 0
        self._access_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self._sent_status: dict[tuple[str, str], str] = {}
        self._tripped: dict[tuple[str, str], float] = {}  # (plan, trigger number) -> when a retry may pass
        self.callbacks = CallbackDispatcher(settings.clock, self._render_callback, settings.journal_cap)
        self.plans = {
            settings.service_plan_id: Plan(settings.api_token),
            triggers.BLOCKED_SERVICE_PLAN_ID: Plan(settings.api_token, blocked=True),
            triggers.CALLBACK_SERVICE_PLAN_ID: Plan(settings.api_token),
            settings.project_id: Plan("", oauth=True),
        }
        for plan_id, url in settings.plan_callback_urls.items():
            self.plans.setdefault(plan_id, Plan(settings.api_token)).callback_url = url

    def set_receiver_url(self, url: str) -> None:
        self.receiver_url = url
        plan = self.plans[triggers.CALLBACK_SERVICE_PLAN_ID]
        plan.callback_url = plan.callback_url or url

    def close(self) -> None:
        self.callbacks.stop()

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        body = read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body if isinstance(body, bytes) else b"")
        request = Request(environ)
        try:
            response = body if isinstance(body, Response) else self._answer(request)
        except Exception as error:  # a bug in the sandbox: still an answer, and still journaled
            response = Response(f"The sandbox itself failed ({type(error).__name__}): a bug in smsnb.",
                                status=500, content_type="text/plain")
        response.headers["X-Smsnb-Sandbox"] = "1"  # lets a client say SANDBOX, whatever its base URL
        if journaled(request.path):
            self._record(request, body if isinstance(body, bytes) else b"", response)
        return response(environ, start_response)

    def _record(self, request: Request, body: bytes, response: Response) -> None:
        dropped = isinstance(response, DroppedResponse)
        answer = "(connection dropped mid-answer)" if dropped else response.get_data()
        self.journal.record(journal_entry(
            request.method, request.path, request.query_string.decode("latin-1"),
            request.environ.get("REMOTE_PORT"), request.headers.items(), body,
            "dropped" if dropped else response.status_code, answer))

    def record_refused(self, method: str, target: str, headers, client_port, status: int,
                       reason: str) -> None:
        """A request the HTTP layer answered before the app saw it: malformed, a head over the
        cap, or too slow. It is journaled like any other."""
        path, _, query = target.partition("?")
        if journaled(path):
            self.journal.record(journal_entry(method, path, query, client_port, headers, b"", status, reason))

    def _answer(self, request: Request) -> Response:
        try:
            endpoint, args = ROUTES.bind("sandbox").match(request.path, method=request.method)
        except MethodNotAllowed as error:
            return empty(405, {"Allow": ", ".join(sorted(error.valid_methods or ()))})
        except NotFound:
            return empty(404)
        except HTTPException as error:
            return error.get_response()
        try:
            return self._dispatch(request, endpoint, args)
        except HTTPException as error:  # werkzeug's own limits (form size, parts): its answer
            return error.get_response()

    def _dispatch(self, request: Request, endpoint: str, args: dict) -> Response:
        handler = getattr(self, f"_on_{endpoint}")
        if "plan" not in args:
            return handler(request, **args)
        plan = self.plans.get(args["plan"])
        if plan is None:
            return empty(404)
        refused = self._authenticate(request, plan)
        if refused is not None:
            return refused
        if request.method == "POST" and request.mimetype != "application/json":
            return empty(415)
        return handler(request, plan=plan, plan_id=args.pop("plan"), **args)

    def _authenticate(self, request: Request, plan: Plan) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return empty(401, {"WWW-Authenticate": 'Bearer realm="sinch"'})
        if not plan.oauth:
            good = _same_secret(_wire_bytes(token), plan.token)
            return None if good else empty(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        expiry = self._access_tokens.get(token)
        if expiry is None:
            return empty(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if expiry <= time.time():
            return empty(401, {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token expired"'})
        return None

    def _body(self, request: Request) -> dict | ApiError:
        return parse_json_object(request.get_data(cache=True))

    # --- endpoints ----------------------------------------------------------------------

    def _on_token(self, request: Request) -> Response:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            key_id, _, key_secret = base64.b64decode(encoded, validate=True).partition(b":")
        except ValueError:  # not base64, or not ASCII at all
            key_id = key_secret = b""
        good = (scheme.lower() == "basic" and _same_secret(key_id, self.settings.key_id)
                and _same_secret(key_secret, self.settings.key_secret))
        if not good:
            return json_response(401, {"error": "invalid_client", "error_description": "Unknown key id or wrong key secret."})
        if _grant_type(request) != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials."})
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.time()
            self._access_tokens = {t: e for t, e in self._access_tokens.items() if e > now - 3600}
            self._access_tokens[token] = now + self.settings.token_ttl
        return json_response(200, {"access_token": token, "token_type": "Bearer",
                                   "expires_in": int(self.settings.token_ttl), "scope": ""})

    def _on_batches(self, request: Request, plan: Plan, plan_id: str) -> Response:
        if request.method in READS:
            return self._list_batches(request, plan_id)
        batch = self._body(request)
        if isinstance(batch, ApiError):
            return api_error(batch)
        gateway = self._gateway_trigger(batch, plan_id)
        if gateway is not None:
            return gateway
        error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked)
        if error is not None:
            return api_error(error)
        return json_response(201, self._create(batch, plan, plan_id).echo)

    def _gateway_trigger(self, batch: dict, plan_id: str) -> Response | None:
        """The magic numbers that fail before Sinch looks at the batch. Like real transient
        failures they fail once: the same request sent again passes (a 429 only after its
        Retry-After), so that a retry can be practised."""
        to = batch.get("to")
        if not isinstance(to, list):
            return None
        for item in to:
            number = msisdn.parse(item) if isinstance(item, str) else None
            effect = triggers.HTTP_TRIGGERS.get(number.e164) if number and number.ok else None
            if effect is None:
                continue
            key, now = (plan_id, number.e164), time.time()
            with self._lock:
                passable = self._tripped.get(key)
                if passable is not None and now >= passable:
                    del self._tripped[key]
                    continue
                if passable is None:
                    wait = self.settings.retry_after if effect == 429 else 0
                    self._tripped[key] = now + wait
            if effect == 429:
                return empty(429, {"Retry-After": str(self.settings.retry_after)})
            if effect in (500, 503):
                return empty(effect)
            if effect == "slow":
                self.stopping.wait(self.settings.slow_seconds)
                return None
            if effect == "drop":
                return DroppedResponse()
        return None

    def _create(self, request_batch: dict, plan: Plan, plan_id: str) -> Batch:
        now = time.time()
        send_at = request_batch.get("send_at")
        send_time = max(now, parse_time(send_at).timestamp()) if send_at else now
        recipients = [msisdn.parse(item).e164[1:] for item in request_batch["to"]]
        echo = {
            "id": new_batch_id(),
            "to": recipients,
            "body": request_batch["body"],
            "type": request_batch.get("type", "mt_text"),
            "created_at": iso(now),
            "modified_at": iso(now),
            "canceled": False,
            "delivery_report": request_batch.get("delivery_report", "none"),
            "send_at": iso(send_time),
            "expire_at": request_batch.get("expire_at") or iso(send_time + 3 * 86400),
            "flash_message": request_batch.get("flash_message", False),
        }
        for optional in ("from", "callback_url", "client_reference", "max_number_of_message_parts",
                         "feedback_enabled", "truncate_concat", "parameters"):
            if request_batch.get(optional) is not None:
                echo[optional] = request_batch[optional]
        size = len(json.dumps(echo, ensure_ascii=False))
        batch = Batch(echo["id"], plan_id, echo, recipients, send_time, self.settings.clock, size=size)
        with self._lock:
            self._batches[batch.id] = batch
            self._batch_bytes += size
            while len(self._batches) > MAX_BATCHES or self._batch_bytes > MAX_BATCH_BYTES:
                self._batch_bytes -= self._batches.pop(next(iter(self._batches))).size
        self._schedule_callbacks(batch, request_batch.get("callback_url") or plan.callback_url)
        return batch

    def _schedule_callbacks(self, batch: Batch, url: str | None) -> None:
        kind = batch.echo["delivery_report"]
        if kind == "none" or not url:
            return
        target = callback_target(url)
        if isinstance(target, str):
            self._refuse_callback(url, target)
            return
        clock = batch.clock
        final = batch.send_time + clock.final_after
        job = {"batch": batch.id, "url": url, "target": target}
        if kind in ("summary", "full"):
            self.callbacks.schedule(final, job)
            return
        steps = [final] if kind == "per_recipient_final" else [batch.send_time + clock.dispatch_after, final]
        for due in steps:
            for recipient in batch.recipients:
                self.callbacks.schedule(due, {**job, "recipient": recipient})

    def _refuse_callback(self, url: str, reason: str) -> None:
        """Once per batch: a callback URL the sandbox will not call, with why, in the callback
        attempts and in the journal (where a user looks for a callback that never came)."""
        self.callbacks.refuse(url, reason)
        entry = journal_entry("POST", url, "", None, (), b"", "not sent",
                              f"callback not sent: {reason}; the sandbox delivers callbacks to loopback only")
        self.journal.record({**entry, "kind": "callback"})

    def _render_callback(self, job: dict):
        with self._lock:
            batch = self._batches.get(job["batch"])
        if batch is None:
            return None
        now = time.time()
        if "recipient" not in job:
            return job["url"], batch.summary(now, full=batch.echo["delivery_report"] == "full")
        report = batch.recipient_report(job["recipient"], now)
        key = (batch.id, job["recipient"])
        with self._lock:
            if self._sent_status.get(key) == report["status"]:
                return None  # nothing new to report (e.g. a batch cancelled before dispatch)
            self._sent_status[key] = report["status"]
        return job["url"], report

    def _on_dry_run(self, request: Request, plan: Plan, plan_id: str) -> Response:
        batch = self._body(request)
        if isinstance(batch, ApiError):
            return api_error(batch)
        error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked)
        if error is not None:
            return api_error(error)
        per_recipient = request.args.get("per_recipient", "false").lower()
        if per_recipient not in ("true", "false"):
            return api_error(ApiError(400, "syntax_invalid_parameter_format",
                                      f"The format of parameter 'per_recipient' is invalid; '{per_recipient}' is not a valid boolean."))
        try:
            limit = int(request.args.get("number_of_recipients", "100"))
        except ValueError:
            limit = -1
        if not 0 <= limit <= 1000:
            return api_error(ApiError(400, "syntax_constraint_violation",
                                      "The value of parameter 'number_of_recipients' violates a constraint; it must be 0 to 1000."))
        rows, total = [], 0
        for item in batch["to"]:
            recipient = msisdn.parse(item).e164[1:] if not msisdn.is_group_id(item) else item
            body = personalize(batch["body"], batch.get("parameters") or {}, recipient)
            encoded = encoding.encode(body)
            total += encoded.parts
            if len(rows) < limit:
                rows.append({"recipient": recipient, "number_of_parts": encoded.parts, "body": body,
                             "encoding": encoded.encoding})
        answer = {"number_of_recipients": len(batch["to"]), "number_of_messages": total}
        if per_recipient == "true":
            answer["per_recipient"] = rows
        return json_response(200, answer)

    def _find(self, plan_id: str, batch_id: str) -> Batch | None:
        with self._lock:
            batch = self._batches.get(batch_id)
        return batch if batch is not None and batch.plan_id == plan_id else None

    def _list_batches(self, request: Request, plan_id: str) -> Response:
        try:
            page = int(request.args.get("page", "0"))
            page_size = int(request.args.get("page_size", "30"))
        except ValueError:
            page, page_size = -1, -1
        if page < 0 or not 1 <= page_size <= 100:
            return api_error(ApiError(400, "syntax_constraint_violation",
                                      "The value of parameter 'page_size' violates a constraint; it must be 1 to 100, and 'page' 0 or more."))
        with self._lock:
            mine = [b.echo for b in reversed(self._batches.values()) if b.plan_id == plan_id]
        chunk = mine[page * page_size:(page + 1) * page_size]
        return json_response(200, {"page": page, "page_size": len(chunk), "count": len(mine), "batches": chunk})

    def _on_batch(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._find(plan_id, batch_id)
        if batch is None:
            return empty(404)
        if request.method == "DELETE":
            # Cancelling a batch that was already sent is accepted and changes nothing in its
            # completed report (Sinch's docs and SDKs; there is no error code for it).
            with self._lock:
                now = time.time()
                if batch.canceled_at is None:
                    batch.canceled_at = now
                    batch.echo.update(canceled=True, modified_at=iso(now))
        return json_response(200, batch.echo)

    def _on_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._find(plan_id, batch_id)
        now = time.time()
        if batch is None or (batch.send_time > now and batch.canceled_at is None):
            return empty(404)  # unknown, or not yet available: a scheduled batch has no report
        kind = request.args.get("type", "summary")
        if kind not in ("summary", "full"):
            return api_error(ApiError(400, "syntax_invalid_parameter_format",
                                      f"The format of parameter 'type' is invalid; '{kind}' is not a valid report type."))
        wanted = request.args.get("status")
        statuses = {s.strip() for s in wanted.split(",")} if wanted else None
        return json_response(200, batch.summary(now, full=kind == "full", statuses=statuses))

    def _on_recipient_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str, recipient: str) -> Response:
        batch = self._find(plan_id, batch_id)
        digits = recipient.lstrip("+")
        if batch is None or digits not in batch.recipients or batch.send_time > time.time():
            return empty(404)
        return json_response(200, batch.recipient_report(digits, time.time()))

    # --- the sandbox's own endpoints ---------------------------------------------------------

    def _on_journal(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.journal.clear()
            return empty(204)
        return json_response(200, {"cap": self.journal.cap, "dropped": self.journal.dropped,
                                   "entries": self.journal.entries()})

    def _on_receiver(self, request: Request) -> Response:
        if request.method == "POST":
            data = request.get_data()
            if len(data) > RECEIVER_MAX_BYTES:
                return Response(f"The receiver keeps callbacks of up to {RECEIVER_MAX_BYTES} bytes.",
                                status=413)
            try:
                payload = strict_json(data.decode("utf-8"))
            except (ValueError, RecursionError):
                return empty(400)
            self.received_callbacks.append(payload)
            return empty(200)
        if request.method == "DELETE":
            self.received_callbacks.clear()
            return empty(204)
        received = self.received_callbacks
        return json_response(200, {"cap": received.cap, "dropped": received.dropped,
                                   "callbacks": received.entries()})

    def _on_triggers(self, request: Request) -> Response:
        return json_response(200, [t.__dict__ for t in triggers.TRIGGERS])


def journaled(path: str) -> bool:
    return not path.startswith("/_sandbox/")  # the sandbox's own endpoints would crowd out the API's


def journal_entry(method: str, path: str, query: str, client_port, headers, body: bytes, status,
                  answer: bytes | str) -> dict:
    """One journal entry, every part capped (a visible marker says what was cut), secrets hidden."""
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    return {
        "kind": "request",
        "time": iso(time.time()),
        "method": clip(method, 40),
        "path": clip(path, KEPT_VALUE),
        "query": clip(query, KEPT_VALUE),
        "client_port": client_port,  # which connection: shows keep-alive at work
        "headers": redact_headers(headers),
        "body": clip(redact_body(body.decode("utf-8", "replace")), KEPT_TEXT),
        "status": status,
        "response": clip(redact_body(answer), KEPT_TEXT),
    }


_PARAMETER = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")


def personalize(body: str, parameters: dict, recipient: str) -> str:
    """Fill ``${name}`` from Sinch's ``parameters``: the recipient's value, else the default."""
    def value(match: re.Match) -> str:
        values = parameters.get(match.group(1))
        if not isinstance(values, dict):
            return match.group(0)
        for key in (recipient, "+" + recipient, "default"):
            if key in values:
                return str(values[key])
        return match.group(0)

    return _PARAMETER.sub(value, body) if parameters else body


class DroppedResponse(Response):
    """Starts a 201 answer, then breaks off halfway through its body: the server closes the
    connection, and the client is left with a status and part of a body."""

    def __init__(self):
        super().__init__(self._half(), status=201, content_type="application/json",
                         headers={"Content-Length": "120"})

    @staticmethod
    def _half():
        yield b'{"id": "01'
        raise ConnectionAbortedError("the sandbox drops this connection on purpose")
