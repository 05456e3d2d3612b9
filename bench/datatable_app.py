"""The same queue in Textual's stock `DataTable`, for `tui_bench.py` to compare against.

`python bench/datatable_app.py STORE`: shows every open incident with the console's columns;
two seconds after the first paint it changes one cell, as an acknowledgement would.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from esctui.domain.sla import sla_book
from esctui.stores.journal import JournalStore
from esctui.tui.columns import COLUMNS, cell
from esctui.tui.queue_model import QueueModel


class QueueInDataTable(App[None]):
    def __init__(self, store: Path) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield DataTable(id="queue")

    def on_mount(self) -> None:
        store = JournalStore(self.store)
        store.load()
        queue = store.queue()
        now = datetime.now(UTC)
        model = QueueModel.from_queue(queue, sla_book(queue.directory), None, now)
        table = self.query_one(DataTable)
        keys = [c.key for c in COLUMNS]
        for column in COLUMNS:
            table.add_column(column.header, key=column.key)
        for incident_id in model.rows:
            incident = model.incidents[incident_id]
            deadline = model.deadlines[incident_id]
            table.add_row(
                *(cell(k, incident, deadline, now, False)[0] for k in keys),
                key=incident_id,
            )
        self.first = model.rows[min(3, len(model.rows) - 1)]
        self.set_timer(2.0, self.change_one_cell)

    def change_one_cell(self) -> None:
        self.query_one(DataTable).update_cell(self.first, "status", "ACK")


if __name__ == "__main__":
    QueueInDataTable(Path(sys.argv[1])).run()
