"""The status/created_after pre-scan: whenever it claims certainty it must agree with the full parse."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ve_hooks.documents import prescan
from ve_hooks.documents.frontmatter import Doc, parse


def full(raw: bytes) -> tuple[Any, Any]:
    """What tips and the created_after graph read from the full parse (see ``repo.Facts.of``)."""
    r = parse(raw)
    return (r.data.get("status"), r.data.get("created_after")) if isinstance(r, Doc) else (None, None)


def doc(fm: str, body: str = "\n# Goal\n\nText.\n") -> bytes:
    return f"---\n{fm}---\n{body}".encode()


V3 = """status: ACTIVE
ticket: null
parent_chunk: null
code_paths: ["src/a.py", "src/b.py"]
code_references:
  - ref: src/a.py#Thing::run
    implements: "The runner, quoted: with a colon"
  - ref: src/b.py#helper
    implements: 'it''s single quoted'
narrative: null
investigation: some_investigation
subsystems:
  - subsystem_id: artifact_resolution
    relationship: implements
friction_entries: []
bug_type: null
depends_on: []
created_after:
- older_chunk
- 0001-legacy_chunk
"""

V1 = """status: HISTORICAL
ticket: null
code_references:
  - file: src/a.py
    ranges:
      - lines: 15-17
        implements: "x"
      - lines: 42-44
        implements: "y"
  - file: src/b.py
    ranges:
    - lines: 1-2
      implements: z
