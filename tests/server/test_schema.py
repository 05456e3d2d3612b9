"""schemathesis against the OpenAPI document the server serves: whatever it generates, valid
or not, the server never answers with a 5xx."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_dict

from .conftest import Running


@pytest.fixture
def api(server: Running) -> schemathesis.schemas.BaseSchema:
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    return from_dict(document)


# The event stream never ends; it has tests of its own.
schema = schemathesis.pytest.from_fixture("api").exclude(path="/v1/events")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case, server: Running) -> None:
    # An administrator's token, so the changes to the whole store are tried too.
    headers = {"Authorization": f"Bearer {server.tokens['admin']}"}
    case.call_and_validate(
        base_url=server.url, headers=headers, checks=[not_a_server_error], timeout=10
    )
