"""The learning loop from the command line: reroute, satisfaction, reviews and their follow-up
actions, the queues of customer updates due, follow-ups owed and teams, and the metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from esctui.domain.events import CommunicationLogged, Rerouted
from esctui.domain.models import Status

from .conftest import Run, reopen


def first(path: Path, status: Status, **where: object) -> str:
    store = reopen(path)
    return min(
        (
            i
            for i in store.incidents.values()
            if i.status is status and all(getattr(i, k) == v for k, v in where.items())
        ),
        key=lambda i: i.id,
    ).id


def test_reroute_sends_it_to_the_other_team(run: Run, store_path: Path) -> None:
    target = first(store_path, Status.ACKNOWLEDGED)
    before = reopen(store_path).incidents[target]
    other = "dns" if before.service != "dns" else "kafka"
    result = run("reroute", target, "--service", other, "--reason", "their resolvers")
    assert result.exit_code == 0, result.output
    assert f"{target} rerouted to {other}, paging " in result.output
    store = reopen(store_path)
    incident = store.incidents[target]
    assert (incident.service, incident.level, incident.status) == (other, 1, Status.TRIGGERED)
    event = store.history(target).timeline[-1]
    assert isinstance(event, Rerouted) and event.reason == "their resolvers"
    refused = run("reroute", target, "--service", "nosuch")
    assert refused.exit_code == 1 and "known services" in refused.output


def test_a_satisfaction_score_rides_on_an_inbound_communication(run: Run, store_path: Path) -> None:
    target = first(store_path, Status.ACKNOWLEDGED)
    said = ("comm", target, "--channel", "phone", "--with", "Acme", "Happy now")
    assert run(*said, "--direction", "in", "--csat", "4").exit_code == 0
    event = reopen(store_path).history(target).timeline[-1]
    assert isinstance(event, CommunicationLogged) and event.csat == 4
    outbound = run(*said, "--direction", "out", "--csat", "4")
    assert outbound.exit_code == 1 and "inbound" in outbound.output
    assert run(*said, "--direction", "in", "--csat", "9").exit_code == 2


def test_a_review_with_follow_ups_then_done(run: Run, store_path: Path) -> None:
    target = first(store_path, Status.ACKNOWLEDGED)
    assert run("resolve", target).exit_code == 0
    overdue = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    later = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    result = run(
        "review", target, "--cause", "deploy", "--summary", "A bad deploy.",
        "--went-badly", "No canary.",
        "--follow-up", "bob", later, "Add a canary",
        "--follow-up", "frank", overdue, "Write the runbook",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == (  # one line for the one action, the follow-ups named in it
        f"{target} reviewed: cause deploy: A bad deploy; follow-ups {target}/1, {target}/2.\n"
    )
    listed = json.loads(run("followups", "--json").output)
    mine = [f for f in listed if f["incident"] == target]
    assert [(f["id"], f["owner"], f["overdue"]) for f in mine] == [
        (f"{target}/2", "frank", True),
        (f"{target}/1", "bob", False),
    ]
    assert [f["id"] for f in json.loads(run("followups", "--mine", "--json").output)] == [
        f"{target}/2"
    ]
    status = json.loads(run("status", "--json").output)
    assert status["follow_up_actions_overdue"] == [f"{target}/2"]
    assert "follow-up actions overdue 1" in run("status").output
    done = run("followup", "done", f"{target}/2")
    assert done.exit_code == 0 and f"{target}/2 done." in done.output
    assert run("followups", "--overdue").output.strip() == "None overdue."
    again = run("followup", "done", f"{target}/2")
    assert again.exit_code == 1 and f"open: {target}/1" in again.output
    assert run("followup", "done", "INC-1").exit_code == 2
    bad_date = run("review", target, "--cause", "bug", "--summary", "x",
                   "--follow-up", "bob", "soon", "y")  # fmt: skip
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output


def test_ls_update_due_follow_up_due_and_team(run: Run, store_path: Path) -> None:
    incidents = reopen(store_path).incidents
    listed = json.loads(run("ls", "--update-due", "--json").output)
    now = datetime.now(UTC)
    assert listed, "the demo has customers waiting for an update"
    for item in listed:
        due = item["customer_due"]
        assert due["owed"] == "update" and item["customer"]
        assert datetime.fromisoformat(due["due_at"]) <= now + timedelta(hours=1)
    owed = json.loads(run("ls", "--follow-up-due", "--json").output)
    assert all(i["status"] == "resolved" and i["customer_due"]["owed"] == "follow-up" for i in owed)
    team = json.loads(run("ls", "--team", "payments", "--json").output)
    payments = {"alice", "bob", "carol", "dmitri"}
    assert team and {i["assignee"] for i in team} <= payments
    assert len(team) == sum(1 for i in incidents.values() if i.is_open and i.assignee in payments)
    unknown = run("ls", "--team", "nosuch")
    assert unknown.exit_code == 2 and "teams: data, edge, payments, platform" in unknown.output
    assert "team platform" in run("status").output  # frank's team


def test_metrics_json_carries_the_learning_loop(run: Run) -> None:
    data = json.loads(run("metrics", "--json", "--since", "7d").output)
    overall = data["overall"]
    for key in ("over_escalation_rate", "under_escalation_rate", "update_cadence_kept",
                "escalation_rate_manual", "satisfaction", "trend"):  # fmt: skip
        assert key in overall
    # Whole days from midnight UTC: 7 days from now touch 8 of them.
    assert data["trend_every"] == "day" and len(overall["trend"]) == 8
    assert all(point["start"].endswith("T00:00:00Z") for point in overall["trend"])
    assert data["recurring"] and data["pages_recorded"] == 0
    text = run("metrics").output
    assert "UPDATES KEPT" in text and "pages: none delivered" in text
    assert "PAGES all/night" in text
