"""Who PagerDuty has on call (`GET /oncalls`) as esctui's escalation policies: each level
names the users on call at it (by e-mail, as PagerDuty's users are named here) and waits as
long as PagerDuty's escalation rule says. PagerDuty keeps the schedules; esctui only asks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from esctui.backends.pagerduty.incidents import People, policy_name
from esctui.domain.models import EscalationLevel, EscalationPolicy, Target

DEFAULT_DELAY = 30  # minutes, where PagerDuty did not say (as for an incident's policy)


def policies_on_call(
    entries: Iterable[Mapping[str, Any]], people: People
) -> dict[str, EscalationPolicy]:
    """The escalation policies `entries` name, by name, each level targeting who is on call."""
    on_call: dict[str, dict[int, list[str]]] = {}
    delays: dict[str, list[int]] = {}
    for entry in entries:
        policy = entry.get("escalation_policy") or {}
        name = policy_name(policy)
        level = entry.get("escalation_level")
        who = people.name(entry.get("user"))
        if not name or not isinstance(level, int) or level < 1 or who is None:
            continue
        names = on_call.setdefault(name, {}).setdefault(level, [])
        if who not in names:
            names.append(who)
        rules = policy.get("escalation_rules") or []
        if rules:
            delays[name] = [
                int(r.get("escalation_delay_in_minutes") or DEFAULT_DELAY) for r in rules
            ]
    return {
        name: EscalationPolicy(name=name, levels=levels(by_level, delays.get(name, [])))
        for name, by_level in on_call.items()
    }


def levels(on_call: Mapping[int, list[str]], delays: list[int]) -> tuple[EscalationLevel, ...]:
    """Every level up to the last that has a rule or someone on call, with who is on call at
    it (nobody, where none is) and its delay."""
    last = max(len(delays), *on_call)
    return tuple(
        EscalationLevel(
            targets=tuple(Target(kind="responder", name=n) for n in on_call.get(level, [])),
            timeout_minutes=max(1, delays[level - 1] if level <= len(delays) else DEFAULT_DELAY),
        )
        for level in range(1, last + 1)
    )
