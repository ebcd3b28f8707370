"""The sandbox: a local simulator of the Sinch SMS REST API, on 127.0.0.1.

Same paths, JSON shapes, status codes and error bodies as Sinch; every outcome reachable by a
documented input (see `TRIGGERS`); a journal of every request; delivery reports on a simulated
clock, with callbacks.

Its modules, from the outside in: `server` runs it (`Sandbox`) on `http_server` (cheroot, with
deadlines and caps); `app` routes each request to a resource: `auth` (plans, API and OAuth2
tokens), `batches` (with `http_triggers`, `validation`, `outcomes` and the bounded `store`),
`dry_run` (both with `messages`: parameters filled in, parts, truncation), `reports`, `callbacks`
(sent by `dispatcher` through `loopback`), `journal`, `receiver`.
"""
from .clock import Clock
from .server import Credentials, Sandbox
from .triggers import TRIGGERS, Trigger, trigger_table_text

__all__ = ["Sandbox", "Clock", "Credentials", "TRIGGERS", "Trigger", "trigger_table_text"]
