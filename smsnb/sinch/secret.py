"""A credential that cannot leak by accident: its str, repr and format are a mask."""
from __future__ import annotations


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value.strip()  # a pasted newline or space is never part of a credential

    def reveal(self) -> str:
        """The value itself: only for the Authorization header, never for display."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __format__ = lambda self, *_: "********"

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):
        raise TypeError("a Secret is not pickled: it would be written out in clear")


MIN_MASKED = 8  # a shorter credential would mask ordinary words of the answer (and is refused anyway)


def masked_in(content: bytes, secret: Secret | None) -> bytes:
    """``content`` with every copy of the credential replaced by the mask: an answer that echoes it
    (a proxy, a stand-in at the base URL) must not show it in a card."""
    value = secret.reveal().encode("utf-8") if secret else b""
    if len(value) < MIN_MASKED or value not in content:
        return content
    return content.replace(value, b"********")
