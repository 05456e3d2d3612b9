"""PagerDuty as a backend (`esctui --pagerduty`): its REST API v2, within its rate limit."""

from esctui.backends.pagerduty.backend import PagerDutyBackend, PagerDutySettings

__all__ = ["PagerDutyBackend", "PagerDutySettings"]
