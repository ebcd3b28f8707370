"""Bounds on what the sandbox keeps, so that its memory stays bounded whatever it is sent: the
newest items of a list, and text cut with a visible marker."""
from __future__ import annotations

import threading
from collections import deque


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a visible marker saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters not kept]"


class Capped:
    """The newest ``cap`` items appended, thread-safe; ``dropped`` counts the ones pushed out."""

    def __init__(self, cap: int):
        self.cap = cap
        self._items: deque = deque(maxlen=cap)
        self._lock = threading.Lock()
        self.dropped = 0

    def append(self, item) -> None:
        with self._lock:
            self._append(item)

    def _append(self, item) -> None:  # with the lock held
        if len(self._items) == self.cap:
            self.dropped += 1
        self._items.append(item)

    def entries(self) -> list:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self.entries())

    def __getitem__(self, index):
        return self.entries()[index]

    def __eq__(self, other) -> bool:  # compares as the list it replaces
        if isinstance(other, (Capped, list, tuple)):
            return self.entries() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"<{len(self)} of at most {self.cap}, {self.dropped} dropped: {self.entries()!r}>"
