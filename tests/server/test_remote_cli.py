"""The CLI through `--server`: the same commands, output and exit codes as on a local store."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
from esctui.domain.events import Acknowledged
from esctui.domain.models import Status
from served_store import ServedStore

from .conftest import Running


def remote(server: Running, *args: str, who: str = "frank") -> Result:
    env = {"ESCTUI_SERVER": server.url, "ESCTUI_TOKEN": server.tokens[who]}
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def first(served: ServedStore, status: Status) -> str:
    store = served.look()
    return min((i for i in store.incidents.values() if i.status is status), key=lambda i: i.id).id


def test_reads_through_the_server_match_the_store(server: Running) -> None:
    listed = json.loads(remote(server, "ls", "--json").stdout)
    store = server.store.look()
    assert {i["id"] for i in listed} == {i.id for i in store.incidents.values() if i.is_open}
    status = remote(server, "status")
    assert status.exit_code == 0
    assert status.stdout.startswith(f"http {server.url} · rev {store.revision}")
    assert "you are frank" in status.stdout
    incident = first(server.store, Status.ACKNOWLEDGED)
    shown = json.loads(remote(server, "show", incident, "--json").stdout)
    assert shown["incident"]["id"] == incident
    assert shown["timeline"][0]["type"] == "triggered"
    assert remote(server, "oncall").exit_code == 0
    report = remote(server, "report", "--since", "2d")
    assert report.exit_code == 0, report.output


def test_actions_through_the_server_keep_their_exit_codes(server: Running) -> None:
    triggered = first(server.store, Status.TRIGGERED)
    acked = first(server.store, Status.ACKNOWLEDGED)
    both = remote(server, "ack", triggered, acked)
    assert both.exit_code == 1
    assert f"{triggered} acknowledged by frank." in both.stdout
    assert f"esctui: {acked} was already acknowledged by" in both.stderr
    made = remote(
        server, "trigger", "--title", "Disk full", "--service", "checkout", "--severity", "2"
    )
    assert made.exit_code == 0 and made.stdout.startswith("INC-")
    assert remote(server, "note", "INC-99999", "hello").exit_code == 1
    assert remote(server, "snooze", triggered, "--for", "soon").exit_code == 2
    as_other = remote(server, "--as", "carol", "ack", made.stdout.strip())
    assert as_other.exit_code == 2 and "your token's responder, frank" in as_other.stderr
    store = server.store.look()
    assert store.incidents[triggered].acknowledged_by == "frank"
    assert store.incidents[made.stdout.strip()].title == "Disk full"


def test_a_server_that_cannot_be_reached_is_exit_3_and_queue_keeps_the_action(
    store_path: Path, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"ESCTUI_SERVER": f"http://127.0.0.1:{port}", "ESCTUI_TOKEN": "esc_whatever"}
    runner = CliRunner(env=env)
    failed = runner.invoke(cli, ["ack", "INC-1001"])
    assert failed.exit_code == 3
    assert failed.stderr.startswith(f"esctui: The server at http://127.0.0.1:{port} cannot be")
    assert failed.stderr.count("\n") == 1
    queued = runner.invoke(cli, ["ack", "--queue", "INC-1001"])
    assert queued.exit_code == 0, queued.output
    assert "waits in the outbox" in queued.stdout
    outbox = (tmp_path / "outbox.jsonl").read_text().splitlines()
    assert len(outbox) == 1 and "/v1/incidents/INC-1001/actions/acknowledge" in outbox[0]
    assert (tmp_path / "outbox.jsonl").stat().st_mode & 0o077 == 0


def test_the_outbox_is_sent_by_the_next_command_that_reaches_the_server(
    server: Running, tmp_path: Path
) -> None:
    incident = first(server.store, Status.TRIGGERED)
    resolved = first(server.store, Status.RESOLVED)
    env = {"ESCTUI_SERVER": "http://127.0.0.1:9", "ESCTUI_TOKEN": server.tokens["frank"]}
    offline = CliRunner(env=env)
    assert offline.invoke(cli, ["ack", "--queue", incident]).exit_code == 0
    assert offline.invoke(cli, ["reopen", "--queue", resolved]).exit_code == 0
    assert offline.invoke(cli, ["ack", "--queue", resolved]).exit_code == 0
    # The outbox names the server it was meant for; the same URL is back now.
    outbox = tmp_path / "outbox.jsonl"
    outbox.write_text(outbox.read_text().replace("http://127.0.0.1:9", server.url))
    later = remote(server, "status")
    assert later.exit_code == 0
    store = server.store.look()
    assert store.incidents[incident].status is Status.ACKNOWLEDGED
    assert store.incidents[resolved].status is Status.ACKNOWLEDGED, "sent in order"
    assert outbox.read_text() == ""
    acks = [e for e in store.timeline(incident) if isinstance(e, Acknowledged)]
    assert len(acks) == 1


def test_a_queued_action_the_server_refuses_is_told_not_dropped(
    server: Running, tmp_path: Path
) -> None:
    resolved = first(server.store, Status.RESOLVED)
    env = {"ESCTUI_SERVER": "http://127.0.0.1:9", "ESCTUI_TOKEN": server.tokens["frank"]}
    assert CliRunner(env=env).invoke(cli, ["ack", "--queue", resolved]).exit_code == 0
    outbox = tmp_path / "outbox.jsonl"
    outbox.write_text(outbox.read_text().replace("http://127.0.0.1:9", server.url))
    later = remote(server, "ls")
    assert later.exit_code == 0
    assert f"Your acknowledge of {resolved} from " in later.stderr
    assert f"was refused: {resolved} was resolved by" in later.stderr


def test_usage_mistakes_with_a_server_are_exit_2(server: Running) -> None:
    no_token = CliRunner(env={"ESCTUI_SERVER": server.url}).invoke(cli, ["ls"])
    assert no_token.exit_code == 2 and "No token for the server" in no_token.stderr
    both = CliRunner().invoke(cli, ["--store", "x", "--server", server.url, "ls"])
    assert both.exit_code == 2 and "Choose one of --store and --server" in both.stderr
    bad_url = CliRunner().invoke(cli, ["--server", "ftp://x", "ls"])
    assert bad_url.exit_code == 2
    local_only = CliRunner(env={"ESCTUI_TOKEN": "esc_x"})
    demo = local_only.invoke(cli, ["--server", server.url, "demo", "--no-tui"])
    assert demo.exit_code == 2 and "works on a store on this machine" in demo.stderr
    wrong = CliRunner(env={"ESCTUI_SERVER": server.url, "ESCTUI_TOKEN": "esc_nope"})
    refused = wrong.invoke(cli, ["ls"])
    assert refused.exit_code == 3 and "refused the token" in refused.stderr


def test_through_a_server_i_am_whoever_my_token_belongs_to(
    server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esctui.cli import Session

    monkeypatch.setenv("ESCTUI_USER", "carol")
    monkeypatch.setenv("ESCTUI_TOKEN", server.tokens["alice"])
    assert Session(None, None, server_flag=server.url).identity == "alice"
    monkeypatch.delenv("ESCTUI_TOKEN")
    assert Session(None, None).identity == "carol"
