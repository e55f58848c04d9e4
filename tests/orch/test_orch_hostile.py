"""Hostile input: odd notes, odd refs, stale locks, escape sequences, bad names, racing writers."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from orch_support import Ve, git

from ve_hooks.orch import model, notes
from ve_hooks.orch.store import Store, seed_questions

REF = "refs/notes/ve/orch"


def _anchor(repo: Path, unit: str) -> str:
    return git(repo, "hash-object", "-w", "--stdin", input=f"ve-orch-unit:{unit}\n".encode())


def test_non_utf8_malformed_and_unknown_lines_are_skipped_and_kept(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    good = model.encode(model.make("question", unit="unit-h", text="Still readable?"))
    bad = (b"\xff\xfe not utf-8 \x80\n" b"{not json\n" b"[1, 2]\n"
           b'{"v":1,"type":"teleport","id":"t-1"}\n' b'{"v":1,"type":"answer","id":"a-x"}\n' + good)
    note = tmp_path / "note"
    note.write_bytes(bad)
    # Written with plain git notes (so the unit has no anchor entry yet).
    git(orepo, "notes", "--ref", REF, "add", "-F", str(note), _anchor(orepo, "unit-h"))
    r = ve("attention")
    assert r.returncode == 1 and "Still readable?" in r.stdout and "Traceback" not in r.stderr
    for what in ("not UTF-8", "not JSON", "not a JSON object", "unknown event type teleport",
                 "answer event without question_id", "no ve-orch-units/ entry"):
        assert what in r.stderr, what
    assert ve("ask", "unit-h", "--question", "And now?").returncode == 0
    stored = git(orepo, "rev-parse", f"{REF}:ve-orch-units/unit-h")
    raw = notes.cat_file_batch(orepo, [git(orepo, "notes", "--ref", REF, "list", stored)])
    content = next(iter(raw.values()))
    assert content.startswith(bad) and b"And now?" in content  # nothing lost, anchor restored


def test_ref_pointing_at_a_blob_is_reported_and_never_overwritten(ve: Ve, orepo: Path) -> None:
    blob = git(orepo, "hash-object", "-w", "--stdin", input=b"someone else's\n")
    git(orepo, "update-ref", REF, blob)
    for args in (("attention",), ("status",), ("ask", "u", "--question", "q?")):
        r = ve(*args)
        assert r.returncode == 2 and "points at a blob" in r.stderr and "Traceback" not in r.stderr
    assert git(orepo, "rev-parse", REF) == blob


def test_stale_lock_is_reported_clearly(ve: Ve, orepo: Path) -> None:
    assert ve("ask", "unit-l", "--question", "Before the crash?").returncode == 0
    lock = orepo / ".git" / "refs" / "notes" / "ve" / "orch.lock"
    lock.write_text("")
    old = time.time() - 3600
    os.utime(lock, (old, old))
    r = ve("ask", "unit-l", "--question", "During?")
    assert r.returncode == 2 and "crashed" in r.stderr and str(lock) in r.stderr and "Nothing was written" in r.stderr
    att = ve("attention")
    assert "Before the crash?" in att.stdout and "stale lock" in att.stderr
    lock.unlink()
    assert ve("ask", "unit-l", "--question", "After?").returncode == 0
    assert len(Store(orepo).load().unit("unit-l").questions) == 2


def test_ref_moved_between_read_and_write_is_retried_and_bounded(orepo: Path) -> None:
    store = Store(orepo)
    store.ask("unit-c", "first")
    snap = notes.read_snapshot(orepo, REF, names=["unit-c"])
    stale = notes.build_commit(store.repo, snap, {"unit-c": model.encode(model.make("question", unit="unit-c", text="lost?"))}, "m")
    store.ask("unit-c", "second")  # another process moves the ref
    with pytest.raises(notes.CasConflict):
        notes.update_ref(store.repo, REF, stale, snap.commit, "m")
    calls = []

    def always_conflicts() -> None:
        calls.append(1)
        raise notes.CasConflict("moved")

    with pytest.raises(notes.NotesError, match="kept moving"):
        notes.cas_loop(store.repo, REF, always_conflicts, max_attempts=4)
    assert len(calls) == 4
    assert {q.text for q in store.load().unit("unit-c").questions.values()} == {"first", "second"}


def test_escape_sequences_in_agent_text_are_neutralised(ve: Ve) -> None:
    evil = "Title\x1b]0;pwned\x07 clear\x1b[2J\x1b[31mred\x1b[0m bell\x07 csi\x9b1m back\rspace"
    assert ve("ask", "unit-e", "--question", evil, "--option", "ok\x1b[5m", "--context", "ctx\x1bP1$q\x1b\\").returncode == 0
    for args in (("attention",), ("log", "unit-e"), ("status",)):
        out = ve(*args)
        for ch in ("\x1b", "\x07", "\x9b", "\r"):
            assert ch not in out.stdout + out.stderr, (args, ch)
    js = json.loads(ve("attention", "--format", "json").stdout)
    assert js[0]["text"] == evil  # machine output keeps the data, JSON-escaped


@pytest.mark.parametrize("name", ["", "a/b", "..", "x..y", "bad\x1bname", "tab\tname", "-opt", ".hidden", "x" * 101])
def test_bad_unit_names_exit_2(ve: Ve, name: str) -> None:
    r = ve("ask", name, "--question", "q?")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "\x1b" not in r.stderr


def test_answer_rules(ve: Ve, orepo: Path) -> None:
    q1 = ve("ask", "unit-q", "--question", "One?", "--option", "a", "--option", "b").stdout.strip()
    q2 = ve("ask", "unit-q", "--question", "Two?").stdout.strip()
    r = ve("answer", "unit-q", "--text", "x")
    assert r.returncode == 2 and q1 in r.stderr and q2 in r.stderr  # which one?
    assert ve("answer", "unit-q", q1, "--option", "3").returncode == 2
    assert ve("answer", "unit-q", q2, "--option", "1").returncode == 2  # no options
    assert ve("answer", "unit-q", q1[:6] + "zz", "--text", "x").returncode == 2
    assert ve("answer", "unit-q", q1, "--option", "2").returncode == 0
    assert ve("answer", "unit-q", q1, "--option", "1").returncode == 1  # already answered: refused, naming the winner
    assert ve("answer", "unit-q", q1, "--text", "actually a", "--force").returncode == 0
    q = Store(orepo).load().unit("unit-q").questions[q1]
    assert q.winner is not None and q.winner.get("text") == "actually a"  # forced answer supersedes
    assert ve("answer", "unit-q", input="from stdin\n").returncode == 0  # the only open one: q2
    assert Store(orepo).load().unit("unit-q").questions[q2].winner.get("text") == "from stdin\n"
    q3 = ve("ask", "unit-q", "--question", "Three?").stdout.strip()
    assert ve("cancel", "unit-q", q3).returncode == 0
    assert ve("attention").returncode == 0
    assert "CANCELLED" in ve("log", "unit-q").stdout


def test_ref_option_env_and_validation(ve: Ve, orepo: Path) -> None:
    assert ve("--ref", "refs/notes/other", "ask", "u", "--question", "elsewhere?").returncode == 0
    assert ve("attention").returncode == 0
    assert ve("attention", env={"VE_ORCH_REF": "refs/notes/other"}).returncode == 1
    assert ve("--ref", "refs/heads/main", "attention").returncode == 2


def test_no_git_identity_still_writes(orepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    git(orepo, "config", "user.useConfigOnly", "true")  # git refuses to guess an identity
    Store(orepo).ask("unit-i", "Who am I?")
    assert "Who am I?" in json.dumps([q.text for q in Store(orepo).load().unit("unit-i").questions.values()])


def test_attention_reads_a_thousand_questions_in_bulk(orepo: Path, tmp_path: Path, ve: Ve) -> None:
    seed_questions(orepo, 1000, units=200, answered_every=10)
    trace = tmp_path / "trace"
    r = ve("attention", "--format", "json", env={"GIT_TRACE": str(trace)})
    states = [e["state"] for e in json.loads(r.stdout)]
    assert r.returncode == 1 and states.count("open") == 900 and states.count("answered") == 100
    # Bulk means a bounded number of git processes, whatever the number of questions (no timing).
    git_processes = sum(1 for line in trace.read_text().splitlines() if "trace: built-in: git" in line)
    assert git_processes <= 5, git_processes
