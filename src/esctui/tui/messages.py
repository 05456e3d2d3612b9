"""What the live queue tells the screens, as small past-tense messages.

The live part folds every change into the shared `QueueModel` as it arrives; the messages only
say which incidents changed, so a burst of changes that lands while a screen is busy is drawn
once: a waiting `IncidentsChanged` hands its incidents to the next one and is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from esctui.backends.base import Link


@dataclass
class IncidentsChanged(Message):
    """These incidents changed (the model already holds them as they are now); `flashed` are
    those changed by someone else, whose rows flash briefly."""

    incident_ids: set[str] = field(default_factory=set)
    flashed: set[str] = field(default_factory=set)

    def can_replace(self, message: Message) -> bool:
        """Whether the waiting `message` may stand in for this one: another `IncidentsChanged`
        may, once it carries this one's incidents too."""
        if not isinstance(message, IncidentsChanged):
            return False
        message.incident_ids |= self.incident_ids
        message.flashed |= self.flashed
        return True


@dataclass
class QueueReplaced(Message):
    """The whole queue was read afresh (a compaction or a new directory elsewhere, a gap the
    backend could not bridge): everything on screen is to be drawn again."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, QueueReplaced)


@dataclass
class LinkChanged(Message):
    """The connection to the incidents changed (a server went out of reach, or came back)."""

    link: Link


@dataclass
class ClockTicked(Message):
    """A second passed: countdowns move, snoozes end, deadlines come closer."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClockTicked)
