"""ve-code-backrefs, ve-created-after and what importing a hook costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.repo_factory import GitRepo

from ve_hooks.hooks import code_backrefs, created_after


@pytest.mark.parametrize(("text", "expected"), [
    ("# Chunk: docs/chunks/alpha - entry point\n", 0),
    ("# Chunk: docs/chunks/nowhere - entry point\n", 1),
    ("// Subsystem: docs/subsystems/ghost\n", 1),
    ("no backreference here\n", 0),
])
def test_code_backrefs(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                       text: str, expected: int) -> None:
    repo.chunk("alpha")
    repo.write("src/app.py", text)
    repo.commit("base")
    monkeypatch.chdir(repo.path)
    assert code_backrefs.main(["src/app.py"]) == expected
    assert ("VE704" in capsys.readouterr().out) is bool(expected)


def test_code_backrefs_sees_a_chunk_renamed_in_the_same_commit(repo: GitRepo, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    repo.chunk("alpha")
    repo.write("src/app.py", "# Chunk: docs/chunks/alpha\n")
    repo.commit("base")
    repo.git("mv", "docs/chunks/alpha", "docs/chunks/omega")
    monkeypatch.chdir(repo.path / "src")
    assert code_backrefs.main(["app.py"]) == 1


def test_created_after_fixer_fills_then_passes(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo.chunk("alpha")
    repo.commit("base")
    path = repo.chunk("beta", status="FUTURE")  # created_after: []
    repo.add()
    monkeypatch.chdir(repo.path)
    assert created_after.main(["docs/chunks/beta/GOAL.md", "src/not-an-artifact.py"]) == 1
    assert capsys.readouterr().out == "Fixing docs/chunks/beta/GOAL.md\n"
    front = yaml.safe_load(path.read_text().split("---")[1])
    assert front["created_after"] == ["alpha"] and front["status"] == "FUTURE"
    repo.add()
    assert created_after.main(["docs/chunks/beta/GOAL.md"]) == 0  # the second commit passes


def test_created_after_leaves_old_and_non_artifacts(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo.chunk("alpha")
    repo.commit("base")
    repo.chunk("beta", status="FUTURE")
    repo.commit("beta committed without the hook")  # not new any more: left alone
    monkeypatch.chdir(repo.path)
    before = repo.read("docs/chunks/beta/GOAL.md")
    assert created_after.main(["README.md", "docs/chunks/beta/GOAL.md"]) == 0
    assert repo.read("docs/chunks/beta/GOAL.md") == before and capsys.readouterr().out == ""


_PROBE = """
import sys
from ve_hooks.hooks import {module} as hook
code = hook.main({argv})
heavy = sorted(m for m in ("jsonschema", "git", "jinja2", "mcp", "yaml", "ve_hooks.validation.engine") if m in sys.modules)
print(code, ",".join(heavy))
"""


@pytest.mark.parametrize(("module", "argv"), [
    ("validate", []),
    ("status_transitions", []),
    ("code_backrefs", ["src/other.py"]),
    ("created_after", ["src/other.py"]),
])
def test_hook_on_unrelated_commit_imports_nothing_heavy(repo: GitRepo, module: str, argv: list[str]) -> None:
    repo.chunk("alpha")
    repo.commit("base")
    repo.write("src/other.py", "x = 1\n")
    repo.add()
    p = subprocess.run([sys.executable, "-c", _PROBE.format(module=module, argv=argv)], cwd=repo.path,
                       capture_output=True, text=True, check=True)
    assert p.stdout.split("\n")[0].strip() == "0", p.stdout + p.stderr


def test_validate_hook_import_is_light() -> None:
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", "import ve_hooks.hooks.validate"],
                       capture_output=True, text=True, check=True, cwd=Path(__file__).parent)
    imported = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if "|" in line}
    assert "ve_hooks.hooks.validate" in imported
    assert not imported & {"jsonschema", "git", "jinja2", "mcp", "yaml", "click", "sqlite3", "ve_hooks.validation.engine"}
