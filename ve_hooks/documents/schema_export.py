"""Editor variants of the bundled schemas: what yaml-language-server, remark and plain draft-07
tools (Ajv in strict mode) load.

The bundled schemas are draft 2020-12 with one custom keyword (``x-ve-messages``); many editor
tools validate with draft-07 and strict Ajv rejects unknown keywords. A variant is derived, never
hand-kept: ``$defs`` become ``definitions``, ``$ref`` siblings move into an ``allOf`` (draft-07
ignores them otherwise), custom keywords go, and every field gets ``examples`` and ``default``
(and ``markdownDescription``, which yaml-language-server and VS Code render, in that variant
only: it is not a standard keyword). ``$id``s are raw URLs of the committed copies under
``schemas/editors/<variant>/``, so a SchemaStore entry or a modeline resolves them.

Regenerate the committed copies with ``python scripts/gen_docs.py``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ve_hooks.documents import schema as schemas

VARIANTS = ("yaml-language-server", "remark", "draft-07")
RAW_BASE = "https://raw.githubusercontent.com/ve-hooks/ve-hooks/main/schemas/editors/"
EDITORS_DIR = "schemas/editors"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
_CUSTOM = ("x-ve-messages",)

# A realistic value per field name; enums and types fill in the rest.
_EXAMPLE: dict[str, Any] = {
    "advances_trunk_goal": "Agents can trust the docs tree", "artifact_id": "auth-tokens",
    "chunk_directory": "auth-tokens", "chunk_id": "auth-tokens", "parent_chunk": "auth-tokens",
    "investigation": "flaky-ci", "narrative": "onboarding", "subsystem_id": "storage", "entry_id": "F001",
    "id": "F001", "deviation_reason": "The API forced a second entry point", "file": "src/app.py",
    "implements": "Token refresh", "lines": "45-120", "name": "Slow CI", "pinned": "3" * 40,
    "prompt": "Make the login flow fast", "ref": "src/app.py#Engine::run", "repo": "org/other-repo",
    "superseded_by": "auth-tokens-v2", "superseded_reason": "Replaced by auth-tokens-v2",
    "ticket": "VE-123", "track": "main", "tree": "auth-tokens", "trigger": "CI took 40 minutes",
    "why": "It blocks the release", "title": "Onboarding", "description": "What this covers",
}


def _types(node: dict[str, Any]) -> list[str]:
    t = node.get("type")
    return t if isinstance(t, list) else [t] if isinstance(t, str) else []


def _example(name: str, node: dict[str, Any], root: dict[str, Any]) -> Any:
    node = schemas.resolve_ref(root, node)
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        return values[0] if values else None
    types = _types(node)
    if "array" in types or "items" in node:
        item = schemas.resolve_ref(root, node.get("items", {}))
        if isinstance(item, dict) and (item.get("properties") or item.get("type") == "object"):
            return [_object_example(item, root)]
        return [_example(name.rstrip("s"), item, root) if item else "example"]
    if "object" in types or "properties" in node:
        return _object_example(node, root)
    if "string" in types:
        # The field's own example, else the first known one its pattern accepts (list items
        # such as `addresses: [F001]` have no name of their own).
        import re

        pattern = node.get("pattern")
        for candidate in (_EXAMPLE.get(name), *_EXAMPLE.values(), "example"):
            if isinstance(candidate, str) and (not pattern or re.search(pattern, candidate)):
                return candidate
    if "integer" in types or "number" in types:
        return 1
    if "boolean" in types:
        return True
    for alt in node.get("anyOf", []) + node.get("oneOf", []):
        got = _example(name, alt, root)
        if got is not None:
            return got
    return None


def _object_example(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The smallest valid mapping among: the required keys, all keys, all keys but one (schemas
    such as an external reference require one of two keys and forbid both)."""
    from jsonschema import Draft202012Validator

    props = node.get("properties", {})
    full = {k: _example(k, v, root) for k, v in props.items()}
    required = {k: v for k, v in full.items() if k in node.get("required", [])}
    candidates = [required, full, *({k: v for k, v in full.items() if k != drop} for drop in full)]
    check = Draft202012Validator({**node, "$defs": root.get("$defs", {})})
    return next((c for c in candidates if check.is_valid(c)), required)


def _default(node: dict[str, Any], root: dict[str, Any], example: Any) -> Any:
    node = schemas.resolve_ref(root, node)
    if "default" in node:
        return node["default"]
    if "enum" in node:
        return None if None in node["enum"] else node["enum"][0]
    types = _types(node)
    if "array" in types:
        return []
    if "null" in types:
        return None
    return example


def _annotate(prop: dict[str, Any], name: str, root: dict[str, Any], markdown: bool) -> dict[str, Any]:
    out = dict(prop)
    if "$ref" in out and len(out) > 1:
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    resolved = schemas.resolve_ref(root, prop)
    desc = prop.get("description") or resolved.get("description") or name.replace("_", " ")
    out.setdefault("description", desc)
    example = _example(name, prop, root)
    out.setdefault("examples", [example])
    out.setdefault("default", _default(prop, root, example))
    if markdown:
        choices = [v for v in resolved.get("enum", []) if v is not None]
        md = desc + ("\n\nOne of: " + ", ".join(f"`{v}`" for v in choices) if choices else "")
        out.setdefault("markdownDescription", md)
    return out


def _walk(node: Any, root: dict[str, Any], markdown: bool) -> Any:
    if isinstance(node, list):
        return [_walk(v, root, markdown) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _CUSTOM:
            continue
        if key == "$ref" and isinstance(value, str):
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "$defs":
            out["definitions"] = {k: _walk(v, root, markdown) for k, v in value.items()}
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: _walk(_annotate(v, k, root, markdown), root, markdown) if isinstance(v, dict) else v
                        for k, v in value.items()}
        else:
            out[key] = _walk(value, root, markdown)
    required = out.get("required")
    if isinstance(required, list) and required:
        # Strict Ajv (strictRequired) wants each required name declared beside it; `{}` accepts
        # anything, so a branch like `anyOf: [{required: [repo]}]` validates exactly as before.
        props = out.get("properties")
        if not isinstance(props, dict):
            props = out["properties"] = {}
        for name in required:
            props.setdefault(name, {})
    return out


def file_name(kind: str, generation: str | None = None) -> str:
    return schemas.schema_file(kind, generation).name


def export(kind: str, generation: str | None, variant: str) -> dict[str, Any]:
    """The ``variant`` of the schema of ``kind`` (chunks: ``generation``, default the latest)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    name = file_name(kind, generation)
    root = copy.deepcopy(schemas.load_schema(name))
    out = _walk(root, root, markdown=variant == "yaml-language-server")
    out["$schema"] = DRAFT_07
    out["$id"] = f"{RAW_BASE}{variant}/{name}"
    return {"$schema": out.pop("$schema"), "$id": out.pop("$id"), **out}


def render(kind: str, generation: str | None, variant: str) -> str:
    return json.dumps(export(kind, generation, variant), indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """Repository-relative path -> content of every committed editor schema."""
    out: dict[str, str] = {}
    for (kind, generation), name in schemas.SCHEMA_FOR.items():
        for variant in VARIANTS:
            out[f"{EDITORS_DIR}/{variant}/{name}"] = render(kind, generation, variant)
    for kind, name in schemas.PROJECT_SCHEMAS.items():
        for variant in VARIANTS:
            out[f"{EDITORS_DIR}/{variant}/{name}"] = render(kind, None, variant)
    return out
