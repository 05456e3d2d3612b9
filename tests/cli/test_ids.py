"""Ids are taken as typed: the store reads its own `INC-` ids in any case, so a hurried
`inc-12` still names INC-12 (a platform's ids, case-sensitive, are never upper-cased)."""

from __future__ import annotations

from pathlib import Path

from esctui.domain.models import Status

from .conftest import Run, reopen


def test_the_store_takes_its_own_ids_in_lower_case(run: Run, store_path: Path) -> None:
    store = reopen(store_path)
    target = next(i for i in store.queue().incidents.values() if i.status is Status.TRIGGERED)
    acked = run("ack", target.id.lower())
    assert acked.exit_code == 0, acked.output
    assert f"{target.id} acknowledged by frank." in acked.stdout
    shown = run("show", target.id.lower())
    assert shown.exit_code == 0, shown.output
    assert target.id in shown.stdout
