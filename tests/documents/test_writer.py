"""The byte-preserving created_after writer and the atomic file write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ve_hooks.documents import frontmatter
from ve_hooks.documents.writer import atomic_write, set_list_field

KEY = "created_after"


def _data(raw: bytes) -> dict:
    doc = frontmatter.parse(raw)
    assert isinstance(doc, frontmatter.Doc), doc
    return doc.data


# ---------------------------------------------------------------------------------------------
# examples


def test_inline_list_is_replaced_in_place() -> None:
    raw = b'---\nstatus: ACTIVE  # shipped\ncreated_after: ["old"]\nticket: null\n---\n\n# Body\n'
    out = set_list_field(raw, KEY, ["a", "b"])
    assert out == b'---\nstatus: ACTIVE  # shipped\ncreated_after: ["a", "b"]\nticket: null\n---\n\n# Body\n'


def test_block_list_lines_are_replaced_and_crlf_bom_kept() -> None:
    raw = b"\xef\xbb\xbf---\r\nstatus: ACTIVE\r\ncreated_after:\r\n- x\r\n-   'y'\r\n# keep me\r\nbug_type: null\r\n---\r\nbody\r\n"
    out = set_list_field(raw, KEY, ["a"])
    assert out == b'\xef\xbb\xbf---\r\nstatus: ACTIVE\r\ncreated_after: ["a"]\r\n# keep me\r\nbug_type: null\r\n---\r\nbody\r\n'


def test_absent_key_is_appended_as_last_frontmatter_line() -> None:
    raw = b"---\r\nstatus: FUTURE\r\n# trailing comment\r\n---\r\nbody"
    assert set_list_field(raw, KEY, []) == b"---\r\nstatus: FUTURE\r\n# trailing comment\r\ncreated_after: []\r\n---\r\nbody"


def test_empty_value_with_comment_and_null() -> None:
    assert set_list_field(b"---\ns: 1\ncreated_after:   # todo\n---\n", KEY, ["a"]) == \
        b'---\ns: 1\ncreated_after: ["a"]   # todo\n---\n'
    assert set_list_field(b"---\ncreated_after: ~\ns: 1\n---\n", KEY, ["a"]) == b'---\ncreated_after: ["a"]\ns: 1\n---\n'


def test_multiline_flow_list_and_quoted_key() -> None:
    raw = b"---\n'created_after': [a,\n  b]  # c\nx: 1\n---\n"
    assert set_list_field(raw, KEY, ["z"]) == b"---\n'created_after': [\"z\"]  # c\nx: 1\n---\n"


def test_unchanged_value_returns_the_same_bytes() -> None:
    raw = b"---\ncreated_after:\n- a\n- b\n---\n"
    assert set_list_field(raw, KEY, ["a", "b"]) is raw


def test_refuses_what_it_cannot_prove_safe() -> None:
    assert set_list_field(b"no frontmatter\n", KEY, ["a"]) is None
    assert set_list_field(b"---\nstatus: [\n---\n", KEY, ["a"]) is None
    assert set_list_field(b"---\ncreated_after: [a]\ncreated_after: [b]\n---\n", KEY, ["c"]) is None  # duplicate
    assert set_list_field(b"---\ncreated_after: &x [a]\nother: *x\n---\n", KEY, ["c"]) is None  # alias
    assert set_list_field(b"---\n{status: ACTIVE}\n---\n", KEY, ["c"]) is None  # flow mapping


def test_odd_names_are_quoted_and_round_trip() -> None:
    names = ['we"ird', "back\\slash", "colon: x", "# hash", "é ü", "nel\x85x", "tab\tx", "' single"]
    out = set_list_field(b"---\nstatus: ACTIVE\n---\n", KEY, names)
    assert out is not None
    assert _data(out)[KEY] == names
    assert "é ü".encode() in out  # readable, not \u-escaped


# ---------------------------------------------------------------------------------------------
# properties

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_name = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    w = draw(_word)
    style = draw(st.sampled_from(["plain", "single", "double", "int", "null", "bool"]))
    return {"plain": w, "single": f"'{w} x'", "double": f'"{w}: y"', "int": str(draw(st.integers(0, 999))),
            "null": "null", "bool": "true"}[style]


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, bytes, bytes, str]:
    """(raw, bytes before the created_after field, bytes after it, newline)."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    keys = draw(st.lists(_word.filter(lambda k: k != KEY), min_size=1, max_size=6, unique=True))
    lines: list[str] = []
    for k in keys:
        if draw(st.booleans()):
            lines.append(f"# {draw(_word)} comment")
        kind = draw(st.sampled_from(["scalar", "inline", "block", "comment"]))
        if kind == "scalar":
            lines.append(f"{k}: {draw(_scalar())}")
        elif kind == "comment":
            lines.append(f"{k}: {draw(_scalar())}  # note")
        elif kind == "inline":
            lines.append(f"{k}: [{', '.join(draw(st.lists(_scalar(), max_size=3)))}]")
        else:
            items = draw(st.lists(_scalar(), min_size=1, max_size=3))
            indent = draw(st.sampled_from(["", "  "]))
            lines.append(f"{k}:")
            lines.extend(f"{indent}- {i}" for i in items)
    form = draw(st.sampled_from(["absent", "inline", "empty_inline", "block", "bare", "quoted"]))
    current = draw(st.lists(_word, max_size=3))
    field_lines = {
        "absent": [],
        "inline": [f"{KEY}: [{', '.join(current)}]"],
        "empty_inline": [f"{KEY}: []"],
        "block": [f"{KEY}:", *(f"- {c}" for c in current or ['x'])],
        "bare": [f"{KEY}:"],
        "quoted": [f'"{KEY}": [{", ".join(repr(c) for c in current)}]'],
    }[form]
    at = draw(st.integers(0, len(lines)))
    # never split a block list: insert only before a line that starts a key or a comment
    while at < len(lines) and lines[at].startswith(("-", " ")):
        at += 1
    before_lines = ["---", *lines[:at]]
    after_lines = [*lines[at:], "---"]
    body = draw(st.sampled_from(["", "body", "# Title\n\ntext ---\n"])).replace("\n", nl)
    prefix = "\ufeff" if bom else ""
    before = prefix + nl.join(before_lines) + nl
    field = nl.join(field_lines) + nl if field_lines else ""
    after = nl.join(after_lines) + nl + body
    if form == "absent":  # inserted just before the closing fence
        before = prefix + nl.join(["---", *lines]) + nl
        after = "---" + nl + body
    raw = (before + field + after).encode()
    return raw, before.encode(), after.encode(), nl


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.lists(_name, max_size=4))
def test_fill_changes_only_the_field_and_is_idempotent(doc: tuple[bytes, bytes, bytes, str],
                                                        values: list[str]) -> None:
    raw, before, after, nl = doc
    old = _data(raw)
    out = set_list_field(raw, KEY, values)
    assert out is not None
    assert out.startswith(before) and out.endswith(after)
    middle = out[len(before):len(out) - len(after)]
    if old.get(KEY) == values:
        assert out == raw  # already right: not restyled
        return
    assert middle.startswith(KEY.encode()) or middle.startswith(f'"{KEY}"'.encode())
    assert middle.endswith(nl.encode()) and middle.count(nl.encode()) == 1  # one line, same ending
    new = _data(out)
    assert new == {**old, KEY: values}
    assert list(new) == list(old) + ([KEY] if KEY not in old else [])  # key order kept
    assert set_list_field(out, KEY, values) == out  # idempotent


