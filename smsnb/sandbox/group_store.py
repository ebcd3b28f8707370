"""The groups the sandbox keeps: each plan's named sets of numbers, a group id in a batch's
``to`` standing for its members. Bounded like the batch store: the oldest group is dropped
first once there are too many, or too many members in all. Thread-safe."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from .clock import iso
from .store import new_batch_id

MAX_GROUPS = 1000  # groups kept, of all plans
MAX_MEMBERS = 200_000  # members of all groups together (each group holds at most 10,000)


@dataclass
class Group:
    id: str
    plan_id: str
    created: float
    modified: float
    name: str | None = None
    members: dict[str, None] = field(default_factory=dict)  # digits, in the order added
    child_groups: list[str] = field(default_factory=list)
    auto_update: dict | None = None

    def shape(self, size: int) -> dict:
        """The group as Sinch answers it (``size``: its members, its child groups' included)."""
        answer = {"id": self.id, "size": size, "created_at": iso(self.created),
                  "modified_at": iso(self.modified)}
        if self.name is not None:
            answer["name"] = self.name
        if self.child_groups:
            answer["child_groups"] = list(self.child_groups)
        if self.auto_update is not None:
            answer["auto_update"] = self.auto_update
        return answer


class GroupStore:
    """Groups by id, oldest first."""

    def __init__(self, max_groups: int = MAX_GROUPS, max_members: int = MAX_MEMBERS):
        self._lock = threading.RLock()
        self._groups: dict[str, Group] = {}
        self._members = 0
        self.max_groups, self.max_members = max_groups, max_members

    @staticmethod
    def new(plan_id: str) -> Group:
        """A new group of the plan, not kept yet: fill it in, then `add` it."""
        now = time.time()
        return Group(new_batch_id(), plan_id, now, now)

    def add(self, group: Group) -> None:
        with self._lock:
            self._groups[group.id] = group
            self._members += len(group.members)
            self._evict()

    def save(self, group: Group, members: dict[str, None]) -> None:
        """A kept group's new members (its other fields already set), modified now. A group
        deleted meanwhile stays deleted."""
        with self._lock:
            if self._groups.get(group.id) is group:
                self._members += len(members) - len(group.members)
            group.members, group.modified = members, time.time()
            self._evict()

    def delete(self, group: Group) -> None:
        with self._lock:
            if self._groups.pop(group.id, None) is group:
                self._members -= len(group.members)

    def _evict(self) -> None:  # with the lock held; the newest group always stays
        while len(self._groups) > 1 and (len(self._groups) > self.max_groups
                                         or self._members > self.max_members):
            self._members -= len(self._groups.pop(next(iter(self._groups))).members)

    def find(self, plan_id: str, group_id: str) -> Group | None:
        """The plan's group, or None (another plan's group is as unknown as a deleted one)."""
        with self._lock:
            group = self._groups.get(group_id)
        return group if group is not None and group.plan_id == plan_id else None

    def groups(self, plan_id: str) -> list[Group]:
        """The plan's groups, newest first."""
        with self._lock:
            return [g for g in reversed(self._groups.values()) if g.plan_id == plan_id]

    def members(self, group: Group) -> list[str]:
        """The group's numbers (digits): its own, then its child groups' (those that still exist)."""
        with self._lock:
            seen = dict(group.members)
            for child_id in group.child_groups:
                child = self.find(group.plan_id, child_id)
                if child is not None:
                    seen.update(child.members)
        return list(seen)

    def members_of(self, plan_id: str, group_id: str) -> list[str]:
        """A group's numbers, as a batch sent to it now gets them: none for an unknown or deleted
        group (Sinch: a group deleted before a scheduled batch is sent counts as empty)."""
        group = self.find(plan_id, group_id)
        return self.members(group) if group is not None else []
