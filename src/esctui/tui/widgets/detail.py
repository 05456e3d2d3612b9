"""The selected incident: a summary line, then tabs for its timeline, what was said to whom,
and its details (labels, customer, policy and who is on call at each level)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static, TabbedContent, TabPane

from esctui.backends.base import IncidentHistory
from esctui.domain import events as e
from esctui.domain.models import Directory, Incident
from esctui.domain.oncall import level_on_call
from esctui.domain.sla import SlaBook
from esctui.tui.columns import REDACTED_CUSTOMER, REDACTED_TITLE, sla_text
from esctui.wording import clock, describe, hanging, scrub, who

Part = str | tuple[str, str]


class IncidentDetail(Vertical, can_focus=False):
    """Shows one incident's history; `show` redraws it, `clear` empties it."""

    DEFAULT_CSS = """
    IncidentDetail { height: 40%; min-height: 7; border-top: solid $primary 50%; }
    IncidentDetail:focus-within { border-top: solid $accent; }
    IncidentDetail #summary { height: auto; max-height: 2; padding: 0 1; }
    IncidentDetail TabbedContent { height: 1fr; }
    IncidentDetail TabPane { padding: 0 1; }
    IncidentDetail VerticalScroll { height: 1fr; }
    """

    def __init__(self, *, redact: bool = False, zone: tzinfo = UTC, id: str | None = None) -> None:
        super().__init__(id=id)
        self.redact = redact
        self.zone = zone  # times are shown in it
        self.incident_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        with TabbedContent(id="detail-tabs"):
            with (
                TabPane("Timeline", id="timeline"),
                VerticalScroll(id="timeline-scroll", can_focus=True),
            ):
                yield Static("", id="timeline-text")
            with (
                TabPane("Communications", id="communications"),
                VerticalScroll(id="communications-scroll", can_focus=True),
            ):
                yield Static("", id="communications-text")
            with (
                TabPane("Details", id="details"),
                VerticalScroll(id="details-scroll", can_focus=True),
            ):
                yield Static("", id="details-text")

    def clear(self, message: str = "No incident selected.") -> None:
        self.incident_id = None
        self.query_one("#summary", Static).update(Content(message))
        for name in ("timeline", "communications", "details"):
            self.query_one(f"#{name}-text", Static).update("")

    def show(
        self,
        history: IncidentHistory,
        directory: Directory,
        book: SlaBook,
        now: datetime,
        *,
        unavailable: str | None = None,
    ) -> None:
        """The incident; with `unavailable`, that sentence stands in for the timeline and the
        communications (they could not be read)."""
        incident = history.incident
        self.incident_id = incident.id
        self.query_one("#summary", Static).update(self.summary(incident, book, now))
        missing = Content(unavailable) if unavailable is not None else None
        self.query_one("#timeline-text", Static).update(
            missing or self.timeline(history.timeline, now)
        )
        self.query_one("#communications-text", Static).update(
            missing or self.communications(history.timeline, now)
        )
        self.query_one("#details-text", Static).update(self.details(incident, directory, book, now))

    def summary(self, incident: Incident, book: SlaBook, now: datetime) -> Content:
        title = REDACTED_TITLE if self.redact else scrub(incident.title)
        deadline = book.deadline(incident)
        parts: list[Part] = [
            (incident.id, "bold"),
            "  ",
            (f"SEV{incident.severity}", "bold $error" if incident.severity <= 2 else "bold"),
            f"  {incident.status}",
            f"  L{incident.level}",
            f"  {who(incident.assignee) if incident.assignee else 'unassigned'}",
            f"  SLA {sla_text(incident, deadline, book, now)}",
            "\n",
            (title, ""),
        ]
        return Content.assemble(*parts)

    def timeline(self, timeline: list[e.AnyEvent], now: datetime) -> Content:
        if not timeline:
            return Content("Nothing has happened yet.")
        parts: list[Part] = []
        for event in timeline:
            tone = "$accent" if isinstance(event, e.NoteAdded) else ""
            text = hanging(describe(event, self.zone), 11 + 2)  # a note's lines under its entry
            if self.redact and isinstance(event, e.CommunicationLogged):
                text = text.replace(scrub(event.counterpart), REDACTED_CUSTOMER)
            parts.append((f"{clock(event.at, now, self.zone):>11}  ", "$text-muted"))
            parts.append((text + "\n", tone))
        return Content.assemble(*parts)

    def communications(self, timeline: list[e.AnyEvent], now: datetime) -> Content:
        talks = e.communications(timeline)
        if not talks:
            return Content("Nothing logged yet. Press c to log a call, an email or an update.")
        parts: list[Part] = []
        for talk in talks:
            arrow = "→" if talk.direction == "out" else "←"
            counterpart = REDACTED_CUSTOMER if self.redact else scrub(talk.counterpart)
            parts.append((f"{clock(talk.at, now, self.zone):>11}  ", "$text-muted"))
            parts.append((f"{arrow} {talk.channel:<11} ", "bold"))
            parts.append(f"{counterpart}: {scrub(talk.summary)} ")
            parts.append((f"({who(talk.author)})\n", "$text-muted"))
        return Content.assemble(*parts)

    def details(
        self, incident: Incident, directory: Directory, book: SlaBook, now: datetime
    ) -> Content:
        customer = REDACTED_CUSTOMER if self.redact and incident.customer else incident.customer
        rows: list[tuple[str, str]] = [
            ("service", scrub(incident.service)),
            ("customer", scrub(customer) or "-"),
            ("opened", clock(incident.opened_at, now, self.zone)),
            ("created", clock(incident.created_at, now, self.zone)),
        ]
        if incident.acknowledged_at:
            acknowledged = clock(incident.acknowledged_at, now, self.zone)
            rows.append(("acknowledged", f"{acknowledged} by {who(incident.acknowledged_by)}"))
        if incident.resolved_at:
            rows.append(
                (
                    "resolved",
                    f"{clock(incident.resolved_at, now, self.zone)} by {who(incident.resolved_by)}",
                )
            )
        if incident.snoozed(now):
            rows.append(("snoozed until", clock(incident.snoozed_until, now, self.zone)))
        target = book.target(incident.service, incident.severity)
        rows.append(
            (
                "SLA targets",
                f"acknowledge {target.acknowledge_minutes}m, resolve {target.resolve_minutes}m",
            )
        )
        for key, value in sorted(incident.labels.items()):
            rows.append((f"label {scrub(key)}", scrub(value)))
        parts: list[Part] = []
        for name, value in rows:
            parts.append((f"{name:>14}  ", "$text-muted"))
            parts.append(value + "\n")
        parts.extend(self.on_call(incident, directory, now))
        return Content.assemble(*parts)

    def on_call(self, incident: Incident, directory: Directory, now: datetime) -> list[Part]:
        service = directory.service(incident.service)
        policy = directory.policy(service.policy) if service else None
        if policy is None:
            return [("\nNo escalation policy covers this service.", "$warning")]
        parts: list[Part] = [
            ("\npolicy ", "$text-muted"),
            (scrub(policy.name), "bold"),
            (f" (repeats {policy.repeat}x)\n" if policy.repeat else "\n", "$text-muted"),
        ]
        for number, level in enumerate(policy.levels, start=1):
            names = level_on_call(directory, policy, number, now)
            here = number == incident.level
            parts.append((f"{'▶' if here else ' '} level {number} ", "bold" if here else ""))
            parts.append((f"after {level.timeout_minutes}m: ", "$text-muted"))
            parts.append((", ".join(scrub(n) for n in names) or "nobody on call", ""))
            parts.append("\n")
        return parts
