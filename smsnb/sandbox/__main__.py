"""python -m smsnb.sandbox [--port P] [--service-plan-id ID] [--api-token TOKEN]"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import triggers
from .server import Sandbox


def _program() -> str:
    """How this was started: the console script's name, or python -m."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name and name != "__main__.py" else "python -m smsnb.sandbox"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=_program(),
                                     description="Run the local Sinch SMS API simulator in the foreground.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--service-plan-id", default=triggers.DEFAULT_SERVICE_PLAN_ID)
    parser.add_argument("--api-token", default=triggers.DEFAULT_API_TOKEN)
    args = parser.parse_args(argv)
    try:
        sandbox = Sandbox(port=args.port, service_plan_id=args.service_plan_id,
                          api_token=args.api_token).start()
    except OSError as error:
        print(f"Could not listen on 127.0.0.1:{args.port}: {error.strerror or error}. Pick another --port.",
              file=sys.stderr)
        return 1
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    c = sandbox.credentials
    print(f"smsnb sandbox: a local simulator of the Sinch SMS API (no real SMS is sent)\n"
          f"  base URL         {c.base_url}\n"
          f"  service plan id  {c.service_plan_id}\n"
          f"  API token        {c.api_token}\n"
          f"  send             POST {c.base_url}/xms/v1/{c.service_plan_id}/batches\n"
          f"  OAuth2           POST {c.token_url} (key id {c.key_id}, key secret {c.key_secret}),"
          f" then /xms/v1/{c.project_id}/...\n"
          f"  callbacks        {c.receiver_url}\n"
          f"  inbound SMS      POST {c.base_url}{triggers.INBOUNDS_PATH} (from, body),"
          f" to the plan's number {triggers.SANDBOX_NUMBER}\n"
          f"  journal          GET {c.base_url}/_sandbox/journal\n\n"
          f"Triggers:\n{triggers.trigger_table_text()}\n\nCtrl-C or SIGTERM stops it.", flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    sandbox.stop()
    print("sandbox stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
