"""Where the cursor is in frontmatter being typed, read from the lines themselves.

Frontmatter being typed is often not valid YAML yet (``status: ACT``, a dangling ``- ``), so
the cursor's place is the key on its line, or the keys of the less indented lines above it.
Positions are 0-based lines and code-point columns; the server converts to UTF-16.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][\w.-]*)\s*:(?=\s|$)")
_DASH = re.compile(r"^(\s*)-(\s+|$)")
_STOP = set(" \t,[]{}\"'")


@dataclass(frozen=True)
class Cursor:
    """Where the cursor is in the frontmatter: the key path (list indices left out), whether
    it is on a key (or where one would be typed), and the word under it."""

    path: tuple[str, ...]
    on_key: bool
    token: str
    start: int  # column of the token's first character
    end: int  # column just past it
    line: int
    indent: int


def lines_of(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def frontmatter_lines(lines: list[str], yaml_file: bool) -> tuple[int, int] | None:
    """(first, last) line index of the YAML the file holds (fences excluded)."""
    if yaml_file:
        return 0, len(lines) - 1
    if not lines or not re.fullmatch(r"---[ \t]*", lines[0].lstrip("\ufeff")):
        return None
    for i in range(1, len(lines)):
        if re.fullmatch(r"(?:---|\.\.\.)[ \t]*", lines[i]):
            return 1, i - 1
    return 1, len(lines) - 1  # unclosed while typing: the rest of the file


def key_column(line: str) -> tuple[int, str] | None:
    m = _KEY.match(line)
    return (m.start(3), m.group(3)) if m else None


def _parents(lines: list[str], first: int, row: int, col: int) -> tuple[str, ...]:
    """Keys of the less indented lines above ``row`` that own column ``col``."""
    out: list[str] = []
    for i in range(row - 1, first - 1, -1):
        if col == 0:
            break
        s = lines[i]
        if not s.strip() or s.lstrip().startswith("#"):
            continue
        k = key_column(s)
        dash = _DASH.match(s)
        indent = len(s) - len(s.lstrip(" "))
        if k is not None and k[0] < col:
            out.append(k[1])
            col = k[0]
            if dash is not None and dash.start() < col:
                col = len(dash.group(1)) + 1  # an item's first key belongs to the list above the dash
        elif indent < col and dash is None:
            break
    return tuple(reversed(out))


def _token(line: str, col: int) -> tuple[str, int, int]:
    start = col
    while start > 0 and line[start - 1] not in _STOP:
        start -= 1
    end = col
    while end < len(line) and line[end] not in _STOP:
        end += 1
    return line[start:end], start, end


def cursor_at(text: str, row: int, col: int, *, yaml_file: bool = False) -> Cursor | None:
    lines = lines_of(text)
    span = frontmatter_lines(lines, yaml_file)
    if span is None or not (span[0] <= row <= span[1]) or row >= len(lines):
        return None
    first = span[0]
    line = lines[row]
    col = min(col, len(line))
    token, start, end = _token(line, col)
    m = _KEY.match(line)
    if m is not None:
        key_col = m.start(3)
        parents = _parents(lines, first, row, key_col if not m.group(2) else len(m.group(1)) + 1)
        if col > m.end():
            return Cursor((*parents, m.group(3)), False, token, start, end, row, key_col)
        return Cursor((*parents, m.group(3)), True, m.group(3), m.start(3), m.end(3), row, key_col)
    dash = _DASH.match(line)
    if dash is not None and col >= dash.end():
        # `- value`: an item of the list owned by the key above; `- ke` may also start a mapping item.
        parents = _parents(lines, first, row, len(dash.group(1)) + 1)
        return Cursor(parents, False, token, start, end, row, dash.end())
    indent = len(line) - len(line.lstrip(" "))
    parents = _parents(lines, first, row, indent)
    return Cursor((*parents, token) if token else parents, True, token, start, end, row, indent)
