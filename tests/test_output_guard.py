"""Issue 23 item 5: one output guard for every command. Names and values full of terminal escapes,
control, bidirectional and zero-width characters reach the terminal escaped, from every command
that prints them (the orchestrator's commands are walked in tests/orch)."""

from __future__ import annotations

import re

import pytest
from support.cli import ve
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.sanitize import clean, one_line

ESC = "\x1b]0;pwned\x07\x1b[31m"
BIDI = "\u202e"
ZW = "\u200b"
# What must never be printed raw: C0/C1 controls but tab and newline, DEL, bidi and zero-width.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

HOSTILE_NAMES = [f"evil{ESC}name", f"rtl{BIDI}gnp.exe", f"zero{ZW}width", "tab\tname"]


@pytest.fixture
def hostile(repo: GitRepo) -> GitRepo:
    repo.chunk("alpha")
    for n in HOSTILE_NAMES:
        repo.chunk(n, created_after=["alpha"])
    repo.write(f"docs/chunks/value{BIDI}/GOAL.md",
               chunk_goal("ACTIVE", ["alpha"]).replace("ACTIVE", f"ACT{BIDI}IVE{ESC}", 1))
    repo.commit("hostile names")
    repo.chunk(f"new{ESC}{BIDI}{ZW}")  # a new chunk: fill and the hook name it
    return repo


COMMANDS = [
    ("ve", "tips"), ("ve", "tips", "--rev", "HEAD"), ("ve", "graph"), ("ve", "graph", "--format", "dot"),
    ("ve", "graph", "--format", "json"), ("ve", "created-after", "backfill", "--all"),
    ("ve", "created-after", "backfill", "--all", "--format", "json"), ("ve", "created-after", "fill"),
    ("ve-validate",), ("ve-validate", "--format", "github"), ("ve-validate", "--statistics"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_no_command_prints_a_control_bidi_or_zero_width_character_raw(hostile: GitRepo,
                                                                       command: tuple[str, ...]) -> None:
    p = ve(*command[1:], cwd=hostile.path, prog=command[0])
    assert p.returncode in (0, 1), (p.returncode, p.stderr)
    for stream, text in (("stdout", p.stdout), ("stderr", p.stderr)):
        bad = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})
        assert not bad, (command, stream, bad, text[:2000])


def test_the_hostile_names_are_still_there_escaped(hostile: GitRepo) -> None:
    p = ve("tips", cwd=hostile.path)
    assert "rtl\\u202egnp.exe" in p.stdout and "zero\\u200bwidth" in p.stdout and "tab\tname" in p.stdout  # a tab is kept
    assert "evilname" in p.stdout  # the escape sequences themselves are dropped


def test_clean_escapes_bidi_and_zero_width_and_keeps_text() -> None:
    assert clean("a\u202eb\u200bc\u2066d") == "a\\u202eb\\u200bc\\u2066d"
    assert one_line(f"status {BIDI}x\n") == "status \\u202ex\\n"
    assert clean("tab\tand newline\nkept, ünïcødé kept") == "tab\tand newline\nkept, ünïcødé kept"
