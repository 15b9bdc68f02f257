"""The rule every text input follows, stated in the OpenAPI document.

The request guard (``campagne.web.request_guard``) refuses control characters other than
tab and line breaks in any text a request brings. The document says so: every string of a
parameter or of a request body that has no pattern, format or fixed values of its own gets
the pattern below, so that clients (and schemathesis) know what is accepted.
"""

from __future__ import annotations

from typing import Any

# ECMA-262 syntax, as JSON Schema patterns are; the same characters as the guard's.
PLAIN_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
_NESTED = ("properties", "patternProperties")
_BRANCHES = ("anyOf", "allOf", "oneOf", "prefixItems")
_SINGLE = ("items", "additionalProperties", "not")
_OWN_RULE = ("pattern", "format", "enum", "const", "contentMediaType")


def _children(node: dict[str, Any]) -> list[Any]:
    children: list[Any] = []
    for key in _NESTED:
        children += list(node.get(key, {}).values())
    for key in _BRANCHES:
        children += node.get(key, [])
    children += [node[key] for key in _SINGLE if isinstance(node.get(key), dict)]
    return children


def _mark(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    if not isinstance(node, dict):
        return
    reference = node.get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        name = reference.rsplit("/", 1)[1]
        if name not in seen and name in components:
            seen.add(name)
            _mark(components[name], components, seen)
        return
    if node.get("type") == "string" and not any(key in node for key in _OWN_RULE):
        node["pattern"] = PLAIN_TEXT
    for child in _children(node):
        _mark(child, components, seen)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the plain-text pattern to every input string of ``schema`` (changed in place)."""
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _mark(parameter.get("schema"), components, seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _mark(media.get("schema"), components, seen)
    return schema
