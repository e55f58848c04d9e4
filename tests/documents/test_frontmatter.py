"""The frontmatter parser: positions, every bad input of the brief, and properties over random input."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ve_hooks.diagnostic import Severity
from ve_hooks.documents.frontmatter import (
    Doc,
    ParseError,
    parse,
    parse_yaml_file,
    result_from_json,
    result_to_json,
)
from ve_hooks.rules import registry


def _error(raw: bytes) -> tuple[str, int, int]:
    r = parse(raw)
    assert isinstance(r, ParseError), r
    return (r.problem.rule, r.problem.line, r.problem.column)


def test_positions_point_at_nested_items() -> None:
    raw = (b"---\nstatus: ACTIVE\ncode_references:\n  - ref: a.py#A\n    implements: x\n"
           b"  - ref: b.py#B\n    implements: y\n  - ref: c.py#C\n    implements: z\n---\n# body\n")
    doc = parse(raw)
    assert isinstance(doc, Doc)
    assert doc.position(("code_references", 2, "ref")) == (8, 5)
    assert doc.position(("code_references", 2, "implements")) == (9, 5)
    assert doc.position(("status",)) == (2, 1)
    # A path that was never written falls back to its nearest ancestor.
    assert doc.position(("code_references", 2, "missing")) == (8, 5)
    assert doc.position(("nope",)) == (1, 1)
    assert doc.fm_end == 10 and doc.body == "# body\n"


def test_crlf_and_mixed_line_endings_keep_positions() -> None:
    doc = parse(b"---\r\nstatus: ACTIVE\r\nticket: null\nlist: [a]\r\n---\r\nbody\r\n")
    assert isinstance(doc, Doc)
    assert doc.newline == "\r\n"
    assert doc.position(("list", 0)) == (4, 8)
    assert doc.data == {"status": "ACTIVE", "ticket": None, "list": ["a"]}


def test_utf8_bom_is_a_warning_not_a_failure() -> None:
    doc = parse(b"\xef\xbb\xbf---\nstatus: ACTIVE\n---\n")
    assert isinstance(doc, Doc) and doc.bom
    assert [p.rule for p in doc.problems] == ["VE110"]
    assert registry.get("VE110").severity is Severity.WARNING  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("---\nstatus: A\n---\n".encode("utf-16"), ("VE101", 1, 1)),
        (b"---\nstatus: \xff\n---\n", ("VE101", 2, 9)),
        (b"---\nstatus: A\x00\n---\n", ("VE101", 2, 10)),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ("VE101", 3, 1)),
        (b"", ("VE102", 1, 1)),
        (b"# Just a heading\n", ("VE102", 1, 1)),
        (b"---\nstatus: ACTIVE\n", ("VE103", 1, 1)),
        (b"---\nstatus: [ACTIVE\n---\n", ("VE104", 3, 1)),
        (b"---\nstatus: A\ncode_paths:\n\t- src/x.py\n---\n", ("VE107", 4, 1)),
        (b"---\n- a\n- b\n---\n", ("VE106", 2, 1)),
        (b"---\njust a scalar\n---\n", ("VE106", 2, 1)),
        (b"---\n~\n---\n", ("VE106", 2, 1)),
        (b"---\n---\n", ("VE106", 2, 1)),
        (b"---\nx: !!python/object/apply:os.system ['true']\n---\n", ("VE108", 2, 4)),
        (b"---\nx: !custom 1\n---\n", ("VE108", 2, 4)),
        (b"---\nstatus: \x1b[31mACTIVE\n---\n", ("VE104", 2, 9)),
    ],
    ids=["utf16", "invalid-utf8", "nul", "binary", "empty", "no-frontmatter", "unclosed", "syntax", "tabs",
         "list", "scalar", "null", "empty-frontmatter", "python-tag", "custom-tag", "control-char"],
)
def test_bad_input_is_a_positioned_parse_error(raw: bytes, expected: tuple[str, int, int]) -> None:
    assert _error(raw) == expected


def test_duplicate_keys_are_reported_and_last_wins() -> None:
    doc = parse(b"---\nstatus: ACTIVE\nticket: null\nstatus: FUTURE\n---\n")
    assert isinstance(doc, Doc)
    assert doc.data["status"] == "FUTURE"
    (p,) = doc.problems
    assert (p.rule, p.line, p.column) == ("VE105", 4, 1)
    assert "line 2" in p.message


def test_alias_bomb_is_bounded() -> None:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append("---")
    assert _error("\n".join(lines).encode())[0] == "VE109"


def test_values_are_plain_data() -> None:
    doc = parse(b"---\nticket: 2026-01-01\nn: 12\nflag: yes\n1: one\nnested: {a: {b: [1, 2]}}\n---\n")
    assert isinstance(doc, Doc)
    # Dates stay text as written; keys stay text as written.
    assert doc.data == {"ticket": "2026-01-01", "n": 12, "flag": True, "1": "one",
                        "nested": {"a": {"b": [1, 2]}}}


def test_anchors_and_merge_keys_are_resolved() -> None:
    doc = parse(b"---\nbase: &b {relationship: uses}\nsubsystems:\n  - <<: *b\n    subsystem_id: x\n---\n")
    assert isinstance(doc, Doc)
    assert doc.data["subsystems"] == [{"relationship": "uses", "subsystem_id": "x"}]


def test_body_may_contain_fences_and_long_frontmatter_is_fine() -> None:
    keys = "".join(f"k{i}: v{i}\n" for i in range(10_000))
    doc = parse(("---\n" + keys + "---\nbody\n---\nmore\n").encode())
    assert isinstance(doc, Doc)
    assert len(doc.data) == 10_000 and doc.body == "body\n---\nmore\n"
    assert doc.position(("k9999",)) == (10_001, 1)


def test_huge_body_is_not_parsed_as_yaml() -> None:
    raw = b"---\nstatus: ACTIVE\n---\n" + b"x" * (50 * 1024 * 1024)
    doc = parse(raw)
    assert isinstance(doc, Doc) and doc.data == {"status": "ACTIVE"}


def test_pure_yaml_files() -> None:
    doc = parse_yaml_file(b"artifact_id: x\nartifact_type: chunk\ncreated_after:\n- a\n")
    assert isinstance(doc, Doc)
    assert doc.position(("created_after", 0)) == (4, 3)  # the item itself, after "- "
    assert isinstance(parse_yaml_file(b"- not a mapping\n"), ParseError)


def test_results_round_trip_through_json() -> None:
    for raw in (b"---\nstatus: ACTIVE\nlist: [a, b]\nstatus: X\n---\nbody\n", b"---\nstatus: [\n---\n"):
        r = parse(raw)
        again = result_from_json(result_to_json(r))
        assert again == r
        if isinstance(r, Doc):
            assert isinstance(again, Doc) and again.positions == r.positions


# -- properties --------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_count(raw: bytes) -> int:
    return len(_LINE_BREAK.split(raw.decode("utf-8", "replace"))) + 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=400))
def test_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    r = parse(raw)
    _assert_positions_inside(r, raw)


_yamlish = st.lists(
    st.sampled_from(["---", "status: ACTIVE", "  - a", "- b", "key: [x, y", "k: {a: 1}", "\t- tab", "&a x",
                     "*a", "a: *a", "? q", "x: !!str 1", "x: !!python/name:os.system", "...", "# c", "",
                     "k: 'q", 'k: "\\x', "k: |", "  text", "<<: *a", "status: ACTIVE\r", "é: ü"]),
    max_size=12,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_yamlish, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_never_raises_on_yaml_shaped_input(lines: list[str], newline: str, fence: bool) -> None:
    text = ("---" + newline if fence else "") + newline.join(lines) + newline
    raw = text.encode()
    r = parse(raw)
    _assert_positions_inside(r, raw)


def _assert_positions_inside(r: Doc | ParseError, raw: bytes) -> None:
    assert isinstance(r, Doc | ParseError)
    limit = _line_count(raw)
    if isinstance(r, ParseError):
        for p in r.all_problems:
            assert 1 <= p.line <= limit and p.column >= 1, p
    else:
        for line, col in r.positions.values():
            assert 1 <= line <= limit and col >= 1
        for p in r.problems:
            assert 1 <= p.line <= limit
