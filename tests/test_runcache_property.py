"""A replay is never stale: after any sequence of edits, a run served from the cache reports
exactly what a run without any cache reports.

Random edit sequences on a small real repository (source files with backreference comments,
chunks with code references and code_paths globs, the backreference allow-list, a workspace
member's tree, staging and commits) are checked after every step, in the worktree and in the
index, each with a warm cache (a replay where nothing it read changed) and with none.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.validation import engine

pytestmark = pytest.mark.slow

NAMES = ("alpha", "beta", "gamma")  # chunks that may or may not exist
SOURCES = ("src/a.py", "src/b.py", "src/pkg/c.py", "packages/lib/src/lib.py")
SYMBOLS = ("main", "helper")


def _source(names: list[str], symbols: list[str]) -> str:
    lines = [f"# Chunk: docs/chunks/{n} - a backreference" for n in names]
    lines += [f"def {s}():\n    return 1\n" for s in symbols]
    return "\n".join(lines) + "\n"


write_source = st.tuples(st.just("source"), st.sampled_from(SOURCES),
                         st.lists(st.sampled_from(NAMES), max_size=2), st.lists(st.sampled_from(SYMBOLS), max_size=2))
write_chunk = st.tuples(st.just("chunk"), st.sampled_from(NAMES), st.sampled_from(("ACTIVE", "FUTURE")),
                        st.lists(st.tuples(st.sampled_from(SOURCES[:3]), st.sampled_from(SYMBOLS)), max_size=2),
                        st.sampled_from(((), ("src/*.py",), ("src/*.rs",))))
member_chunk = st.tuples(st.just("member"), st.sampled_from(("src/lib.py#helper", "src/gone.py#x",
                                                             "root::src/a.py#main")))
remove = st.tuples(st.just("remove"), st.sampled_from((*SOURCES, *(f"docs/chunks/{n}/GOAL.md" for n in NAMES))))
allow = st.tuples(st.just("allow"), st.sampled_from((None, *SOURCES[:3])))
workspace = st.tuples(st.just("workspace"), st.booleans())
step = st.one_of(write_source, write_chunk, member_chunk, remove, allow, workspace,
                 st.tuples(st.just("stage")), st.tuples(st.just("commit")))


def _apply(repo: GitRepo, op: tuple) -> None:
    kind = op[0]
    if kind == "source":
        repo.write(op[1], _source(op[2], op[3]))
    elif kind == "chunk":
        refs = [{"ref": f"{f}#{s}", "implements": "it"} for f, s in op[3]]
        repo.write(f"docs/chunks/{op[1]}/GOAL.md", chunk_goal(op[2], code_references=refs, code_paths=list(op[4])))
    elif kind == "member":
        repo.write("packages/lib/docs/chunks/lib_chunk/GOAL.md",
                   chunk_goal("ACTIVE", code_references=[{"ref": op[1], "implements": "it"}]))
    elif kind == "remove":
        (repo.path / op[1]).unlink(missing_ok=True)
    elif kind == "allow":
        if op[1] is None:
            (repo.path / ".ve-config.yaml").unlink(missing_ok=True)
        else:
            repo.write(".ve-config.yaml", f"validation:\n  ignore_backreferences:\n    - path: {op[1]}\n"
                                          "      reason: a fixture\n")
    elif kind == "workspace":
        if op[1]:
            repo.write(".ve-workspace.yaml", "members:\n  root: .\n  lib: packages/lib\n")
        else:
            (repo.path / ".ve-workspace.yaml").unlink(missing_ok=True)
    elif kind == "stage":
        repo.add()
    else:
        repo.commit("step")


def _findings(repo: GitRepo, cache: str, staged: bool) -> list[tuple[str, str, int, str, str]]:
    old = os.environ.get("VE_HOOKS_CACHE_DIR")
    os.environ["VE_HOOKS_CACHE_DIR"] = cache
    try:
        out = engine.run(engine.Options(repo=str(repo.path), cwd=repo.path, staged=staged))
    finally:
        if old is None:
            del os.environ["VE_HOOKS_CACHE_DIR"]
        else:
            os.environ["VE_HOOKS_CACHE_DIR"] = old
    return sorted((d.rule, d.path, d.line, d.severity.value, d.message) for d in out.diagnostics)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=7))
def test_a_replay_reports_what_a_run_without_cache_reports(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo.init(Path(tmp) / "r")
        repo.chunk("alpha", "ACTIVE")
        repo.write("src/a.py", _source(["alpha"], ["main"]))
        repo.commit("start")
        cache = str(Path(tmp) / "cache")
        for op in steps:
            _apply(repo, op)
            for staged in (False, True):
                fresh = _findings(repo, "", staged)
                # The first run after the edit must not replay the row of the state before it;
                # the second replays its own.
                assert _findings(repo, cache, staged) == fresh, (op, staged, "after the edit")
                assert _findings(repo, cache, staged) == fresh, (op, staged, "replayed")
