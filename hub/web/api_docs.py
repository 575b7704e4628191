"""The interactive API reference at /api/v1/docs, rendered on the server from the OpenAPI document.

No viewer is fetched from a CDN and no script is inline (the hub's Content-Security-Policy): the
page is HTML made from :func:`hub.web.openapi.document` — every operation with its parameters and
responses, every schema with its properties — and each GET operation has a "try it" form. The
theme's ``static/api-docs.js`` sends the form with ``fetch`` to the API on the same origin and
shows the status and the JSON answer; without script, a form without path parameters still
submits as a plain GET to the operation's URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, render_template, request

from hub.app import current_hub

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation, as the page shows it."""

    name: str
    where: str
    required: bool
    description: str
    type: str
    choices: list[str] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    repeatable: bool = False


@dataclass(frozen=True)
class Operation:
    """One operation: method, path, what it does, its parameters and its responses."""

    id: str
    method: str
    path: str
    summary: str
    parameters: list[Parameter]
    responses: list[tuple[str, str, str]]  # (status, description, schema name)

    @property
    def has_path_parameters(self) -> bool:
        """Whether the URL needs values put into it (then the form needs script)."""
        return any(p.where == "path" for p in self.parameters)


def type_name(schema: dict[str, Any]) -> str:
    """A short human name of a JSON Schema type (``integer``, ``string[]``, ``Record``, ``a | b``)."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return "enum"
    if "anyOf" in schema:
        return " | ".join(type_name(s) for s in schema["anyOf"])
    if "allOf" in schema:
        return " & ".join(type_name(s) for s in schema["allOf"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        return " | ".join(kind)
    if kind == "array":
        return type_name(schema.get("items", {})) + "[]"
    return str(kind)


def parameter(spec: dict[str, Any]) -> Parameter:
    """The page's form of an OpenAPI parameter object."""
    schema = spec.get("schema", {})
    repeatable = schema.get("type") == "array"
    inner = schema.get("items", {}) if repeatable else schema
    choices = [str(c) for c in inner.get("enum", [])]
    if inner.get("type") == "boolean":
        choices = ["true", "false"]
    return Parameter(spec["name"], spec.get("in", "query"), bool(spec.get("required")), spec.get("description", ""),
                     type_name(schema), choices, inner.get("minimum"), inner.get("maximum"), repeatable)


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation of the document, in the document's order."""
    found = []
    for path, methods in document.get("paths", {}).items():
        for method, spec in methods.items():
            responses = []
            for status, answer in spec.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append((status, answer.get("description", ""), type_name(schema) if schema else ""))
            found.append(Operation(spec.get("operationId", f"{method}-{path}"), method.upper(), path,
                                   spec.get("summary", ""), [parameter(p) for p in spec.get("parameters", [])],
                                   responses))
    return found


def schema_rows(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The properties of a component schema: name, type, whether required, description."""
    required = set(schema.get("required", []))
    properties = dict(schema.get("properties", {}))
    return [{"name": name, "type": type_name(spec), "required": name in required,
             "description": spec.get("description", "")} for name, spec in properties.items()]


def description_parts(text: str) -> list[tuple[bool, str]]:
    """``text`` split at its backticks: (True, code) and (False, prose) pieces, for the template to
    escape and set in ``<code>``."""
    return [(index % 2 == 1, part) for index, part in enumerate(text.split("`")) if part]


def docs():
    """The reference page of the API."""
    from hub.web.openapi import document

    spec = document(current_hub().settings["BASE_URL"].rstrip("/") + PREFIX)
    schemas = {name: schema_rows(schema) for name, schema in spec["components"]["schemas"].items()}
    components = spec["components"]["schemas"].items()
    notes = {name: {"description": schema.get("description", ""),
                    "extends": [type_name(part) for part in schema.get("allOf", [])]} for name, schema in components}
    return render_template("api_docs.html", info=spec["info"], operations=operations(spec), schemas=schemas,
                           schema_notes=notes, description_parts=description_parts, api_base=request.script_root + PREFIX,
                           server=spec["servers"][0]["url"])


def init_app(app: Flask) -> None:
    """Register the reference page beside the API (same prefix, so it is found at /api/v1/docs)."""
    app.add_url_rule(f"{PREFIX}/docs", endpoint="api_docs", view_func=docs, methods=["GET"])
