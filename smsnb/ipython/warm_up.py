"""A head start for the first card: what the first %sms needs, imported in the background.

`%load_ext smsnb` imports almost nothing, so that it stays fast; left at that, the first send
of a fresh kernel pays for the HTTP client, the sandbox, the widgets and the phone-number and
country data (about 200 ms) before its card shows. A daemon thread imports them right after the
load instead, while the user is still typing. Python's import locks make a send that starts
before it ends simply wait for the module it needs; a failure here only loses the head start
(the send imports again, and reports any real error itself).
"""
from __future__ import annotations

import importlib
import threading

MODULES = ("smsnb.ipython.session", "smsnb.sinch.client", "smsnb.sandbox", "smsnb.card.widgets",
           "smsnb.card.request_fields")


def _import_all() -> None:
    try:
        for name in MODULES:
            importlib.import_module(name)
        from ..knowledge.msisdn import region_name

        region_name("SE")  # the English country names
    except Exception:  # nothing to report: the first send imports again and reports itself
        pass


def start() -> threading.Thread:
    """Start importing in the background; the thread is returned so a test can wait for it."""
    thread = threading.Thread(target=_import_all, name="smsnb-warm-up", daemon=True)
    thread.start()
    return thread
