"""Alerts in: `integration create|ls|revoke` (the keys monitoring sends with) and `maintenance
start|end|ls` (services whose alerts open quiet incidents for a while). On the store, or through
`--server` with an administrator's token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import click

from esctui.backends.integrations import Integration
from esctui.cli import cli, session
from esctui.cli import render as r
from esctui.cli.params import severity_number
from esctui.cli.reports import administer
from esctui.cli.views import emit_json
from esctui.domain.alerts import DEFAULT_SEVERITIES, DEFAULT_SEVERITY, Kind, OnResolve, Settings
from esctui.domain.durations import format_minutes, parse_duration
from esctui.stores.records import MaintenanceWindow

WHERE = {
    Kind.ALERTMANAGER: "Point Alertmanager's webhook_configs at "
    "SERVER/v1/integrations/alertmanager with this key as its bearer token "
    "(http_config.authorization.credentials).",
    Kind.EVENTS: "Send PagerDuty Events API v2 events to SERVER/v2/enqueue with this key as "
    "their routing_key.",
    Kind.HEARTBEAT: "Beat with GET or POST SERVER/v1/heartbeat/KEY at least every {every}.",
}


def duration(text: str, option: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def severity_words(words: tuple[str, ...]) -> dict[str, int]:
    """`--severity page=1` ... over the default mapping."""
    mapping = dict(DEFAULT_SEVERITIES)
    for text in words:
        word, equals, number = text.partition("=")
        if not equals or not word.strip():
            raise click.BadParameter(
                f"{text!r} maps no word: write WORD=SEVERITY, like page=1.",
                param_hint="--severity",
            )
        mapping[word.strip().lower()] = severity_number(number)
    return mapping


@cli.group("integration")
def integration_group() -> None:
    """Monitoring's integrations: Alertmanager, the PagerDuty Events API, heartbeats."""


