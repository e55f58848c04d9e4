"""Split ``---`` fenced YAML frontmatter from a markdown body and parse it, keeping positions.

Every artifact is read through :func:`parse`. It never raises for bad input: it returns a
:class:`Doc` (possibly with non-fatal :class:`Problem` s such as a duplicate key) or a
:class:`ParseError` value carrying a rule code and the position of the fault.

Positions map every key and list item to its 1-based line and column *in the file*, so a
schema error on ``code_references[2].ref`` points at that line. YAML is composed with the
safe (C when available) loader and constructed here, which is what lets us record positions,
catch duplicate keys, refuse non-standard tags without constructing them, and bound alias
expansion ("billion laughs").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


JsonPath = tuple[str | int, ...]

# Bounds that keep hostile documents cheap. A real frontmatter is a few kB.
MAX_FRONTMATTER_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion
MAX_DEPTH = 64

_FENCE = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_FIRST_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
# A closing fence line: preceded by a line break, ending at a line break or the end of text.
_CLOSING = re.compile(r"(\r\n|\r|\n)(?:---|\.\.\.)[ \t]*(?:\r\n|\r(?!\n)|\n|$)")
_STD_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}


@dataclass(frozen=True)
class Problem:
    """A finding made while parsing: fatal inside a :class:`ParseError`, else kept on the Doc."""

    rule: str
    line: int
    column: int
    message: str
    hint: str = ""  # how serious it is, is the rule's to say (ve_hooks.rules.parse)

    def to_json(self) -> list[Any]:
        return [self.rule, self.line, self.column, self.message, self.hint]

    @classmethod
    def from_json(cls, v: list[Any]) -> Problem:
        return cls(str(v[0]), int(v[1]), int(v[2]), str(v[3]), str(v[4]))


@dataclass(frozen=True)
class Timestamp:
    """A plain scalar that YAML reads as a date or a date-time (``ticket: 2024-01-01``).

    ``Doc.data`` keeps such values as the text written, which every rule can handle; the
    consumer (vibe-engineer: PyYAML ``safe_load`` + pydantic) gets a ``date``, which a string
    field rejects. :meth:`Doc.typed` puts this marker where the schema check must see the type.
    """

    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def word(self) -> str:
        return "a date" if len(self.text.strip()) == 10 else "a date and time"


@dataclass
class ParseError:
    """The document could not be parsed. ``problem`` says why and where."""

    problem: Problem
    problems: list[Problem] = field(default_factory=list)  # non-fatal ones found before it

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, self.problem]


@dataclass
class Doc:
    """A parsed artifact: frontmatter data, positions, and where the body starts."""

    data: dict[str, Any]
    # A JSON string until first needed (documents from the cache); compare ``positions`` instead.
    _positions: dict[JsonPath, tuple[int, int]] | str = field(compare=False)
    fm_start: int  # line of the opening fence
    fm_end: int  # line of the closing fence; 0 for a pure YAML file (external.yaml)
    body: str | None  # None when the document came from the cache, which keeps frontmatter only
    problems: list[Problem] = field(default_factory=list)
    newline: str = "\n"
    bom: bool = False
    # Values YAML reads as dates or date-times (kept as text in ``data``): path -> the value's
    # own (line, column), where a fix puts the quotes.
    timestamps: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)

    @property
    def body_line(self) -> int:
        return self.fm_end + 1

    @property
    def positions(self) -> dict[JsonPath, tuple[int, int]]:
        """JSON path -> (line, column). Decoded lazily: most cached documents never need it."""
        if isinstance(self._positions, str):
            try:
                self._positions = {tuple(k): (int(line), int(col)) for k, line, col in json.loads(self._positions)}
            except (ValueError, TypeError):  # a damaged cache entry: degrade to 1:1, never crash
                self._positions = {}
        return self._positions

    def position(self, path: JsonPath) -> tuple[int, int]:
        """Position of ``path`` or of its nearest recorded ancestor (the opening fence at worst)."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return (self.fm_start, 1)

    # The cache stores docs as JSON; keys of ``positions`` become lists.
    def to_json(self, *, body: bool = True) -> dict[str, Any]:
        return {
            "data": self.data,
            "pos": json.dumps([[list(k), v[0], v[1]] for k, v in self.positions.items()],
                              separators=(",", ":")),
            "fm": [self.fm_start, self.fm_end],
            "body": self.body if body else None,
            "problems": [p.to_json() for p in self.problems],
            "nl": self.newline,
            "bom": self.bom,
            "ts": [[list(p), v[0], v[1]] for p, v in self.timestamps.items()],
        }

    @classmethod
    def from_json(cls, v: dict[str, Any]) -> Doc:
        return cls(
            data=v["data"],
            _positions=v["pos"] if isinstance(v["pos"], str) else "",
            fm_start=int(v["fm"][0]),
            fm_end=int(v["fm"][1]),
            body=None if v["body"] is None else str(v["body"]),
            problems=[Problem.from_json(p) for p in v["problems"]],
            newline=str(v["nl"]),
            bom=bool(v["bom"]),
            timestamps={tuple(p): (int(line), int(col)) for p, line, col in v.get("ts", ())},
        )

    def typed(self) -> dict[str, Any]:
        """``data`` with a :class:`Timestamp` wherever YAML reads a date: what a type check
        must see to agree with a consumer that loads the file with PyYAML."""
        if not self.timestamps:
            return self.data
        import copy

        out = copy.deepcopy(self.data)
        for path in self.timestamps:
            node: Any = out
            try:
                for part in path[:-1]:
                    node = node[part]
                if isinstance(node[path[-1]], str):
                    node[path[-1]] = Timestamp(node[path[-1]])
            except (KeyError, IndexError, TypeError):
                continue  # a merge key or duplicate moved it: nothing to mark
        return out


