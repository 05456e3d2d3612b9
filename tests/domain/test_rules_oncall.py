from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from esctui.domain.models import Override, Rotation, Target
from esctui.domain.oncall import directory_problems, level_on_call, next_handoff, on_call

from .support import team


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day() -> Rotation:
    rotation = team().rotation("day")
    assert rotation is not None
    return rotation


def test_members_take_turns_at_the_handoff_time_in_local_time() -> None:
    # Berlin is UTC+1 in January and UTC+2 in July: the 09:00 hand-off moves in UTC.
    assert on_call(day(), at("2026-01-05T07:59")) is None  # before the first shift
    assert on_call(day(), at("2026-01-05T08:00")) == "alice"
    assert on_call(day(), at("2026-01-06T07:59")) == "alice"
    assert on_call(day(), at("2026-01-06T08:00")) == "bob"
    # 2026-07-06 is 182 days after 2026-01-05: an even shift, alice's.
    assert on_call(day(), at("2026-07-06T06:59")) == "bob"
    assert on_call(day(), at("2026-07-06T07:00")) == "alice"
    assert next_handoff(day(), at("2026-07-06T12:00")) == at("2026-07-07T07:00")


def test_the_last_listed_override_wins() -> None:
    rotation = msgspec.structs.replace(
        day(),
        overrides=(
            Override(responder="carol", start=at("2026-03-02T00:00"), end=at("2026-03-03T00:00")),
            Override(responder="dave", start=at("2026-03-02T10:00"), end=at("2026-03-02T12:00")),
        ),
    )
    assert on_call(rotation, at("2026-03-02T09:00")) == "carol"
    assert on_call(rotation, at("2026-03-02T11:00")) == "dave"
    assert on_call(rotation, at("2026-03-02T12:00")) == "carol"
    assert on_call(rotation, at("2026-03-03T00:00")) == on_call(day(), at("2026-03-03T00:00"))


def test_a_level_pages_each_person_once_in_target_order() -> None:
    directory = team()
    policy = directory.policy("db")
    assert policy is not None
    when = at("2026-01-05T12:00")  # alice holds the day rotation
    assert level_on_call(directory, policy, 2, when) == ["alice"]
    assert level_on_call(directory, policy, 1, when) == ["carol"]
    assert level_on_call(directory, policy, 4, when) == []


def test_dangling_references_are_named() -> None:
    directory = team()
    broken = msgspec.structs.replace(
        directory,
        rotations=(
            *directory.rotations,
            Rotation(name="ghosts", members=("zed",), time_zone="Mars/Olympus"),
        ),
        policies=tuple(
            msgspec.structs.replace(
                p,
                levels=(
                    msgspec.structs.replace(
                        p.levels[0], targets=(Target(kind="rotation", name="nope"),)
                    ),
                    *p.levels[1:],
                ),
            )
            for p in directory.policies
        ),
    )
    problems = directory_problems(broken)
    assert "rotation 'ghosts' lists unknown responder 'zed'" in problems
    assert "rotation 'ghosts' has unknown time zone 'Mars/Olympus'" in problems
    assert "policy 'web' level 1 targets unknown rotation 'nope'" in problems
    assert directory_problems(team()) == []
