"""The whole-run cache: a replay is only served when nothing the run depended on changed.

Each test changes one input a run's findings depend on -- an artifact, a referenced source file,
a source file's existence, a glob's directory, the configuration, the selection, the targets, the
base commit, the code of ve-hooks -- and checks that the next run sees the change (and that an
unchanged repeat is a replay).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.validation import engine, runcache


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("VE_HOOKS_CACHE_DIR", str(tmp_path / "cache"))
    r = GitRepo.init(tmp_path / "r")
    r.write("src/app.py", "def main():\n    pass\n\n\ndef helper():\n    pass\n")
    r.write("docs/chunks/first/GOAL.md", chunk_goal("ACTIVE"))
    r.write("docs/chunks/second/GOAL.md", chunk_goal(
        "ACTIVE", ["first"], code_references=[{"ref": "src/app.py#helper", "implements": "the helper"}],
        code_paths=["src/*.py"]))
    r.commit("two chunks")
    return r


def run(repo: GitRepo, **kw: object) -> tuple[set[tuple[str, str, str]], int]:
    """(findings, documents parsed): parsed is 0 exactly when the run was replayed."""
    out = engine.run(engine.Options(repo=str(repo.path), cwd=repo.path, **kw))  # type: ignore[arg-type]
    return {(d.rule, d.path, d.message) for d in out.diagnostics}, out.parsed


def replayed(repo: GitRepo, **kw: object) -> bool:
    spied: list[bool] = []
    real = runcache.lookup

    def spy(*a: object, **k: object) -> object:
        got = real(*a, **k)  # type: ignore[arg-type]
        spied.append(got is not None)
        return got

    runcache.lookup = spy  # type: ignore[assignment]
    try:
        run(repo, **kw)
    finally:
        runcache.lookup = real  # type: ignore[assignment]
    return spied == [True]


def codes(found: set[tuple[str, str, str]]) -> set[str]:
    return {c for c, _, _ in found}


def test_an_unchanged_repeat_is_replayed_with_the_same_findings(repo: GitRepo) -> None:
    first = run(repo)[0]
    assert replayed(repo)
    assert run(repo)[0] == first


def test_an_artifact_edit_is_seen(repo: GitRepo) -> None:
    run(repo)
    repo.write("docs/chunks/second/GOAL.md", chunk_goal("ACTIVE", ["no_such_chunk"]))
    assert not replayed(repo)
    assert "VE401" in codes(run(repo)[0])


def test_a_referenced_source_edit_is_seen(repo: GitRepo) -> None:
    before = run(repo)[0]
    repo.write("src/app.py", "def main():\n    pass\n")  # helper is gone
    assert not replayed(repo)
    after = run(repo)[0]
    assert after != before and any("helper" in m for _, _, m in after)


def test_a_deleted_source_file_is_seen(repo: GitRepo) -> None:
    run(repo)
    os.unlink(repo.path / "src/app.py")
    assert not replayed(repo)
    assert any("src/app.py" in m for _, _, m in run(repo)[0])


def test_a_new_file_under_a_globbed_directory_is_seen(repo: GitRepo) -> None:
    run(repo)
    repo.write("src/more.py", "x = 1\n")
    assert not replayed(repo)


def test_configuration_selection_and_targets_are_part_of_the_key(repo: GitRepo) -> None:
    run(repo)
    assert not replayed(repo, select=["VE4"])
    assert not replayed(repo, ignore=["VE401"])
    assert not replayed(repo, paths=["docs/chunks/second"])
    run(repo)
    assert replayed(repo)
    repo.write(".ve-hooks.toml", "strict-transitions = true\n")
    assert not replayed(repo)
    assert replayed(repo)
    (repo.path / "pyproject.toml").write_text("[tool.ve-hooks]\ncheck-code-references = false\n")
    assert not replayed(repo)


def test_the_base_commit_is_part_of_the_key(repo: GitRepo) -> None:
    repo.write("docs/chunks/third/GOAL.md", chunk_goal("FUTURE", ["second"]))
    run(repo)
    assert replayed(repo)
    repo.commit("third")  # same worktree, new HEAD: lifecycle and tips rules compare with it
    assert not replayed(repo)


def test_the_code_of_ve_hooks_is_part_of_the_key(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    run(repo)
    assert replayed(repo)
    monkeypatch.setattr(runcache, "_code_version", lambda: "an edited rule")
    assert not replayed(repo)


def test_the_code_version_follows_the_package_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ve_hooks

    pkg = tmp_path / "ve_hooks"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("x = 1\n")
    monkeypatch.setattr(ve_hooks, "__file__", str(pkg / "__init__.py"))
    first = runcache._code_version()
    (pkg / "rule.py").write_text("y = 2\n")
    second = runcache._code_version()
    (pkg / "rule.py").write_text("y = 22\n")
    assert len({first, second, runcache._code_version()}) == 3


def test_a_damaged_row_is_a_miss(repo: GitRepo) -> None:
    first = run(repo)[0]
    from ve_hooks.cache import Cache

    cache = Cache.for_git_dir(None)
    db = cache._connect()
    assert db is not None
    db.execute("UPDATE entries SET v = '{\"diags\": 3}' WHERE k LIKE '%:runs:%'")
    cache.close()
    assert not replayed(repo)
    assert run(repo)[0] == first


def test_staged_and_commit_snapshots_replay_too(repo: GitRepo) -> None:
    assert run(repo, staged=True)[0] == run(repo, staged=True)[0]
    assert replayed(repo, staged=True)
    assert replayed(repo, rev="HEAD") is False  # first time at this revision
    assert replayed(repo, rev="HEAD")


def test_a_new_source_backreference_is_seen(repo: GitRepo) -> None:
    """VE704 reads every source file, not the artifact listing: the grep that found the files
    with backreferences is part of what a replay must find unchanged."""
    run(repo)
    assert replayed(repo)
    repo.write("src/new.py", "# Chunk: docs/chunks/never_written\ndef f():\n    pass\n")
    repo.commit("a source file")  # tracked, as pre-commit and CI see source files
    assert not replayed(repo)
    found, _ = run(repo)
    assert ("VE704", "src/new.py") in {(c, p) for c, p, _ in found}
    assert replayed(repo)
    assert run(repo)[0] == found


def test_an_edited_backreference_in_the_worktree_is_seen(repo: GitRepo) -> None:
    repo.write("src/lib.py", "# Chunk: docs/chunks/first\nx = 1\n")
    repo.commit("lib")
    before = run(repo)[0]
    assert replayed(repo)
    repo.write("src/lib.py", "# Chunk: docs/chunks/fisrt\nx = 1\n")  # not staged: the worktree's text counts
    assert not replayed(repo)
    after = run(repo)[0]
    assert ("VE704", "src/lib.py") in {(c, p) for c, p, _ in after} - {(c, p) for c, p, _ in before}
    repo.write("src/lib.py", "x = 1\n")  # the comment is gone: the grep finds one file fewer
    assert not replayed(repo)
    assert ("VE704", "src/lib.py") not in {(c, p) for c, p, _ in run(repo)[0]}


def test_the_allow_list_is_part_of_what_a_replay_checks(repo: GitRepo) -> None:
    repo.write("tests/fixture.py", "# Chunk: docs/chunks/made_up\n")
    repo.commit("a fixture")
    assert ("VE704", "tests/fixture.py") in {(c, p) for c, p, _ in run(repo)[0]}
    assert replayed(repo)
    repo.write(".ve-config.yaml", "validation:\n  ignore_backreferences:\n"
                                  "    - path: tests/fixture.py\n      reason: a fixture\n")
    assert not replayed(repo)
    assert ("VE704", "tests/fixture.py") not in {(c, p) for c, p, _ in run(repo)[0]}


def test_the_scope_of_the_source_checks_is_part_of_the_key(repo: GitRepo) -> None:
    """Two PATHS runs with no artifact under them check the same (no) targets but different
    source files."""
    repo.write("src/a/one.py", "# Chunk: docs/chunks/gone_one\n")
    repo.write("src/b/two.py", "# Chunk: docs/chunks/gone_two\n")
    repo.commit("two folders")
    a = run(repo, paths=["src/a"])[0]
    b = run(repo, paths=["src/b"])[0]
    assert {p for _, p, _ in a} == {"src/a/one.py"} and {p for _, p, _ in b} == {"src/b/two.py"}


def test_one_row_per_kind_of_run(repo: GitRepo) -> None:
    """A whole-tree row holds every finding: the next run of the same kind replaces it, so the
    cache does not grow by a row after every edit."""
    from ve_hooks.cache import Cache

    for i in range(3):
        repo.write(f"docs/chunks/more_{i}/GOAL.md", chunk_goal("FUTURE", ["second"]))
        run(repo)
    run(repo, staged=True)
    cache = Cache.for_git_dir(None)
    db = cache._connect()
    assert db is not None
    rows = db.execute("SELECT COUNT(*) FROM entries WHERE k LIKE '%:runs:%'").fetchone()[0]
    cache.close()
    assert rows == 2  # the worktree's and the index's


def test_rows_of_the_per_key_layout_are_deleted(repo: GitRepo) -> None:
    """Before one row per kind of run, every key had its own row: a run removes them."""
    from ve_hooks.cache import Cache

    legacy = Cache.for_git_dir(None)
    for i in range(3):
        legacy.put("run", f"{i:040x}", {"diags": [], "files": 0, "deps": []})
    legacy.put("pysymbols", "keep", ["x"])
    legacy.close()
    run(repo)
    cache = Cache.for_git_dir(None)
    db = cache._connect()
    assert db is not None
    namespaces = [k.split(":")[1] for (k,) in db.execute("SELECT k FROM entries")]
    cache.close()
    assert "run" not in namespaces and "runs" in namespaces and "pysymbols" in namespaces


def test_a_listed_file_edited_back_and_forth_is_seen(repo: GitRepo) -> None:
    """A workspace member's documents are read through a listing outside the artifact root; when
    their parse comes from the blob-id cache nothing is read, so the listing's record must carry
    the blob ids, or the third of three staged versions replays the first's findings."""
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n")
    repo.write("packages/lib/src/lib.py", "def helper():\n    return 1\n")
    goal = "packages/lib/docs/chunks/lib_chunk/GOAL.md"
    good = chunk_goal("ACTIVE", code_references=[{"ref": "src/lib.py#helper", "implements": "it"}])
    bad = chunk_goal("ACTIVE", code_references=[{"ref": "src/lib.py#gone", "implements": "it"}])
    seen = []
    for text in (good, bad, good, bad):
        repo.write(goal, text)
        repo.add()
        seen.append(any(p == goal for _, p, _ in run(repo, staged=True)[0]))
    assert seen == [False, True, False, True]
