"""The team server's actions, written once: which path takes which command, and with what body.

The server makes its routes from this table and the HTTP backend its requests. A body is the
command's own fields (their limits included) but the incident, which is in the path, and the
mark of esctui's own timeout escalations, which no request may carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import msgspec

from esctui.domain import commands as c
from esctui.domain.actions import Action
from esctui.stores.records import StoreError

NOT_IN_BODY = ("incident", "timeout")


def body_type(command: type[c.Command]) -> type[msgspec.Struct]:
    """The request body of `command`: its fields but those `NOT_IN_BODY`; unknown keys are
    refused, so a typo in a script is a 422, not an action done differently from what was
    meant."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field in msgspec.structs.fields(command):
        if field.name in NOT_IN_BODY:
            continue
        if field.default is not msgspec.NODEFAULT:
            fields.append((field.name, field.type, field.default))
        elif field.default_factory is not msgspec.NODEFAULT:
            fields.append(
                (field.name, field.type, msgspec.field(default_factory=field.default_factory))
            )
        else:
            fields.append((field.name, field.type))
    return msgspec.defstruct(
        f"{command.__name__}Body",
        fields,
        frozen=True,
        forbid_unknown_fields=True,
        module=__name__,
    )


@dataclass(frozen=True)
class Route:
    """One action's request: `POST /v1/incidents/{id}/{path}` with a `body`."""

    action: Action
    command: type[c.IncidentCommand]
    path: str
    summary: str

    @property
    def body(self) -> type[msgspec.Struct]:
        return BODIES[self.command]

    @property
    def needs_body(self) -> bool:
        """Whether the body has a field without a default (else it may be left out)."""
        return any(
            f.default is msgspec.NODEFAULT and f.default_factory is msgspec.NODEFAULT
            for f in msgspec.structs.fields(self.body)
        )

    def command_for(self, incident_id: str, body: msgspec.Struct | None) -> c.AnyCommand:
        fields = {} if body is None else msgspec.structs.asdict(body)
        return cast(c.AnyCommand, self.command(incident=incident_id, **fields))


ROUTES: tuple[Route, ...] = (
    Route(
        Action.ACKNOWLEDGE,
        c.Acknowledge,
        "actions/acknowledge",
        "Take the incident: it is the caller's now.",
    ),
    Route(
        Action.UNACKNOWLEDGE,
        c.Unacknowledge,
        "actions/unacknowledge",
        "Give the incident back to the queue; escalation starts again.",
    ),
    Route(Action.HAND_OFF, c.HandOff, "actions/handoff", "Hand the incident to another responder."),
    Route(
        Action.ESCALATE,
        c.Escalate,
        "actions/escalate",
        "Page the next level of the incident's policy, or the level given.",
    ),
    Route(Action.SNOOZE, c.Snooze, "actions/snooze", "Hold auto-escalation until `until`."),
    Route(Action.RESOLVE, c.Resolve, "actions/resolve", "Close the incident."),
    Route(Action.REOPEN, c.Reopen, "actions/reopen", "Open a resolved incident again, at level 1."),
    Route(
        Action.UNDO,
        c.Undo,
        "actions/undo",
        "Take back the caller's own change that brought the "
        "incident to `version`, if nothing happened to it since.",
    ),
    Route(Action.NOTE, c.AddNote, "notes", "Add a note to the incident's timeline."),
    Route(
        Action.COMMUNICATE,
        c.LogCommunication,
        "communications",
        "Log what was said to (or heard from) someone outside the responders.",
    ),
)

COMMANDS: list[type[c.Command]] = [c.Trigger, *(route.command for route in ROUTES)]
BODIES: dict[type[c.Command], type[msgspec.Struct]] = {
    command: body_type(command) for command in COMMANDS
}
TriggerBody = BODIES[c.Trigger]
BY_COMMAND: dict[type[c.Command], Route] = {route.command: route for route in ROUTES}


def incident_path(incident_id: str) -> str:
    """`/v1/incidents/INC-1042`; whatever the id holds stays in its one path segment."""
    return f"/v1/incidents/{quote(incident_id, safe='')}"


def request_for(command: c.AnyCommand) -> tuple[str, dict[str, object]]:
    """The path and JSON body of the request that asks the server for `command`."""
    fields: dict[str, object] = msgspec.to_builtins(command)
    fields.pop("command", None)
    for name in NOT_IN_BODY:
        fields.pop(name, None)
    if isinstance(command, c.Trigger):
        return "/v1/incidents", fields
    if isinstance(command, c.Escalate) and command.timeout:
        raise StoreError("Timeout escalations are the server's own; they cannot be sent to it.")
    route = BY_COMMAND.get(type(command))
    if route is None or not isinstance(command, c.IncidentCommand):
        raise StoreError(f"The server takes no {type(command).__name__} command.")
    return f"{incident_path(command.incident)}/{route.path}", fields
