"""The paging commands: contact methods in the directory file (checked on import, masked on
export), `page test NAME`, `pages`, `webhook add|ls|remove`, and pages in `show`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from esctui.cli import cli
from esctui.domain import commands as c
from esctui.domain.models import ContactMethod
from esctui.stores.journal import create_store
from paging.receivers import HttpReceiver
from paging.sending import sending, team, until

DIRECTORY = """
[[responders]]
name = "alice"
contact = [
  {{ name = "phone", url = "{phone}", after_minutes = 0 }},
  {{ name = "mail", url = "{mail}", after_minutes = 5 }},
]

[[responders]]
name = "bob"

[[policies]]
name = "web"
levels = [{{ targets = [{{ kind = "responder", name = "alice" }}] }}]

[[services]]
name = "checkout"
policy = "web"

[paging]
time_zone = "Europe/Berlin"
quiet_hours = {{ start = "22:00", end = "07:00" }}
"""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESCTUI_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("ESCTUI_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "store"


def esctui(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


MAIL = "mailtos://alice:hunter2@mail.example.com?to=alice@example.com"


def directory_file(tmp_path: Path, phone: str = "ntfy://alice-topic", mail: str = MAIL) -> Path:
    file = tmp_path / "team.toml"
    file.write_text(DIRECTORY.format(phone=phone, mail=mail))
    return file


def test_contact_methods_come_in_from_the_file_and_go_out_with_their_secrets_masked(
    store: Path, tmp_path: Path
) -> None:
    made = esctui("init", "--directory", str(directory_file(tmp_path)))
    assert made.exit_code == 0, made.output
    shown = esctui("directory", "export").output
    assert "hunter2" not in shown
    # masked where the team wrote its secret, and otherwise as written
    assert 'url = "mailtos://alice:****@mail.example.com?to=alice@example.com"' in shown
    assert "hunter2" not in esctui("directory", "export", "--json").output
    whole = esctui("directory", "export", "--with-secrets").output
    assert "mailtos://alice:hunter2@mail.example.com" in whole
    assert '[paging.quiet_hours]\nstart = "22:00"\nend = "07:00"' in whole
    again = tmp_path / "again.toml"
    again.write_text(whole)
    assert esctui("directory", "import", str(again)).exit_code == 0


def test_a_url_that_cannot_page_anyone_is_refused_naming_the_responder_and_method(
    store: Path, tmp_path: Path
) -> None:
    assert esctui("init", "--directory", str(directory_file(tmp_path))).exit_code == 0
    before = esctui("directory", "export", "--with-secrets").output
    bad = esctui("directory", "import", str(directory_file(tmp_path, phone="bogus://nowhere")))
    assert bad.exit_code == 1
    assert (
        "responder 'alice''s contact method 'phone' has a URL Apprise cannot use (scheme bogus)"
        in bad.stderr
    )
    masked = tmp_path / "masked.toml"
    masked.write_text(esctui("directory", "export").output)
    refused = esctui("directory", "import", str(masked))
    assert refused.exit_code == 1
    assert "'mail' has a URL whose secrets were masked" in refused.stderr
    assert esctui("directory", "export", "--with-secrets").output == before


def test_page_test_sends_through_each_method_and_says_how_each_went(
    store: Path, tmp_path: Path, receiver: HttpReceiver
) -> None:
    receiver.answers["/fail"] = 500
    local = f"json://127.0.0.1:{receiver.port}"
    file = directory_file(tmp_path, phone=f"{local}/ok", mail=f"{local}/fail")
    assert esctui("init", "--directory", str(file)).exit_code == 0
    tested = esctui("page", "test", "alice")
    assert tested.exit_code == 3
    lines = tested.output.splitlines()
    assert lines[0].startswith(f"phone (json://127.0.0.1:{receiver.port}/ok")
    assert lines[0].endswith("): delivered")
    assert lines[1].startswith("mail (")
    assert "failed: Failed to send JSON POST notification: Internal server error" in lines[1]
    [page] = receiver.at("/ok")
    assert page.json()["title"] == "esctui test page for alice"
    nobody = esctui("page", "test", "bob")
    assert (nobody.exit_code, nobody.stderr) == (
        1,
        "esctui: bob has no contact methods: add `contact = [...]` to them in the directory "
        "file, then `esctui directory import FILE`.\n",
    )
    assert esctui("page", "test", "zed").exit_code == 2


def test_webhooks_are_added_with_a_secret_shown_once_listed_and_removed(store: Path) -> None:
    create_store(store, team({}), [], now=datetime.now(UTC))
    added = esctui("webhook", "add", "https://chat.example/hook", "--events", "triggered,resolved")
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip()
    assert len(secret) >= 40
    listed = esctui("webhook", "ls", "--json")
    [hook] = msgspec.json.decode(listed.output)
    assert (hook["url"], hook["events"]) == ("https://chat.example/hook", ["triggered", "resolved"])
    assert secret not in listed.output and secret not in esctui("webhook", "ls").output
    bad_events = esctui("webhook", "add", "https://x.example", "--events", "triggered,exploded")
    assert bad_events.exit_code == 2
    assert "'exploded': choose among triggered, acknowledged" in bad_events.output
    assert esctui("webhook", "add", "ftp://x.example").exit_code == 2
    removed = esctui("webhook", "remove", hook["id"])
    assert removed.output == f"Removed {hook['id']} (https://chat.example/hook).\n"
    assert esctui("webhook", "remove", hook["id"]).exit_code == 2
    assert esctui("webhook", "ls").output.startswith("No webhooks yet")


def test_pages_and_show_say_whom_an_incident_paged_how_and_whether_it_arrived(
    store: Path, tmp_path: Path, receiver: HttpReceiver
) -> None:
    receiver.answers["/broken"] = 500
    directory = team(
        {
            "alice": (
                ContactMethod(name="phone", url=f"json://127.0.0.1:{receiver.port}/alice"),
                ContactMethod(name="pager", url=f"json://127.0.0.1:{receiver.port}/broken"),
            )
        }
    )

    async def page_once() -> str:
        async with sending(tmp_path, directory, tries=2, first_retry=0.1) as s:
            incident = await s.trigger(severity=2)
            await s.act(c.AddNote(incident=incident, text="looking"), "alice")

            async def given_up() -> bool:
                return any(p.status == "gave-up" for p in await s.pages())

            await until(given_up, "the pager given up")
            return incident

    incident = asyncio.run(page_once())
    listed = esctui("pages", "--since", "3650d")
    rows = listed.output.splitlines()
    assert rows[0].split() == ["OWED", "INCIDENT", "TO", "BY", "STATUS", "TRIES", "WHY"]
    assert len(rows) == 3
    assert rows[1].split()[2:5] == [incident, "alice", "phone"]  # after "11-23 03:00"
    assert "delivered" in rows[1]
    assert "gave up" in rows[2] and "error=500" in rows[2]
    failed = esctui("pages", "--since", "3650d", "--failed", "--json")
    [state] = msgspec.json.decode(failed.output)
    assert (state["method"], state["status"], len(state["attempts"])) == ("pager", "gave-up", 2)
    shown = esctui("show", incident).output
    pages_part = shown[shown.index("\npages\n") :]
    assert "paged alice by phone: delivered" in pages_part
    assert "paged alice by pager: gave up after 2 tries (" in pages_part
    timeline = shown[shown.index("\ntimeline\n") : shown.index("\npages\n")]
    assert "paged alice by pager: failed (" in timeline and "retrying at" in timeline
    detail = msgspec.json.decode(esctui("show", incident, "--json").output)
    assert sorted((p["method"], p["outcome"]) for p in detail["pages"]) == [
        ("pager", "gave-up"),
        ("phone", "delivered"),
    ]


def test_the_paging_commands_work_on_a_store_not_through_a_server(store: Path) -> None:
    for args in (["notify"], ["pages"], ["page", "test", "alice"], ["webhook", "ls"]):
        refused = esctui("--server", "http://127.0.0.1:9", *args)
        assert refused.exit_code == 2, args
        assert "works on the store on this machine" in refused.output
