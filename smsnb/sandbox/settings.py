"""The sandbox's settings: the keyword arguments of `Sandbox(...)`."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import triggers
from .clock import Clock


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
