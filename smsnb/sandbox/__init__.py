"""The sandbox: a local simulator of the Sinch SMS REST API, on 127.0.0.1.

Same paths, JSON shapes, status codes and error bodies as Sinch; every outcome reachable by a
documented input (see `TRIGGERS`); a journal of every request; delivery reports on a simulated
clock, with callbacks.
"""
from .server import Clock, Credentials, Sandbox
from .triggers import TRIGGERS, Trigger, trigger_table_text

__all__ = ["Sandbox", "Clock", "Credentials", "TRIGGERS", "Trigger", "trigger_table_text"]
