"""Who is on call: for a rotation, and for a level of an escalation policy, at a given instant."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from esctui.domain import contact
from esctui.domain.cadence import template_problems
from esctui.domain.models import Directory, EscalationPolicy, Rotation


def shift_anchor(rotation: Rotation) -> datetime:
    """The wall-clock start of the rotation's first shift (naive, in the rotation's zone)."""
    hours, _, minutes = rotation.handoff_time.partition(":")
    start = datetime.fromisoformat(rotation.start_date)
    return datetime.combine(start.date(), time(int(hours), int(minutes or 0)))


def zone(rotation: Rotation) -> ZoneInfo:
    return ZoneInfo(rotation.time_zone)


def on_call(rotation: Rotation, at: datetime) -> str | None:
    """The member on call in `rotation` at `at`: an override covering `at` wins (the one listed
    last, when several overlap), then the member whose shift contains `at`.

    Shifts are counted in the rotation's wall-clock time, so a 24 h rotation hands off at the
    same local hour across daylight-saving changes. Before the first shift nobody is on call.
    """
    for override in reversed(rotation.overrides):
        if override.start <= at < override.end:
            return override.responder
    if not rotation.members:
        return None
    local = at.astimezone(zone(rotation)).replace(tzinfo=None)
    elapsed = local - shift_anchor(rotation)
    if elapsed < timedelta(0):
        return None
    shift = elapsed // timedelta(hours=rotation.shift_hours)
    return rotation.members[shift % len(rotation.members)]


def next_handoff(rotation: Rotation, at: datetime) -> datetime:
    """When the shift running at `at` ends (UTC), ignoring overrides."""
    tz = zone(rotation)
    local = at.astimezone(tz).replace(tzinfo=None)
    anchor = shift_anchor(rotation)
    length = timedelta(hours=rotation.shift_hours)
    shifts = 0 if local < anchor else (local - anchor) // length + 1
    return (anchor + shifts * length).replace(tzinfo=tz).astimezone(UTC)


def level_on_call(
    directory: Directory, policy: EscalationPolicy, level: int, at: datetime
) -> list[str]:
    """Everyone paged at `level` (1-based) of `policy` at `at`, in target order, each once."""
    if not 1 <= level <= len(policy.levels):
        return []
    names: list[str] = []
    for target in policy.levels[level - 1].targets:
        if target.kind == "responder":
            name: str | None = target.name
        else:
            rotation = directory.rotation(target.name)
            name = on_call(rotation, at) if rotation is not None else None
        if name is not None and name not in names:
            names.append(name)
    return names


def policy_on_call(directory: Directory, policy: EscalationPolicy, at: datetime) -> list[list[str]]:
    """Who is paged at each level of `policy` at `at` (index 0 is level 1)."""
    return [level_on_call(directory, policy, n, at) for n in range(1, len(policy.levels) + 1)]


def service_on_call(directory: Directory, service: str, at: datetime) -> list[list[str]]:
    """Who is paged at each level of the service's policy at `at` (none without a policy)."""
    policy = directory.service_policy(service)
    return policy_on_call(directory, policy, at) if policy is not None else []


def directory_problems(directory: Directory) -> list[str]:
    """Sentences naming every reference in `directory` that points nowhere."""
    problems: list[str] = []
    people = {r.name for r in directory.responders}
    if len(people) != len(directory.responders):
        problems.append("two responders share a name")
    for rotation in directory.rotations:
        for member in rotation.members:
            if member not in people:
                problems.append(f"rotation {rotation.name!r} lists unknown responder {member!r}")
        for override in rotation.overrides:
            if override.responder not in people:
                problems.append(
                    f"rotation {rotation.name!r} has an override for unknown responder "
                    f"{override.responder!r}"
                )
        try:
            zone(rotation)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                f"rotation {rotation.name!r} has unknown time zone {rotation.time_zone!r}"
            )
        try:
            shift_anchor(rotation)
        except ValueError:
            problems.append(
                f"rotation {rotation.name!r} has a bad start_date or handoff_time "
                f"({rotation.start_date!r}, {rotation.handoff_time!r})"
            )
    rotations = {r.name for r in directory.rotations}
    for policy in directory.policies:
        if not policy.levels:
            problems.append(f"policy {policy.name!r} has no levels")
        for n, level in enumerate(policy.levels, 1):
            for target in level.targets:
                known = people if target.kind == "responder" else rotations
                if target.name not in known:
                    problems.append(
                        f"policy {policy.name!r} level {n} targets unknown {target.kind} "
                        f"{target.name!r}"
                    )
    policies = {p.name for p in directory.policies}
    for service in directory.services:
        if service.policy not in policies:
            problems.append(f"service {service.name!r} uses unknown policy {service.policy!r}")
        if service.runbook_url and not service.runbook_url.startswith(("https://", "http://")):
            problems.append(
                f"service {service.name!r} has a runbook_url that is not an http(s) URL"
            )
    problems += template_problems(directory)
    return problems + contact.problems(directory)
