"""Machine-readable output that people can still read, encoded by json's C encoder.

``json.dumps(indent=...)`` switches to the pure-Python encoder: seconds for 10,000 findings.
Here top-level keys and list items get a line each and everything inside a line is compact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# One encoder for every line: json.dumps with options builds a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(", ", ": ")).encode


def compact(value: Any) -> str:
    """One value as compact ASCII JSON (C encoder; NaN and infinities refused)."""
    return _COMPACT(value)


def _list(items: list[Any], indent: str, enc: Callable[[Any], str]) -> str:
    if not items:
        return "[]"
    rows = f",\n{indent}  ".join(enc(x) for x in items)
    return f"[\n{indent}  {rows}\n{indent}]"


def dumps(document: Any, encode: Callable[[Any], str] = compact) -> str:
    """A JSON document: objects and lists at the top level are spread one entry per line.
    ``encode`` turns one line's value into JSON text (the default: compact, ASCII, no NaN)."""
    if isinstance(document, list):
        return _list(document, "", encode)
    if not isinstance(document, dict) or not document:
        return encode(document)
    parts = []
    for key, value in document.items():
        text = _list(value, "  ", encode) if isinstance(value, list) else encode(value)
        parts.append(f"  {compact(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"
