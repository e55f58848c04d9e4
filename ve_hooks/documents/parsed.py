"""What parsing an artifact returns: a :class:`Doc` (data, positions, non-fatal problems) or a
:class:`ParseError`, both plain values that round-trip through JSON for the parse cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JsonPath = tuple[str | int, ...]


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