# ---------------------------------------------------------------------------------------------
# atomic write


def test_atomic_write_keeps_mode_and_replaces(tmp_path: Path) -> None:
    p = tmp_path / "GOAL.md"
    p.write_bytes(b"old")
    os.chmod(p, 0o640)
    atomic_write(p, b"new", root=tmp_path)
    assert p.read_bytes() == b"new"
    assert (p.stat().st_mode & 0o777) == 0o640
    assert [x.name for x in tmp_path.iterdir()] == ["GOAL.md"]  # no temp file left


def test_atomic_write_refuses_a_symlink_out_of_the_repo(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"secret")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "GOAL.md").symlink_to(outside)
    with pytest.raises(OSError, match="symbolic link"):
        atomic_write(repo / "GOAL.md", b"x", root=repo)
    assert outside.read_bytes() == b"secret"
    # a link that stays inside is refused too: one artifact's fix must not land in another
    (repo / "real.md").write_bytes(b"a")
    (repo / "in.md").symlink_to("real.md")
    with pytest.raises(OSError, match="symbolic link"):
        atomic_write(repo / "in.md", b"b", root=repo)
    assert (repo / "in.md").is_symlink() and (repo / "real.md").read_bytes() == b"a"


_WRITER = """
import sys, time
from ve_hooks.documents import writer
real = writer.os.replace
def slow_replace(a, b):
    print("ready", flush=True)
    time.sleep(60)
    real(a, b)
writer.os.replace = slow_replace
writer.atomic_write(sys.argv[1], b"N" * (64 * 1024 * 1024))
"""


def test_a_writer_killed_mid_write_leaves_the_old_bytes(tmp_path: Path) -> None:
    p = tmp_path / "GOAL.md"
    p.write_bytes(b"old bytes")
    os.chmod(p, 0o600)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(p)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"  # the 64 MiB temp file is written, not renamed
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert p.read_bytes() == b"old bytes"
    assert (p.stat().st_mode & 0o777) == 0o600


def test_a_writer_killed_at_a_random_moment_leaves_old_or_new(tmp_path: Path) -> None:
    p = tmp_path / "GOAL.md"
    p.write_bytes(b"old bytes")
    code = "import sys; from ve_hooks.documents.writer import atomic_write; atomic_write(sys.argv[1], b'N' * (32 << 20))"
    proc = subprocess.Popen([sys.executable, "-c", code, str(p)])
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = p.read_bytes()
    assert data in (b"old bytes", b"N" * (32 << 20))
