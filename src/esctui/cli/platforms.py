"""Opening the platforms teams already run, from the flags, the environment and the config:
`--alertmanager URL[,URL...]` and `--pagerduty` (or `backend` in the config file).

Credentials come from the environment or the config file and go only to the backend: no
sentence here names one.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from esctui.config import Config, ConfigError, Platform
from esctui.domain.durations import parse_duration

if TYPE_CHECKING:
    from esctui.backends.alertmanager import AlertmanagerBackend
    from esctui.backends.pagerduty import PagerDutyBackend

PAGERDUTY_URL = "https://api.pagerduty.com"


def chosen_platform(
    alertmanager_flag: str | None, pagerduty_flag: bool, config: Config
) -> Platform | None:
    """Which platform the session works on: a flag, else the config's `backend`."""
    if alertmanager_flag and pagerduty_flag:
        raise click.UsageError("Choose one of --alertmanager and --pagerduty.")
    if alertmanager_flag:
        return "alertmanager"
    if pagerduty_flag:
        return "pagerduty"
    return config.backend


def severities(config: Config, defaults: dict[str, int]) -> dict[str, int]:
    return {**defaults, **{name.lower(): value for name, value in config.severities.items()}}


def open_alertmanager(flag: str | None, config: Config, identity: str) -> AlertmanagerBackend:
    from esctui.backends.alertmanager import AlertmanagerBackend, AlertmanagerSettings
    from esctui.backends.alertmanager.api import Credentials
    from esctui.backends.alertmanager.groups import DEFAULT_SEVERITIES

    where = flag or os.environ.get("ESCTUI_ALERTMANAGER_URL") or config.alertmanager_url
    urls = tuple(url.strip() for url in (where or "").split(",") if url.strip())
    if not urls:
        raise click.UsageError(
            "Which Alertmanager? Give --alertmanager URL (several, comma-separated, for one "
            "HA cluster), ESCTUI_ALERTMANAGER_URL or `alertmanager_url` in the config file."
        )
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise click.UsageError(f"An Alertmanager's URL starts http:// or https://: {url!r}.")
    env = os.environ
    credentials = Credentials(
        token=env.get("ESCTUI_ALERTMANAGER_TOKEN") or config.alertmanager_token,
        user=env.get("ESCTUI_ALERTMANAGER_USER") or config.alertmanager_user,
        password=env.get("ESCTUI_ALERTMANAGER_PASSWORD") or config.alertmanager_password,
    )
    return AlertmanagerBackend(
        AlertmanagerSettings(
            urls=urls,
            identity=identity,
            credentials=credentials,
            timeout=config.timeout,
            ack_for=ack_for(config),
            severities=severities(config, DEFAULT_SEVERITIES),
        )
    )


def ack_for(config: Config) -> timedelta:
    try:
        return parse_duration(config.ack_for)
    except ValueError as error:  # checked when the config was read; a sentence all the same
        raise ConfigError(f"'ack_for' in the config file: {error}.") from None


def open_pagerduty(config: Config) -> PagerDutyBackend:
    from esctui.backends.pagerduty import PagerDutyBackend, PagerDutySettings
    from esctui.backends.pagerduty.incidents import DEFAULT_SEVERITIES

    token = os.environ.get("ESCTUI_PAGERDUTY_TOKEN")
    if not token:
        raise click.UsageError(
            "No PagerDuty API key: set ESCTUI_PAGERDUTY_TOKEN (a REST API key from PagerDuty's "
            "Integrations > API Access Keys)."
        )
    from_email = pagerduty_user(config)
    url = os.environ.get("ESCTUI_PAGERDUTY_URL") or config.pagerduty_url or PAGERDUTY_URL
    if not url.startswith(("http://", "https://")):
        raise click.UsageError(f"PagerDuty's URL starts http:// or https://: {url!r}.")
    return PagerDutyBackend(
        PagerDutySettings(
            from_email=from_email,
            token=token,
            url=url,
            timeout=config.timeout,
            poll_every=config.pagerduty_poll,
            severities=severities(config, DEFAULT_SEVERITIES),
        )
    )


def pagerduty_user(config: Config) -> str:
    """The `From` user PagerDuty records actions as: you, by your PagerDuty e-mail."""
    from_email = os.environ.get("ESCTUI_PAGERDUTY_FROM") or config.from_email
    if not from_email or "@" not in from_email:
        raise click.UsageError(
            "PagerDuty records every action as a user: set `from_email` in the config file "
            "(or ESCTUI_PAGERDUTY_FROM) to your PagerDuty login e-mail."
        )
    return from_email
