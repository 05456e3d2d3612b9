"""A service in maintenance: the header says so, and a quiet incident (opened by monitoring
meanwhile) pages nobody: no toast, no bell, though a loud one beside it rings; still firing
once the maintenance is over, it pages whoever is on call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acting import integrate, notify
from alert_bodies import am_alert, am_body
from esctui.backends.local import open_local
from esctui.domain.alert_formats import read_webhook
from esctui.domain.lifecycle import first_on_call
from esctui.stores.inline import run_inline
from esctui.stores.journal import JournalStore
from esctui.tui.widgets.header import ConsoleHeader

from .conftest import NOW, Console, Toasts, opened, run, settle

HOUR = timedelta(hours=1)


def test_a_quiet_sev1_neither_toasts_nor_rings(console: Console) -> None:
    integrate(console.store, "prom", "alertmanager", "checkout")
    integrate(console.store, "search-prom", "alertmanager", "search")
    service = open_local(str(console.store)).integrations
    assert service is not None
    run_inline(service.service.start_maintenance("checkout", HOUR, "upgrade", "frank"))
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app().run_test(size=(160, 40), message_hook=toasts.hook) as pilot:
            app = await opened(pilot)
            quiet = notify(
                console.store, "prom", read_webhook(am_body([am_alert("Quiet")], group="Quiet"))
            )
            loud = notify(
                console.store,
                "search-prom",
                read_webhook(am_body([am_alert("Loud")], group="Loud")),
            )
            await settle(pilot, lambda: loud.incident in app.model.incidents, 2.0)
            await settle(pilot, lambda: bool(toasts.saying(str(loud.incident))))
            assert app.model.incidents[str(quiet.incident)].quiet
            assert toasts.saying(str(quiet.incident)) == []
            assert app.live.bells_rung == 1

    run(scenario)


def test_a_quiet_incident_still_firing_after_the_maintenance_pages_whoever_is_on_call(
    console: Console,
) -> None:
    integrate(console.store, "prom", "alertmanager", "checkout")
    times = [NOW]

    def clock() -> datetime:
        return times[-1]

    backend = open_local(str(console.store), clock=clock).integrations
    assert backend is not None
    run_inline(backend.service.start_maintenance("checkout", HOUR, "upgrade", "frank"))
    body = am_body([am_alert("Quiet")], group="Quiet")
    times.append(NOW + timedelta(minutes=1))
    quiet = notify(console.store, "prom", read_webhook(body), clock)
    times.append(NOW + timedelta(minutes=2))
    run_inline(backend.service.end_maintenance("checkout"))
    times.append(NOW + timedelta(minutes=3))
    store = JournalStore(console.store, clock)
    store.load()
    incident = store.queue().incidents[str(quiet.incident)]
    paged = first_on_call(store.queue().directory, "checkout", incident.level, times[-1])
    assert incident.quiet and paged is not None
    toasts = Toasts()

    async def scenario() -> None:
        async with console.app(me=paged).run_test(
            size=(160, 40), message_hook=toasts.hook
        ) as pilot:
            app = await opened(pilot)
            assert toasts.saying(str(quiet.incident)) == []
            notify(console.store, "prom", read_webhook(body), clock)
            await settle(pilot, lambda: not app.model.incidents[str(quiet.incident)].quiet)
            await settle(pilot, lambda: bool(toasts.saying(str(quiet.incident))))
            assert app.live.bells_rung == 1

    run(scenario)


def test_the_header_names_the_services_in_maintenance_as_they_start_and_end(
    console: Console,
) -> None:
    maintenance = open_local(str(console.store)).integrations
    assert maintenance is not None
    service = maintenance.service

    async def scenario() -> None:
        async with console.app(clock=lambda: datetime.now(UTC)).run_test(size=(160, 40)) as pilot:
            app = await opened(pilot)
            header = app.query_one("#header", ConsoleHeader)
            assert "maintenance" not in header.shown().plain
            run_inline(service.start_maintenance("checkout", HOUR, "upgrade", "frank"))
            await settle(pilot, lambda: "maintenance: checkout" in header.shown().plain, 5.0)
            run_inline(service.end_maintenance("checkout"))
            await settle(pilot, lambda: "maintenance" not in header.shown().plain, 5.0)

    run(scenario)
