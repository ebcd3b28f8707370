"""Sinch's errors raised by the user's own code (the official Sinch SDK, `requests`) shown as
smsnb's card, through IPython's own hooks; no package is patched.

- A custom exception handler (``InteractiveShell.set_custom_exc``) for the SDK's `SinchException`,
  SDK 1.x's ``KeyError('text')`` and requests' `RequestException`: an answer from Sinch or the
  sandbox (or a failure on the way to it) becomes the card and one line that points to the full
  traceback (``%tb``). Any other exception gets IPython's own traceback, as without smsnb.
- A display formatter for `requests.Response`: one from Sinch or the sandbox shows as the card
  (a 2xx to a send or dry run as the success card); any other keeps its usual display.

The exception classes are registered as their modules appear in ``sys.modules`` (checked before
each cell), so ``%load_ext smsnb`` imports neither package; a cell that names ``sinch`` or
``requests`` has their exception module imported just before it runs (it is about to import them
anyway), so that the very cell that imports the SDK is covered. ``%config
SmsMagic.explain_exceptions = False`` leaves every exception and Response to IPython.

A card's Resend goes through smsnb to the endpoint the request went to, with the bearer token it
carried (a `Secret`, never shown): the session lends it a route of its own (`Backends.borrow`),
and `RequestSession` keeps a token or service plan typed into the card's form on that route.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from typing import Callable

POINTER = "the full traceback: %tb"
# (module, class) of the exceptions the handler looks at, and a word that names the package in a cell.
_WATCHED = (("sinch.core.exceptions", "SinchException", "sinch"),
            ("requests.exceptions", "RequestException", "requests"))
_RESPONSE = ("requests.models", "Response")
_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")  # `_`, `err`, `e.http_response`


class ForeignErrors:
    """The hooks of one shell. ``session`` gives the kernel's `SmsSession` (made on first use)."""

    def __init__(self, shell, session: Callable):
        self.shell = shell
        self._session = session
        self._classes: tuple[type, ...] = ()
        self._handler = None  # our CustomTB, as IPython holds it
        self._previous = None  # (custom_exceptions, CustomTB) before ours: restored on unregister

    # --- registering -------------------------------------------------------------------------------

    def register(self) -> None:
        shell = self.shell
        self._previous = (shell.custom_exceptions, shell.CustomTB)
        shell.events.register("pre_run_cell", self.refresh)
        shell.display_formatter.mimebundle_formatter.for_type_by_name(*_RESPONSE, self.response_bundle)
        self.refresh()

    def unregister(self) -> None:
        """Remove every hook; the exception handler before ours comes back (unless another took over)."""
        shell = self.shell
        try:
            shell.events.unregister("pre_run_cell", self.refresh)
        except ValueError:  # not registered
            pass
        shell.display_formatter.mimebundle_formatter.pop(".".join(_RESPONSE), None)
        if self._handler is not None and shell.CustomTB is self._handler and self._previous is not None:
            shell.custom_exceptions, shell.CustomTB = self._previous
        self._handler = None

    def refresh(self, info=None) -> None:
        """Register the classes loaded by now; import those a cell is about to use (see the module)."""
        cell = getattr(info, "raw_cell", "") or ""
        for module, _, word in _WATCHED:
            if module not in sys.modules and word in cell and re.search(rf"\b{word}\b", cell):
                _import_quietly(module)
        classes = self._loaded_classes()
        if classes != self._classes or self.shell.CustomTB is not self._handler:
            if self._handler is not None and self.shell.CustomTB is not self._handler:
                return  # another handler took over since: leave it alone
            self._classes = classes
            self.shell.set_custom_exc(classes, self._handle)
            self._handler = self.shell.CustomTB

    def _loaded_classes(self) -> tuple[type, ...]:
        found = [getattr(sys.modules.get(module), name, None) for module, name, _ in _WATCHED]
        previous = self._previous[0] if self._previous else ()
        sdk = sys.modules.get("sinch")
        if str(getattr(sdk, "__version__", "")).startswith("1."):
            found.append(KeyError)  # SDK 1.x raises KeyError('text') on an empty error body
        return tuple(dict.fromkeys([c for c in found if isinstance(c, type)] + list(previous)))

    # --- the hooks -----------------------------------------------------------------------------------

    def _handle(self, shell, etype, value, tb, tb_offset=None):
        """IPython's custom exception handler: the card and a pointer, or IPython's own traceback."""
        try:
            result = self.card_for(value) if self._enabled() else None
            card = result._repr_mimebundle_() if result is not None else None  # text, HTML, the widget
        except Exception:  # smsnb must not be the bug: the user's own traceback instead
            card = None
        if card is None:
            return self._pass_on(shell, etype, value, tb, tb_offset)
        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # what %tb and %debug read
        if sys.version_info >= (3, 12):
            sys.last_exc = value
        from IPython.display import display

        display(card, raw=True)
        shell._showtraceback(etype, value, [f"{etype.__name__}: explained above by smsnb; {POINTER}"])
        if shell.call_pdb:  # %pdb on: the debugger starts, as after any traceback
            shell.debugger(force=True)
        return None

    def _pass_on(self, shell, etype, value, tb, tb_offset):
        """What IPython does without smsnb: the handler before ours for its classes, else the traceback."""
        previous_classes, previous_handler = self._previous or ((), None)
        if previous_classes and isinstance(value, previous_classes):
            return previous_handler(etype, value, tb, tb_offset=tb_offset)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None

    def response_bundle(self, response):
        """The display of a `requests.Response`: the card when Sinch (or the sandbox) answered, else
        None (its usual display)."""
        try:
            if not self._enabled():
                return None
            from ..sinch.foreign import from_response

            foreign = from_response(response)
            result = result_for(foreign, self._session()) if foreign is not None else None
            return result._repr_mimebundle_() if result is not None else None
        except Exception:  # never smsnb's traceback in place of the user's value
            return None

    def _enabled(self) -> bool:
        return bool(self._session().settings().explain_exceptions)

    # --- %sms explain ----------------------------------------------------------------------------

    def card_for(self, value):
        """The card for an exception or a Response from Sinch; None when it is not Sinch's."""
        from ..sinch.foreign import from_exception, from_response

        foreign = from_exception(value) if isinstance(value, BaseException) else from_response(value)
        return result_for(foreign, self._session()) if foreign is not None else None

    def explain(self, word: str):
        """%sms explain WORD: a catalog code, a pasted answer body, or the name of an object (an SDK
        exception, an HTTPError, a Response, a dict); UsageError otherwise."""
        from .explaining import entries_for

        views = self._session().views
        if entries_for(word):  # a key, status or number smsnb knows
            return views.explain(word)
        if word.lstrip().startswith("{"):
            return _pasted(word, views)
        if _NAME.match(word):
            found, value = _lookup(self.shell.user_ns, word)
            if found:
                return self._explain_object(word, value, views)
        return views.explain(word)  # no such code: its usage error, with the nearest codes

    def _explain_object(self, word: str, value, views):
        from IPython.core.error import UsageError

        from .command import shown

        if isinstance(value, (str, dict)) or _is_sdk_body(value):
            return _pasted(value, views)
        try:
            result = self.card_for(value)
        except Exception:  # the user's object fails when read (a property that raises): not Sinch's answer
            result = None
        if result is None:
            raise UsageError(f"{shown(word)} is a {type(value).__name__}, not an answer from Sinch: give "
                             f"an SDK exception, an HTTPError, a Response, a dict or an answer body. "
                             f"Usage: %sms explain CODE")
        return result


