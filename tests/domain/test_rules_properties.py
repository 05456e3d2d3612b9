"""Any sequence of commands keeps an incident's invariants, and replay gives the same state."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.escalation import due
from esctui.domain.events import AnyEvent
from esctui.domain.lifecycle import Context, apply, decide, replay
from esctui.domain.models import Channel, Direction, Incident, Status

from .support import ID, PEOPLE, Story

actors = st.sampled_from([*PEOPLE, None])
texts = st.text(min_size=0, max_size=12)


def commands(later: timedelta, version: int = 1) -> st.SearchStrategy[c.AnyCommand]:
    return st.one_of(
        st.just(c.Undo(incident=ID, version=version)),  # the change just made
        st.builds(c.Undo, incident=st.just(ID), version=st.integers(-1, 40)),
        st.just(c.Acknowledge(incident=ID)),
        st.builds(c.Unacknowledge, incident=st.just(ID), reason=texts),
        st.builds(
            c.HandOff, incident=st.just(ID), to=st.sampled_from([*PEOPLE, "zed"]), note=texts
        ),
        st.builds(
            c.Escalate, incident=st.just(ID), level=st.none() | st.integers(0, 4), reason=texts
        ),
        st.builds(
            c.Snooze,
            incident=st.just(ID),
            until=st.integers(-30, 240).map(lambda m: later + timedelta(minutes=m)),
        ),
        st.builds(c.Resolve, incident=st.just(ID), note=texts),
        st.builds(c.Reopen, incident=st.just(ID), reason=texts),
        st.builds(c.AddNote, incident=st.just(ID), text=texts),
        st.builds(
            c.LogCommunication,
            incident=st.just(ID),
            channel=st.sampled_from(Channel),
            direction=st.sampled_from(Direction),
            counterpart=texts,
            summary=texts,
        ),
    )


steps = st.lists(
    st.tuples(st.integers(0, 90), st.booleans(), actors, st.data()), min_size=1, max_size=30
)

event_decoder = msgspec.json.Decoder(AnyEvent)


def check(state: Incident, events: list[AnyEvent], levels: int) -> None:
    assert isinstance(state.status, Status)
    if state.status is Status.ACKNOWLEDGED:
        assert state.acknowledged_at is not None
        assert state.acknowledged_at >= state.opened_at
    if state.status is Status.TRIGGERED:
        assert state.acknowledged_at is None
        assert state.acknowledged_by is None
    assert (state.resolved_at is not None) == (state.status is Status.RESOLVED)
    assert state.created_at <= state.opened_at
    assert 1 <= state.level <= levels
    assert state.version == len(events)
    assert [e.version for e in events] == list(range(1, len(events) + 1))
    assert all(e.at >= state.created_at for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert replay(events) == state


@settings(max_examples=150, deadline=None)
@given(service=st.sampled_from(["web", "db"]), severity=st.integers(1, 4), plan=steps)
def test_any_sequence_keeps_the_invariants(service: str, severity: int, plan: list) -> None:
    story = Story()
    story.do(c.Trigger(title="t", service=service, severity=severity), None)
    policy = story.directory.policy(service)
    assert policy is not None
    for minutes, escalate_first, actor, data in plan:
        story.later(minutes)
        if escalate_first:
            for command in due([story.state], story.directory, story.at):
                story.do(command, None)
        command = data.draw(commands(story.at, story.state.version))
        try:
            story.do(command, actor)
        except DomainError as refusal:
            assert str(refusal).endswith(".")  # noqa: PT017 (a refusal is one sentence)
        check(story.state, story.events, len(policy.levels))
        assert_due_is_idempotent(story)


def assert_due_is_idempotent(story: Story) -> None:
    """Applying what is due, then asking again at the same instant, gives nothing."""
    state = story.state
    ctx = Context(directory=story.directory, now=story.at, actor=None)
    for command in due([state], story.directory, story.at):
        for event in decide(state, command, ctx):
            state = apply(state, event)
    assert due([state], story.directory, story.at) == []


@settings(max_examples=100, deadline=None)
@given(plan=steps)
def test_every_event_survives_the_wire(plan: list) -> None:
    story = Story()
    story.do(
        c.Trigger(title="\x1b[31m[b]t[/b]", service="web", severity=1, labels={"k": "v"}), None
    )
    for minutes, _, actor, data in plan:
        story.later(minutes)
        with contextlib.suppress(DomainError):
            story.do(data.draw(commands(story.at, story.state.version)), actor)
    for event in story.events:
        assert event_decoder.decode(msgspec.json.encode(event)) == event
