"""What the cursor is on, and what hover, completion and go-to-definition answer there.

Where the cursor is comes from :mod:`ve_hooks.lsp.cursor` (read from the lines themselves,
since frontmatter being typed is often not valid YAML yet). Answers come from the bundled
schemas (descriptions, enums, the keys a kind and generation allow) and from the workspace (names, tips, titles, symbols).
Positions here are 0-based lines and code-point columns; the server converts to UTF-16.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter, pysymbols
from ve_hooks.documents import schema as schemas
from ve_hooks.lsp.cursor import Cursor, cursor_at, frontmatter_lines, key_column, lines_of
from ve_hooks.lsp.workspace import Workspace

# (kind, key path without list indices) -> the kind of artifact the value names.
REFERENCE_FIELDS: dict[tuple[str, ...], str] = {
    ("parent_chunk",): "chunk",
    ("narrative",): "narrative",
    ("investigation",): "investigation",
    ("subsystems", "subsystem_id"): "subsystem",
    ("depends_on",): "chunk",
    ("proposed_chunks", "chunk_directory"): "chunk",
    ("chunks", "chunk_directory"): "chunk",
    ("chunks", "chunk_id"): "chunk",
}
CODE_REFERENCE_FIELDS = {("code_references", "ref"), ("code_references", "file"), ("code_paths",)}

# -- schemas ------------------------------------------------------------------------------------

def schema_for(kind: str, data: dict[str, Any] | None) -> dict[str, Any]:
    generation = schemas.generation_of(data or {}) if kind == "chunk" else None
    return schemas.load_schema(schemas.schema_file(kind, generation).name)


def schema_node(root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    """The schema of the value at ``path`` (list levels stepped through)."""
    node = schemas.resolve_ref(root, root)
    for part in path:
        while node.get("type") == "array" or "items" in node and "properties" not in node:
            node = schemas.resolve_ref(root, node.get("items", {}))
        props = node.get("properties", {})
        if part not in props:
            return None
        node = schemas.resolve_ref(root, props[part])
    return node


def _items(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "items" in node and "properties" not in node:
        node = schemas.resolve_ref(root, node["items"])
    return node


def _enum(root: dict[str, Any], node: dict[str, Any]) -> list[Any]:
    node = _items(root, node)
    if "enum" in node:
        return list(node["enum"])
    for alt in node.get("anyOf", []) + node.get("oneOf", []):
        alt = schemas.resolve_ref(root, alt)
        if "enum" in alt:
            return list(alt["enum"])
    return []


# -- answers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # "key" | "value" | "reference" | "file" | "symbol"
    detail: str = ""
    doc: str = ""
    sort: str = ""
    insert: str | None = None


def _data(text: str, yaml_file: bool) -> dict[str, Any] | None:
    r = (frontmatter.parse_yaml_file if yaml_file else frontmatter.parse)(text.encode("utf-8", "surrogateescape"))
    return r.data if isinstance(r, frontmatter.Doc) else None


def reference_kind(a: art.ArtifactPath, path: tuple[str, ...]) -> str | None:
    if path == ("created_after",):
        return a.kind if a.kind in art.KINDS else None
    if a.kind != "chunk" and path in (("parent_chunk",), ("narrative",), ("depends_on",)):
        return None
    return REFERENCE_FIELDS.get(path)


def title_of(ws: Workspace, kind: str, name: str) -> tuple[str, str] | None:
    """(status, title) of an artifact; the title is its first markdown heading."""
    a = ws.names(kind).get(name)
    if a is None:
        return None
    text = ws.text(a.path) or ""
    r = ws.doc(kind, name)
    status = r.data.get("status") if isinstance(r, frontmatter.Doc) else None
    m = re.search(r"(?m)^#\s+(.+?)\s*$", text.split("\n---", 1)[-1] if not a.path.endswith(".yaml") else "")
    return (str(status) if status is not None else "(no status)", m.group(1) if m else "")


def hover(ws: Workspace, a: art.ArtifactPath, text: str, row: int, col: int) -> tuple[str, Cursor] | None:
    """Markdown for the thing under the cursor."""
    yaml_file = a.role == "external"
    c = cursor_at(text, row, col, yaml_file=yaml_file)
    if c is None or not c.path:
        return None
    kind = a.schema_kind
    root = schema_for(kind, _data(text, yaml_file))
    if not c.on_key:
        ref = reference_kind(a, c.path)
        if ref is not None and c.token:
            name = art.normalize_ref(c.token, ref)
            got = title_of(ws, ref, name)
            if got is None:
                return f"**{name}**: no {ref} of that name in this repository", c
            status, title = got
            return f"**{name}** ({ref}, {status})" + (f"\n\n{title}" if title else ""), c
    node = schema_node(root, c.path)
    if node is None:
        return None
    desc = node.get("markdownDescription") or node.get("description") or ""
    choices = _enum(root, node)
    out = f"**{c.path[-1]}**"
    if desc:
        out += f"\n\n{desc}"
    if choices:
        out += "\n\nOne of: " + ", ".join(f"`{v}`" for v in choices if v is not None)
    return out, c


def completions(ws: Workspace, a: art.ArtifactPath, text: str, row: int, col: int) -> tuple[list[Item], Cursor] | None:
    yaml_file = a.role == "external"
    c = cursor_at(text, row, col, yaml_file=yaml_file)
    if c is None:
        return None
    data = _data(text, yaml_file)
    root = schema_for(a.schema_kind, data)
    items: list[Item] = []
    if c.on_key:
        parent = c.path[:-1] if c.token else c.path
        node = schema_node(root, parent) if parent else schemas.resolve_ref(root, root)
        if node is None:
            return [], c
        node = _items(root, node)
        present = set(_siblings(text, c, yaml_file))
        for key, sub in node.get("properties", {}).items():
            if key in present and key != c.token:
                continue
            sub = schemas.resolve_ref(root, sub)
            items.append(Item(key, "key", detail=_type_label(sub), doc=sub.get("description", ""),
                              insert=f"{key}: "))
        return items, c
    ref = reference_kind(a, c.path)
    if ref is not None:
        tips = ws.tips(ref) if c.path == ("created_after",) else []
        own = a.name if ref == a.kind else None
        for name in sorted(ws.names(ref)):
            if name == own:
                continue
            tip = name in tips
            items.append(Item(name, "reference", detail=f"{ref} (tip)" if tip else ref,
                              sort=("0" if tip else "1") + name))
        return items, c
    if c.path in CODE_REFERENCE_FIELDS:
        return _code_items(ws, c), c
    node = schema_node(root, c.path)
    if node is not None:
        for v in _enum(root, node):
            if v is not None:
                items.append(Item(str(v), "value", doc=node.get("description", "")))
    return items, c


def _type_label(node: dict[str, Any]) -> str:
    t = node.get("type")
    return " | ".join(t) if isinstance(t, list) else str(t or "")


def _siblings(text: str, c: Cursor, yaml_file: bool) -> list[str]:
    """Keys already written at the cursor's level (so completion does not offer them again)."""
    lines = lines_of(text)
    span = frontmatter_lines(lines, yaml_file)
    if span is None:
        return []
    out = []
    for i in range(span[0], span[1] + 1):
        if i == c.line:
            continue
        k = key_column(lines[i])
        if k is not None and k[0] == c.indent and (c.indent == 0 or abs(i - c.line) < 20):
            out.append(k[1])
    return out


