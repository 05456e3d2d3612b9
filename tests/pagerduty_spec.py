"""PagerDuty's REST API document (read from ../shared/specs, never copied into the project),
and a check of an answer against the schema it gives for that operation."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs

SPEC = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "specs"
    / "pagerduty-rest-openapiv3.json"
)


@functools.cache
def spec() -> dict[str, Any]:
    """The document, with OpenAPI 3.0's `nullable` said as JSON Schema says it."""
    document: dict[str, Any] = json.loads(SPEC.read_text())

    def nullable(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: nullable(v) for k, v in node.items()}
            if node.pop("nullable", False) and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [nullable(v) for v in node]
        return node

    converted: dict[str, Any] = nullable(document)
    return converted


def operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The document's path template for `path` (`/incidents/PX1` is `/incidents/{id}`) and
    its operation for `method`."""
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"PagerDuty's API has no {method} {path}")


@functools.cache
def validator(method: str, template: str, status: str) -> Any:
    pointer = "/".join(
        quote(part.replace("~", "~0").replace("/", "~1"), safe="~")
        for part in ["paths", template, method.lower(), "responses", status]
    )
    response = spec()["paths"][template][method.lower()]["responses"][status]
    if "$ref" in response:  # an answer the document shares between operations
        pointer = response["$ref"].removeprefix("#/")
    root = dict(spec())
    root["$ref"] = f"#/{pointer}/content/application~1json/schema"
    return jsonschema_rs.Draft4Validator(root)


def problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """What in `body`, answered to `method path` with `status`, the document does not allow."""
    template, op = operation(method, path)
    if str(status) not in op["responses"]:
        return [f"{method} {template} has no answer {status} in PagerDuty's API"]
    return [
        f"{method} {path} {status}: {error.message} at {list(error.instance_path)}"
        for error in validator(method, template, str(status)).iter_errors(body)
    ]
