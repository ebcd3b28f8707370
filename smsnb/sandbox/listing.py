"""What Sinch's list endpoints share, as pure functions: paging (``page``, ``page_size``), the
time window (``start_date``, 24 hours ago unless given, and ``end_date``), comma lists, and the
page of an answer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ..knowledge import msisdn
from ..knowledge.rules import DEFAULT_PAGE_SIZE, LIST_HOURS, MAX_PAGE_SIZE
from .answers import ErrorAnswer, bad_format, constraint_violation

_SHOWN = 40  # characters of a wrong value quoted back


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    def of(self, items: list, key: str) -> dict:
        """The answer: this page of ``items`` under ``key``, with Sinch's paging fields
        (``page_size`` is how many this page holds)."""
        chunk = items[self.number * self.size:(self.number + 1) * self.size]
        return {"page": self.number, "page_size": len(chunk), "count": len(items), key: chunk}


@dataclass(frozen=True)
class Window:
    """Epoch seconds: from ``start`` (inclusive) to ``end`` (exclusive, None: no end)."""

    start: float
    end: float | None

    def admits(self, moment: float) -> bool:
        return moment >= self.start and (self.end is None or moment < self.end)


def _integer(text: str | None, default: int) -> int | None:
    if text is None:
        return default
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def parse_page(args) -> Page | ErrorAnswer:
    """``page`` (0 or more, default 0) and ``page_size`` (1 to 100, default 30)."""
    page = _integer(args.get("page"), 0)
    if page is None:
        return constraint_violation("page", "it must be an integer, 0 or more")
    size = _integer(args.get("page_size"), DEFAULT_PAGE_SIZE)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        return constraint_violation("page_size", f"it must be an integer from 1 to {MAX_PAGE_SIZE}")
    return Page(page, size)


def parse_moment(value: str) -> float | None:
    """An ISO-8601 date or date and time (``T`` or a space between; UTC unless it names a zone)
    as epoch seconds, or None."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError):
        return None


def parse_window(args, now: float) -> Window | ErrorAnswer:
    """``start_date`` (default: 24 hours before ``now``) and ``end_date`` (default: none)."""
    bounds = {}
    for name in ("start_date", "end_date"):
        value = args.get(name)
        if value is None or not value.strip():
            continue
        bounds[name] = parse_moment(value)
        if bounds[name] is None:
            return bad_format(name, f"'{value[:_SHOWN]}' is not an ISO-8601 date and time")
    return Window(bounds.get("start_date", now - LIST_HOURS * 3600), bounds.get("end_date"))


def parse_listing(args, now: float) -> tuple[Page, Window] | ErrorAnswer:
    """The page and the date window of a list request (batches, inbounds, recipient reports)."""
    page = parse_page(args)
    if isinstance(page, ErrorAnswer):
        return page
    window = parse_window(args, now)
    return window if isinstance(window, ErrorAnswer) else (page, window)


def items(value: str | None) -> list[str]:
    """A comma list's items, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()] if value else []


def same_number(a: str, b: str) -> bool:
    """Whether two numbers (or short codes, or sender names) are the same: numbers compared in
    E.164, whatever their form (with or without "+", spaces); anything else as written."""
    if a == b:
        return True
    first, second = msisdn.parse(a), msisdn.parse(b)
    return first.ok and second.ok and first.e164 == second.e164


def number_key(value: str) -> str:
    """What `same_number` compares: the digits of a number, else the value as written."""
    parsed = msisdn.parse(value)
    return parsed.e164[1:] if parsed.ok else value
