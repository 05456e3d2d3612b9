"""`pages.jsonl` and `webhooks.json` beside the journal: written under the store's lock with the
store's modes; a line cut short by a crash is passed over and cut off, a damaged line with good
lines after it stops the sender with a sentence naming the file and the line."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from esctui.domain.paging import Page, Webhook
from esctui.stores.journal import create_store
from esctui.stores.journal.pages import PAGES, WEBHOOKS, PageBook
from esctui.stores.page_records import Attempted, Owed
from esctui.stores.records import StoreError

from .conftest import NOW, team


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def page(n: int) -> Page:
    return Page(
        id=f"p-{n}", incident="INC-1001", to="bob", method="phone", due_at=NOW, severity=2,
        title="t", body="b",
    )  # fmt: skip


def test_pages_and_webhooks_take_the_stores_modes(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    os.chmod(shared, 0o2750)
    create_store(shared / "store", team(), [], now=NOW)
    os.chmod(shared / "store", 0o2750)
    book = PageBook(shared / "store")
    book.record([Owed(page(1), NOW)])
    book.change_webhooks(Webhook("wh-1", "https://a.example", ("triggered",), "s3cret", NOW))
    for name in (PAGES, WEBHOOKS):
        assert stat.S_IMODE((shared / "store" / name).stat().st_mode) == 0o640, name


def test_a_line_cut_short_is_passed_over_and_cut_off_by_the_next_writer(tmp_path: Path) -> None:
    create_store(tmp_path / "store", team(), [], now=NOW)
    book = PageBook(tmp_path / "store")
    book.record([Owed(page(1), NOW)])
    file = tmp_path / "store" / PAGES
    whole = file.read_bytes()
    with open(file, "ab") as handle:
        handle.write(b'{"crc":"00000000","record":{"type":"torn')  # a crash mid-write
    reader = PageBook(tmp_path / "store")
    assert [s.page.id for s in reader.pages(NOW)] == ["p-1"]
    reader.record([Attempted("p-1", 1, NOW + timedelta(seconds=1), "delivered")])
    assert file.read_bytes().startswith(whole + b'{"crc"')
    assert b"torn" not in file.read_bytes()
    assert PageBook(tmp_path / "store").pages(NOW)[0].status == "delivered"


def test_a_damaged_line_with_good_lines_after_it_is_a_sentence(tmp_path: Path) -> None:
    create_store(tmp_path / "store", team(), [], now=NOW)
    book = PageBook(tmp_path / "store")
    book.record([Owed(page(1), NOW)])
    book.record([Owed(page(2), NOW)])
    file = tmp_path / "store" / PAGES
    lines = file.read_bytes().splitlines(keepends=True)
    file.write_bytes(lines[0].replace(b"p-1", b"p-X") + lines[1])
    with pytest.raises(StoreError) as refused:
        PageBook(tmp_path / "store").paging()
    assert str(refused.value).startswith(f"{file} line 1 is damaged (checksum mismatch)")
