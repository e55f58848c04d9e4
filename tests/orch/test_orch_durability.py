"""The record survives gc + notes prune, rebases, amends, shallow clones and worktrees; and
40 concurrent writers lose nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from orch_support import Ve, git, run_ve, ve_cmd

from ve_hooks.orch.store import Store

REF = "refs/notes/ve/orch"


def _events(repo: Path) -> dict[str, list[str]]:
    ledger = Store(repo).load()
    return {name: sorted(e.id for e in u.events) for name, u in ledger.units.items()}


def test_gc_prune_now_and_notes_prune_lose_nothing(ve: Ve, orepo: Path) -> None:
    assert ve("ask", "unit-a", "--question", "Keep me?").returncode == 0
    assert ve("answer", "unit-a", "--text", "yes").returncode == 0
    assert ve("ask", "unit-b", "--question", "Me too?").returncode == 0
    before = _events(orepo)
    # Control: a note on an unreachable blob is exactly what gc + notes prune destroy.
    loose = git(orepo, "hash-object", "-w", "--stdin", input=b"loose anchor\n")
    git(orepo, "notes", "--ref", "control", "add", "-m", "doomed", loose)

    git(orepo, "reflog", "expire", "--expire=now", "--all")
    git(orepo, "gc", "--prune=now", "--quiet")
    git(orepo, "notes", "--ref", REF, "prune")
    git(orepo, "notes", "--ref", "control", "prune")

    assert git(orepo, "notes", "--ref", "control", "list") == ""  # the control note is gone
    assert _events(orepo) == before  # ours are all there
    anchor = git(orepo, "rev-parse", f"{REF}:ve-orch-units/unit-a")
    assert "Keep me?" in git(orepo, "notes", "--ref", REF, "show", anchor)  # plain git reads it
    assert git(orepo, "cat-file", "-p", anchor) == "ve-orch-unit:unit-a"


def test_rebase_amend_and_squash_do_not_lose_notes(ve: Ve, orepo: Path) -> None:
    git(orepo, "checkout", "-q", "-b", "feature")
    for i in range(3):
        (orepo / f"f{i}.txt").write_text(f"{i}\n")
        git(orepo, "add", ".")
        git(orepo, "commit", "-q", "-m", f"feature {i}")
    assert ve("ask", "unit-r", "--question", "Rebase-proof?").returncode == 0
    git(orepo, "checkout", "-q", "main")
    (orepo / "main.txt").write_text("main\n")
    git(orepo, "add", ".")
    git(orepo, "commit", "-q", "-m", "main moves on")
    git(orepo, "checkout", "-q", "feature")
    git(orepo, "rebase", "-q", "main")
    git(orepo, "commit", "-q", "--amend", "-m", "amended")
    git(orepo, "reset", "-q", "--soft", "main")
    git(orepo, "commit", "-q", "-m", "squashed")
    att = ve("attention", "--format", "json")
    assert att.returncode == 1 and "Rebase-proof?" in att.stdout


def test_shallow_clone_worktree_and_subdirectory_see_the_same_notes(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    assert ve("ask", "unit-s", "--question", "Shallow?").returncode == 0
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{orepo}", str(shallow)], check=True)
    r = run_ve(shallow, "sync", "origin")
    assert r.returncode == 0 and "fast-forwarded" in r.stdout, r.stdout + r.stderr
    assert "Shallow?" in run_ve(shallow, "attention").stdout

    git(orepo, "worktree", "add", "-q", str(tmp_path / "wt"))
    (tmp_path / "wt" / "sub").mkdir()
    assert run_ve(tmp_path / "wt" / "sub", "ask", "unit-s", "--question", "From a worktree?").returncode == 0
    out = run_ve(orepo, "--repo", str(tmp_path / "wt" / "sub"), "attention").stdout
    assert "Shallow?" in out and "From a worktree?" in out
    assert "From a worktree?" in ve("attention").stdout


def test_forty_concurrent_writers_keep_forty_events(ve: Ve, orepo: Path) -> None:
    store = Store(orepo)
    qids = [store.ask("hot", f"seeded {i}") for i in range(10)]
    procs = [subprocess.Popen(ve_cmd("ask", "hot", "--question", f"concurrent {i}"), cwd=orepo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(30)]
    procs += [subprocess.Popen(ve_cmd("answer", "hot", qid, "--text", f"answer {qid}"), cwd=orepo,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for qid in qids]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    unit = store.load().unit("hot")
    texts = {q.text for q in unit.questions.values()}
    assert {f"concurrent {i}" for i in range(30)} <= texts
    assert sum(len(q.answers) for q in unit.questions.values()) == 10
    assert len(unit.events) == 10 + 40


def test_compare_and_swap_alone_keeps_concurrent_writes(orepo: Path, monkeypatch: object) -> None:
    """Without the local flock, racing writers conflict on update-ref and retry: none is lost."""
    import threading

    from ve_hooks.orch import model, notes

    monkeypatch.setenv("VE_ORCH_LOCAL_LOCK", "0")  # type: ignore[attr-defined]
    store = Store(orepo)
    tries: list[int] = []

    def write(i: int) -> None:
        e = model.make("question", unit=f"u{i % 2}", text=f"race {i}")
        tries.append(notes.append(store.repo, store.ref, {f"u{i % 2}": model.encode(e)}, "race"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger = store.load()
    assert sum(len(u.questions) for u in ledger.units.values()) == 16
    assert len(tries) == 16 and max(tries) > 1  # conflicts happened and were retried
