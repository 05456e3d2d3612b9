"""The last timeline read for each incident, kept so that while the server cannot be reached
the detail pane still shows what was seen (marked as possibly out of date) instead of nothing."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from datetime import datetime, tzinfo

from esctui.backends.base import IncidentHistory
from esctui.domain.models import Incident
from esctui.wording import clock

KEPT = 500  # incidents; a responder looks at far fewer in a shift
OFFLINE_TIMELINE = "The timeline cannot be read while the server is unreachable."


@dataclass(frozen=True)
class Read:
    history: IncidentHistory
    at: datetime


class ReadHistories:
    def __init__(self, limit: int = KEPT) -> None:
        self.limit = limit
        self.read: collections.OrderedDict[str, Read] = collections.OrderedDict()

    def keep(self, history: IncidentHistory, at: datetime) -> None:
        incident_id = history.incident.id
        self.read[incident_id] = Read(history, at)
        self.read.move_to_end(incident_id)
        while len(self.read) > self.limit:
            self.read.popitem(last=False)

    def get(self, incident_id: str) -> Read | None:
        return self.read.get(incident_id)

    def offline(
        self, incident: Incident, now: datetime, zone: tzinfo
    ) -> tuple[IncidentHistory, str | None, str | None]:
        """What the detail pane shows of `incident` while the server cannot be reached: the
        queue's state with the timeline last read; the sentence that stands in for a timeline
        never read; the notice that the one shown may be out of date."""
        read = self.read.get(incident.id)
        if read is None:
            return IncidentHistory(incident=incident, timeline=[]), OFFLINE_TIMELINE, None
        notice = (
            f"Offline: the timeline below is as read at {clock(read.at, now, zone)} and may have "
            "changed since."
        )
        return IncidentHistory(incident=incident, timeline=read.history.timeline), None, notice