# --- a foreign answer as a Result ------------------------------------------------------------------

def result_for(foreign, session):
    """The `Result` for a foreign answer, its resend lent a route of its own (see `RequestSession`);
    None for a 2xx that is not to a send or dry run (its usual display is better)."""
    from ..card.outcome import Result

    label = "SANDBOX" if foreign.from_sandbox else "LIVE"
    action, request, raw = _as_sent(foreign.request)
    data = foreign.data() if foreign.ok else None
    if foreign.ok and (action is None or not isinstance(data, dict)):
        return None
    endpoint = foreign.endpoint() if action is not None else None
    route = session.backends.borrow(_borrowed(label, endpoint)) if endpoint is not None else None
    result = Result(label, action or "send_raw", request, raw_body=raw,
                    hints=_hints(foreign, endpoint, action),
                    session=RequestSession(session, route, label, endpoint) if route else None)
    if route:
        result.route = route
    if foreign.ok:
        from ..sinch.client import Reply

        result.reply = Reply(foreign.status, data, foreign.headers, foreign.request, 0.0)
    else:
        result.error = foreign.error()
    return result


def _as_sent(sent):
    """(action, SmsRequest or None, raw body or None) of a request as smsnb would send it again:
    a POST to batches or batches/dry_run; (None, None, body) for any other request."""
    from ..sinch.request import SmsRequest

    if sent is None:
        return None, None, None
    path = sent.path.rstrip("/")
    action = None
    if sent.method == "POST" and re.search(r"/xms/v1/[^/]+/batches(/dry_run)?$", path):
        action = "dry_run" if path.endswith("/dry_run") else "send"
    payload = sent.json()
    readable = isinstance(payload, dict) and isinstance(payload.get("to"), list) and \
        isinstance(payload.get("body"), str)
    if readable:
        return action, SmsRequest.from_payload(payload), None
    if action == "dry_run":
        return None, None, sent.body  # smsnb dry-runs only a request it can read
    return ("send_raw" if action else None), None, sent.body


