"""Data in the console is shown the way every face shows it (`wording`): invisible characters
made visible, and a note's lines as lines."""

from __future__ import annotations

from acting import execute
from esctui.domain import commands as c
from esctui.stores.journal import JournalStore
from esctui.tui import ConsoleApp

from .conftest import NOW, Console, opened, put_cursor_on, run, settle


def screen_text(app: ConsoleApp) -> str:
    return "\n".join(
        app.queue.table.render_line(y).text
        for y in range(app.queue.table.scrollable_content_region.height)
    )


def test_bidi_overrides_and_zero_width_characters_are_shown_in_the_queue_and_detail(
    console: Console,
) -> None:
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    spoof = "Disk full\u202e\u2066 (fixed)\u2069\u200b\ufeff done"
    (change,) = execute(
        store, c.Trigger(title=spoof, service="checkout", severity=1), "alice", None
    )
    incident_id = change.event.incident
    execute(store, c.AddNote(incident=incident_id, text="see\u202erunbook"), "alice", None)
    shown = "Disk full\\u202e\\u2066 (fixed)\\u2069\\u200b\\ufeff done"

    async def scenario() -> None:
        async with console.app().run_test(size=(200, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, incident_id)
            assert shown in screen_text(app)
            await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
            summary = str(app.query_one("#summary").render())
            timeline = str(app.query_one("#timeline-text").render())
            assert shown in summary
            assert "see\\u202erunbook" in timeline
            for text in (screen_text(app), summary, timeline):
                assert not any(ch in text for ch in "\u202e\u2066\u2069\u200b\ufeff")

    run(scenario)


def test_a_multi_line_note_is_lines_in_the_timeline_indented_under_its_entry(
    console: Console,
) -> None:
    store = JournalStore(console.store, lambda: NOW)
    store.load()
    incident_id = min(i.id for i in store.incidents.values() if i.is_open)
    execute(
        store,
        c.AddNote(incident=incident_id, text="rolled back\nwatching \x1b[31m errors"),
        "alice",
        None,
    )

    async def scenario() -> None:
        async with console.app().run_test(size=(200, 40)) as pilot:
            app = await opened(pilot)
            await put_cursor_on(pilot, incident_id)
            await settle(pilot, lambda: app.queue.detail.incident_id == incident_id)
            timeline = str(app.query_one("#timeline-text").render())
            indent = " " * 13  # past the entry's time
            assert f"note by alice: rolled back\n{indent}watching \\x1b[31m errors" in timeline
            assert "\\x0a" not in timeline

    run(scenario)
