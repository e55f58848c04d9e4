"""One question, one answer: racing `ve orch answer` processes (issue 23 item 3).

The check ("still open?") and the write are one compare-and-swap of the notes ref, so exactly one
of many concurrent answers is recorded; every other process is told it lost, with the winning
answer's id, and exits 1. ``--force`` is the one way to replace an answer.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from orch_support import Ve, ve_cmd

from ve_hooks.orch.store import Store

N = 20


def _race(orepo: Path, *args_of: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once (real processes), then collect them."""
    procs = [subprocess.Popen(ve_cmd(*args), cwd=orepo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for args in args_of]
    out = []
    for p, args in zip(procs, args_of, strict=True):
        stdout, stderr = p.communicate(timeout=180)
        out.append(subprocess.CompletedProcess(args, p.returncode, stdout, stderr))
    return out


@pytest.mark.parametrize("name_the_question", [True, False], ids=["by-id", "only-open-question"])
def test_exactly_one_of_twenty_parallel_answers_wins(ve: Ve, orepo: Path, name_the_question: bool) -> None:
    qid = ve("ask", "race", "--question", "Which one?").stdout.strip()
    target = [qid] if name_the_question else []
    results = _race(orepo, *(["answer", "race", *target, "--text", f"answer {i}"] for i in range(N)))
    assert all("Traceback" not in r.stderr and "internal error" not in r.stderr for r in results)
    winners = [r for r in results if r.returncode == 0]
    losers = [r for r in results if r.returncode != 0]
    assert len(winners) == 1, [(r.returncode, r.stdout, r.stderr) for r in results]
    winning_id = re.search(r"answered \((a-[0-9a-f]+)\)", winners[0].stdout).group(1)  # type: ignore[union-attr]
    assert len(losers) == N - 1
    for r in losers:
        assert r.returncode == 1, r.stderr
        assert winning_id in r.stderr and "--force" in r.stderr, r.stderr
        assert re.search(r"answered (meanwhile )?by a-", r.stderr) and "answered (" not in r.stdout
    # The record agrees: one answer event, and it is the one its process said it wrote.
    q = Store(orepo).load(["race"]).unit("race").questions[qid]
    assert [a.id for a in q.answers] == [winning_id]


def test_answering_an_answered_question_names_the_winner_and_force_replaces_it(ve: Ve, orepo: Path) -> None:
    qid = ve("ask", "twice", "--question", "Once?").stdout.strip()
    first = ve("answer", "twice", qid, "--text", "yes")
    first_id = re.search(r"\((a-[0-9a-f]+)\)", first.stdout).group(1)  # type: ignore[union-attr]
    for args in ((qid, "--text", "no"), ("--text", "no"), ("no",)):
        again = ve("answer", "twice", *args)
        assert again.returncode == 1, (args, again.stderr)
        assert f"already answered by {first_id}" in again.stderr and "use --force to replace" in again.stderr
        assert "no open question" not in again.stderr
    forced = ve("answer", "twice", qid, "--text", "no", "--force")
    assert forced.returncode == 0
    q = Store(orepo).load(["twice"]).unit("twice").questions[qid]
    assert q.winner is not None and q.winner.get("text") == "no" and q.winner.get("supersedes") == first_id


def test_answer_reads_the_notes_once(orepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ve orch answer` reads the ledger once (issue 25 item 4): routing, the question and the first
    compare-and-swap attempt share one snapshot."""
    from support.cli import invoke

    from ve_hooks.cli import main
    from ve_hooks.orch import notes

    store = Store(orepo)
    qid = store.ask("once", "Read how often?")
    reads: list[str | None] = []
    real = notes.read_snapshot

    def counting(*args: object, **kw: object) -> notes.NotesSnapshot:
        reads.append(str(args[1]))
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(notes, "read_snapshot", counting)
    r = invoke(main, "orch", "answer", "once", qid, "--text", "once", cwd=orepo)
    assert r.code == 0, r.stderr
    assert len(reads) == 1
