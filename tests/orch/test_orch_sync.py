"""`ve orch sync` across clones: union merge, same winner everywhere, nothing clobbered."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from orch_support import git, run_ve

from ve_hooks.orch.store import Store

REF = "refs/notes/ve/orch"


def _clones(orepo: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(orepo), str(remote)], check=True)
    a, b = tmp_path / "a", tmp_path / "b"
    for c in (a, b):
        subprocess.run(["git", "clone", "-q", str(remote), str(c)], check=True)
    return remote, a, b


def test_two_clones_answer_the_same_question_and_agree_on_the_winner(orepo: Path, tmp_path: Path) -> None:
    remote, a, b = _clones(orepo, tmp_path)
    qid = run_ve(a, "ask", "unit-x", "--question", "Which database?", "--option", "pg", "--option", "sqlite").stdout.strip()
    assert "pushed" in run_ve(a, "sync").stdout
    assert "fast-forwarded" in run_ve(b, "sync", "origin").stdout

    assert run_ve(a, "answer", "unit-x", qid, "--option", "1").returncode == 0  # earlier
    time.sleep(0.01)
    assert run_ve(b, "answer", "unit-x", qid, "--text", "sqlite, it is small").returncode == 0
    assert "pushed" in run_ve(a, "sync").stdout
    r = run_ve(b, "sync")
    assert r.returncode == 0 and "merged" in r.stdout and "diverged" in r.stdout, r.stdout + r.stderr
    assert "fast-forwarded" in run_ve(a, "sync").stdout

    winners = set()
    for clone in (a, b):
        q = Store(clone).load().unit("unit-x").questions[qid]
        assert len(q.answers) == 2
        assert q.winner is not None
        winners.add(q.winner.id)
        log = run_ve(clone, "log", "unit-x").stdout
        assert "[winner]" in log and "[superseded:" in log and "sqlite, it is small" in log
    assert len(winners) == 1
    assert git(a, "rev-parse", REF) == git(b, "rev-parse", REF) == git(remote, "rev-parse", REF)
    # A second round changes nothing.
    assert "up to date" in run_ve(b, "sync").stdout


def test_sync_merges_a_rewritten_remote_without_losing_either_side(orepo: Path, tmp_path: Path) -> None:
    remote, a, b = _clones(orepo, tmp_path)
    run_ve(a, "ask", "unit-a", "--question", "From A?")
    run_ve(a, "sync")
    run_ve(b, "ask", "unit-b", "--question", "From B?")
    # Someone force-pushes unrelated notes history to the remote.
    git(b, "push", "-q", "--force", "origin", f"{REF}:{REF}")
    r = run_ve(a, "sync")
    assert r.returncode == 0 and "merged" in r.stdout
    texts = {q.text for u in Store(a).load().units.values() for q in u.questions.values()}
    assert texts == {"From A?", "From B?"}
    assert git(remote, "rev-parse", REF) == git(a, "rev-parse", REF)


def test_sync_refuses_a_remote_ref_that_is_not_a_commit(orepo: Path, tmp_path: Path) -> None:
    remote, a, _ = _clones(orepo, tmp_path)
    run_ve(a, "ask", "unit-a", "--question", "Mine?")
    blob = git(remote, "hash-object", "-w", "--stdin", input=b"not notes\n")
    git(remote, "update-ref", REF, blob)
    r = run_ve(a, "sync")
    assert r.returncode == 2 and "not a notes commit" in r.stderr and "Traceback" not in r.stderr
    assert "Mine?" in run_ve(a, "attention").stdout
    assert git(remote, "rev-parse", REF) == blob  # nothing overwritten
