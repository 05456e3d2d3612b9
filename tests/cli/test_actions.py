from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from esctui.config import display_zone, load_config
from esctui.domain.events import CommunicationLogged, Escalated, HandedOff, NoteAdded
from esctui.domain.models import Status
from esctui.wording import clock

from .conftest import Run, reopen


def first(path: Path, status: Status) -> str:
    store = reopen(path)
    return min((i for i in store.incidents.values() if i.status is status), key=lambda i: i.id).id


def test_trigger_prints_the_new_id_and_records_it(run: Run, store_path: Path) -> None:
    result = run(
        "trigger",
        "--title",
        "Disk full on db-7",
        "--service",
        "checkout",
        "--severity",
        "2",
        "--customer",
        "Acme Corp",
        "--label",
        "region=eu",
        "--label",
        "env=prod",
    )
    assert result.exit_code == 0, result.output
    new_id = result.output.strip()
    incident = reopen(store_path).incidents[new_id]
    assert new_id == "INC-1061"
    assert incident.title == "Disk full on db-7"
    assert incident.labels == {"region": "eu", "env": "prod"}
    assert incident.customer == "Acme Corp"
    assert incident.status is Status.TRIGGERED


def test_ack_of_several_reports_each_and_fails_if_any_was_refused(
    run: Run, store_path: Path
) -> None:
    triggered = first(store_path, Status.TRIGGERED)
    acked = first(store_path, Status.ACKNOWLEDGED)
    result = run("ack", triggered, acked.lower())
    assert result.exit_code == 1
    assert f"{triggered} acknowledged by frank." in result.stdout
    assert f"esctui: {acked} was already acknowledged by" in result.stderr
    assert reopen(store_path).incidents[triggered].status is Status.ACKNOWLEDGED


def test_every_action_lands_in_the_store(run: Run, store_path: Path) -> None:
    incident = first(store_path, Status.TRIGGERED)
    steps = [
        ("ack", incident),
        ("note", incident, "rolled", "back", "the", "deploy"),
        (
            "comm",
            incident,
            "--channel",
            "email",
            "--direction",
            "out",
            "--with",
            "Acme",
            "Mitigated; monitoring.",
        ),
        ("unack", incident, "--reason", "going off shift"),
        ("handoff", incident, "--to", "alice", "--note", "yours now"),
        ("escalate", incident, "--level", "3", "--reason", "need a commander"),
        ("snooze", incident, "--for", "30m"),
        ("resolve", incident, "--note", "fixed"),
        ("reopen", incident, "--reason", "back again"),
    ]
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    store = reopen(store_path)
    state = store.incidents[incident]
    timeline = store.timeline(incident)
    assert state.status is Status.TRIGGERED and state.level == 1
    assert any(isinstance(e, NoteAdded) and e.text == "rolled back the deploy" for e in timeline)
    assert any(isinstance(e, CommunicationLogged) and e.counterpart == "Acme" for e in timeline)
    assert any(isinstance(e, HandedOff) and e.to == "alice" for e in timeline)
    assert any(isinstance(e, Escalated) and e.to_level == 3 and e.by == "frank" for e in timeline)


def test_a_refusal_is_one_sentence_and_exit_1(run: Run, store_path: Path) -> None:
    resolved = first(store_path, Status.RESOLVED)
    result = run("ack", resolved)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"esctui: {resolved} was resolved by ")
    assert result.stderr.count("\n") == 1
    unknown = run("note", "INC-99999", "hello")
    assert unknown.exit_code == 1
    assert unknown.stderr == "esctui: There is no incident INC-99999.\n"


def test_usage_errors_exit_2(run: Run, store_path: Path) -> None:
    incident = first(store_path, Status.TRIGGERED)
    assert run("snooze", incident, "--for", "soon").exit_code == 2
    assert run("trigger", "--title", "x", "--service", "checkout", "--severity", "7").exit_code == 2
    assert (
        run(
            "trigger",
            "--title",
            "x",
            "--service",
            "checkout",
            "--severity",
            "1",
            "--label",
            "novalue",
        ).exit_code
        == 2
    )
    assert (
        run(
            "comm", incident, "--channel", "fax", "--direction", "out", "--with", "A", "hi"
        ).exit_code
        == 2
    )


def test_acting_as_someone_unknown_lists_the_known_names(run: Run, store_path: Path) -> None:
    incident = first(store_path, Status.TRIGGERED)
    result = run("--as", "mallory", "ack", incident)
    assert result.exit_code == 2
    assert "'mallory' is not a responder in this store" in result.stderr
    assert "alice, bob, carol" in result.stderr
    assert reopen(store_path).incidents[incident].status is Status.TRIGGERED


def test_snooze_says_the_date_when_it_is_not_today(run: Run, store_path: Path) -> None:
    incident = first(store_path, Status.TRIGGERED)
    result = run("snooze", incident, "--for", "3d")
    assert result.exit_code == 0, result.output
    until = reopen(store_path).incidents[incident].snoozed_until
    assert until is not None
    shown = clock(until, datetime.now(UTC), display_zone(load_config()))
    assert "-" in shown  # three days on: the date is said
    assert result.output.startswith(f"{incident} snoozed until {shown} ")


def test_a_snooze_past_the_cap_is_refused_and_changes_nothing(run: Run, store_path: Path) -> None:
    incident = first(store_path, Status.TRIGGERED)
    before = reopen(store_path).revision
    result = run("snooze", incident, "--for", "400d")
    assert result.exit_code == 1
    assert f"{incident} can be snoozed for at most 168h (this one would end on " in result.stderr
    assert reopen(store_path).revision == before