def _borrowed(label: str, endpoint):
    """The route a resend of this request takes, and what its cards say about it."""
    from .backends import Borrowed

    return Borrowed(label, endpoint, f"Resend goes through smsnb to {endpoint.base_url}, account "
                                     f"{endpoint.account_id}, with the token your request carried (kept in "
                                     f"memory, never shown).")


def _hints(foreign, endpoint, action) -> tuple[str, ...]:
    """Where the card came from, and what its Resend does (with whose credentials)."""
    sent = foreign.request
    hints = [f"From your code ({foreign.source}): smsnb read Sinch's answer."]
    if sent is not None and not sent.body:
        hints.append(f"Request sent: {sent.method} {sent.path}")
    if endpoint is not None:
        hints.append(_borrowed("", endpoint).note)
    elif action is None and not foreign.ok:
        hints.append("smsnb cannot send this request again: it resends only a POST of a batch that carried "
                     "a bearer token.")
    return tuple(hints)


class RequestSession:
    """The session of a card for a request made outside smsnb: the kernel's `SmsSession`, but a
    token, service plan or region typed into the card's form change that request's route (its
    endpoint and credentials), not smsnb's own settings."""

    def __init__(self, session, route: str, label: str, endpoint):
        self._inner, self.route, self.label, self.endpoint = session, route, label, endpoint

    def __getattr__(self, name):  # everything else a card asks (resend, delivery status, ...)
        if name.startswith("__") or name == "_inner":  # copy and pickle probe before __init__
            raise AttributeError(name)
        return getattr(self._inner, name)

    def settings(self):
        """smsnb's settings, with the request's service plan and region for a form to prefill."""
        from dataclasses import replace

        resolved = self._inner.settings()
        values = {**resolved.values, "service_plan_id": self.endpoint.account_id,
                  "region": _region_of(self.endpoint.base_url) or resolved.values["region"]}
        return replace(resolved, values=values)

    def use_credentials(self, values: dict) -> None:
        """A token, service plan or region typed into the card: this request's route sends with them."""
        from ..sinch.foreign import Endpoint
        from ..sinch.paths import REGION_HOSTS
        from ..sinch.secret import Secret

        base, region = self.endpoint.base_url, values.get("region")
        if region in REGION_HOSTS and _region_of(base):
            base = REGION_HOSTS[region]
        token = Secret(values["api_token"]) if values.get("api_token") else self.endpoint.token
        self.endpoint = Endpoint(base, values.get("service_plan_id") or self.endpoint.account_id, token)
        self._inner.backends.borrow(_borrowed(self.label, self.endpoint), route=self.route)

    def receiver_url(self, result) -> str | None:
        """The callback receiver of the sandbox the request went to (every sandbox has one)."""
        return f"{self.endpoint.base_url}/_sandbox/callbacks" if self.label == "SANDBOX" else None

    def __repr__(self) -> str:
        return f"<smsnb RequestSession {self.route}>"


def _region_of(base_url: str) -> str | None:
    """The region of one of Sinch's SMS hosts (us.sms.api.sinch.com, zt.eu.sms...), else None."""
    found = re.match(r"^https://(?:zt\.)?(\w+)\.sms\.api\.sinch\.com$", base_url)
    return found.group(1) if found else None


# --- pasted answers and names ------------------------------------------------------------------------

def _pasted(value, views):
    """A pasted answer body (text, a dict, the SDK's HTTPResponse): what its code means."""
    from IPython.core.error import UsageError

    from ..card import render
    from ..card.outcome import Message
    from ..card.safe import visible
    from ..knowledge import catalog
    from ..sinch.foreign import pasted

    error = pasted(value)
    if error is None:
        raise UsageError("That answer body holds no Sinch error code ({\"code\": ..., \"text\": ...}). "
                         "Usage: %sms explain CODE")
    entry = catalog.entry_for(error)
    said = visible(error.text, newlines=True) if error.text else ""
    text = (f'Sinch says: "{said}"\n' if said else "") + render.entry_text(entry)
    return Message(text, render.entry_html(entry, said=said), error)


def _lookup(namespace: dict, dotted: str) -> tuple[bool, object]:
    """(found, value) of a dotted name in the user's namespace, attributes read as Python would."""
    first, *rest = dotted.split(".")
    if first not in namespace:
        return False, None
    value = namespace[first]
    try:
        for name in rest:
            value = getattr(value, name)
    except Exception:  # a property of the user's object that fails: not found
        return False, None
    return True, value


def _is_sdk_body(value) -> bool:
    """The SDK's HTTPResponse (status_code, headers, the parsed body), not a requests Response."""
    return all(hasattr(value, name) for name in ("status_code", "headers", "body")) and \
        not hasattr(value, "iter_content")


def _import_quietly(module: str) -> None:
    """Import ``module`` when its package is installed; any failure is the user's cell's to show."""
    try:
        if importlib.util.find_spec(module.split(".")[0]) is not None:
            importlib.import_module(module)
    except Exception:
        pass
