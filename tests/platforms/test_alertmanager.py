"""Alertmanager as the backend, against a real Alertmanager: its alert groups are the queue,
acknowledging is a silence in the responder's name whose comment starts `ACK!`, and what
Alertmanager cannot do is refused with its sentence."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

from esctui.backends.alertmanager import AlertmanagerBackend, AlertmanagerSettings
from live_alertmanager import LiveAlertmanager, alert
from platforms.conftest import Run


def queue(esctui: Run, am: LiveAlertmanager) -> dict[str, dict[str, Any]]:
    listed = esctui("--alertmanager", am.url, "ls", "--json")
    assert listed.exit_code == 0, listed.output
    return {i["title"]: i for i in json.loads(listed.stdout)}


def amtool_silences(am: LiveAlertmanager) -> list[dict[str, Any]]:
    """The active silences as amtool reads them (another tool than esctui's own client)."""
    amtool = shutil.which("amtool") or "/usr/bin/amtool"
    found = subprocess.run(
        [amtool, "silence", "query", "-o", "json", f"--alertmanager.url={am.url}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    silences: list[dict[str, Any]] = json.loads(found.stdout)
    return silences


def test_alerts_posted_to_alertmanager_are_the_queue(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post(
        [
            alert("DiskFull", summary="Disk full on db-1", instance="db-1"),
            alert("Latency", severity="warning", service="api", instance="a"),
            alert("Latency", severity="info", service="api", instance="b"),
        ]
    )
    shown = queue(esctui, alertmanager)
    assert set(shown) == {"Disk full on db-1", "Latency"}  # one incident per group
    disk, latency = shown["Disk full on db-1"], shown["Latency"]
    assert (disk["severity"], latency["severity"]) == (1, 3)  # critical; the worst of two
    assert disk["status"] == "triggered"
    assert disk["labels"]["instance"] == "db-1"
    assert disk["labels"]["generatorURL"].startswith("http://prometheus.example/")
    assert latency["service"] == "api"
    assert queue(esctui, alertmanager)["Latency"]["id"] == latency["id"]  # stable ids


def test_ack_is_a_silence_in_the_responders_name_and_unack_expires_it(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    incident = queue(esctui, alertmanager)["Disk full on db-1"]
    acked = esctui(
        "--alertmanager", alertmanager.url, "--as", "carol", "ack", incident["id"].lower()
    )
    assert acked.exit_code == 0, acked.output
    assert f"{incident['id']} acknowledged by carol." in acked.stdout
    [silence] = amtool_silences(alertmanager)
    assert silence["createdBy"] == "carol"
    assert silence["comment"].startswith("ACK!")
    assert {(m["name"], m["value"]) for m in silence["matchers"]} >= {
        ("alertname", "DiskFull"),
        ("service", "checkout"),
    }
    ends = datetime.fromisoformat(silence["endsAt"].replace("Z", "+00:00"))
    assert timedelta(hours=1, minutes=55) < ends - datetime.now(UTC) <= timedelta(hours=2)
    after = queue(esctui, alertmanager)["Disk full on db-1"]
    assert (after["status"], after["assignee"]) == ("acknowledged", "carol")

    unacked = esctui("--alertmanager", alertmanager.url, "unack", incident["id"])
    assert unacked.exit_code == 0, unacked.output
    assert amtool_silences(alertmanager) == []
    assert queue(esctui, alertmanager)["Disk full on db-1"]["status"] == "triggered"


def test_hand_off_and_note_rewrite_the_ack_silence(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    gid = queue(esctui, alertmanager)["Disk full on db-1"]["id"]
    am = ("--alertmanager", alertmanager.url, "--as", "carol")
    refused = esctui(*am, "note", gid, "before any ack")
    assert refused.exit_code == 1
    assert "acknowledge the alert group first" in refused.stderr
    assert esctui(*am, "ack", gid).exit_code == 0
    assert esctui(*am, "note", gid, "looking at the disk").exit_code == 0
    handed = esctui(*am, "handoff", gid, "--to", "bob")
    assert handed.exit_code == 0, handed.output
    assert handed.stdout.count("handed to bob") == 1
    [silence] = alertmanager.active_silences()
    assert silence["createdBy"] == "bob"
    assert silence["comment"].startswith("ACK!")
    shown = queue(esctui, alertmanager)["Disk full on db-1"]
    assert (shown["status"], shown["assignee"]) == ("acknowledged", "bob")


def test_the_note_is_appended_to_the_ack_comment(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    gid = queue(esctui, alertmanager)["Disk full on db-1"]["id"]
    am = ("--alertmanager", alertmanager.url, "--as", "carol")
    assert esctui(*am, "ack", gid).exit_code == 0
    assert esctui(*am, "note", gid, "looking at the disk").exit_code == 0
    [silence] = alertmanager.active_silences()
    assert silence["comment"].startswith("ACK! Acknowledged by carol")
    assert silence["comment"].endswith("carol: looking at the disk")


def test_another_tools_silence_shows_as_what_it_is(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    silence_id = alertmanager.silence(
        {"alertname": "DiskFull"}, by="kthxbye", comment="maintenance of db-1", hours=3
    )
    gid = queue(esctui, alertmanager)["Disk full on db-1"]["id"]
    shown = esctui("--alertmanager", alertmanager.url, "show", gid, "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    incident = data.get("incident", data)
    said = incident["labels"][f"silence {silence_id[:8]}"]
    assert said.startswith("by kthxbye until ")
    assert said.endswith(": maintenance of db-1")
    assert incident["status"] == "triggered"  # a silence, not an acknowledgement
    assert incident["snoozed_until"] is not None


def test_an_ack_silence_of_karma_is_an_acknowledgement(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    alertmanager.silence({"alertname": "DiskFull"}, by="dave", comment="ACK! on it")
    shown = queue(esctui, alertmanager)["Disk full on db-1"]
    assert (shown["status"], shown["acknowledged_by"]) == ("acknowledged", "dave")


def test_resolve_reopen_and_escalate_are_refused_with_the_sentence(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    gid = queue(esctui, alertmanager)["Disk full on db-1"]["id"]
    am = ("--alertmanager", alertmanager.url)
    resolved = esctui(*am, "resolve", gid)
    assert resolved.exit_code == 1
    assert "Alertmanager resolves an alert when it stops firing" in resolved.stderr
    escalated = esctui(*am, "escalate", gid)
    assert escalated.exit_code == 1
    assert "Alertmanager escalates through its routing" in escalated.stderr
    assert alertmanager.active_silences() == []  # nothing was faked


def test_snooze_is_a_silence_with_the_chosen_end(
    esctui: Run, alertmanager: LiveAlertmanager
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    gid = queue(esctui, alertmanager)["Disk full on db-1"]["id"]
    snoozed = esctui("--alertmanager", alertmanager.url, "snooze", gid, "--for", "45m")
    assert snoozed.exit_code == 0, snoozed.output
    [silence] = alertmanager.active_silences()
    assert not silence["comment"].startswith("ACK!")
    ends = datetime.fromisoformat(silence["endsAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=44) < ends - datetime.now(UTC) <= timedelta(minutes=45)


def test_my_ack_is_extended_while_the_group_fires_and_the_queue_is_followed(
    alertmanager: LiveAlertmanager,
) -> None:
    alertmanager.post([alert("DiskFull", summary="Disk full on db-1")])
    alertmanager.silence({"alertname": "DiskFull"}, by="carol", comment="ACK! mine", hours=0.2)
    alertmanager.silence({"alertname": "DiskFull"}, by="dave", comment="ACK! his", hours=0.2)
    settings = AlertmanagerSettings(urls=(alertmanager.url,), identity="carol")

    async def follow_once() -> None:
        backend = AlertmanagerBackend(settings)
        await backend.open()
        await backend.refresh()  # what the console's follower does every few seconds
        await backend.close()

    asyncio.run(follow_once())
    ends = {
        s["createdBy"]: datetime.fromisoformat(s["endsAt"].replace("Z", "+00:00"))
        for s in alertmanager.active_silences()
    }
    now = datetime.now(UTC)
    assert ends["carol"] - now > timedelta(hours=1, minutes=55)  # extended to 2 h from now
    assert ends["dave"] - now < timedelta(minutes=13)  # another's is left as it is


def test_several_alertmanagers_of_one_cluster_are_one_queue(
    esctui: Run, alertmanager: LiveAlertmanager, tmp_path: Any
) -> None:
    second = LiveAlertmanager(tmp_path / "second").start()
    try:
        alerts = [alert("DiskFull", summary="Disk full on db-1")]
        alertmanager.post(alerts)
        second.post(alerts)
        both = f"{alertmanager.url},{second.url}"
        listed = esctui("--alertmanager", both, "ls", "--json")
        assert listed.exit_code == 0, listed.output
        assert [i["title"] for i in json.loads(listed.stdout)] == ["Disk full on db-1"]
        second.stop()  # one down: the other still answers
        listed = esctui("--alertmanager", both, "ls", "--json")
        assert listed.exit_code == 0, listed.output
        assert len(json.loads(listed.stdout)) == 1
    finally:
        second.stop()


def test_an_alertmanager_that_cannot_be_reached_is_exit_3(esctui: Run) -> None:
    listed = esctui("--alertmanager", "http://127.0.0.1:9", "ls")
    assert listed.exit_code == 3
    assert "Alertmanager at http://127.0.0.1:9 cannot be reached." in listed.stderr
