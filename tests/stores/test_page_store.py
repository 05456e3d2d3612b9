"""What every store must do with pages out (`PageStore`): keep each page once, its tries in
order, what became of it, where the sender is, and the webhooks; another store object on the
same store (another process) reads the same. Each test runs against every store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from esctui.domain.paging import Page, Webhook
from esctui.service.ports import EventStore, PageStore
from esctui.stores.page_records import Attempted, Cancelled, Cursor, Owed, Started

from .conftest import NOW, Place, team


def pages_of(place: Place, store: EventStore) -> PageStore:
    if hasattr(store, "pages"):
        pages: PageStore = store.pages
        return pages
    from esctui.stores.journal.pages import JournalPages

    return JournalPages(place.path)  # type: ignore[attr-defined]


def page(n: int, incident: str = "INC-1001") -> Page:
    return Page(
        id=f"{incident}/holding/bob/x/{n}",
        incident=incident,
        to="bob",
        method=f"m{n}",
        due_at=NOW + timedelta(minutes=n),
        severity=2,
        title="SEV2 INC-1001: disk full",
        body="New on api; you are on call.",
        obligation=f"{incident}/holding/bob/x",
    )


def run(place: Place, scenario: Any) -> Any:
    async def body() -> Any:
        await place.create(team(), [])
        stores = [await place.open(), await place.open()]
        try:
            return await scenario(*(pages_of(place, store) for store in stores))
        finally:
            for store in stores:
                await store.close()

    return asyncio.run(asyncio.wait_for(body(), 30))


async def call(store: PageStore, method: str, *args: Any) -> Any:
    """Each call whole, in a thread for a blocking store (as another process would)."""
    if store.blocking:
        from esctui.stores.inline import run_inline

        return await asyncio.to_thread(lambda: run_inline(getattr(store, method)(*args)))
    return await getattr(store, method)(*args)


def test_a_page_is_kept_once_with_its_tries_and_read_back_elsewhere(store_factory: Place) -> None:
    async def scenario(writer: PageStore, reader: PageStore) -> Any:
        first = await call(
            writer, "record", [Started(at=NOW), Owed(page(1), NOW), Owed(page(2), NOW)]
        )
        again = await call(writer, "record", [Owed(page(1), NOW), Started(at=NOW + timedelta(1))])
        later = NOW + timedelta(seconds=30)
        await call(
            writer,
            "record",
            [
                Attempted(page(1).id, 1, NOW, "failed", "HTTP 500", next_at=later),
                Attempted(page(1).id, 2, later, "delivered"),
                Attempted(page(1).id, 3, later, "failed", "too late"),  # after delivery: ignored
                Cancelled(page(2).id, later, "acknowledged by bob"),
                Attempted(page(2).id, 1, later, "delivered"),  # after cancelling: ignored
                Cursor(revision=7, at=NOW),
            ],
        )
        return first, again, await call(reader, "paging"), await call(reader, "pages", NOW)

    first, again, paging, pages = run(store_factory, scenario)
    assert first == [page(1).id, page(2).id]
    assert again == []
    assert (paging.started, paging.cursor, paging.pending) == (NOW, Cursor(7, NOW), [])
    assert [(p.page, p.status, p.why) for p in pages] == [
        (page(1), "delivered", ""),
        (page(2), "cancelled", "acknowledged by bob"),
    ]
    assert [(a.attempt, a.outcome, a.detail) for a in pages[0].attempts] == [
        (1, "failed", "HTTP 500"),
        (2, "delivered", ""),
    ]


def test_pending_pages_say_when_they_are_next_tried(store_factory: Place) -> None:
    async def scenario(writer: PageStore, reader: PageStore) -> Any:
        retry = NOW + timedelta(minutes=9)
        await call(writer, "record", [Owed(page(1), NOW), Owed(page(2, "INC-1002"), NOW)])
        await call(writer, "record", [Attempted(page(1).id, 1, NOW, "failed", "x", retry)])
        paging = await call(reader, "paging")
        mine = await call(reader, "pages", NOW, "INC-1002")
        none = await call(reader, "pages", NOW + timedelta(seconds=1))
        return paging, mine, none, retry

    paging, mine, none, retry = run(store_factory, scenario)
    assert paging.started is None and paging.cursor is None
    assert sorted((p.page.id, p.next_at) for p in paging.pending) == [
        (page(1).id, retry),
        (page(2, "INC-1002").id, page(2).due_at),
    ]
    assert [p.page.incident for p in mine] == ["INC-1002"]
    assert none == []


def test_webhooks_are_added_listed_and_removed_by_id_or_url(store_factory: Place) -> None:
    hooks = [
        Webhook("wh-1", "https://a.example/hook", ("triggered",), "secret-1", NOW),
        Webhook("wh-2", "https://b.example/hook", ("resolved", "reopened"), "secret-2", NOW),
    ]

    async def scenario(writer: PageStore, reader: PageStore) -> Any:
        for hook in hooks:
            await call(writer, "add_webhook", hook)
        both = await call(reader, "webhooks")
        gone = await call(writer, "remove_webhook", "https://a.example/hook")
        nothing = await call(writer, "remove_webhook", "wh-9")
        return both, gone, nothing, await call(reader, "webhooks")

    both, gone, nothing, left = run(store_factory, scenario)
    assert both == hooks
    assert (gone, nothing, left) == (hooks[0], None, [hooks[1]])
