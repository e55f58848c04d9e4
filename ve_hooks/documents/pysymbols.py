"""The symbols a Python file defines, as ``::``-joined paths (``Class::method``).

Code references name symbols, not lines, so they survive edits; checking them needs only the
names a module binds. Classes, functions (nested at any depth) and assignments at module and
class level count; statements under ``if``/``try``/``with``/loops at the same level count too
(``if TYPE_CHECKING:`` definitions, ``try: import`` fallbacks). Imports do not: a reference
should point where the code lives, not where it is re-exported.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

SEP = "::"


@dataclass(frozen=True)
class Unparsable:
    """The source does not parse; ``reason`` says where."""

    reason: str


def _targets(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for e in node.elts for n in _targets(e)]
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return []


def _walk(body: list[ast.stmt], prefix: str, out: dict[str, int], *, bind_assignments: bool) -> None:
    """Symbol path -> the 1-based line of its first binding, into ``out``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = prefix + node.name
            out.setdefault(name, node.lineno)
            # Locals of a function are not addressable; its nested defs and classes are.
            _walk(node.body, name + SEP, out, bind_assignments=isinstance(node, ast.ClassDef))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if bind_assignments:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in _targets(t):
                        out.setdefault(prefix + n, node.lineno)
        elif type(node).__name__ == "TypeAlias" and bind_assignments:  # 3.12 ``type X = ...``
            for n in _targets(node.name):  # type: ignore[attr-defined]
                out.setdefault(prefix + n, node.lineno)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                sub = getattr(node, field, None)
                if isinstance(sub, list):
                    stmts = [s for s in sub if isinstance(s, ast.stmt)]
                    for s in sub:  # except handlers and match cases hold their own bodies
                        if isinstance(s, (ast.ExceptHandler, ast.match_case)):
                            stmts.extend(s.body)
                    _walk(stmts, prefix, out, bind_assignments=bind_assignments)


# Above this a module is not parsed: ast takes ~400 bytes of memory per byte of source (an 18 MB
# generated file took 7 GB and 45 s). Hand-written modules are far smaller.
MAX_SOURCE = 2 * 1024 * 1024


@dataclass(frozen=True)
class TooLarge:
    """The source is over :data:`MAX_SOURCE` bytes: its symbols are not read."""

    size: int

    @property
    def reason(self) -> str:
        return f"it is {self.size:,} bytes, over the {MAX_SOURCE:,}-byte limit for symbol checks"


def symbols(source: bytes | str) -> set[str] | Unparsable:
    """Every addressable symbol path of a Python module, or why it could not be parsed."""
    found = lines(source)
    return found if isinstance(found, Unparsable) else set(found)


def lines(source: bytes | str) -> dict[str, int] | Unparsable:
    """Every addressable symbol path -> the 1-based line that binds it (the language server's
    go-to-definition), or why the module could not be parsed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
            tree = ast.parse(source)
    except SyntaxError as e:
        return Unparsable(f"line {e.lineno or '?'}: {e.msg}")
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
        return Unparsable(type(e).__name__ + (f": {e}" if str(e) else ""))
    out: dict[str, int] = {}
    _walk(tree.body, "", out, bind_assignments=True)
    return out


def to_json(value: set[str] | Unparsable) -> dict[str, object]:
    """A cacheable form (the cache namespace is "pysymbols", keyed by blob id)."""
    if isinstance(value, Unparsable):
        return {"error": value.reason}
    return {"symbols": sorted(value)}


def from_json(value: object) -> set[str] | Unparsable | None:
    """The cached form back; None when the entry is damaged (treated as a miss)."""
    if isinstance(value, dict):
        if isinstance(value.get("error"), str):
            return Unparsable(value["error"])
        syms = value.get("symbols")
        if isinstance(syms, list) and all(isinstance(s, str) for s in syms):
            return set(syms)
    return None