def _code_items(ws: Workspace, c: Cursor) -> list[Item]:
    """Paths in the working tree, or ``path#Symbol`` names once a ``#`` is typed."""
    token = c.token
    if "#" in token:
        file_part = token.split("#", 1)[0]
        source = _read_code(ws, file_part)
        if source is None:
            return []
        syms = pysymbols.symbols(source) if file_part.endswith(".py") else set()
        if isinstance(syms, pysymbols.Unparsable):
            return []
        return [Item(f"{file_part}#{s}", "symbol", sort=f"{s.count('::')}{s}") for s in sorted(syms)]
    directory, _, _ = token.rpartition("/")
    base = ws.root / directory if directory else ws.root
    out = []
    try:
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return []
    for e in entries:
        if e.name == ".git" or e.name.startswith(".") and not token.rpartition("/")[2].startswith("."):
            continue
        rel = f"{directory}/{e.name}" if directory else e.name
        is_dir = e.is_dir(follow_symlinks=False)
        out.append(Item(rel + ("/" if is_dir else ""), "file", detail="directory" if is_dir else "file"))
    return out


def _read_code(ws: Workspace, rel: str) -> bytes | None:
    p = ws.root / rel
    try:
        real = os.path.realpath(p)
        if not real.startswith(os.path.realpath(ws.root) + os.sep) or not os.path.isfile(real):
            return None
        return Path(real).read_bytes()
    except OSError:
        return None


def symbol_line(source: bytes, symbol: str) -> int | None:
    """0-based line of ``A::b`` in a Python module, as VE703 reads its symbols
    (:func:`ve_hooks.documents.pysymbols.lines`); the deepest part found when the rest is not."""
    found = pysymbols.lines(source)
    if isinstance(found, pysymbols.Unparsable):
        return None
    parts = (symbol.replace(".", pysymbols.SEP) if pysymbols.SEP not in symbol else symbol).split(pysymbols.SEP)
    line = None
    for i in range(1, len(parts) + 1):
        at = found.get(pysymbols.SEP.join(parts[:i]))
        if at is None:
            return line
        line = at - 1
    return line


def definition(ws: Workspace, a: art.ArtifactPath, text: str, row: int, col: int
               ) -> tuple[str, int, int] | None:
    """(repo-relative path, first line, last line) the thing under the cursor points at."""
    yaml_file = a.role == "external"
    c = cursor_at(text, row, col, yaml_file=yaml_file)
    if c is None or c.on_key or not c.token:
        return None
    ref = reference_kind(a, c.path)
    if ref is not None:
        target = ws.names(ref).get(art.normalize_ref(c.token, ref))
        return (target.path, 0, 0) if target is not None else None
    if c.path in (("code_references", "ref"), ("code_references", "file"), ("code_paths",)):
        file_part, _, sym = c.token.partition("#")
        if _read_code(ws, file_part) is None:
            return None
        if sym:
            line = symbol_line(_read_code(ws, file_part) or b"", sym)
            return file_part, line or 0, line or 0
        return file_part, 0, 0
    if c.path == ("code_references", "ranges", "lines"):
        m = re.match(r"(\d+)(?:-(\d+))?", c.token)
        file_part = _enclosing_file(text, c)
        if m and file_part and _read_code(ws, file_part) is not None:
            first = int(m.group(1)) - 1
            return file_part, max(first, 0), max(int(m.group(2) or m.group(1)) - 1, 0)
    return None


def _enclosing_file(text: str, c: Cursor) -> str | None:
    """The ``file:`` of the v1 code reference item a ``lines:`` value sits in."""
    lines = lines_of(text)
    for i in range(c.line - 1, -1, -1):
        m = re.match(r"^\s*(?:-\s+)?file\s*:\s*['\"]?([^'\"#\s]+)", lines[i])
        if m:
            return m.group(1)
        if re.match(r"^\S", lines[i]):
            break
    return None
