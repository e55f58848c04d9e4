"""Fixes: what a rule proposes to change, turned into byte-preserving text edits on demand.

A rule attaches a :class:`Fix` to the diagnostic it emits. The fix says *what* to change in
frontmatter terms (this value, this key, this list), never at which offset: a finding may come
from the cache, and an editor buffer moves under it. :func:`edits_for` locates the span with
the YAML composer's marks in the text it is given, applies the change, re-parses the result
and refuses unless exactly the intended change happened (every other value, key and the body
unchanged). Nothing here writes files; ``ve-validate --fix`` and the language server do, with
:func:`apply` and :func:`ve_hooks.writer.atomic_write`.

Applicability follows ruff: ``safe`` fixes cannot change what the author meant (quoting a
value YAML would read as another type, a case/spelling normalisation with one candidate,
filling an empty created_after with the tips, following a rename);
``unsafe`` ones are guesses a human should look at (a fuzzy did-you-mean).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

    from ve_hooks.documents import frontmatter

# PyYAML, the parser and the writer are imported where a fix is applied, not where one is made
# or decoded: a replayed run decodes cached fixes without ever applying one.

SAFE = "safe"
UNSAFE = "unsafe"

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Change:
    """One frontmatter change. ``op``: ``value`` (set the scalar at ``path`` to the string
    ``value``), ``quote`` (make the plain scalar at ``path`` the string it is written as),
    ``key`` (rename the mapping key at ``path`` to ``value``), ``list`` (set top-level key
    ``path[0]`` to the strings ``values``)."""

    op: str
    path: JsonPath
    value: str = ""
    values: tuple[str, ...] = ()

    def to_json(self) -> list[Any]:
        return [self.op, list(self.path), self.value, list(self.values)]

    @classmethod
    def from_json(cls, v: list[Any]) -> Change:
        return cls(str(v[0]), tuple(v[1]), str(v[2]), tuple(str(x) for x in v[3]))


@dataclass(frozen=True)
class Fix:
    """A proposed fix: a title for menus and logs, the changes, and how safe it is."""

    title: str
    changes: tuple[Change, ...]
    applicability: str = SAFE

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE

    def to_json(self) -> list[Any]:
        return [self.title, self.applicability, [c.to_json() for c in self.changes]]

    @classmethod
    def from_json(cls, v: Any) -> Fix | None:
        if not isinstance(v, list) or len(v) != 3:
            return None
        try:
            return cls(str(v[0]), tuple(Change.from_json(c) for c in v[2]), str(v[1]))
        except (TypeError, ValueError, IndexError):
            return None


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` (offsets in the decoded text, BOM excluded) with ``new``."""

    start: int
    end: int
    new: str


# -- constructors the rules use ---------------------------------------------------------------

def _norm(s: str) -> str:
    return re.sub(r"[\s_-]+", "_", s.strip()).upper()


def set_value(path: JsonPath, old: object, new: str, what: str) -> Fix:
    """Replace a misspelt value; safe when only case, spacing or ``-``/``_`` differ."""
    safe = isinstance(old, str) and _norm(old) == _norm(new)
    return Fix(f"Change {what} to {new!r}", (Change("value", path, new),), SAFE if safe else UNSAFE)


def rename_key(path: JsonPath, new: str) -> Fix:
    """Rename a misspelt key; safe when only case, spacing or ``-``/``_`` differ."""
    old = str(path[-1])
    safe = _norm(old) == _norm(new)
    return Fix(f"Rename {old!r} to {new!r}", (Change("key", path, new),), SAFE if safe else UNSAFE)


def quote(path: JsonPath, label: str) -> Fix:
    """Quote a plain scalar YAML reads as a number, date or boolean: the text stays as written."""
    return Fix(f"Quote {label}", (Change("quote", path),), SAFE)


def fill_list(key: str, values: Sequence[str], title: str) -> Fix:
    return Fix(title, (Change("list", (key,), values=tuple(values)),), SAFE)


