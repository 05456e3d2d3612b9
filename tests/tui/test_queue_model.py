"""The queue model keeps its rows and header counts as changes arrive, without re-sorting or
recounting everything: whatever happens, they must equal what a full pass would give."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from esctui.backends.base import Change, IncidentHistory, Queue
from esctui.demo import build_demo
from esctui.domain import commands as c
from esctui.domain.errors import DomainError
from esctui.domain.lifecycle import Context, apply, decide
from esctui.domain.models import Incident, Status
from esctui.domain.sla import sla_book
from esctui.listing import SORTS
from esctui.stores.ids import format_incident_id
from esctui.tui.queue_model import VIEWS, QueueModel

from .conftest import NOW

DIRECTORY, EVENTS = build_demo(40, seed=3, now=NOW)
RESPONDERS = DIRECTORY.responder_names()


def demo_queue() -> Queue:
    incidents: dict[str, Incident] = {}
    for event in EVENTS:
        incidents[event.incident] = apply(incidents.get(event.incident), event)
    return Queue(directory=DIRECTORY, incidents=incidents, revision=len(EVENTS))


def full_counts(model: QueueModel) -> dict[str, int]:
    """The header counts the slow way: one pass over every incident."""
    found = {
        "triggered": 0,
        "acknowledged": 0,
        "mine": 0,
        "snoozed": 0,
        "at risk": 0,
        "breached": 0,
        "updates due": 0,
        "follow-ups overdue": 0,
    }
    for incident in model.incidents.values():
        found["follow-ups overdue"] += sum(f.overdue(model.now.date()) for f in incident.follow_ups)
        if incident.status is Status.RESOLVED:
            continue
        owed = model.cadence.due(incident)
        found["updates due"] += owed is not None and owed.overdue(model.now)
        found[incident.status.value] += 1
        found["mine"] += incident.assignee == model.me
        found["snoozed"] += incident.snoozed(model.now)
        deadline = model.book.deadline(incident)
        if deadline is not None and deadline.breached(model.now):
            found["breached"] += 1
        elif deadline is not None and deadline.at_risk(model.now):
            found["at risk"] += 1
    return found


def command_for(kind: str, incident: str, who: str, minutes: int) -> c.AnyCommand:
    if kind == "trigger":
        return c.Trigger(title="Disk full", service="checkout", severity=1 + minutes % 4)
    made: dict[str, c.AnyCommand] = {
        "acknowledge": c.Acknowledge(incident=incident),
        "unacknowledge": c.Unacknowledge(incident=incident),
        "handoff": c.HandOff(incident=incident, to=who),
        "escalate": c.Escalate(incident=incident),
        "snooze": c.Snooze(incident=incident, until=NOW + timedelta(minutes=minutes)),
        "resolve": c.Resolve(incident=incident),
        "reopen": c.Reopen(incident=incident),
    }
    return made[kind]


steps = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "trigger",
                "acknowledge",
                "unacknowledge",
                "handoff",
                "escalate",
                "snooze",
                "resolve",
                "reopen",
            ]
        ),
        st.integers(1001, 1040),
        st.sampled_from(RESPONDERS),
        st.integers(1, 600),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    steps=steps,
    view=st.sampled_from(VIEWS),
    sort=st.sampled_from(SORTS),
    me=st.sampled_from(RESPONDERS),
    filter_text=st.sampled_from(["", "checkout", "inc-10", "frank"]),
    later=st.integers(0, 24 * 60),
    held=st.integers(1, 25),
)
@example(  # the first change put back before the second is out of its old place went astray
    steps=[("handoff", 1033, "alice", 1), ("unacknowledge", 1029, "alice", 1)],
    view="open",
    sort="breach",
    me="alice",
    filter_text="",
    later=0,
    held=2,
)
def test_rows_and_counts_kept_as_changes_arrive_equal_a_full_pass(
    steps: list[tuple[str, int, str, int]],
    view: str,
    sort: str,
    me: str,
    filter_text: str,
    later: int,
    held: int,
) -> None:
    """`held`: the rows are put in order every `held` steps, as the console does when rows
    changed elsewhere are held in place until the cursor moves."""
    queue = demo_queue()
    model = QueueModel.from_queue(queue, sla_book(DIRECTORY), me, NOW, view)  # type: ignore[arg-type]
    model.sort, model.filter_text = sort, filter_text  # type: ignore[assignment]
    model.arrange()
    revision, next_number = queue.revision, 1041
    changed: list[str] = []
    before = list(model.rows)
    for step, (kind, number, who, minutes) in enumerate(steps, 1):
        incident = model.incidents.get(format_incident_id(number))
        command = command_for(kind, format_incident_id(number), who, minutes)
        context = Context(
            directory=DIRECTORY, now=NOW, actor=who, new_id=format_incident_id(next_number)
        )
        try:
            events = decide(None if kind == "trigger" else incident, command, context)
        except DomainError:
            events = []
        next_number += kind == "trigger" and bool(events)
        changes = [Change(revision=revision + n, event=ev) for n, ev in enumerate(events, 1)]
        revision += len(events)
        changed += [ch.event.incident for ch in model.fold(changes)]
        if step % held and step != len(steps):
            continue
        moved = model.rearrange(changed)
        assert moved == (model.rows != before)
        changed, before = [], list(model.rows)

        fresh = QueueModel.from_queue(
            Queue(directory=DIRECTORY, incidents=dict(model.incidents), revision=revision),
            model.book,
            me,
            NOW,
            view,  # type: ignore[arg-type]
        )
        fresh.sort, fresh.filter_text = model.sort, model.filter_text
        assert model.rows == fresh.arrange()
        assert model.counts() == full_counts(model)

    model.now = NOW + timedelta(minutes=later)  # the clock moves the counts, not the order
    assert model.counts() == full_counts(model)
    if view not in ("breaching", "updates"):  # their lists move with the clock
        assert model.rows == model.arrange()


def test_counts_follow_the_clock_past_each_deadline() -> None:
    model = QueueModel.from_queue(demo_queue(), sla_book(DIRECTORY), "frank", NOW)
    open_deadlines = sorted(d.breach_at for i, d in model.deadlines.items() if d is not None)
    assert open_deadlines, "the demo has open incidents with deadlines"
    seen: list[int] = []
    for at in [*open_deadlines, open_deadlines[-1] + timedelta(days=1)]:
        for moment in (at - timedelta(microseconds=1), at):
            model.now = moment
            assert model.counts() == full_counts(model), moment
        seen.append(model.counts()["breached"])
    assert seen == sorted(seen) and seen[-1] == len(open_deadlines)
    assert isinstance(model.now, datetime)


def test_a_resolved_incidents_record_is_read_again_once_it_is_reopened() -> None:
    queue = demo_queue()
    model = QueueModel.from_queue(queue, sla_book(DIRECTORY), "frank", NOW)
    resolved = next(i for i in model.incidents.values() if i.status is Status.RESOLVED)
    timeline = [ev for ev in EVENTS if ev.incident == resolved.id]
    model.remember(IncidentHistory(incident=resolved, timeline=timeline))
    assert model.record(resolved.id) is not None
    context = Context(directory=DIRECTORY, now=NOW, actor="frank", new_id="INC-9999")
    events = decide(resolved, c.Reopen(incident=resolved.id), context)
    model.fold([Change(revision=queue.revision + 1, event=events[0])])
    assert model.record(resolved.id) is None  # not resolved now: nothing to say yet


def test_a_change_to_an_incident_the_model_does_not_hold_is_passed_over() -> None:
    """A review written on an archived incident reaches the console before the whole queue
    that brings the incident back: the model counts it as seen and holds nothing new."""
    queue = demo_queue()
    model = QueueModel.from_queue(queue, sla_book(DIRECTORY), "frank", NOW)
    resolved = next(i for i in model.incidents.values() if i.status is Status.RESOLVED)
    context = Context(directory=DIRECTORY, now=NOW, actor="frank")
    review = c.RecordReview(incident=resolved.id, cause="capacity", summary="Disk filled")
    [event] = decide(resolved, review, context)
    del queue.incidents[resolved.id]
    model = QueueModel.from_queue(queue, sla_book(DIRECTORY), "frank", NOW)
    counts = full_counts(model)
    new = model.fold([Change(revision=queue.revision + 1, event=event)])
    assert [change.event for change in new] == [event]
    assert resolved.id not in model.incidents
    assert model.revision == queue.revision + 1
    assert full_counts(model) == counts
