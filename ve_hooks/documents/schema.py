"""The bundled JSON Schemas: which one a document follows, loaded and compiled once per process.

Chunk generation is decided from the document itself, never from a version field (there is
none) or the file's age:

* ``v3`` when any key only the third template (or newer vibe-engineer) writes is present:
  ``investigation``, ``subsystems``, ``friction_entries``, ``bug_type``, ``created_after``,
  ``depends_on``, ``proposed_chunks``, ``dependents`` -- or ``status: COMPOSITE``;
* else ``v2`` when ``narrative`` is present, ``status`` is ``FUTURE``, or any
  ``code_references`` item is symbolic (has ``ref``);
* else ``v1``.

So a document is judged by the newest template it claims to follow, and a key of a newer
generation can never be "unknown" to the schema picked for it.

Schemas allow unknown keys (editors must not scream at a team's own conventions); the
schema rules (``ve_hooks.rules.schema``) report them as VE205 with a did-you-mean hint.
jsonschema is imported lazily and one validator per schema is compiled per process: the hooks
start on every commit and most runs validate nothing.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent.parent / "schemas"  # ve_hooks/schemas: the bundled copy

KINDS = ("chunk", "narrative", "investigation", "subsystem", "external", "friction")
GENERATIONS = ("v1", "v2", "v3")
LATEST_GENERATION = "v3"

# (kind, generation) -> schema file in SCHEMA_DIR. Only chunks have generations.
SCHEMA_FOR: dict[tuple[str, str | None], str] = {
    ("chunk", "v1"): "chunk-goal.v1.json",
    ("chunk", "v2"): "chunk-goal.v2.json",
    ("chunk", "v3"): "chunk-goal.v3.json",
    ("narrative", None): "narrative.json",
    ("investigation", None): "investigation.json",
    ("subsystem", None): "subsystem.json",
    ("external", None): "external.json",
    ("friction", None): "friction.json",
}

# The files around the artifacts that vibe-engineer 0.10.0 reads or writes (checked by the VE8xx
# family, ``ve_hooks.rules.project_files``): kind -> schema file in SCHEMA_DIR.
PROJECT_SCHEMAS: dict[str, str] = {
    "ve-config": "ve-config.json",
    "ve-workspace": "ve-workspace.json",
    "hook-fragment": "hook-fragment.json",
    "skills-manifest": "skills-manifest.json",
    "skill": "skill.json",
    "reviewer-decision": "reviewer-decision.json",
    "deletion-grant": "deletion-grant.json",
    "task-config": "task-config.json",
    "reviewer-metadata": "reviewer-metadata.json",
}

V3_KEYS = frozenset({
    "investigation", "subsystems", "friction_entries", "bug_type", "created_after",
    "depends_on", "proposed_chunks", "dependents",
})

# How a kind is named in messages.
KIND_WORDS = {
    "chunk": "chunk", "narrative": "narrative", "investigation": "investigation",
    "subsystem": "subsystem", "external": "external reference", "friction": "friction log",
}


def generation_of(data: dict[str, Any]) -> str:
    """The chunk template generation a document follows: ``"v1"``, ``"v2"`` or ``"v3"``."""
    if V3_KEYS.intersection(data) or data.get("status") == "COMPOSITE":
        return "v3"
    refs = data.get("code_references")
    symbolic = isinstance(refs, list) and any(isinstance(r, dict) and "ref" in r for r in refs)
    if "narrative" in data or data.get("status") == "FUTURE" or symbolic:
        return "v2"
    return "v1"


def schema_file(kind: str, generation: str | None = None) -> Path:
    """Path of the schema for ``kind`` (chunks: ``generation``, default the latest)."""
    if kind in PROJECT_SCHEMAS:
        if generation is not None:
            raise ValueError(f"only chunks have template generations, not {kind}")
        return SCHEMA_DIR / PROJECT_SCHEMAS[kind]
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join((*KINDS, *PROJECT_SCHEMAS))}")
    if kind == "chunk":
        generation = generation or LATEST_GENERATION
        if generation not in GENERATIONS:
            raise ValueError(f"unknown generation {generation!r}; expected one of {', '.join(GENERATIONS)}")
    elif generation is not None:
        raise ValueError(f"only chunks have template generations, not {kind}")
    return SCHEMA_DIR / SCHEMA_FOR[(kind, generation)]


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema file ``name`` (e.g. ``"chunk-goal.v3.json"``), read once per process."""
    with (SCHEMA_DIR / name).open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


@functools.cache
def validator(name: str) -> Any:
    """One compiled Draft 2020-12 validator per schema per process (imports jsonschema lazily)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


@functools.cache
def fast_validator(name: str) -> Any:
    """A jsonschema-rs validator used only to answer "is it valid?" (None when unavailable).

    Nearly every document is valid, and jsonschema-rs answers that ~25x faster than the pure
    Python validator. When it says invalid, the Python validator still produces every error
    with its path, so diagnostics are the same either way (tests check the two agree).
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the wheel is a dependency, but stay correct without it
        return None
    try:
        return jsonschema_rs.validator_for(load_schema(name))
    except Exception:  # a schema feature it does not support: fall back, never guess
        return None


def resolve_ref(root: dict[str, Any], node: Any) -> dict[str, Any]:
    """Follow local ``#/$defs/...`` references (the only kind our schemas use)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 16:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
        seen += 1
    return node if isinstance(node, dict) else {}


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "array": (list,), "object": (dict,), "string": (str,), "null": (type(None),),
    "integer": (int,), "number": (int, float), "boolean": (bool,),
}


def fits(value: Any, node: dict[str, Any]) -> bool:
    """Whether ``value`` has a type ``node`` allows: a did-you-mean must not suggest a list key for a date."""
    if "enum" in node:
        return value in node["enum"] or isinstance(value, str) and any(isinstance(v, str) for v in node["enum"])
    declared = node.get("type")
    if declared is None:
        return True
    names = declared if isinstance(declared, list) else [declared]
    if isinstance(value, bool):
        return "boolean" in names
    return any(isinstance(value, _JSON_TYPES.get(n, ())) for n in names)
