"""The sandbox: a local simulator of the Sinch SMS REST API, on 127.0.0.1.

Same paths, JSON shapes, status codes and error bodies as Sinch, every endpoint but MMS; every
outcome reachable by a documented input (see `TRIGGERS`); a journal of every request; delivery
reports on a simulated clock, with callbacks; inbound SMS (two-way).

Its modules, from the outside in: `server` runs it (`Sandbox`) on `http_server` (cheroot, with
deadlines and caps); `app` routes each request (`routes`) to a resource, checking the plan's
token first (`auth`: plans, API and OAuth2 tokens): `batches` (with `http_triggers`,
`validation`, `json_body`, `binary`, `batch_echo` and the bounded `store`; `batch_edits` for
updates and replaces; `sending` sends each batch at its send time, `outcomes` deciding how each
message ends), `dry_run` (both with `messages`: parameters filled in, parts, truncation),
`feedback`, `reports` and `report_list`, `groups` (`group_rules`, the bounded `group_store`),
`inbounds`, `callbacks` (sent by `dispatcher` through `loopback`), `journal`, `receiver`; the
lists share `listing`.
"""
from .clock import Clock
from .server import Credentials, Sandbox
from .triggers import TRIGGERS, Trigger, trigger_table_text

__all__ = ["Sandbox", "Clock", "Credentials", "TRIGGERS", "Trigger", "trigger_table_text"]
