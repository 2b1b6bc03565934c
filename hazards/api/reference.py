"""GET /api/docs: the API reference as a page, rendered on the server from the OpenAPI document.

Outside /api/v1 (it is a page for people, with the web UI's errors and language), public like the
document itself, and self-contained: no script or stylesheet from anywhere else. The wording of the
page is translated; the operations' own texts are the document's, which is written in English.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from hazards import permissions
from hazards.api.openapi import build_document

bp = Blueprint("api_reference", __name__)

METHODS = ("get", "post", "put", "patch", "delete")
_ENUM_SHOWN = 12  # values of a longer enum are cut short, with "…"


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""  # a parameter's location: query, path, header


@dataclass
class Content:
    media_type: str
    type: str
    schema: str | None  # the components schema it refers to, for a link
    fields: list[Field] = field(default_factory=list)  # an inline object's properties


@dataclass
class Response:
    status: str
    description: str
    contents: list[Content]


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    public: bool
    parameters: list[Field]
    body_required: bool
    body: list[Content]
    responses: list[Response]

    @property
    def anchor(self) -> str:
        return "op-" + self.operation_id


@dataclass
class Schema:
    name: str
    type: str
    description: str
    fields: list[Field]
    open: bool  # other members may appear

    @property
    def anchor(self) -> str:
        return "schema-" + self.name


@bp.get("/api/docs")
@permissions.public("the API's reference page")
def index():
    doc = build_document(current_app.config.get("API_VERSION", "1.0.0"))
    groups = operations_by_tag(doc)
    schemas = [schema_entry(name, schema) for name, schema in doc["components"]["schemas"].items()]
    return render_template("api/docs.html", info=doc["info"], groups=groups, schemas=schemas,
                           count=sum(len(ops) for _tag, ops in groups), text=code_spans)


def code_spans(text: str) -> Markup:
    """The document's texts mark code with backticks, as Markdown does: shown as <code>, the rest escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def operations_by_tag(doc: dict) -> list[tuple[str, list[Operation]]]:
    """The operations in the document's order, grouped under their first tag in the order tags are declared."""
    order = [t["name"] for t in doc.get("tags", [])]
    groups: dict[str, list[Operation]] = {name: [] for name in order}
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                operation = item[method]
                tag = (operation.get("tags") or ["other"])[0]
                groups.setdefault(tag, []).append(_operation(path, method, operation, shared))
    return [(tag, ops) for tag, ops in groups.items() if ops]


def _operation(path: str, method: str, op: dict, shared: list[dict]) -> Operation:
    params = {(p["in"], p["name"]): p for p in shared}
    params.update({(p["in"], p["name"]): p for p in op.get("parameters", [])})
    request_body = op.get("requestBody") or {}
    return Operation(
        method=method.upper(), path=path, operation_id=op.get("operationId", f"{method}-{path}"),
        summary=op.get("summary", ""), description=op.get("description", ""), public=op.get("security") == [],
        parameters=[Field(p["name"], type_text(p.get("schema", {})), bool(p.get("required")),
                          p.get("description", ""), p["in"]) for p in params.values()],
        body_required=bool(request_body.get("required")),
        body=_contents(request_body.get("content", {})),
        responses=[Response(status, r.get("description", ""), _contents(r.get("content", {})))
                   for status, r in sorted(op.get("responses", {}).items())],
    )


def _contents(content: dict) -> list[Content]:
    found = []
    for media_type, spec in content.items():
        schema = spec.get("schema", {})
        inline = schema.get("type") == "object" and "properties" in schema and "$ref" not in schema
        found.append(Content(media_type, type_text(schema), ref_name(schema),
                             _fields(schema) if inline else []))
    return found


def schema_entry(name: str, schema: dict) -> Schema:
    return Schema(name, type_text(schema, top=True), schema.get("description", ""), _fields(schema),
                  bool(schema.get("additionalProperties")))


def _fields(schema: dict) -> list[Field]:
    required = set(schema.get("required", []))
    return [Field(name, type_text(prop), name in required, prop.get("description", ""))
            for name, prop in schema.get("properties", {}).items()]


def ref_name(schema: dict) -> str | None:
    target = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    return target.rsplit("/", 1)[-1] if target else None


def type_text(schema: dict, *, top: bool = False) -> str:
    """A schema in a few words: `string (date)`, `integer 1–500`, `array of Hazard`, `one of: a | b`."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema:
        text = "one of: " + " | ".join(type_text(s) for s in schema["oneOf"])
    elif schema.get("type") == "array":
        text = "array of " + type_text(schema.get("items", {}))
    elif schema.get("type") == "object" and not top and schema.get("properties"):
        text = "object {" + ", ".join(schema["properties"]) + "}"
    else:
        text = schema.get("type", "any")
        if "format" in schema:
            text += f" ({schema['format']})"
        if "enum" in schema:
            values = [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in schema["enum"]]
            shown = values[:_ENUM_SHOWN] + (["…"] if len(values) > _ENUM_SHOWN else [])
            text += ": " + " | ".join(shown)
        bounds = (schema.get("minimum"), schema.get("maximum"))
        if bounds != (None, None):
            text += " " + "–".join("" if b is None else str(b) for b in bounds)
        if "maxLength" in schema:
            text += f" ≤{schema['maxLength']}"
        if "pattern" in schema:
            text += f" /{schema['pattern']}/"
        if "default" in schema:
            default = schema["default"]
            text += f" = {default if isinstance(default, str) else json.dumps(default)}"
    if schema.get("nullable"):
        text += " | null"
    return text
