"""Fixes: exact edits, refusals, and properties (every other byte kept, idempotent, unparsable
files never touched) over generated documents."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ve_hooks.documents import fixes, frontmatter

STATUS = fixes.set_value(("status",), "actve", "ACTIVE", "status")

_newline = st.sampled_from(["\n", "\r\n"])
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30)


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, bytes, bytes, bytes]:
    """(prefix, the status value as written, suffix, bom) of a GOAL.md with arbitrary other keys,
    comments, line endings and body."""
    nl = draw(_newline)
    keys = draw(st.lists(_word.filter(lambda k: k not in ("status", "ticket")), max_size=5, unique=True))
    before = [f"{k}: {json.dumps(draw(_safe_text), ensure_ascii=False)}" for k in keys[: len(keys) // 2]]
    after = [f"{k}: {json.dumps(draw(_safe_text), ensure_ascii=False)}" for k in keys[len(keys) // 2:]]
    comment = draw(st.sampled_from(["", "  # the state", " #x"]))
    value = draw(st.sampled_from(["actve", "'actve'", '"actve"']))
    body = draw(st.text(max_size=60).map(lambda s: s.replace("\r", "")))
    prefix = "---" + nl + "".join(b + nl for b in before) + "status: "
    suffix = comment + nl + "".join(a + nl for a in after) + "---" + nl + body
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return prefix.encode(), value.encode(), suffix.encode(), bom


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_a_fix_changes_only_its_value_and_is_idempotent(doc: tuple[bytes, bytes, bytes, bytes]) -> None:
    prefix, value, suffix, bom = doc
    raw = bom + prefix + value + suffix
    if not isinstance(frontmatter.parse(raw), frontmatter.Doc):
        return  # a generated body cannot break frontmatter, but stay honest if it ever does
    out, applied = fixes.apply(raw, [STATUS])
    quote = value[:1] if value[:1] in (b"'", b'"') else b""
    assert applied == [STATUS]
    assert out == bom + prefix + quote + b"ACTIVE" + quote + suffix  # every other byte kept
    again, applied_again = fixes.apply(out, [STATUS])
    assert again == out and applied_again == []  # idempotent


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_unparsable_bytes_are_never_touched(raw: bytes) -> None:
    result = frontmatter.parse(raw)
    out, applied = fixes.apply(raw, [STATUS, fixes.quote(("ticket",), "ticket"),
                                     fixes.fill_list("created_after", ["a"], "fill")])
    if not isinstance(result, frontmatter.Doc):
        assert out == raw and applied == []


def test_broken_yaml_and_duplicate_keys_are_refused() -> None:
    for raw in (b"---\nstatus: actve\nx: [\n---\n", b"---\nstatus: actve\nstatus: actve\n---\n",
                b"---\nstatus: actve\n"):
        assert fixes.edits_for(raw, STATUS) is None
        assert fixes.apply(raw, [STATUS]) == (raw, [])


def test_quote_keeps_the_text_as_written() -> None:
    raw = b"---\nstatus: ACTIVE\nticket: 2024-01-01  # when\nn: 1.10\n---\n# T\n"
    out, _ = fixes.apply(raw, [fixes.quote(("ticket",), "ticket"), fixes.quote(("n",), "n")])
    assert out == b'---\nstatus: ACTIVE\nticket: "2024-01-01"  # when\nn: "1.10"\n---\n# T\n'
    doc = frontmatter.parse(out)
    assert isinstance(doc, frontmatter.Doc) and doc.data["n"] == "1.10"


def test_rename_key_refuses_to_create_a_duplicate() -> None:
    fix = fixes.rename_key(("Status",), "status")
    assert fix.safe  # case only
    assert fixes.apply(b"---\nStatus: ACTIVE\n---\n", [fix])[0] == b"---\nstatus: ACTIVE\n---\n"
    assert fixes.edits_for(b"---\nStatus: ACTIVE\nstatus: FUTURE\n---\n", fix) is None
    assert not fixes.rename_key(("creatd_after",), "created_after").safe  # a guess


def test_fill_created_after_inserts_or_fills_and_keeps_comments() -> None:
    fix = fixes.fill_list("created_after", ["a", "b"], "fill")
    raw = b"---\r\nstatus: FUTURE\r\ncreated_after: []  # tips\r\n---\r\nbody\r\n"
    assert fixes.apply(raw, [fix])[0] == b'---\r\nstatus: FUTURE\r\ncreated_after: ["a", "b"]  # tips\r\n---\r\nbody\r\n'
    assert fixes.apply(b"---\nstatus: FUTURE\n---\n", [fix])[0] == b'---\nstatus: FUTURE\ncreated_after: ["a", "b"]\n---\n'


def test_value_fix_in_a_list_item_and_nested_mapping() -> None:
    raw = b"---\nstatus: ACTIVE\nsubsystems:\n- subsystem_id: old\n  relationship: implemnts\ndepends_on: [x, old]\n---\n"
    out, applied = fixes.apply(raw, [fixes.follow_rename(("subsystems", 0, "subsystem_id"), "old", "new"),
                                     fixes.follow_rename(("depends_on", 1), "old", "new"),
                                     fixes.set_value(("subsystems", 0, "relationship"), "implemnts", "implements",
                                                     "relationship")])
    assert len(applied) == 3
    assert out == b"---\nstatus: ACTIVE\nsubsystems:\n- subsystem_id: new\n  relationship: implements\ndepends_on: [x, new]\n---\n"


def test_fix_survives_the_cache_round_trip() -> None:
    fix = fixes.fill_list("created_after", ["a"], "fill")
    assert fixes.Fix.from_json(json.loads(json.dumps(fix.to_json()))) == fix
    assert fixes.Fix.from_json("garbage") is None
