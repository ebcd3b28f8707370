"""The sandbox's WSGI application: reads the body within its cap, routes to the resource that
answers (checking the plan's token first), and journals the exchange."""
from __future__ import annotations

import io
import threading
from functools import partial

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from . import triggers
from .answers import DroppedResponse, empty, json_response
from .auth import Auth
from .batches import Batches
from .callbacks import Callbacks
from .dry_run import on_dry_run
from .feedback import Feedback
from .group_store import GroupStore
from .groups import Groups
from .http_triggers import HttpTriggers
from .inbounds import Inbounds
from .journal import Journal, journal_entry, journaled
from .receiver import Receiver
from .report_list import ReportList
from .reports import Reports
from .request_body import read_body
from .routes import PLAN_PATH, ROUTES
from .sending import Sender
from .settings import Settings
from .store import BatchStore


class SandboxApp:
    """A WSGI app that answers as Sinch's SMS API does, and the sandbox's own endpoints."""

    def __init__(self, settings: Settings, stopping: threading.Event):
        self.settings = settings
        self.journal = Journal(settings.journal_cap)
        self.receiver = Receiver(settings.journal_cap)
        self.auth = Auth(settings)
        self.store = BatchStore()
        self.callbacks = Callbacks(settings, self.store, self.journal)
        self.groups = GroupStore()
        groups = Groups(self.groups)
        self.inbounds = Inbounds(settings.journal_cap, self.auth.plans, settings.service_plan_id,
                                 self.callbacks, groups)
        sender = Sender(self.store, self.callbacks, self.groups, self.inbounds)
        batches = Batches(settings.clock, self.store, sender, groups, HttpTriggers(settings, stopping))
        reports = Reports(self.store)
        self._handlers = {  # by endpoint; those under a plan also take plan=, plan_id=
            "batches": batches.on_batches,
            "dry_run": partial(on_dry_run, groups=self.groups),
            "batch": batches.on_batch,
            "feedback": Feedback(self.store).on_feedback,
            "batch_report": reports.on_batch_report,
            "recipient_report": reports.on_recipient_report,
            "report_list": ReportList(self.store).on_list,
            "groups": groups.on_groups,
            "group": groups.on_group,
            "members": groups.on_members,
            "inbounds": self.inbounds.on_list,
            "inbound": self.inbounds.on_get,
            "token": self.auth.on_token,
            "journal": self._on_journal,
            "receiver": self.receiver.on_request,
            "sandbox_inbounds": self.inbounds.on_sandbox,
            "triggers": self._on_triggers,
        }

    def use_receiver(self, url: str) -> None:
        """The built-in receiver, once the server knows its port: the callback plan's default."""
        plan = self.auth.plans[triggers.CALLBACK_SERVICE_PLAN_ID]
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

    def _answer(self, request: Request) -> Response:
        """Under a plan, the plan and its token first (a wrong token is 401 even on a mistyped
        path or with a wrong method, as at Sinch); then the route, its method, the content type."""
        plan = None
        under_plan = PLAN_PATH.match(request.path)
        if under_plan is not None:
            plan = self.auth.plans.get(under_plan.group(1))
            if plan is None:
                return empty(404)
            refused = self.auth.authenticate(request, plan)
            if refused is not None:
                return refused
        try:
            endpoint, args = ROUTES.bind("sandbox").match(request.path, method=request.method)
        except MethodNotAllowed as error:
            return empty(405, {"Allow": ", ".join(sorted(error.valid_methods or ()))})
        except NotFound:
            return empty(404)
        except HTTPException as error:
            return error.get_response()
        try:
            return self._dispatch(request, endpoint, args, plan)
        except HTTPException as error:  # werkzeug's own limits (form size, parts): its answer
            return error.get_response()

    def _dispatch(self, request: Request, endpoint: str, args: dict, plan) -> Response:
        handler = self._handlers[endpoint]
        if "plan" not in args:
            return handler(request, **args)
        if plan is None:  # a plan path the pattern did not take: no plan answers it
            return empty(404)
        if request.method in ("POST", "PUT") and request.mimetype != "application/json":
            return empty(415)
        return handler(request, plan=plan, plan_id=args.pop("plan"), **args)

    # --- the journal ------------------------------------------------------------------------

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

    # --- the sandbox's own endpoints ---------------------------------------------------------

    def _on_journal(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.journal.clear()
            return empty(204)
        return json_response(200, {"cap": self.journal.cap, "dropped": self.journal.dropped,
                                   "entries": self.journal.entries()})

    def _on_triggers(self, request: Request) -> Response:
        return json_response(200, [t.__dict__ for t in triggers.TRIGGERS])
