"""Changes to the whole store through the server: an administrator's token compacts the store
and puts a new directory in force; anyone else's is refused and nothing changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest
from click.testing import CliRunner, Result

from esctui.backends.base import Update
from esctui.cli import cli
from esctui.domain import commands as c
from esctui.domain.events import NoteAdded
from esctui.domain.models import Directory, Responder
from esctui.stores.journal import codec
from served_store import ServedStore

from .conftest import Running, journal_only


def remote(server: Running, *args: str, who: str) -> Result:
    env = {"ESCTUI_SERVER": server.url, "ESCTUI_TOKEN": server.tokens[who]}
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def as_it_stands(store: ServedStore) -> tuple[int, str, Directory]:
    """The store's revision, snapshot (a compaction makes a new one) and directory."""
    look = store.look()
    return look.revision, look.queue.snapshot, look.directory


def with_responder(directory: Directory, name: str) -> Directory:
    return msgspec.structs.replace(
        directory, responders=(*directory.responders, Responder(name=name, full_name="Nia Okafor"))
    )


def test_a_responders_token_may_not_change_the_whole_store(server: Running) -> None:
    before = as_it_stands(server.store)
    directory = before[2]
    with server.client("frank") as frank:
        assert frank.get("/v1/me").json()["admin"] is False
        compacted = frank.post("/v1/store/compact", json={"archive_after_seconds": 0})
        replaced = frank.put(
            "/v1/directory", json=msgspec.to_builtins(with_responder(directory, "nia"))
        )
    for refused in (compacted, replaced):
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "needs an administrator's token; frank's token" in refused.json()["detail"]
    assert as_it_stands(server.store) == before


def test_an_administrator_puts_a_directory_in_force_and_every_console_rereads(
    server: Running,
) -> None:
    """A console connected at the time, and one whose stream was down and resumes afterwards,
    both read the queue again: a new directory makes no revision to resume from."""
    look = server.store.look()
    bigger = with_responder(look.directory, "nia")
    incident = min(look.incidents)

    async def next_redraw(stream: AsyncIterator[Update]) -> Update:
        async for update in stream:
            if update.queue is not None:
                return update
        raise AssertionError("the stream ended")

    async def scenario() -> tuple[Update, Update]:
        alice, bob, ivan = server.backend("alice"), server.backend("frank"), server.backend("admin")
        connected = alice.follow((await alice.open()).revision)
        resumed = bob.follow((await bob.open()).revision)  # read only after the change
        try:
            # alice's stream is connected once it carries her own note.
            await alice.execute(c.AddNote(incident=incident, text="here"), actor=None)
            async for update in connected:
                if any(isinstance(ch.event, NoteAdded) for ch in update.changes):
                    break
            summary = await ivan.admin.replace_directory(bigger)
            assert summary.startswith(f"Directory in force: {len(bigger.responders)} responders")
            return (
                await asyncio.wait_for(next_redraw(connected), 10),
                await asyncio.wait_for(next_redraw(resumed), 10),
            )
        finally:
            for stream in (connected, resumed):
                await stream.aclose()
            for backend in (alice, bob, ivan):
                await backend.close()

    for update in asyncio.run(scenario()):
        assert update.queue is not None and update.queue.directory.responder("nia") is not None
    assert server.store.look().directory == bigger
    with server.client("frank") as frank:
        names = [r["name"] for r in frank.get("/v1/responders").json()]
    assert "nia" in names


def test_a_directory_that_strands_open_incidents_or_dangles_is_refused(server: Running) -> None:
    before = as_it_stands(server.store)
    store = server.store.look()
    used = {i.service for i in store.incidents.values() if i.is_open}
    stranding = msgspec.structs.replace(
        store.directory,
        services=tuple(s for s in store.directory.services if s.name not in used),
    )
    dangling = msgspec.structs.replace(
        store.directory,
        services=tuple(
            msgspec.structs.replace(s, policy="nobody-owns-this") for s in store.directory.services
        ),
    )
    with server.client("admin") as ivan:
        stranded = ivan.put("/v1/directory", json=msgspec.to_builtins(stranding))
        dangled = ivan.put("/v1/directory", json=msgspec.to_builtins(dangling))
        malformed = ivan.put("/v1/directory", json={"responders": "everyone"})
    assert stranded.status_code == 409
    assert "Open incidents use services the new directory drops" in stranded.json()["detail"]
    assert dangled.status_code == 422
    assert "unknown policy 'nobody-owns-this'" in dangled.json()["detail"]
    assert malformed.status_code == 422
    assert as_it_stands(server.store) == before


@journal_only
def test_the_cli_compacts_and_imports_a_directory_through_the_server(server: Running) -> None:
    journal = server.store.path / codec.JOURNAL
    incident = min(server.store.look().incidents)
    assert remote(server, "note", incident, "before the compaction", who="frank").exit_code == 0
    lines = len(journal.read_bytes().splitlines())
    assert lines > 0
    refused = remote(server, "compact", who="frank")
    assert refused.exit_code == 1
    assert "needs an administrator's token" in refused.stderr
    assert len(journal.read_bytes().splitlines()) == lines

    done = remote(server, "compact", "--archive-after", "30d", who="admin")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"Folded {lines} journal lines into the snapshot")
    assert journal.read_bytes() == b""

    exported = remote(server, "directory", "export", who="frank")
    assert exported.exit_code == 0
    team = server.scratch / "team.toml"
    team.write_text(exported.stdout + '\n[[responders]]\nname = "nia"\n')
    assert remote(server, "directory", "import", str(team), who="frank").exit_code == 1
    imported = remote(server, "directory", "import", str(team), who="admin")
    assert imported.exit_code == 0, imported.output
    assert server.store.look().directory.responder("nia") is not None


@pytest.mark.parametrize("served", ["postgres"], indirect=True)
def test_compacting_a_database_through_the_server_says_it_needs_none(server: Running) -> None:
    before = as_it_stands(server.store)
    refused = remote(server, "compact", who="admin")
    with server.client("admin") as ivan:
        answer = ivan.post("/v1/store/compact", json={"archive_after_seconds": 0})
    assert refused.exit_code == 1
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "A postgres store needs no compaction: it keeps every event where it can be found, and "
        "the queue reads only what is open or recently resolved."
    )
    assert answer.json()["detail"] in refused.stderr.replace("\n", " ")
    assert as_it_stands(server.store) == before
