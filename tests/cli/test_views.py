from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from esctui.domain.events import Acknowledged, Resolved
from esctui.domain.models import Status
from esctui.domain.sla import sla_book

from .conftest import Run, reopen


def test_status_fits_in_ten_lines_and_counts_right(run: Run, store_path: Path) -> None:
    result = run("status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) <= 10
    store = reopen(store_path)
    open_ = [i for i in store.incidents.values() if i.is_open]
    assert f"open {len(open_)}:" in lines[1]
    assert "you are frank" in lines[0]
    assert any(line.startswith("yours:") for line in lines)


def test_status_json_is_stable(run: Run, store_path: Path) -> None:
    data = json.loads(run("status", "--json").output)
    assert set(data) == {
        "at",
        "store",
        "identity",
        "revision",
        "open",
        "by_status",
        "by_severity",
        "snoozed",
        "resolved_last_24h",
        "breached",
        "at_risk",
        "mine",
        "updates_due",
        "follow_ups_due",
        "reviews_due",
        "follow_up_actions_overdue",
        "team",
        "team_open",
        "maintenance",
    }
    assert data["open"] == sum(data["by_status"].values())
    assert data["maintenance"] == {}  # the services in maintenance now: none
    assert data["open"] == sum(data["by_severity"].values())
    store = reopen(store_path)
    assert data["mine"] == sorted(
        data["mine"], key=lambda i: data["mine"].index(i)
    )  # order is urgency, kept
    assert set(data["mine"]) == {
        i.id for i in store.incidents.values() if i.is_open and i.assignee == "frank"
    }


def test_ls_json_lists_open_incidents_most_severe_first(run: Run, store_path: Path) -> None:
    rows = json.loads(run("ls", "--json").output)
    store = reopen(store_path)
    assert {r["id"] for r in rows} == {i.id for i in store.incidents.values() if i.is_open}
    for row in rows:
        assert {"id", "title", "service", "severity", "status", "assignee", "level", "sla"} <= set(
            row
        )
    assert [r["severity"] for r in rows] == sorted(r["severity"] for r in rows)


def test_ls_filters_combine(run: Run, store_path: Path) -> None:
    rows = json.loads(
        run("ls", "--status", "resolved", "--severity", "3", "--severity", "4", "--json").output
    )
    assert rows
    assert all(r["status"] == "resolved" and r["severity"] in (3, 4) for r in rows)
    mine = json.loads(run("ls", "--mine", "--json").output)
    assert mine and all(r["assignee"] == "frank" for r in mine)
    breaching = {r["id"] for r in json.loads(run("ls", "--breaching", "--json").output)}
    everything = json.loads(run("ls", "--json").output)
    breached = {r["id"] for r in everything if r["sla"]["breached"]}
    assert breached and breached <= breaching
    safe = {r["id"] for r in everything if r["sla"]["seconds_left"] > 3 * 86400}
    assert safe and not safe & breaching
    service = json.loads(run("ls", "--service", "checkout", "--json").output)
    assert all(r["service"] == "checkout" for r in service)


def test_ls_csv_has_a_header_and_a_row_per_incident(run: Run, store_path: Path) -> None:
    lines = run("ls", "--csv").output.strip().splitlines()
    assert lines[0].startswith("id,severity,status,")
    open_ = [i for i in reopen(store_path).incidents.values() if i.is_open]
    assert len(lines) == 1 + len(open_)


def test_show_gives_timeline_and_on_call(run: Run, store_path: Path) -> None:
    store = reopen(store_path)
    incident = next(i for i in store.incidents.values() if i.status is Status.RESOLVED)
    result = run("show", incident.id)
    assert result.exit_code == 0
    assert result.output.startswith(f"{incident.id}  SEV{incident.severity}  resolved")
    assert "timeline" in result.output
    assert "triggered by" in result.output and "resolved by" in result.output
    data = json.loads(run("show", incident.id, "--json").output)
    assert data["incident"]["id"] == incident.id
    assert len(data["timeline"]) == incident.version
    assert [lv["level"] for lv in data["on_call"]] == [1, 2, 3]


def test_show_of_an_unknown_incident_is_exit_1(run: Run) -> None:
    result = run("show", "INC-4242")
    assert result.exit_code == 1
    assert "There is no incident INC-4242." in result.stderr


def test_oncall_at_a_given_time(run: Run) -> None:
    data = json.loads(run("oncall", "--json", "--at", "2026-07-01T12:00").output)
    assert data["at"].startswith("2026-07-01T12:00")
    policies = {p["policy"]: p for p in data["policies"]}
    assert set(policies) == {"payments", "platform", "data", "edge"}
    assert all(len(p["levels"]) == 3 for p in policies.values())
    assert run("oncall", "--at", "yesterday-ish").exit_code == 2
    assert run("oncall", "--policy", "nope").exit_code == 2


def test_a_narrow_terminal_drops_columns_before_the_title(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run("ls").output.splitlines()
    assert all(len(line) <= 80 for line in narrow)
    assert narrow[0].split() == ["ID", "SEV", "STATUS", "SLA", "ASSIGNEE", "TITLE"]
    assert all(len(line) <= 80 for line in run("status").output.splitlines())
    monkeypatch.setenv("COLUMNS", "200")
    assert run("ls").output.splitlines()[0].split() == [
        "ID",
        "SEV",
        "STATUS",
        "SLA",
        "AGE",
        "LVL",
        "ASSIGNEE",
        "SERVICE",
        "TITLE",
    ]


def test_ls_of_resolved_incidents_says_which_deadline_was_missed(
    run: Run, store_path: Path
) -> None:
    store = reopen(store_path)
    book = sla_book(store.directory)
    verdicts = {}
    for incident in store.incidents.values():
        if incident.status is not Status.RESOLVED:
            continue
        target = book.target(incident.service, incident.severity)
        timeline = store.history(incident.id).timeline
        acks = [e for e in timeline if isinstance(e, Acknowledged)]
        fixes = [e for e in timeline if isinstance(e, Resolved)]
        late_ack = bool(acks) and acks[0].at - incident.created_at > timedelta(
            minutes=target.acknowledge_minutes
        )
        late_fix = fixes[0].at - incident.created_at > timedelta(minutes=target.resolve_minutes)
        verdicts[incident.id] = {
            (False, False): "met",
            (True, False): "ack missed",
            (False, True): "res missed",
            (True, True): "missed",
        }[(late_ack, late_fix)]
    assert "ack missed" in verdicts.values() and "met" in verdicts.values()
    lines = run("ls", "--status", "resolved").output.splitlines()
    shown = {line.split()[0]: line for line in lines[1:]}
    assert set(shown) == set(verdicts)
    for incident_id, verdict in verdicts.items():
        sla = re.search(r" resolved +(ack missed|res missed|missed|met|\S+) ", shown[incident_id])
        assert sla is not None and sla.group(1) == verdict, shown[incident_id]


@pytest.mark.parametrize("spelling", ["1", "SEV1", "sev1", "Sev1"])
def test_ls_takes_a_severity_as_the_console_writes_it(run: Run, spelling: str) -> None:
    result = run("ls", "--json", "--severity", spelling, "--severity", "SEV2")
    assert result.exit_code == 0, result.output
    assert {row["severity"] for row in json.loads(result.output)} == {1, 2}


def test_ls_refuses_a_severity_that_is_not_one(run: Run) -> None:
    result = run("ls", "--severity", "SEV5")
    assert result.exit_code == 2
    assert "'SEV5' is not a severity; write 1 to 4 or SEV1 to SEV4." in result.output


def test_ls_names_the_known_services_for_an_unknown_one(run: Run, store_path: Path) -> None:
    result = run("ls", "--service", "nosuch")
    assert result.exit_code == 2
    known = ", ".join(sorted(s.name for s in reopen(store_path).directory.services))
    assert f"There is no service 'nosuch'; known services: {known}." in result.output
    assert run("ls", "--service", "dns").exit_code == 0


def test_show_breaks_a_multi_line_note_into_indented_lines(run: Run, store_path: Path) -> None:
    incident = min(i.id for i in reopen(store_path).incidents.values() if i.is_open)
    run("note", incident, "rolled back\nwatching \x1b[31m errors\r\nfor 10m")
    run("comm", incident, "--channel", "email", "--direction", "out", "--with", "Acme",
        "We are on it.\nNext update at 10:00.")  # fmt: skip
    run("resolve", incident, "--note", "fixed\nby the rollback")
    output = run("show", incident).output
    indent = " " * 15  # under the entry, past its time
    assert f"note by frank: rolled back\n{indent}watching \\x1b[31m errors\n{indent}for 10m\n" in (
        output
    )
    assert f"resolved by frank: fixed\n{indent}by the rollback\n" in output
    assert f"(frank): We are on it.\n{indent}Next update at 10:00." in output  # timeline
    assert f"Acme: We are on it.\n{indent}Next update at 10:00. (frank)" in output  # comms
    assert "\\x0a" not in output and "\r" not in output


def test_one_line_places_keep_a_line_break_on_one_line(run: Run) -> None:
    created = run("trigger", "--title", "two\nlines", "--service", "dns", "--severity", "1")
    listed = run("ls").output
    assert "two\\x0alines" in listed
    assert created.output.strip() in next(
        line for line in listed.splitlines() if "two\\x0a" in line
    )
