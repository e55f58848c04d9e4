"""``--statistics``: how many findings of each rule, in ruff's shape.

Text: one line per rule, most frequent first, ``COUNT<TAB>CODE<TAB>[*] name`` where ``[*]``
marks a rule whose findings a command can fix and ``[ ]`` one that needs a person; then the
usual summary line. JSON: a list of ``{"code", "name", "count", "fixable"}`` objects.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from ve_hooks.diagnostic import Diagnostic, Summary


def _name(code: str) -> str:
    from ve_hooks.rules import registry

    info = registry.get(code)
    return info.name if info is not None else ""


def rows(diagnostics: list[Diagnostic], unsafe_fixes: bool = False) -> list[dict[str, Any]]:
    """Per-rule counts, most frequent first, then by code; fixable as the text format marks it."""
    from ve_hooks.report.text import fixable_now

    counts = Counter(d.rule for d in diagnostics)
    fixable = {d.rule for d in diagnostics if fixable_now(d, unsafe_fixes)}
    return [{"code": code, "name": _name(code), "count": n, "fixable": code in fixable}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(fmt: str, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO,
           unsafe_fixes: bool = False) -> None:
    """Write the statistics in ``fmt`` (json, or text for every other format)."""
    table = rows(diagnostics, unsafe_fixes)
    if fmt == "json":
        from ve_hooks.report.json import jsonable
        from ve_hooks.report.jsonout import dumps

        stream.write(dumps(jsonable(table)) + "\n")
        return
    from ve_hooks.report.text import summary_line
    from ve_hooks.sanitize import one_line

    width = len(str(table[0]["count"])) if table else 1
    for r in table:
        marker = "[*]" if r["fixable"] else "[ ]"
        stream.write(f"{r['count']:>{width}}\t{one_line(r['code'], 20)}\t{marker} {r['name']}\n")
    stream.write(summary_line(diagnostics, summary, unsafe_fixes) + "\n")
