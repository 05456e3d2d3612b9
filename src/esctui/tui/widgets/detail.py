"""The selected incident: a summary line, then tabs for its timeline, what was said to whom,
and its details (labels, customer, policy, who is on call at each level, and whom it paged).

The pane is reached from the keyboard (`enter` or `tab` from the queue) and has its own keys:
`]` and `[` (or `tab` and `shift+tab`) between the tabs, `j`/`k` to scroll; the console's `esc`
goes back to the queue. The timeline and the communications follow their newest entry, unless
the responder has scrolled up to read.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static, TabbedContent, TabPane

from esctui.backends.base import IncidentHistory
from esctui.domain import events as e
from esctui.domain.durations import format_duration, format_minutes
from esctui.domain.models import Directory, Incident, Status
from esctui.domain.oncall import policy_on_call
from esctui.domain.paging import page_log
from esctui.domain.sla import Clock, Deadline, Reached, SlaBook, SlaRecord, sla_record
from esctui.tui.columns import REDACTED_CUSTOMER, REDACTED_TITLE, sla_text
from esctui.tui.themes import ALARM
from esctui.wording import clock, describe, hanging, scrub, who

Part = str | tuple[str, str]

TABS = ("timeline", "communications", "details")
SEVERITY_STYLES = {1: ALARM, 2: "bold $warning"}  # as the queue shows them
FOLLOWED = ("timeline", "communications")  # newest last: kept scrolled to the end


class IncidentDetail(Vertical, can_focus=True):
    """Shows one incident's history; `show` redraws it, `clear` empties it."""

    BINDINGS = [
        Binding("right_square_bracket", "next_tab", "Next tab", id="detail.next-tab"),
        Binding(
            "left_square_bracket,shift+tab",
            "previous_tab",
            "Previous tab",
            show=False,
            id="detail.previous-tab",
        ),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="detail.up"),
        Binding("g,home", "scroll('home')", "Scroll to the top", show=False, id="detail.top"),
        Binding("G,end", "scroll('end')", "Scroll to the end", show=False, id="detail.bottom"),
        Binding(
            "pagedown,ctrl+f", "scroll('page_down')", "Page down", show=False, id="detail.page-down"
        ),
        Binding("pageup,ctrl+b", "scroll('page_up')", "Page up", show=False, id="detail.page-up"),
    ]

    DEFAULT_CSS = """
    IncidentDetail { height: 40%; min-height: 7; border-top: solid $primary 50%; }
    IncidentDetail:focus-within { border-top: solid $accent; }
    IncidentDetail #summary { height: auto; max-height: 2; padding: 0 1; }
    IncidentDetail TabbedContent { height: 1fr; }
    IncidentDetail TabPane { padding: 0 1; }
    IncidentDetail VerticalScroll { height: 1fr; }
    """

    def __init__(
        self,
        *,
        redact: bool = False,
        zone: tzinfo = UTC,
        opening: str = "",
        id: str | None = None,
    ) -> None:
        """`opening`: what the pane says until the first incident is shown."""
        super().__init__(id=id)
        self.opening = opening
        self.redact = redact
        self.zone = zone  # times are shown in it
        self.incident_id: str | None = None
        # Whether a tab is kept at its newest entry: until the responder scrolls up in it.
        self.following = dict.fromkeys(FOLLOWED, True)

    def compose(self) -> ComposeResult:
        yield Static(Content(self.opening), id="summary")
        with TabbedContent(id="detail-tabs"):
            with (
                TabPane("Timeline", id="timeline"),
                VerticalScroll(id="timeline-scroll", can_focus=False),
            ):
                yield Static("", id="timeline-text")
            with (
                TabPane("Communications", id="communications"),
                VerticalScroll(id="communications-scroll", can_focus=False),
            ):
                yield Static("", id="communications-text")
            with (
                TabPane("Details", id="details"),
                VerticalScroll(id="details-scroll", can_focus=False),
            ):
                yield Static("", id="details-text")

    # -- moving about --------------------------------------------------------------------------

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#detail-tabs", TabbedContent)

    def scroller(self, tab: str | None = None) -> VerticalScroll:
        """The scrolling part of `tab` (by default the one shown)."""
        return self.query_one(f"#{tab or self.tabs.active}-scroll", VerticalScroll)

    def action_next_tab(self) -> None:
        self.tabs.active = TABS[(TABS.index(self.tabs.active) + 1) % len(TABS)]

    def action_previous_tab(self) -> None:
        self.tabs.active = TABS[(TABS.index(self.tabs.active) - 1) % len(TABS)]

    def action_scroll(self, how: str) -> None:
        """`down`, `up`, `home`, `end`, `page_down` or `page_up`, in the tab shown."""
        scroll = getattr(self.scroller(), f"scroll_{how}")
        scroll(animate=False, on_complete=self.note_where_followed)

    # -- what it shows -------------------------------------------------------------------------

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
        if incident.id != self.incident_id:  # another incident: from its top, or its newest
            for name in TABS:
                self.scroller(name).scroll_home(animate=False, immediate=True)
            self.following = dict.fromkeys(FOLLOWED, True)
        else:
            self.note_where_followed()
        self.incident_id = incident.id
        record = None
        if incident.status is Status.RESOLVED and unavailable is None:
            target = book.target(incident.service, incident.severity)
            record = sla_record(incident, history.timeline, target)
        self.query_one("#summary", Static).update(self.summary(incident, book, now, record))
        missing = Content(unavailable) if unavailable is not None else None
        self.query_one("#timeline-text", Static).update(
            missing or self.timeline(history.timeline, now)
        )
        self.query_one("#communications-text", Static).update(
            missing or self.communications(history.timeline, now)
        )
        self.query_one("#details-text", Static).update(
            self.details(incident, directory, book, now, record) + self.pages(history, now)
        )
        self.follow()

    def note_where_followed(self) -> None:
        """A tab on screen is followed while it is scrolled to its end (a hidden one keeps
        what it was)."""
        for name in FOLLOWED:
            scroller = self.scroller(name)
            if scroller.size.height:
                self.following[name] = scroller.is_vertical_scroll_end

    def follow(self) -> None:
        """Scroll the followed tabs to their newest entry, once the new text is laid out."""
        for name, following in self.following.items():
            if following:
                self.scroller(name).scroll_end(animate=False)

    def on_tabbed_content_tab_activated(self) -> None:
        self.follow()

    def summary(
        self, incident: Incident, book: SlaBook, now: datetime, record: SlaRecord | None
    ) -> Content:
        title = REDACTED_TITLE if self.redact else scrub(incident.title)
        deadline = book.deadline(incident)
        parts: list[Part] = [
            (incident.id, "bold"),
            "  ",
            (f"SEV{incident.severity}", SEVERITY_STYLES.get(incident.severity, "bold")),
            f"  {incident.status}",
            f"  L{incident.level}",
            f"  {who(incident.assignee) if incident.assignee else 'unassigned'}",
            f"  SLA {sla_words(incident, deadline, now, record)}",
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
        return Content.assemble(*parts).rstrip()  # no blank line under the newest entry

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
        return Content.assemble(*parts).rstrip()

    def details(
        self,
        incident: Incident,
        directory: Directory,
        book: SlaBook,
        now: datetime,
        record: SlaRecord | None,
    ) -> Content:
        customer = REDACTED_CUSTOMER if self.redact and incident.customer else incident.customer
        service = directory.service(incident.service)
        rows: list[tuple[str, str]] = [("service", scrub(incident.service))]
        if service is not None and service.runbook_url:
            rows.append(("runbook", scrub(service.runbook_url) + "  (Y copies it)"))
        if service is not None and service.escalate_when:
            rows.append(("escalate when", scrub(service.escalate_when)))
        rows += [
            ("customer", scrub(customer) or "-"),
            ("opened", clock(incident.opened_at, now, self.zone)),
            ("created", clock(incident.created_at, now, self.zone)),
        ]
        if incident.last_customer_update:
            rows.append(("last update", clock(incident.last_customer_update, now, self.zone)))
        if incident.review_due:
            rows.append(("review", "due (v records it)"))
        elif incident.reviewed_at:
            rows.append(("review", f"recorded {clock(incident.reviewed_at, now, self.zone)}"))
        for follow_up in incident.follow_ups:
            state = "done" if follow_up.done_at else f"due {follow_up.due:%Y-%m-%d}"
            rows.append(
                (
                    f"follow-up {follow_up.number}",
                    f"{scrub(follow_up.action)} ({who(follow_up.owner)}, {state})",
                )
            )
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
                f"acknowledge {format_minutes(target.acknowledge_minutes)}, "
                f"resolve {format_minutes(target.resolve_minutes)}",
            )
        )
        if record is not None:
            rows.append(("SLA acknowledge", kept(record.acknowledge, "never acknowledged")))
            rows.append(("SLA resolve", kept(record.resolve, "not resolved")))
        for key, value in sorted(incident.labels.items()):
            rows.append((f"label {scrub(key)}", scrub(value)))
        parts: list[Part] = []
        width = max(len(name) for name, _ in rows)  # long label keys push the values along
        for name, value in rows:
            parts.append((f"{name:>{width}}  ", "$text-muted"))
            parts.append(value + "\n")
        parts.extend(self.on_call(incident, directory, now))
        return Content.assemble(*parts).rstrip()

    def pages(self, history: IncidentHistory, now: datetime) -> Content:
        """Whom the incident paged, how, when, and how it went (each page's latest try)."""
        paged = page_log(history.timeline)
        if not paged:
            return Content("")
        parts: list[Part] = [("\n\npages\n", "$text-muted")]
        for page in paged:
            parts.append((f"{clock(page.at, now, self.zone):>11}  ", "$text-muted"))
            parts.append(describe(page, self.zone) + "\n")
        return Content.assemble(*parts).rstrip()

    def on_call(self, incident: Incident, directory: Directory, now: datetime) -> list[Part]:
        policy = directory.service_policy(incident.service)
        if policy is None:
            return [("\nNo escalation policy covers this service.", "$warning")]
        parts: list[Part] = [
            ("\npolicy ", "$text-muted"),
            (scrub(policy.name), "bold"),
            (f" (repeats {policy.repeat}x)\n" if policy.repeat else "\n", "$text-muted"),
        ]
        levels = policy_on_call(directory, policy, now)
        for number, (level, names) in enumerate(zip(policy.levels, levels, strict=True), start=1):
            here = number == incident.level
            parts.append((f"{'▶' if here else ' '} level {number} ", "bold" if here else ""))
            parts.append((f"after {level.timeout_minutes}m: ", "$text-muted"))
            parts.append((", ".join(scrub(n) for n in names) or "nobody on call", ""))
            parts.append("\n")
        return parts


def sla_words(
    incident: Incident, deadline: Deadline | None, now: datetime, record: SlaRecord | None
) -> str:
    """The SLA as the queue's cell says it, but for a resolved incident in full words."""
    if incident.status is Status.RESOLVED:
        if record is None:
            return "-"
        return record.verdict({Clock.ACKNOWLEDGE: "acknowledge", Clock.RESOLVE: "resolve"})
    return sla_text(incident, deadline, now)


def kept(reached: Reached | None, otherwise: str) -> str:
    """`after 12m: missed`."""
    if reached is None:
        return otherwise
    return f"after {format_duration(reached.after)}: {'met' if reached.met else 'missed'}"