Result = Doc | ParseError


def result_to_json(r: Result, *, body: bool = True) -> dict[str, Any]:
    if isinstance(r, Doc):
        return {"doc": r.to_json(body=body)}
    return {"error": r.problem.to_json(), "problems": [p.to_json() for p in r.problems]}


def result_from_json(v: dict[str, Any]) -> Result:
    if "doc" in v:
        return Doc.from_json(v["doc"])
    return ParseError(Problem.from_json(v["error"]), [Problem.from_json(p) for p in v["problems"]])


# ---------------------------------------------------------------------------------------------
# decoding


def decode(raw: bytes) -> tuple[str, bool, list[Problem]] | ParseError:
    """Bytes to text. UTF-8 only (with or without BOM); anything else is VE101 at its position."""
    problems: list[Problem] = []
    bom = False
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ParseError(Problem("VE101", 1, 1, "file is UTF-16 encoded; artifacts must be UTF-8",
                                  "re-save the file as UTF-8 (without BOM)"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        bom = True
        problems.append(Problem("VE110", 1, 1, "file starts with a UTF-8 byte order mark",
                                "remove the BOM; some tools then fail to see the `---` fence"))
    nul = raw.find(b"\x00")
    if nul != -1:
        line, col = _byte_position(raw, nul)
        return ParseError(Problem("VE101", line, col, "file contains a NUL byte (binary data?)",
                                  "artifacts are UTF-8 text; restore the file from git"), problems)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _byte_position(raw, e.start)
        return ParseError(Problem("VE101", line, col,
                                  f"invalid UTF-8 byte 0x{raw[e.start]:02x}",
                                  "re-save the file as UTF-8; the byte is shown by `git diff`"), problems)
    return text, bom, problems


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    head = raw[:offset]
    line = len(re.findall(rb"\r\n|\r|\n", head)) + 1
    start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    col = len(head[start:].decode("utf-8", "replace")) + 1
    return line, col


# ---------------------------------------------------------------------------------------------
# splitting


def parse(raw: bytes) -> Result:
    """Parse a markdown artifact with ``---`` fenced YAML frontmatter."""
    decoded = decode(raw)
    if isinstance(decoded, ParseError):
        return decoded
    text, bom, problems = decoded
    first = _FIRST_LINE.match(text)
    if not text or first is None or not _FENCE.fullmatch(first.group(1)):
        return ParseError(Problem("VE102", 1, 1, "no frontmatter: the file must start with a `---` line",
                                  "add the YAML frontmatter block of the template between `---` lines"),
                          problems)
    newline = first.group(2) or "\n"
    start = first.end()
    # Search for the closing fence instead of splitting the whole file into lines: bodies are
    # often far longer than frontmatter, and a 50 MB body must cost one regex scan at most.
    close = _CLOSING.search(text, start - len(first.group(2)))
    if close is None:
        if len(text) - start > MAX_FRONTMATTER_BYTES:
            return ParseError(Problem("VE109", 1, 1, "frontmatter is larger than 4 MiB",
                                      "frontmatter holds metadata only; move prose into the body"), problems)
        return ParseError(Problem("VE103", 1, 1, "the frontmatter opened on line 1 is never closed",
                                  "add a `---` line after the last frontmatter key"), problems)
    fm_end_offset = close.start() + len(close.group(1))  # just after the last frontmatter line break
    if fm_end_offset - start > MAX_FRONTMATTER_BYTES:
        return ParseError(Problem("VE109", 1, 1, "frontmatter is larger than 4 MiB",
                                  "frontmatter holds metadata only; move prose into the body"), problems)
    fm_text = text[start:fm_end_offset] if fm_end_offset > start else ""
    body = text[close.end():]
    close_line = 2 + _count_breaks(fm_text)
    result = parse_yaml(fm_text, line_offset=1, problems=problems)
    if isinstance(result, ParseError):
        return result
    data, positions, timestamps = result
    return Doc(data, positions, 1, close_line, body, problems, newline, bom, timestamps)


def _count_breaks(text: str) -> int:
    """Line breaks as the fence splitter counts them: CRLF, lone CR and LF."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def parse_yaml_file(raw: bytes) -> Result:
    """Parse a pure YAML artifact such as ``external.yaml`` (no fences)."""
    decoded = decode(raw)
    if isinstance(decoded, ParseError):
        return decoded
    text, bom, problems = decoded
    if len(text) > MAX_FRONTMATTER_BYTES:
        return ParseError(Problem("VE109", 1, 1, "YAML file is larger than 4 MiB",
                                  "an external reference is a few lines of YAML"), problems)
    result = parse_yaml(text, line_offset=0, problems=problems)
    if isinstance(result, ParseError):
        return result
    data, positions, timestamps = result
    return Doc(data, positions, 1, 0, "", problems, _newline_of(text), bom, timestamps)


def _newline_of(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\r"):
        return "\r"
    return "\n"


# ---------------------------------------------------------------------------------------------
# YAML


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