@integration_group.command("create")
@click.argument("name")
@click.option("--service", required=True, help="The service its alerts open incidents on.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in Kind]))
@click.option("--every", metavar="DURATION", help="A heartbeat's interval (30s, 5m, 1h).")
@click.option(
    "--on-resolve",
    type=click.Choice([o.value for o in OnResolve]),
    default=OnResolve.RESOLVE.value,
    show_default=True,
    help="What an all clear does to the open incident.",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="WORD=N",
    help="Map a severity word to SEV1-SEV4 (repeatable; critical=1 error=2 warning=3 info=4).",
)
@click.option(
    "--default-severity",
    default=str(DEFAULT_SEVERITY),
    show_default=True,
    metavar="N",
    help="The severity of an alert with none, or with a word not mapped.",
)
@click.option(
    "--reopen-within",
    default="30m",
    show_default=True,
    metavar="DURATION",
    help="A group firing again this soon after it resolved reopens its incident (0: never).",
)
def create_integration(
    name: str,
    service: str,
    kind: str,
    every: str | None,
    on_resolve: str,
    severities: tuple[str, ...],
    default_severity: str,
    reopen_within: str,
) -> None:
    """Make the integration NAME for a service; its key is printed once, only its hash is kept."""
    never = reopen_within.strip() == "0"
    within = timedelta(0) if never else duration(reopen_within, "--reopen-within")
    settings = Settings(
        severities=severity_words(severities),
        default_severity=severity_number(default_severity),
        on_resolve=OnResolve(on_resolve),
        reopen_within_seconds=int(within.total_seconds()),
        every_seconds=int(duration(every, "--every").total_seconds()) if every else None,
    )
    s = session()
    key, made = s.run(
        lambda backend: administer(backend).integrations.create_integration(
            name, Kind(kind), service, settings
        )
    )
    click.echo(key)
    where = WHERE[made.kind].format(every=every or "")
    click.echo(
        f"Integration {made.name} ({made.kind}) for {made.service}: the key is shown this once. "
        f"{where}",
        err=True,
    )


@integration_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_integrations(as_json: bool) -> None:
    """Every integration made, revoked ones included (never a key)."""
    s = session()
    found = s.run(lambda backend: administer(backend).integrations.integrations())
    if as_json:
        emit_json(found)
        return
    if not found:
        click.echo("No integrations yet: esctui integration create NAME --service S --kind K")
        return
    rows = [
        [
            r.scrub(i.name),
            str(i.kind),
            r.scrub(i.service),
            how(i),
            r.stamp(i.created_at, s.zone),
            "active" if i.revoked_at is None else f"revoked {r.stamp(i.revoked_at, s.zone)}",
        ]
        for i in found
    ]
    click.echo(r.table(["NAME", "KIND", "SERVICE", "HOW", "CREATED", "STATE"], rows))


def how(integration: Integration) -> str:
    """Its settings where they are not the defaults; a heartbeat's interval and last beat."""
    settings, parts = integration.settings, []
    if settings.every_seconds:
        parts.append(f"every {spoken(settings.every_seconds)}")
        beat = integration.last_beat
        zone = session().zone
        parts.append(f"beat {r.clock(beat, datetime.now(UTC), zone)}" if beat else "never beat")
    if settings.on_resolve is not OnResolve.RESOLVE:
        parts.append(f"on resolve: {settings.on_resolve}")
    if settings.reopen_within_seconds != Settings().reopen_within_seconds:
        within = settings.reopen_within_seconds
        again = f"reopen within {spoken(within)}"
        parts.append(again if within else "never reopens")
    return ", ".join(parts) or "-"


def spoken(seconds: int) -> str:
    """A setting's length as it was typed: `30s`, `5m`, `1h30m`."""
    return format_minutes(seconds // 60) if seconds % 60 == 0 else f"{seconds}s"


@integration_group.command("revoke")
@click.argument("name")
def revoke_integration(name: str) -> None:
    """Revoke the integration NAME: its key lets nothing in from now on."""
    revoked = session().run(
        lambda backend: administer(backend).integrations.revoke_integration(name)
    )
    click.echo(f"Revoked {r.scrub(revoked.name)} ({revoked.kind} for {r.scrub(revoked.service)}).")


@cli.group("maintenance")
def maintenance_group() -> None:
    """Services in maintenance: their alerts open quiet incidents, which neither escalate nor
    page."""


@maintenance_group.command("start")
@click.argument("service")
@click.option("--for", "length", required=True, metavar="DURATION", help="How long (30m, 2h).")
@click.option("--reason", default="", help="Why, for whoever looks.")
def start_maintenance(service: str, length: str, reason: str) -> None:
    """Put SERVICE in maintenance from now."""
    s = session()
    lasting = duration(length, "--for")
    by = None if s.server_url is not None else s.identity
    window = s.run(
        lambda backend: administer(backend).integrations.start_maintenance(
            service, lasting, reason, by
        )
    )
    click.echo(f"{r.scrub(window.service)} is in maintenance until {r.stamp(window.end, s.zone)}.")


@maintenance_group.command("end")
@click.argument("service")
def end_maintenance(service: str) -> None:
    """End the maintenance of SERVICE now."""
    s = session()
    window = s.run(lambda backend: administer(backend).integrations.end_maintenance(service))
    click.echo(f"{r.scrub(window.service)} is no longer in maintenance.")


@maintenance_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_maintenance(as_json: bool) -> None:
    """The services in maintenance now, and until when."""
    s = session()
    windows = s.run(lambda backend: administer(backend).integrations.maintenance())
    if as_json:
        emit_json(windows)
        return
    if not windows:
        click.echo("No service is in maintenance.")
        return
    rows = [window_row(window, s.zone) for window in windows]
    click.echo(r.table(["SERVICE", "UNTIL", "BY", "REASON"], rows))


def window_row(window: MaintenanceWindow, zone: tzinfo) -> list[str]:
    reason = r.scrub(window.reason) or "-"
    return [r.scrub(window.service), r.stamp(window.end, zone), r.who(window.by), reason]
