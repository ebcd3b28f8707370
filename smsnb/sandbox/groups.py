"""``.../groups``, ``.../groups/<id>`` and ``.../groups/<id>/members``: a plan's groups of
numbers, created, listed, read, updated, replaced and deleted as Sinch does; and a group's
``auto_update`` keywords, which add or remove the sender of an inbound SMS."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .answers import ErrorAnswer, empty, json_response
from .auth import Plan
from .group_rules import check_group, check_update, digits
from .group_store import Group, GroupStore
from .listing import parse_page, same_number
from .validation import parse_json_object, unknown_group


class Groups:
    """The group endpoints, over a `GroupStore`."""

    def __init__(self, store: GroupStore):
        self.store = store

    # --- what batches and inbounds ask of groups ---------------------------------------------

    def exists(self, plan_id: str):
        """``group_exists(id)`` for the plan, as `validation.check_batch` takes it."""
        return lambda group_id: self.store.find(plan_id, group_id) is not None

    def on_inbound(self, plan_id: str, inbound: dict) -> None:
        """An inbound SMS to a group's ``auto_update.to`` whose first words are its ``add`` (or
        ``remove``) keywords adds its sender to the group (or removes it)."""
        words = [word.lower() for word in inbound.get("body", "").split()[:2]]
        for group in self.store.groups(plan_id):
            auto = group.auto_update
            if not auto or not same_number(auto["to"], inbound["to"]):
                continue
            members = dict(group.members)
            if _says(words, auto.get("add")):
                members.update(digits([inbound["from"]]))
            elif _says(words, auto.get("remove")):
                members.pop(next(iter(digits([inbound["from"]]))), None)
            else:
                continue
            self.store.save(group, members)

    # --- the endpoints -----------------------------------------------------------------------

    def on_groups(self, request: Request, plan: Plan, plan_id: str) -> Response:
        if request.method == "GET":
            page = parse_page(request.args)
            if isinstance(page, ErrorAnswer):
                return page.response()
            shapes = [self._shape(group) for group in self.store.groups(plan_id)]
            return json_response(200, page.of(shapes, "groups"))
        body = self._body(request, plan_id, replace=False)
        if isinstance(body, ErrorAnswer):
            return body.response()
        group = self.store.new(plan_id)
        self._fill(group, body)
        group.members = digits(body.get("members"))
        self.store.add(group)
        return json_response(201, self._shape(group))

    def on_group(self, request: Request, plan: Plan, plan_id: str, group_id: str) -> Response:
        group = self.store.find(plan_id, group_id)
        if group is None:
            return empty(404)
        if request.method == "DELETE":
            self.store.delete(group)
            return empty(200)
        if request.method == "PUT":
            body = self._body(request, plan_id, replace=True)
            if isinstance(body, ErrorAnswer):
                return body.response()
            self._fill(group, body)
            self.store.save(group, digits(body.get("members")))
        elif request.method == "POST":
            error = self._update(request, group)
            if error is not None:
                return error.response()
        return json_response(200, self._shape(group))

    def on_members(self, request: Request, plan: Plan, plan_id: str, group_id: str) -> Response:
        group = self.store.find(plan_id, group_id)
        if group is None:
            return empty(404)
        return json_response(200, self.store.members(group))

    # --- the parts ---------------------------------------------------------------------------

    def _body(self, request: Request, plan_id: str, *, replace: bool) -> dict | ErrorAnswer:
        """A create or replace request, checked; its child groups must exist."""
        body = parse_json_object(request.get_data(cache=True))
        if isinstance(body, ErrorAnswer):
            return body
        error = check_group(body, members_required=replace)
        if error is not None:
            return error
        for index, child in enumerate(body.get("child_groups") or ()):
            if self.store.find(plan_id, child) is None:
                return unknown_group(child, f"child_groups[{index}]")
        return body

    @staticmethod
    def _fill(group: Group, body: dict) -> None:
        group.name = body.get("name")
        children = dict.fromkeys(body.get("child_groups") or ())
        group.child_groups = [child for child in children if child != group.id]
        group.auto_update = body.get("auto_update")

    def _update(self, request: Request, group: Group) -> ErrorAnswer | None:
        """Adds first, then removes (a number in both ends up out); ``name`` null removes the name."""
        body = parse_json_object(request.get_data(cache=True))
        if isinstance(body, ErrorAnswer):
            return body
        error = check_update(body)
        if error is not None:
            return error
        sources = {}
        for field in ("add_from_group", "remove_from_group"):
            if body.get(field) is not None:
                source = self.store.find(group.plan_id, body[field])
                if source is None:
                    return unknown_group(body[field], field)
                sources[field] = self.store.members(source)
        members = {**group.members, **digits(body.get("add")),
                   **dict.fromkeys(sources.get("add_from_group", ()))}
        for number in [*digits(body.get("remove")), *sources.get("remove_from_group", ())]:
            members.pop(number, None)
        if "name" in body:
            group.name = body["name"]
        if body.get("auto_update") is not None:
            group.auto_update = body["auto_update"]
        self.store.save(group, members)
        return None

    def _shape(self, group: Group) -> dict:
        size = len(self.store.members(group)) if group.child_groups else len(group.members)
        return group.shape(size)


def _says(words: list[str], keywords: dict | None) -> bool:
    """Whether an inbound SMS's first words (lower case) are these keywords."""
    if not keywords:
        return False
    wanted = [keywords["first_word"].lower()] + ([keywords["second_word"].lower()]
                                                 if keywords.get("second_word") else [])
    return words[:len(wanted)] == wanted