def follow_rename(path: JsonPath, old: str, new: str) -> Fix:
    """Replace a renamed artifact's old name with its new one: the same artifact, so safe (the
    rename is one git recorded by content, or the legacy numbered name of the only match)."""
    return Fix(f"Replace {old!r} with {new!r}", (Change("value", path, new),), SAFE)


# -- materialising ----------------------------------------------------------------------------

@dataclass
class _Text:
    """A parsed file: decoded text, where its YAML starts, the composed root node, the Doc."""

    text: str
    bom: bool
    yaml_start: int
    root: yaml.MappingNode
    doc: frontmatter.Doc
    yaml_file: bool


_FENCE_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_BOM = b"\xef\xbb\xbf"


def _parse(raw: bytes, yaml_file: bool) -> _Text | None:
    import yaml

    from ve_hooks.documents import frontmatter

    result = frontmatter.parse_yaml_file(raw) if yaml_file else frontmatter.parse(raw)
    if not isinstance(result, frontmatter.Doc) or any(p.rule == "VE105" for p in result.problems):
        return None  # unparsable, or duplicate keys (which one would we edit?): never touched
    bom = raw.startswith(_BOM)
    text = (raw[3:] if bom else raw).decode("utf-8")
    if yaml_file:
        start, end = 0, len(text)
    else:
        first = _FENCE_LINE.match(text)
        if first is None:
            return None
        start = first.end()
        end = start
        for _ in range(result.fm_end - 2):  # frontmatter lines sit between the fences
            m = _FENCE_LINE.match(text, end)
            if m is None:
                return None
            end = m.end()
    try:
        root = yaml.compose(text[start:end], Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    return _Text(text, bom, start, root, result, yaml_file)


def _node(root: yaml.Node, path: JsonPath) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(key node, value node) at ``path`` (key None for a list item); (None, None) when absent."""
    import yaml

    key: yaml.Node | None = None
    node: yaml.Node | None = root
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            hits = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part]
            if len(hits) != 1:
                return None, None
            key, node = hits[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            key, node = None, node.value[part]
        else:
            return None, None
    return key, node


def _dq(s: str) -> str:
    """A YAML double-quoted scalar for ``s`` (JSON strings are valid ones)."""
    return json.dumps(s, ensure_ascii=False)


def _render(new: str, like: yaml.ScalarNode) -> str:
    """``new`` in the style of the scalar it replaces: plain stays plain when YAML reads it back
    as the same string, quotes keep their kind."""
    import yaml

    if like.style == "'" and "\n" not in new:
        return "'" + new.replace("'", "''") + "'"
    if like.style is None and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", new):
        try:
            if yaml.safe_load(new) == new:
                return new
        except yaml.YAMLError:
            pass
    return _dq(new)


def _set(data: Any, path: JsonPath, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _edit(t: _Text, change: Change) -> tuple[TextEdit, dict[str, Any]] | None | bool:
    """The edit for one change and the data it must produce; True when already applied."""
    import yaml

    expected = copy.deepcopy(t.doc.data)
    off = t.yaml_start
    k, v = _node(t.root, change.path)
    if change.op == "key":
        if k is None:
            owner = _node(t.root, change.path[:-1])[1] if len(change.path) > 1 else t.root
            done = isinstance(owner, yaml.MappingNode) and any(
                isinstance(kk, yaml.ScalarNode) and kk.value == change.value for kk, _ in owner.value)
            return True if done else None
        if not isinstance(k, yaml.ScalarNode) or k.style is not None:
            return None
        owner_data = t.doc.data
        for part in change.path[:-1]:
            owner_data = owner_data[part]
        if change.value in owner_data:
            return None  # renaming onto an existing key would make a duplicate
        parent_expected = expected
        for part in change.path[:-1]:
            parent_expected = parent_expected[part]
        parent_expected[change.value] = parent_expected.pop(change.path[-1])
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", change.value):
            return None
        return TextEdit(off + k.start_mark.index, off + k.end_mark.index, change.value), expected
    if not isinstance(v, yaml.ScalarNode):
        return None
    if change.op == "quote":
        if v.style is not None:
            return True  # already quoted (or a block scalar): a string either way
        if v.tag.endswith(":str"):
            return True
        source = t.text[off + v.start_mark.index: off + v.end_mark.index]
        if not source or "\n" in source or "\r" in source or source != v.value:
            return None
        _set(expected, change.path, source)
        return TextEdit(off + v.start_mark.index, off + v.end_mark.index, _dq(source)), expected
    if change.op == "value":
        current: Any = t.doc.data
        try:
            for part in change.path:
                current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
        if current == change.value:
            return True
        if v.style in ("|", ">"):
            return None
        _set(expected, change.path, change.value)
        return TextEdit(off + v.start_mark.index, off + v.end_mark.index, _render(change.value, v)), expected
    return None


def _splice(text: str, e: TextEdit) -> str:
    return text[: e.start] + e.new + text[e.end:]


def _encode(t: _Text, text: str) -> bytes:
    return (_BOM if t.bom else b"") + text.encode("utf-8")


def edits_for(raw: bytes, fix: Fix, *, yaml_file: bool = False) -> list[TextEdit] | None:
    """Text edits that apply ``fix`` to ``raw`` ([] when it is already applied), or None when
    the file does not parse or the result cannot be shown to change only what the fix names.
    Offsets are into ``raw`` decoded as UTF-8 without its BOM."""
    t = _parse(raw, yaml_file)
    if t is None:
        return None
    edits: list[TextEdit] = []
    text = t.text
    for change in fix.changes:
        if change.op == "list":  # the writer's own verified list setter (inserts an absent key too)
            if yaml_file:
                return None
            from ve_hooks.documents.writer import set_list_field

            current = _encode(t, text)
            new = set_list_field(current, str(change.path[0]), list(change.values))
            if new is None:
                return None
            if new != current:
                check = _parse(new, yaml_file)
                if check is None:
                    return None
                edits.append(whole_edit(current, new))
                text, t = check.text, check
            continue
        got = _edit(t, change)
        if got is True:
            continue
        if got is None or got is False:
            return None
        edit, expected = got
        new_text = _splice(text, edit)
        check = _parse(_encode(t, new_text), yaml_file)
        if check is None or check.doc.data != expected or check.doc.body != t.doc.body:
            return None
        edits.append(edit)
        text, t = new_text, check
    return _compose(raw, text, t.bom) if edits else []


def _compose(raw: bytes, new_text: str, bom: bool) -> list[TextEdit]:
    """One edit covering what differs between the original text and ``new_text``."""
    old = (raw[3:] if bom else raw).decode("utf-8")
    i = 0
    n = min(len(old), len(new_text))
    while i < n and old[i] == new_text[i]:
        i += 1
    j = 0
    while j < n - i and old[len(old) - 1 - j] == new_text[len(new_text) - 1 - j]:
        j += 1
    return [TextEdit(i, len(old) - j, new_text[i: len(new_text) - j])]


def whole_edit(old: bytes, new: bytes) -> TextEdit:
    """The one edit that turns ``old`` into ``new`` (both parseable UTF-8 with the same BOM)."""
    bom = old.startswith(_BOM)
    return _compose(old, (new[3:] if bom else new).decode("utf-8"), bom)[0]


def apply(raw: bytes, fixes: Iterable[Fix], *, yaml_file: bool = False) -> tuple[bytes, list[Fix]]:
    """``raw`` with every fix that still applies applied, one after another, and those applied.
    Fixes that conflict or no longer fit are skipped; unparsable files come back unchanged."""
    applied: list[Fix] = []
    for fix in fixes:
        edits = edits_for(raw, fix, yaml_file=yaml_file)
        if not edits:
            continue
        bom = raw.startswith(_BOM)
        text = (raw[3:] if bom else raw).decode("utf-8")
        for e in sorted(edits, key=lambda e: e.start, reverse=True):
            text = _splice(text, e)
        raw = (_BOM if bom else b"") + text.encode("utf-8")
        applied.append(fix)
    return raw, applied
