"""What the queue shows: the incidents, the view, the filter and the order, without any widget.

The model folds the backend's changes into incident states, keeps each open incident's next SLA
deadline, and answers which incidents the current view lists, in which order. It knows nothing of
Textual, so it is tested (and timed) on its own.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from esctui.backends.base import Change, IncidentHistory, Queue
from esctui.domain.cadence import CadenceBook, CustomerDue, cadence_book
from esctui.domain.lifecycle import apply, foldable
from esctui.domain.models import Directory, Incident, Status
from esctui.domain.sla import Deadline, SlaBook, SlaRecord, sla_record
from esctui.listing import OPEN, Filter, Sort, keeps, order_key, recently_resolved_key
from esctui.stores.records import MaintenanceWindow
from esctui.tui.tally import Tally

View = Literal["mine", "unacknowledged", "open", "breaching", "resolved", "updates", "team"]
VIEWS: tuple[View, ...] = get_args(View)
VIEW_TITLES: dict[View, tuple[str, str]] = {  # in full, and short for a narrow terminal
    "mine": ("Mine", "Mine"),
    "unacknowledged": ("Unacknowledged", "Unacked"),
    "open": ("All open", "Open"),
    "breaching": ("Breaching or about to", "Breaching"),
    "resolved": ("Recently resolved", "Resolved"),
    "updates": ("Updates due", "Updates"),
    "team": ("My team", "Team"),
}

SORT_TITLES: dict[Sort, tuple[str, str]] = {
    "urgency": ("severity, then time to breach", "severity"),
    "breach": ("time to breach", "breach"),
    "newest": ("newest first", "newest"),
    "service": ("service, then severity", "service"),
}
# The resolved view's order, whatever the sort (see `order_key`).
RESOLVED_ORDER = ("most recently resolved first", "recent first")

# More changed incidents than this at once are put in place by sorting the whole view again.
FEW_CHANGES = 64


def view_filter(
    view: View, me: str | None, text: str, team: frozenset[str] = frozenset()
) -> Filter:
    """What a view keeps (see `listing.Filter`); "mine" with nobody to be keeps nothing, as
    does "team" without a team (`team`: its members)."""
    match view:
        case "updates":
            return Filter(update_due=True, text=text)
        case "team":
            return Filter(assignees=team, text=text)
        case "resolved":
            return Filter(statuses=frozenset({Status.RESOLVED}), text=text)
        case "mine":
            return Filter(assignee=me or "", statuses=OPEN if me else frozenset(), text=text)
        case "unacknowledged":
            return Filter(statuses=frozenset({Status.TRIGGERED}), text=text)
        case "breaching":
            return Filter(breaching=True, text=text)
    return Filter(text=text)


@dataclass
class QueueModel:
    """The queue as one responder sees it. `rows` are the ids the view lists, in order."""

    directory: Directory
    incidents: dict[str, Incident]
    revision: int
    book: SlaBook
    me: str | None
    now: datetime
    view: View = "open"
    sort: Sort = "urgency"
    filter_text: str = ""
    rows: list[str] = field(default_factory=list)
    deadlines: dict[str, Deadline | None] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    snapshot: str = ""  # the store's, as of the last whole queue (see `Queue.snapshot`)
    # Resolved incidents' SLA records, read from their timelines when they are shown, with the
    # resolution each is of (reopened and resolved again, it needs reading again).
    records: dict[str, tuple[datetime, SlaRecord]] = field(default_factory=dict)
    # What each incident's customer is owed next (incidents with a customer only).
    cadence: CadenceBook = field(default_factory=lambda: cadence_book(Directory()))
    customers: dict[str, CustomerDue | None] = field(default_factory=dict)
    team: str = ""  # whose queue the team view shows: mine unless `:team` says
    maintenance: dict[str, MaintenanceWindow] = field(default_factory=dict)

    @classmethod
    def from_queue(
        cls, queue: Queue, book: SlaBook, me: str | None, now: datetime, view: View = "open"
    ) -> QueueModel:
        model = cls(queue.directory, {}, queue.revision, book, me, now, view)
        model.replace(queue)
        return model

    def replace(
        self, queue: Queue, book: SlaBook | None = None, cadence: CadenceBook | None = None
    ) -> None:
        """Start again from a whole queue (the backend could not bridge a gap), with the SLA
        targets of `book` and the update intervals of `cadence` if given (a new directory may
        bring new ones)."""
        self.directory = queue.directory
        self.incidents = queue.incidents
        self.revision = queue.revision
        self.snapshot = queue.snapshot
        self.maintenance = queue.maintenance
        self.book = book or self.book
        self.cadence = cadence or self.cadence
        if not self.team and self.me is not None:
            mine = queue.directory.responder(self.me)
            self.team = mine.team if mine is not None else ""
        # Resolved incidents, most of a big store, have no deadline: they are left out here.
        unresolved = [i for i in queue.incidents.values() if i.status is not Status.RESOLVED]
        self.deadlines = {i.id: self.book.deadline(i) for i in unresolved}
        due = self.cadence.due
        self.customers = {i.id: due(i) for i in queue.incidents.values() if i.customer}
        self.tally = Tally.of(unresolved, self.deadlines, self.me, self.customers)
        self.tally.count_follow_ups(queue.incidents.values())
        self.arrange()

    # -- changes ---------------------------------------------------------------------------

    def is_older_than(self, queue: Queue) -> bool:
        """Whether `queue` holds anything this model does not: later changes, or a store that
        was compacted or given a new directory since."""
        return queue.revision > self.revision or queue.snapshot != self.snapshot

    def fold(self, changes: Iterable[Change]) -> list[Change]:
        """Fold the changes not seen yet into the incidents; the ones that were new."""
        new = [change for change in changes if change.revision > self.revision]
        for change in new:
            event = change.event
            before = self.incidents.get(event.incident)
            self.revision = change.revision
            if not foldable(before, event):
                continue
            if before is not None:
                self.tally.remove(before, self.deadlines.get(before.id), self.customers)
            incident = apply(before, event)
            deadline = self.book.deadline(incident)
            self.incidents[incident.id] = incident
            self.deadlines[incident.id] = deadline
            if incident.customer:
                self.customers[incident.id] = self.cadence.due(incident)
            self.tally.add(incident, deadline, self.customers)
        return new

    def bridges(self, changes: list[Change]) -> bool:
        """Whether `changes` follow on from what the model has seen, with no gap."""
        return bool(changes) and changes[0].revision == self.revision + 1

    # -- what the view lists ---------------------------------------------------------------

    def chosen(self) -> Filter:
        """What the view, the filter and (for the team view) the team keep."""
        team = self.directory.team_members(self.team) if self.view == "team" else frozenset()
        return view_filter(self.view, self.me, self.filter_text, team)

    def listed(self, incident: Incident, chosen: Filter | None = None) -> bool:
        incident_id = incident.id
        return keeps(
            chosen or self.chosen(),
            incident,
            self.deadlines.get(incident_id),
            self.now,
            self.customers.get(incident_id),
        )

    def listed_now(self, incident_id: str) -> bool:
        """Whether the view lists `incident_id` as it is now."""
        incident = self.incidents.get(incident_id)
        return incident is not None and self.listed(incident)

    def order_key(self) -> Callable[[str], Any]:
        if self.view == "resolved":  # whatever the sort: that is what "recent" asks for
            return recently_resolved_key(self.incidents, self.now)
        return order_key(self.sort, self.incidents, self.deadlines, self.now)

    def arrange(self) -> list[str]:
        """Recompute `rows` for the view, filter and sort in force; returns them."""
        chosen = self.chosen()
        listed = [i.id for i in self.incidents.values() if self.listed(i, chosen)]
        listed.sort(key=self.order_key())
        self.rows = listed
        return listed

    def rearrange(self, changed: Iterable[str]) -> bool:
        """Put just the `changed` incidents where the view now lists them, if anywhere; True
        if `rows` changed. The others keep their order: no sort key moves with the clock
        (time left to a deadline shrinks alike for all), only with events. All the changed
        are taken out before any is put back: one still in its old place (held there while
        the responder looked) would mislead the search for where the next one goes."""
        ids = set(changed)
        before = self.rows
        if len(ids) > FEW_CHANGES:
            return self.arrange() != before
        key = self.order_key()
        chosen = self.chosen()
        rows = [i for i in before if i not in ids]
        for incident_id in sorted(ids):
            incident = self.incidents.get(incident_id)
            if incident is not None and self.listed(incident, chosen):
                rows.insert(bisect.bisect(rows, key(incident_id), key=key), incident_id)
        self.rows = rows
        return rows != before

    # -- what became of resolved incidents' deadlines --------------------------------------

    def record(self, incident_id: str) -> SlaRecord | None:
        """The SLA record of a resolved incident, if its timeline has been read."""
        incident = self.incidents.get(incident_id)
        kept = self.records.get(incident_id)
        if incident is None or kept is None or kept[0] != incident.resolved_at:
            return None
        return kept[1]

    def remember(self, history: IncidentHistory) -> None:
        """Keep the SLA record of a resolved incident from its timeline."""
        incident = history.incident
        if incident.resolved_at is None or not history.timeline:
            return
        target = self.book.target(incident.service, incident.severity)
        self.records[incident.id] = (
            incident.resolved_at,
            sla_record(incident, history.timeline, target),
        )

    # -- counts for the header -------------------------------------------------------------

    def in_maintenance(self) -> list[str]:
        """The services in maintenance now (their alerts open quiet incidents)."""
        return sorted(name for name, w in self.maintenance.items() if w.in_force(self.now))

    def counts(self) -> dict[str, int]:
        """Open incidents by status, how many are mine, and how many are snoozed, breached or
        at risk now."""
        return self.tally.at(self.now)

    def tick(self, now: datetime) -> bool:
        """Move the clock; True when the view's membership may have changed with it."""
        self.now = now
        return self.view in ("breaching", "updates")
