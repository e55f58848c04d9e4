"""The ve-validate and ve-status-transitions hooks, called in-process on real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.repo_factory import GitRepo

from ve_hooks.hooks import status_transitions
from ve_hooks.hooks import validate as hook


def _base(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.chunk("beta", depends_on=["alpha"], created_after=["alpha"])
    repo.write("src/app.py", "# Chunk: docs/chunks/alpha - the entry point\ndef main():\n    pass\n")
    repo.commit("base")


def _rules(result: hook.Result) -> set[tuple[str, str]]:
    return {(d.path, d.rule) for d in result.diagnostics}


def test_unrelated_commit_exits_before_parsing(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _base(repo)
    repo.write("src/other.py", "x = 1\n")
    repo.add()
    monkeypatch.chdir(repo.path)
    assert hook.main(["--stats"]) == 0
    assert "early exit: no change under docs/; 0 files, 0 parsed" in capsys.readouterr().err


def test_bad_staged_chunk_fails_with_rule_code(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _base(repo)
    repo.chunk("gamma", status="BOGUS", created_after=["beta"])
    repo.add()
    monkeypatch.chdir(repo.path)
    assert hook.main([]) == 1
    out = capsys.readouterr().out
    assert "docs/chunks/gamma/GOAL.md:" in out and "VE201" in out


def test_only_staged_artifacts_are_targets(repo: GitRepo) -> None:
    _base(repo)
    repo.chunk("gamma", created_after=["beta"])
    repo.add()
    result = hook.validate(repo.path)
    assert result.files == 1 and not result.early_exit


def test_rename_of_referenced_chunk_breaks_unstaged_dependents(repo: GitRepo) -> None:
    _base(repo)
    repo.git("mv", "docs/chunks/alpha", "docs/chunks/alpha-renamed")
    result = hook.validate(repo.path)
    found = _rules(result)
    assert any(p == "docs/chunks/beta/GOAL.md" and r.startswith("VE4") for p, r in found), found
    assert ("src/app.py", "VE704") in found  # the source backreference broke too
    assert result.files == 3  # the renamed chunk, its dependent and the source file: not the repository


def test_a_removal_opens_the_project_once(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The artifacts and the source files naming a removed artifact are one run."""
    from ve_hooks import project
    from ve_hooks.validation import engine

    _base(repo)
    repo.remove("docs/chunks/alpha")
    opened: list[Path] = []
    real = project.open_project

    def counting(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real(path)

    monkeypatch.setattr(project, "open_project", counting)
    monkeypatch.setattr(engine, "open_project", counting)
    result = hook.validate(repo.path)
    assert {("docs/chunks/beta/GOAL.md", "VE401"), ("src/app.py", "VE704")} <= _rules(result)
    assert len(opened) == 1


def test_staged_project_files_under_the_root_are_checked(repo: GitRepo) -> None:
    _base(repo)
    repo.write("docs/hooks/chunk-compelte.md", "Run the tests first.\n")
    repo.write("docs/trunk/NOTES.md", "# Notes\n")  # neither an artifact nor a project file
    repo.add()
    assert "VE803" in {r for _, r in _rules(hook.validate(repo.path))}
    result = hook.validate(repo.path)
    assert _rules(result) == {("docs/hooks/chunk-compelte.md", "VE803")} and result.files == 1
    repo.git("reset", "-q", "docs/hooks/chunk-compelte.md")
    assert hook.validate(repo.path).early_exit == "no change under docs/"


def test_deleting_an_unreferenced_chunk_checks_nothing(repo: GitRepo) -> None:
    _base(repo)
    repo.chunk("lonely", created_after=["beta"])
    repo.commit("lonely")
    repo.remove("docs/chunks/lonely")
    result = hook.validate(repo.path)
    assert result.early_exit == "removed artifacts are referenced nowhere"


def test_given_filenames_are_checked_alone_so_batches_add_up(repo: GitRepo) -> None:
    _base(repo)
    repo.chunk("gamma", status="BOGUS")
    repo.chunk("delta", status="WRONG")
    repo.add()
    whole = _rules(hook.validate(repo.path))
    first = _rules(hook.validate(repo.path, filenames=["docs/chunks/gamma/GOAL.md"], cwd=repo.path))
    second = _rules(hook.validate(repo.path, filenames=["docs/chunks/delta/GOAL.md", "src/app.py"],
                                  cwd=repo.path))
    assert first and second and not first & second
    assert first | second == whole


def test_runs_from_a_subdirectory(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(repo)
    repo.chunk("gamma", status="BOGUS")
    repo.add()
    monkeypatch.chdir(repo.path / "src")
    assert hook.main([]) == 1


def test_runs_in_a_linked_worktree(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(repo)
    repo.git("worktree", "add", "-q", str(tmp_path / "wt"))
    wt = GitRepo(tmp_path / "wt")
    wt.chunk("gamma", status="BOGUS")
    wt.add()
    monkeypatch.chdir(wt.path)
    assert hook.main([]) == 1
    monkeypatch.chdir(repo.path)
    assert hook.main([]) == 0  # the main worktree's index is untouched


def test_repository_without_commits(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.path)
    assert hook.main([]) == 0
    repo.chunk("first", status="FUTURE")
    repo.add()
    assert hook.main([]) == 0
    repo.chunk("second", status="BOGUS")
    repo.add()
    assert hook.main([]) == 1


def test_status_transition_is_left_to_its_own_hook(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(repo)
    repo.chunk("alpha", status="FUTURE")  # ACTIVE -> FUTURE goes backwards
    repo.add()
    assert "VE501" not in {r for _, r in _rules(hook.validate(repo.path))}
    assert "VE501" in {r for _, r in _rules(hook.validate(repo.path, with_transitions=True))}
    monkeypatch.chdir(repo.path)
    assert status_transitions.main([]) == 1


def test_status_transitions_checks_each_pushed_commit(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(repo)
    start = repo.head()
    repo.chunk("alpha", status="FUTURE")
    repo.commit("backwards")
    repo.chunk("alpha", status="ACTIVE")
    repo.commit("and forwards again")  # the end state is fine; the pushed history is not
    found = status_transitions.transitions(repo.path, start, repo.head())
    assert [d.rule for d in found] == ["VE501"]
    monkeypatch.chdir(repo.path)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", repo.head())
    monkeypatch.setenv("PRE_COMMIT_TO_REF", repo.head())
    assert status_transitions.main([]) == 0


def test_junit_from_the_hooks_lists_every_file_checked(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Clean files are testcases too, and a clean run still writes a whole JUnit document."""
    import xml.etree.ElementTree as ET

    from ve_hooks.hooks import code_backrefs

    _base(repo)
    repo.chunk("gamma", status="BOGUS", created_after=["beta"])
    repo.chunk("delta", created_after=["beta"])
    repo.add()
    monkeypatch.chdir(repo.path)
    assert hook.main(["--format", "junit"]) == 1
    cases = ET.fromstring(capsys.readouterr().out).iter("testcase")
    by_name = {c.get("name"): c.find("failure") is not None for c in cases}
    assert by_name == {"docs/chunks/gamma/GOAL.md": True, "docs/chunks/delta/GOAL.md": False}
    assert code_backrefs.main(["--format", "junit", "src/app.py"]) == 0
    [case] = ET.fromstring(capsys.readouterr().out).iter("testcase")
    assert case.get("name") == "src/app.py" and case.find("failure") is None
    assert code_backrefs.main(["src/app.py"]) == 0 and capsys.readouterr().out == ""  # text: quiet
