"""Compose YAML safely and build plain data with the file position of every key and item.

PyYAML composes the node tree (the C loader when available); :class:`_Builder` constructs the
values itself, which is what lets us record positions, catch duplicate keys, refuse non-standard
tags without constructing them, and bound alias expansion ("billion laughs").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ve_hooks.documents.parsed import JsonPath, ParseError, Problem

if TYPE_CHECKING:
    import yaml

# PyYAML is imported on the first parse, not with this module: a run whose documents all come
# from the cache (a warm commit hook, a replayed ve-validate) never loads it.
_Loader: Any = None
_SAFE: Any = None


def _yaml() -> Any:
    global yaml, _Loader, _SAFE
    if _Loader is None:
        import yaml

        try:  # libyaml is an order of magnitude faster; the pure loader behaves the same.
            from yaml import CSafeLoader as _Loader
        except ImportError:  # pragma: no cover - depends on how PyYAML was built
            from yaml import SafeLoader as _Loader
        _SAFE = yaml.SafeLoader("")  # only its scalar constructors are used: pure functions of a node
    return yaml


# Bounds that keep hostile documents cheap (after alias expansion).
MAX_NODES = 200_000  # after alias expansion
MAX_DEPTH = 64
_STD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}


def parse_yaml(text: str, *, line_offset: int, problems: list[Problem]
               ) -> tuple[dict[str, Any], dict[JsonPath, tuple[int, int]], dict[JsonPath, tuple[int, int]]] | ParseError:
    """Compose ``text`` safely and build plain data, a position map and the paths of dates.

    ``line_offset`` is the number of file lines before ``text`` (1 for frontmatter).
    """
    yaml = _yaml()
    max_line = text.count("\n") + text.count("\r") - text.count("\r\n") + 1 + line_offset

    def at(mark: Any) -> tuple[int, int]:
        # Clamp: YAML also breaks lines at NEL/LS/PS, which our fence splitter does not.
        return (min(mark.line + 1 + line_offset, max_line), mark.column + 1)

    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = at(mark) if mark is not None else (1 + line_offset, 1)
        msg = _clean_yaml_message(e)
        if mark is not None and _tab_indented(text, mark.line):
            return ParseError(Problem("VE107", line, col, "tab character used for indentation in YAML",
                                      "indent YAML with spaces only"), problems)
        return ParseError(Problem("VE104", line, col, f"YAML syntax error: {msg}",
                                  "fix the YAML; a value with `: ` or `#` in it needs quotes"), problems)
    except yaml.YAMLError as e:  # reader errors (unacceptable characters) carry an offset only
        pos = getattr(e, "position", None)
        line, col = (1 + line_offset, 1)
        if isinstance(pos, int):
            head = text[:pos]
            line = min(len(re.findall(r"\r\n|\r|\n", head)) + 1 + line_offset, max_line)
            col = pos - max(head.rfind("\n"), head.rfind("\r"))
        return ParseError(Problem("VE104", line, col, f"YAML error: {_clean_yaml_message(e)}",
                                  "remove control characters from the frontmatter"), problems)
    except RecursionError:
        return ParseError(Problem("VE109", 1 + line_offset, 1, "YAML nesting is too deep",
                                  "frontmatter is flat metadata; flatten the structure"), problems)
    if node is None:
        return ParseError(Problem("VE106", 1 + line_offset, 1, "frontmatter is empty",
                                  "add the frontmatter keys of the template (status, ...)"), problems)
    if not isinstance(node, yaml.MappingNode):
        what = "a list" if isinstance(node, yaml.SequenceNode) else "a scalar"
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            what = "null"
        return ParseError(Problem("VE106", *at(node.start_mark), f"frontmatter is {what}, not a mapping",
                                  "frontmatter must be `key: value` lines"), problems)
    builder = _Builder(at, problems)
    try:
        data = builder.build(node, (), 0)
    except _Fatal as f:
        return ParseError(f.problem, problems)
    return data, builder.positions, builder.timestamps


class _Fatal(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem




class _Builder:
    def __init__(self, at: Any, problems: list[Problem]) -> None:
        self.at = at
        self.problems = problems
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.timestamps: dict[JsonPath, tuple[int, int]] = {}
        self.count = 0

    def build(self, node: yaml.Node, path: JsonPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Fatal(Problem("VE109", *self.at(node.start_mark),
                                 "frontmatter expands to too many values (alias bomb?)",
                                 "remove YAML anchors/aliases that multiply content"))
        if depth > MAX_DEPTH:
            raise _Fatal(Problem("VE109", *self.at(node.start_mark), "YAML nesting is too deep",
                                 "frontmatter is flat metadata; flatten the structure"))
        if node.tag not in _STD_TAGS:
            raise _Fatal(Problem("VE108", *self.at(node.start_mark),
                                 f"YAML tag {node.tag!r} is not allowed (it is never constructed)",
                                 "remove the tag; frontmatter holds plain strings, lists and mappings"))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.positions.setdefault((*path, i), self.at(item.start_mark))
                out.append(self.build(item, (*path, i), depth + 1))
            return out
        if node.tag.endswith(":timestamp") and path:
            self.timestamps[path] = self.at(node.start_mark)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag.endswith((":str", ":timestamp")):
            # Dates stay strings, as written: metadata is text, not datetime objects.
            return node.value
        try:
            if tag.endswith(":int"):
                return _SAFE.construct_yaml_int(node)
            if tag.endswith(":float"):
                return _SAFE.construct_yaml_float(node)
            if tag.endswith(":bool"):
                return _SAFE.construct_yaml_bool(node)
            if tag.endswith(":null"):
                return None
        except (ValueError, yaml.YAMLError) as e:
            raise _Fatal(Problem("VE104", *self.at(node.start_mark), f"bad scalar: {e}",
                                 "quote the value to make it a string")) from None
        raise _Fatal(Problem("VE104", *self.at(node.start_mark), f"a {tag} value cannot be a scalar",
                             "remove the explicit tag"))

    def _mapping(self, node: yaml.MappingNode, path: JsonPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag.endswith(":merge"):
                merged = self.build(value_node, path, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                for src in sources:
                    if isinstance(src, dict):
                        for k, v in src.items():
                            out.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Fatal(Problem("VE104", *self.at(key_node.start_mark),
                                     "a mapping key must be a plain name, not a list or mapping",
                                     "write keys as `name: value`"))
            if key_node.tag not in _STD_TAGS:
                raise _Fatal(Problem("VE108", *self.at(key_node.start_mark),
                                     f"YAML tag {key_node.tag!r} is not allowed (it is never constructed)",
                                     "remove the tag"))
            key = key_node.value  # keys are text as written: `1:` and `yes:` stay "1" and "yes"
            pos = self.at(key_node.start_mark)
            if key in seen:
                self.problems.append(Problem(
                    "VE105", *pos, f"duplicate key {key!r} (first defined on line {seen[key][0]})",
                    "delete one of them: YAML keeps only the last, silently"))
            seen[key] = pos
            self.positions[(*path, key)] = pos
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out


def _tab_indented(text: str, line_index: int) -> bool:
    """True when the faulty line (or the one before, where PyYAML may point) indents with a tab."""
    lines = re.split(r"\r\n|\r|\n", text)
    for i in (line_index, line_index - 1):
        if 0 <= i < len(lines):
            indent = re.match(r"[ \t]*", lines[i]).group()  # type: ignore[union-attr]
            if "\t" in indent:
                return True
    return False


def _clean_yaml_message(e: yaml.YAMLError) -> str:
    if isinstance(e, yaml.MarkedYAMLError):
        parts = [p for p in (e.context, e.problem) if p]
        return "; ".join(parts) or "invalid YAML"
    return str(e).splitlines()[0] if str(e) else "invalid YAML"
