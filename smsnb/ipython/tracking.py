"""What a card asks about a request already sent: each recipient's delivery status, the batches it
may have created (before offering to send it again), and where it went (for copy-as-code)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from ..card.outcome import Result
from ..knowledge import msisdn
from .backends import Backends, NoCredentials
from .embedded import EmbeddedSandbox

FIND_MARGIN_SECONDS = 60  # clock skew allowed between this kernel and Sinch when looking for a batch


class Tracker:
    def __init__(self, backends: Backends, embedded: EmbeddedSandbox, lock: threading.RLock):
        self._backends = backends
        self._embedded = embedded
        self._lock = lock

    def delivery_status(self, result: Result) -> dict[str, str]:
        """Each recipient's delivery status now, from the delivery-report endpoint."""
        statuses = self.poll_delivery_status(result)
        if statuses is None:
            raise RuntimeError("The sandbox that sent this batch has stopped: its reports went with it.")
        return statuses

    def poll_delivery_status(self, result: Result) -> dict[str, str] | None:
        """Each recipient's delivery status now, or None when no report can come any more.
        Never starts a sandbox."""
        report = self.poll_delivery_report(result)
        if report is None:
            return None
        return {str(recipient): str(group.get("status")) for group in report.get("statuses") or []
                if isinstance(group, dict) for recipient in group.get("recipients") or []}

    def poll_delivery_report(self, result: Result) -> dict | None:
        """The batch's whole delivery report now (``type=full``: each status and code with its
        recipients), or None when no report can come any more (the sandbox that got it stopped).
        Never starts a sandbox. SmsError when Sinch answers with an error (404: not available yet)."""
        client = self.client_of(result)
        if client is None:
            return None
        return client.delivery_report(result.batch_id, "full", timeout=10).data

    def poll_batch(self, result: Result) -> dict | None:
        """The batch as Sinch has it now (``canceled``, ``send_at``...), or None when it cannot be
        asked any more (the sandbox that got it stopped). Never starts a sandbox."""
        client = self.client_of(result)
        if client is None:
            return None
        data = client.get_batch(result.batch_id, timeout=10).data
        return data if isinstance(data, dict) else None

    def find_batches(self, result: Result) -> list[dict]:
        """The batches, newest first, that ``result``'s request may have created: same
        client_reference when it has one, else same recipients (as digits) and body; created since
        it was sent (less a margin for clock skew). Reads the newest 100 only; never sends.
        SmsError when the list cannot be read; RuntimeError when that sandbox has stopped."""
        payload = result.payload
        if not isinstance(payload, dict):
            return []  # not a request Sinch could have accepted
        try:
            client = self.client_of(result)
        except NoCredentials:
            raise RuntimeError("No live credentials now: smsnb cannot read that account's batches.") from None
        if client is None:
            raise RuntimeError("The sandbox that got this request has stopped: its batches went with it.")
        data = client.list_batches(page=0, page_size=100, timeout=10).data
        listed = data.get("batches") if isinstance(data, dict) else None
        since = result.at.astimezone(timezone.utc) - timedelta(seconds=FIND_MARGIN_SECONDS)
        return [batch for batch in (listed if isinstance(listed, list) else [])
                if isinstance(batch, dict) and _same_request(batch, payload) and _created_since(batch, since)]

    def target(self, result: Result):
        """Where ``result`` went, for copy-as-code: URLs and ids, never a credential."""
        from ..card.copy_as_code import Target

        try:
            client = self._backends.client(result.route, self._backends.settings())
        except NoCredentials:
            return Target("https://us.sms.api.sinch.com", "YOUR_SERVICE_PLAN_ID")
        return Target(client.base_url, client.account_id or "", client.oauth, client.token_url)

    def client_of(self, result: Result):
        """The client for where ``result`` went, without starting anything: None when the sandbox
        that got it has stopped (its batches went with it)."""
        if result.route != "SANDBOX":
            return self._backends.client(result.route, self._backends.settings())
        with self._lock:
            box = self._embedded.box_of(result)
            if box is None:
                return None
            try:
                return self._backends.sandbox_client(box, self._backends.settings())
            except RuntimeError:  # stopped just now, behind the session's back
                return None


def _same_request(batch: dict, payload: dict) -> bool:
    reference = payload.get("client_reference")
    if reference is not None:
        return batch.get("client_reference") == reference
    wanted = _digits(payload.get("to"))
    return bool(wanted) and batch.get("body") == payload.get("body") and _digits(batch.get("to")) == wanted


def _digits(numbers) -> set[str] | None:
    """Recipients as Sinch echoes them: digits only ("+46 70-123 45 67" -> "46701234567")."""
    if not isinstance(numbers, list):
        return None
    return {msisdn.digits(n) for n in numbers}


def _created_since(batch: dict, since: datetime) -> bool:
    """True unless the batch provably predates ``since``: an unreadable time could be ours."""
    try:
        created = datetime.fromisoformat(str(batch["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return True
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created >= since
