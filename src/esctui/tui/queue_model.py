"""What the queue shows: the incidents, the view, the filter and the order, without any widget.

The model folds the backend's changes into incident states, keeps each open incident's next SLA
deadline, and answers which incidents the current view lists, in which order. It knows nothing of
Textual, so it is tested (and timed) on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from esctui.backends.base import Change, Queue
from esctui.domain.lifecycle import apply
from esctui.domain.models import Directory, Incident, Status, incident_number
from esctui.domain.sla import Deadline, SlaBook

View = Literal["mine", "unacknowledged", "open", "breaching", "resolved"]
VIEWS: tuple[View, ...] = get_args(View)
VIEW_TITLES: dict[View, str] = {
    "mine": "Mine",
    "unacknowledged": "Unacknowledged",
    "open": "All open",
    "breaching": "Breaching or about to",
    "resolved": "Recently resolved",
}

Sort = Literal["urgency", "breach", "newest", "service"]
SORTS: tuple[Sort, ...] = get_args(Sort)
SORT_TITLES: dict[Sort, str] = {
    "urgency": "severity, then time to breach",
    "breach": "time to breach",
    "newest": "newest first",
    "service": "service, then severity",
}

NEVER = float("inf")


def matches(incident: Incident, needle: str) -> bool:
    """Whether the filter text (lower case) appears in what a responder would search by."""
    if (
        needle in incident.id.lower()
        or needle in incident.title.lower()
        or needle in incident.service.lower()
        or needle in (incident.assignee or "").lower()
        or needle in incident.customer.lower()
    ):
        return True
    return any(needle in f"{k}={v}".lower() for k, v in incident.labels.items())


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

    @classmethod
    def from_queue(
        cls, queue: Queue, book: SlaBook, me: str | None, now: datetime, view: View = "open"
    ) -> QueueModel:
        model = cls(queue.directory, queue.incidents, queue.revision, book, me, now, view)
        model.deadlines = {i.id: book.deadline(i) for i in queue.incidents.values()}
        model.arrange()
        return model

    def replace(self, queue: Queue) -> None:
        """Start again from a whole queue (the backend could not bridge a gap)."""
        self.directory = queue.directory
        self.incidents = queue.incidents
        self.revision = queue.revision
        self.deadlines = {i.id: self.book.deadline(i) for i in queue.incidents.values()}
        self.arrange()

    # -- changes ---------------------------------------------------------------------------

    def fold(self, changes: Iterable[Change]) -> list[Change]:
        """Fold the changes not seen yet into the incidents; the ones that were new."""
        new = [change for change in changes if change.revision > self.revision]
        for change in new:
            event = change.event
            incident = apply(self.incidents.get(event.incident), event)
            self.incidents[incident.id] = incident
            self.deadlines[incident.id] = self.book.deadline(incident)
            self.revision = change.revision
        return new

    def bridges(self, changes: list[Change]) -> bool:
        """Whether `changes` follow on from what the model has seen, with no gap."""
        return bool(changes) and changes[0].revision == self.revision + 1

    # -- what the view lists ---------------------------------------------------------------

    def listed(self, incident: Incident) -> bool:
        if self.view == "resolved":
            shown = incident.status is Status.RESOLVED
        elif incident.status is Status.RESOLVED:
            shown = False
        elif self.view == "mine":
            shown = self.me is not None and incident.assignee == self.me
        elif self.view == "unacknowledged":
            shown = incident.status is Status.TRIGGERED
        elif self.view == "breaching":
            deadline = self.deadlines.get(incident.id)
            shown = deadline is not None and deadline.at_risk(self.now)
        else:
            shown = True
        if shown and self.filter_text:
            return matches(incident, self.filter_text.lower())
        return shown

    def seconds_left(self, incident_id: str) -> float:
        deadline = self.deadlines.get(incident_id)
        return NEVER if deadline is None else (deadline.breach_at - self.now).total_seconds()

    def order_key(self) -> Callable[[str], Any]:
        incidents, now = self.incidents, self.now
        if self.view == "resolved":
            # Most recently resolved first, whatever the sort: that is what "recent" asks for.
            return lambda i: (-(incidents[i].resolved_at or now).timestamp(), -incident_number(i))
        if self.sort == "breach":
            return lambda i: (self.seconds_left(i), incidents[i].severity, incident_number(i))
        if self.sort == "newest":
            return lambda i: -incident_number(i)
        if self.sort == "service":
            return lambda i: (
                incidents[i].service,
                incidents[i].severity,
                self.seconds_left(i),
                incident_number(i),
            )
        return lambda i: (incidents[i].severity, self.seconds_left(i), incident_number(i))

    def arrange(self) -> list[str]:
        """Recompute `rows` for the view, filter and sort in force; returns them."""
        listed = [i.id for i in self.incidents.values() if self.listed(i)]
        listed.sort(key=self.order_key())
        self.rows = listed
        return listed

    # -- counts for the header -------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Open incidents by status, and how many are breached or at risk now."""
        found = {"triggered": 0, "acknowledged": 0, "snoozed": 0, "at risk": 0, "breached": 0}
        for incident in self.incidents.values():
            if incident.status is Status.RESOLVED:
                continue
            found[incident.status.value] += 1
            if incident.snoozed(self.now):
                found["snoozed"] += 1
            deadline = self.deadlines.get(incident.id)
            if deadline is not None and deadline.breached(self.now):
                found["breached"] += 1
            elif deadline is not None and deadline.at_risk(self.now):
                found["at risk"] += 1
        return found

    def tick(self, now: datetime) -> bool:
        """Move the clock; True when the breaching view's membership may have changed."""
        self.now = now
        return self.view == "breaching"