created_after: ["a_chunk", "b_chunk"]
"""


@pytest.mark.parametrize("fm,expected", [
    (V3, ("ACTIVE", ["older_chunk", "0001-legacy_chunk"])),
    (V1, ("HISTORICAL", ["a_chunk", "b_chunk"])),
    ("status: FUTURE\ncreated_after: []\n", ("FUTURE", [])),
    ("status: 'ACTIVE'\n", ("ACTIVE", None)),
    ('status: "IMPLEMENTING"  # soon\ncreated_after: one_chunk\n', ("IMPLEMENTING", "one_chunk")),
    ("status: ACTIVE # done\ncreated_after:\n  - a\n  # a comment\n  - b\n", ("ACTIVE", ["a", "b"])),
    ("created_after:\n\n- a\nstatus: ACTIVE\n", ("ACTIVE", ["a"])),
    ("status: null\ncreated_after: null\n", (None, None)),
    ("title: no status here\n", (None, None)),
    ("status:\ncreated_after:\n", (None, None)),
])
def test_templates_are_read_without_the_parser(fm: str, expected: tuple[Any, Any]) -> None:
    raw = doc(fm)
    assert prescan.facts(raw) == expected
    assert full(raw) == expected


@pytest.mark.parametrize("fm", [
    "status: ACTIVE\nstatus: FUTURE\n",  # duplicate key: the parser keeps the last, reports VE105
    "status: ACTIVE\n  more words\n",  # a multi-line plain scalar
    'title: "open quote\nstatus: ACTIVE"\n',  # a quoted scalar swallowing the next line
    "status: &s ACTIVE\n",
    "status: !!str ACTIVE\n",
    "status: |\n  ACTIVE\n",
    "status: yes\n",
    "status: ACTIVE\ncreated_after: [a, [b]]\n",
    "status: ACTIVE\n\tcreated_after: []\n",
    "status: ACTIVE\r\ncreated_after: []\r\n",
    "status: ACTIVE\ntitle: a: b\n",  # a YAML error elsewhere: the whole document fails
    "status: ACTIVE\nlist:\n  - a\n b: c\n",  # bad indentation
    "status: ACTIVE\nn: 0x_\n",  # PyYAML's int constructor fails on it
    "status: ACTIVE\n--- x\n",  # a second YAML document
    "- a\n- b\n",  # not a mapping
])
def test_anything_doubtful_falls_back_to_the_parser(fm: str) -> None:
    assert prescan.facts(doc(fm)) is None


@pytest.mark.parametrize("raw", [
    b"no frontmatter\n", b"---\nstatus: ACTIVE\n", b"---\n---\n", b"\xef\xbb\xbf---\nstatus: ACTIVE\n---\n",
    b"---\nstatus: \xff\n---\n", b"--- \nstatus: ACTIVE\n---\n",
])
def test_bad_fences_and_encodings_fall_back(raw: bytes) -> None:
    assert prescan.facts(raw) is None


# -- the property: random frontmatter built from the pieces the subset is made of, and from the
# near misses around it; whenever the pre-scan answers, the answer is the full parse's.

KEYS = ["status", "created_after", "ticket", "code_references", "ref", "lines", "a", "b", "x-y", "yes",
        "null", "<<", '"q"', "status ", "created_after:", "k" * 3]
VALUES = [
    "ACTIVE", "FUTURE", "HISTORICAL", "'ACTIVE'", '"ACTIVE"', "null", "~", "Null", "yes", "No", "on", "true",
    "12", "0x1f", "0x_", "0b_", "0b1", "1:30", "1.5", ".inf", "2024-01-01", "0001-foo", "0001-face", "foo_bar",
    "a: b", "a:b", "a::b", "a #c", "a#c", "a:", "[]", "[a, b]", '["a", "b"]', "[a, [b]]", "[a,b]", "{}",
    "{a: b}", "'it''s'", "'open", '"open', '"a\\"b"', "&x a", "*x", "!!str a", "!foo a", "|", ">", "- a",
    "-", "?", "=", "%x", "@x", "`x", "foo bar", "src/a.py#B::c", "x\ty", "é", "a\x85b", "a\u2028b", "",
    " ", "# c", "a ", "[ ]", "[a, ]", "[\"a, b\"]",
]
PREFIXES = ["", " ", "  ", "   ", "    ", "      ", "\t"]


@st.composite
def lines(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(PREFIXES))
    form = draw(st.integers(0, 8))
    key = draw(st.sampled_from(KEYS))
    value = draw(st.sampled_from(VALUES) | st.text(alphabet="aA0:#-'\" [],{}\t\r.&*!|>", max_size=6))
    if form == 0:
        return f"{indent}{key}: {value}"
    if form == 1:
        return f"{indent}{key}:"
    if form == 2:
        return f"{indent}- {value}"
    if form == 3:
        return f"{indent}- {key}: {value}"
    if form == 4:
        return f"{indent}- {key}:"
    if form == 5:
        return f"{indent}-"
    if form == 6:
        return f"{indent}# {value}"
    if form == 7:
        return indent
    return f"{indent}{value}"


@st.composite
def frontmatters(draw: st.DrawFn) -> bytes:
    body = draw(st.lists(lines(), min_size=1, max_size=12))
    # Mostly well-formed starts, so that the certain branch is exercised often.
    head = draw(st.sampled_from(["status: ACTIVE", "status: FUTURE", "created_after:", "created_after: []", ""]))
    fm = "\n".join([head, *body] if head else body) + "\n"
    close = draw(st.sampled_from(["---\n", "---", "...\n", "--- \n", "---\r\n"]))
    return f"---\n{fm}{close}body\n".encode()


SAFE = ["ACTIVE", "FUTURE", "null", "a_chunk", "0001-old", '"quoted: yes"', "[]", '["a", "b"]', "[a, b]",
        "src/x.py#A::b", "'single'", "15-17"]
scalars = st.sampled_from(SAFE) | st.sampled_from(VALUES)
trees = st.recursive(scalars, lambda inner: st.lists(inner, min_size=1, max_size=3)
                     | st.dictionaries(st.sampled_from(KEYS[:9]), inner, min_size=1, max_size=3), max_leaves=8)


def render(value: Any, indent: int, steps: list[int], out: list[str], prefix: str = "") -> None:
    """Block YAML of ``value``; ``steps`` chooses each nesting's extra indentation (0 for lists)."""
    step = steps[len(out) % len(steps)]
    if isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            lead = prefix if i == 0 else " " * indent
            if isinstance(v, (dict, list)):
                out.append(f"{lead}{k}:")
                render(v, indent + (step if isinstance(v, list) else max(step, 1)), steps, out)
            else:
                out.append(f"{lead}{k}: {v}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                render(v, indent + 2, steps, out, prefix=" " * indent + "- ")
            elif isinstance(v, list):
                out.append(" " * indent + "-")
                render(v, indent + 2, steps, out)
            else:
                out.append(" " * indent + f"- {v}")
    else:
        out.append(f"{prefix or ' ' * indent}{value}")


@st.composite
def structured(draw: st.DrawFn) -> bytes:
    """Well-formed nesting most of the time, then maybe one line nudged out of place."""
    tree = draw(st.dictionaries(st.sampled_from(KEYS[:9]), trees, min_size=1, max_size=5))
    out: list[str] = []
    render(tree, 0, draw(st.lists(st.sampled_from([0, 1, 2, 4]), min_size=1, max_size=4)), out)
    if draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 1))
        out[i] = draw(st.sampled_from(["", " ", "  "])) + out[i].lstrip(" ") if draw(st.booleans()) \
            else out[i] + draw(st.sampled_from(VALUES))
    return ("---\n" + "\n".join(out) + "\n---\nbody\n").encode()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured())
@example(doc("a:\n- b:\n  - c\n  d: 1\n"))
def test_prescan_agrees_with_the_parse_on_nested_documents(raw: bytes) -> None:
    got = prescan.facts(raw)
    if got is not None:
        assert got == full(raw), raw


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frontmatters())
@example(doc("status: ACTIVE\ncreated_after:\n- a\n- b\nother: 1\n"))
@example(doc("status: ACTIVE\nx:\n- a:\n  - b\n- c: 1\n"))
def test_prescan_agrees_with_the_parse_whenever_certain(raw: bytes) -> None:
    got = prescan.facts(raw)
    if got is not None:
        assert got == full(raw), raw


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_prescan_never_crashes_on_bytes(raw: bytes) -> None:
    got = prescan.facts(b"---\n" + raw)
    if got is not None:
        assert got == full(b"---\n" + raw)


def test_the_generator_reaches_the_certain_branch() -> None:
    """Guard against a vacuous property: the random documents are often certain."""
    certain = 0

    @settings(max_examples=400, deadline=None, database=None)
    @given(structured())
    def count(raw: bytes) -> None:
        nonlocal certain
        certain += prescan.facts(raw) is not None

    count()
    assert certain >= 40
