"""Commands of a documentation page, as written, so tests run them verbatim.

A block is a fenced ``sh`` block preceded by ``<!-- docs-test: NAME -->``; its commands are its
lines that are neither empty nor comments (output shown as ``#  ...`` is not a command).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"<!-- docs-test: (?P<name>[\w-]+) -->\n```sh\n(?P<body>.*?)```", re.DOTALL)


def blocks(doc: str) -> dict[str, list[str]]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return {m["name"]: [line for line in m["body"].splitlines() if line.strip() and not line.lstrip().startswith("#")]
            for m in _BLOCK.finditer(text)}
