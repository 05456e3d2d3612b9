"""Tokens: made once and kept only as a hash; no token, a wrong one or a revoked one is 401."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
from click.testing import CliRunner

from esctui.cli import cli
from served_store import ServedStore, apart

from .conftest import Running


def tokens_as_kept(store: ServedStore) -> str:
    """Everything the store keeps of its tokens, as text."""
    if store.kind == "journal":
        tokens = store.path / "tokens.json"
        assert tokens.stat().st_mode & 0o077 == 0
        return tokens.read_text()

    async def table() -> str:
        import asyncpg

        connection = await asyncpg.connect(store.where)
        try:
            return str(await connection.fetch("SELECT * FROM tokens"))
        finally:
            await connection.close()

    return apart(table)


def test_no_token_a_wrong_token_and_a_revoked_token_are_401(server: Running) -> None:
    queue = f"{server.url}/v1/queue"
    nothing = httpx.get(queue)
    wrong = httpx.get(queue, headers={"Authorization": "Bearer esc_not-a-real-token"})
    not_bearer = httpx.get(queue, headers={"Authorization": f"Basic {server.tokens['frank']}"})
    for response in (nothing, wrong, not_bearer):
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer TOKEN" in nothing.json()["detail"]

    with server.client("alice") as alice:
        assert alice.get("/v1/queue").status_code == 200
        revoked = CliRunner().invoke(
            cli, ["--store", server.store.where, "token", "revoke", "alice"]
        )
        assert revoked.exit_code == 0, revoked.output
        after = alice.get("/v1/queue")
        stream = alice.get("/v1/events")
    assert after.status_code == 401 and stream.status_code == 401
    assert re.fullmatch(
        r"The token tok-[0-9a-f]{6} \(alice's\) was revoked at [-0-9: ]+ UTC; ask for a new one\.",
        after.json()["detail"],
    )
    assert wrong.json()["detail"] == "The token is unknown or has been revoked."
    with server.client("frank") as frank:  # frank's token is untouched
        assert frank.get("/v1/queue").status_code == 200


def test_every_request_is_done_as_the_tokens_responder(server: Running) -> None:
    with server.client("alice") as alice:
        page = alice.get("/v1/incidents", params={"status": "triggered"}).json()
        incident_id = page["incidents"][0]["id"]
        done = alice.post(
            f"/v1/incidents/{incident_id}/actions/acknowledge", headers={"If-Match": "*"}
        )
    assert done.json()["changes"][0]["event"]["by"] == "alice"
    assert done.json()["incident"]["assignee"] == "alice"


def test_token_create_prints_the_token_once_and_keeps_only_its_hash(server: Running) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["--store", server.store.where, "token", "create", "carol"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("esc_") and len(token) > 40
    kept = tokens_as_kept(server.store)
    assert token not in kept
    assert hashlib.sha256(token.encode()).hexdigest() in kept
    listed = runner.invoke(cli, ["--store", server.store.where, "token", "list", "--json"])
    rows = json.loads(listed.stdout)
    assert {row["responder"] for row in rows} == {"frank", "alice", "ivan", "carol"}
    assert [row["admin"] for row in rows if row["responder"] in ("ivan", "carol")] == [True, False]
    assert all("sha256" not in row for row in rows)
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as carol:
        assert carol.get("/v1/me").json()["responder"] == "carol"


def test_token_commands_refuse_unknown_names(server: Running) -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli, ["--store", server.store.where, "token", "create", "mallory"])
    assert unknown.exit_code == 2
    assert "'mallory' is not a responder in this store" in unknown.stderr
    nothing = runner.invoke(cli, ["--store", server.store.where, "token", "revoke", "tok-000000"])
    assert nothing.exit_code == 2
    remote = runner.invoke(cli, ["--server", server.url, "token", "list"])
    assert remote.exit_code == 2 and "leave out --server" in remote.stderr
