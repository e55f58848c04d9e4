"""Machine-readable output that people can still read, encoded by json's C encoder.

``json.dumps(indent=...)`` switches to the pure-Python encoder: seconds for 10,000 findings.
Here top-level keys and list items get a line each and everything inside a line is compact.
"""

from __future__ import annotations

import json
from typing import Any


def _enc(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(", ", ": "))


def _list(items: list[Any], indent: str) -> str:
    if not items:
        return "[]"
    rows = f",\n{indent}  ".join(_enc(x) for x in items)
    return f"[\n{indent}  {rows}\n{indent}]"


def dumps(document: Any) -> str:
    """A JSON document: objects and lists at the top level are spread one entry per line."""
    if isinstance(document, list):
        return _list(document, "")
    if not isinstance(document, dict) or not document:
        return _enc(document)
    parts = []
    for key, value in document.items():
        text = _list(value, "  ") if isinstance(value, list) else _enc(value)
        parts.append(f"  {_enc(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"
