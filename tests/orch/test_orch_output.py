"""What `ve orch` prints: long questions cut with a pointer to `ve orch show` (issue 23 item 8), and
agent- or operator-written text through the output guard (item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from orch_support import Ve

from ve_hooks.orch.store import Store
from ve_hooks.sanitize import clean

BIG = 20 * 1024 * 1024


@pytest.mark.slow  # a 20 MB note written, read three times
def test_attention_cuts_a_20_mb_question_and_show_prints_it_whole(ve: Ve, orepo: Path) -> None:
    text = "Which schema?\n" + ("x" * 99 + "\n") * (BIG // 100)
    qid = Store(orepo).ask("huge", text, options=[f"opt {i}" for i in range(50)], context="c" * 100_000)
    att = ve("attention")
    assert att.returncode == 1
    assert len(att.stdout) < 20_000, len(att.stdout)
    assert "Which schema?" in att.stdout
    assert f"more characters; the whole question: ve orch show huge {qid}" in att.stdout
    assert "30 more options" in att.stdout
    shown = ve("show", "huge", qid)
    assert shown.returncode == 0, shown.stderr
    assert "\n".join("    " + line for line in text.splitlines()) in shown.stdout  # every line, indented
    assert "50) opt 49" in shown.stdout
    assert ve("show", "huge").stdout == shown.stdout  # the only open question
    assert ve("show", "huge", "q-nope").returncode == 2


def test_take_prints_the_answer_through_the_output_guard(ve: Ve, orepo: Path) -> None:
    qid = ve("ask", "esc", "--question", "Name?").stdout.strip()
    hostile = "ok\x1b]0;pwned\x07\x1b[2J\x07 done\u202e\u200b"
    assert ve("answer", "esc", qid, "--text", hostile).returncode == 0
    took = ve("take", "esc")
    assert took.returncode == 0
    assert "\x1b" not in took.stdout and "\x07" not in took.stdout
    assert took.stdout == clean(hostile) + "\n"  # the one guard, bidi and zero-width included


def test_status_and_log_escape_a_run_state_from_the_notes(ve: Ve, orepo: Path) -> None:
    Store(orepo).record_run("odd", state="DONE\x1b[31m\x07", exit_code=0)
    for args in (("status",), ("log", "odd")):
        r = ve(*args)
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "DONE" in r.stdout
