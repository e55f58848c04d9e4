"""Run inside a Python 3.12 virtualenv that has vibe-engineer installed (never imports ve_hooks).

Reads JSON lines ``{"kind": ..., "text": ...}`` on stdin and prints one JSON line per input:
``{"ok": bool, "errors": [...]}``, the verdict of vibe-engineer's own frontmatter reader
(PyYAML ``safe_load`` + the kind's pydantic model), exactly as ``ve`` validates an artifact.
"""

from __future__ import annotations

import json
import sys

from frontmatter import parse_frontmatter_from_content_with_errors
from models import ChunkFrontmatter, InvestigationFrontmatter, NarrativeFrontmatter, SubsystemFrontmatter

MODELS = {"chunk": ChunkFrontmatter, "narrative": NarrativeFrontmatter,
          "investigation": InvestigationFrontmatter, "subsystem": SubsystemFrontmatter}

for line in sys.stdin:
    case = json.loads(line)
    try:
        model, errors = parse_frontmatter_from_content_with_errors(case["text"], MODELS[case["kind"]])
    except Exception as e:  # a crash of the reader is a rejection too
        model, errors = None, [f"{type(e).__name__}: {e}"]
    print(json.dumps({"ok": model is not None, "errors": [str(x) for x in errors]}))
