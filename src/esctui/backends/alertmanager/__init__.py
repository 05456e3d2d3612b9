"""Prometheus Alertmanager as a backend (`esctui --alertmanager URL`): its alert groups are
the queue; acknowledging, handing off and snoozing are silences."""

from esctui.backends.alertmanager.backend import AlertmanagerBackend, AlertmanagerSettings

__all__ = ["AlertmanagerBackend", "AlertmanagerSettings"]
