"""What vibe-engineer 0.10.0 writes is never flagged, and what it reports is reported: the
source-file checks (VE704-VE706) and the project files around the artifacts (VE8xx), on small
repositories shaped by hand after what 0.10.0's commands write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import ve
from support.repo_factory import GitRepo

CONFIG = """\
# VE Project Configuration
validation:
  ignore_backreferences:
    - path: tests/test_fixture.py
      reason: a fixture that writes backreferences into a temp dir
    - path: tests/gone/*.py
      reason: archived examples
"""


def _run(repo: GitRepo, *args: str) -> list[dict[str, Any]]:
    p = ve("--format", "json", *args, cwd=repo.path, prog="ve-validate")
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)["diagnostics"]


def _found(repo: GitRepo, *args: str) -> list[tuple[str, str, str, int]]:
    return sorted((d["rule"], d["severity"], d["path"], d["line"]) for d in _run(repo, *args))


def test_what_vibe_engineer_renders_is_not_a_backreference(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE", code_references=[{"ref": "src/app.py#main", "implements": "x"}])
    repo.write("src/app.py", "# Chunk: docs/chunks/known - the app\ndef main():\n    pass\n")
    # `ve skills reify` renders vibe-engineer's own skills; their comments name its chunks.
    repo.write(".agents/skills/chunk-create/SKILL.md",
               "---\nname: chunk-create\ndescription: Create a chunk\n---\n\n# Chunk: docs/chunks/vibe_only\n")
    repo.write(".agents/skills/cluster-rename/SKILL.md", "\n---\nname: cluster-rename\ndescription: Rename\n---\n")
    repo.write(".ve-config.yaml", "# VE Project Configuration\n# project-level settings\n")  # as `ve init` writes it
    # `ve init` in a workspace member writes docs/trunk/CHUNKS.md with example comments.
    repo.write("packages/lib/docs/trunk/CHUNKS.md", "# Chunks\n\n# Chunk: docs/chunks/auth_refactor - example\n")
    repo.commit()
    assert _found(repo, "--select", "VE7,VE8") == []


def test_code_under_docs_and_string_fixtures_count_and_the_allowlist_decides(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE", code_references=[{"ref": "src/app.py#main", "implements": "x"}])
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.write("docs/investigations/probe/prototypes/bench.py", "# Chunk: docs/chunks/old_name\n")
    fixture = 'def test_it(tmp_path):\n    (tmp_path / "a.py").write_text("""\n# Chunk: docs/chunks/chunk_one\n""")\n'
    repo.write("tests/test_fixture.py", fixture)
    repo.write("tests/test_other.py", fixture)
    repo.write(".ve-config.yaml", CONFIG)
    repo.commit()
    assert _found(repo, "--select", "VE7") == [
        ("VE704", "error", "docs/investigations/probe/prototypes/bench.py", 1),
        ("VE704", "error", "tests/test_other.py", 3),
        ("VE706", "warning", ".ve-config.yaml", 6),  # tests/gone/*.py suppressed nothing
    ]
    # A run over part of the tree cannot tell whether an entry is used: no VE706 there.
    assert [d["rule"] for d in _run(repo, "--select", "VE7", "tests")] == ["VE704"]


def test_backreference_in_a_file_the_chunk_does_not_name(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE", code_references=[{"ref": "src/app.py#main", "implements": "x"}])
    repo.write("src/app.py", "# Chunk: docs/chunks/known\ndef main():\n    pass\n")
    repo.write("src/other.py", "def helper():\n    # Chunk: docs/chunks/known - helps\n    pass\n")
    repo.write("README.md", "<!-- Chunk: docs/chunks/known -->\n")  # not code: vibe-engineer does not look
    repo.commit()
    [d] = _run(repo, "--select", "VE705")
    assert (d["rule"], d["severity"], d["path"], d["line"], d["column"]) == ("VE705", "warning", "src/other.py", 2, 14)
    assert "- ref: src/other.py" in d["hint"]


def test_workspace_qualified_references(repo: GitRepo) -> None:
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n")
    repo.write("packages/lib/docs/chunks/real/GOAL.md", "---\nstatus: ACTIVE\n---\n")
    repo.write("packages/lib/src/a.py", "def f():\n    pass\n")
    repo.write("src/app.py", "# Chunk: lib::docs/chunks/real\n# Chunk: lib::docs/chunks/gone\n"
                             "# Chunk: acme/hub::docs/chunks/elsewhere\n# Chunk: nope::docs/chunks/x\n")
    repo.chunk("user", "ACTIVE", code_references=[
        {"ref": "lib::src/a.py#f", "implements": "member file"},
        {"ref": "lib::src/missing.py#f", "implements": "gone"},
        {"ref": "acme/hub::src/x.py#f", "implements": "another repository"},
        {"ref": "src/app.py", "implements": "the app"}])
    repo.commit()
    got = _found(repo, "--select", "VE701,VE704")
    assert got == [
        ("VE701", "error", "docs/chunks/user/GOAL.md", 8),  # lib::src/missing.py
        ("VE701", "warning", "docs/chunks/user/GOAL.md", 9),  # another repository: not checked
        ("VE704", "error", "src/app.py", 2),
        ("VE704", "error", "src/app.py", 4),
    ], got
    messages = [d["message"] for d in _run(repo, "--select", "VE701")]
    assert "src/missing.py is not in workspace member 'lib'" in messages[0] and "another repository" in messages[1]


def test_stale_code_paths_are_errors_for_active_and_composite(repo: GitRepo) -> None:
    repo.write("src/app.py", "x = 1\n")
    repo.chunk("done", "ACTIVE", code_paths=["src/app.py", "src/gone.py", "pkg/*/Dockerfile"],
               code_references=[{"ref": "src/app.py", "implements": "x"}])
    repo.chunk("whole", "COMPOSITE", code_paths=["src/moved.py"],
               code_references=[{"ref": "src/app.py", "implements": "x"}])
    repo.chunk("later", "FUTURE", code_paths=["src/not_yet.py"])
    repo.commit()
    got = [(r, s, p) for r, s, p, _ in _found(repo, "--select", "VE701")]
    assert got == [("VE701", "error", "docs/chunks/done/GOAL.md")] * 2 + [("VE701", "error", "docs/chunks/whole/GOAL.md")]


def test_project_files(repo: GitRepo) -> None:
    repo.chunk("known", "ACTIVE", code_references=[{"ref": "src/app.py", "implements": "x"}])
    repo.write("src/app.py", "x = 1\n")
    repo.write("docs/hooks/chunk-complete.md", "Run the full test suite before completing.\n")
    repo.write("docs/hooks/chunk-compelte.md", "---\nchecks: []\n---\nTypo in the name.\n")
    repo.write(".agents/skills/.ve-local-skills.json",
               json.dumps({"schema": 1, "ve_version": "0.9.2", "owned": ["chunk-create"]}, indent=2) + "\n")
    repo.write(".agents/skills/chunk-create/SKILL.md", "---\nname: chunk-create\n---\n\nbody\n")
    repo.write("docs/reviewers/baseline/decisions/known_1.md", "---\ndecision: MAYBE\nsummary: null\n---\n")
    repo.write("docs/reviewers/baseline/decisions/known_2.md",
               "---\ndecision: APPROVE\nsummary: meets intent\noperator_review:\n  feedback: fine\n---\n")
    repo.write("docs/trunk/DELETIONS.md",
               "# Deletion Grants\n\n## Grants\n\n"
               "### D001: 2026-10-01 — `docs/chunks/old` deleted from `src/a.py:3`\n\n"
               "- **Authorized by**: operator\n- **Reason**: the code is gone\n\n"
               "### D002: 2026-10-02 — `docs/chunks/older` deleted from `src/b.py:9`\n\n"
               "- **Authorized by**: operator\n\n"
               "### D3 on 2026-10-03: removed a reference\n")
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n  Bad/Name: x\n")
    repo.write(".ve-config.yaml", "validation:\n  ignore_backreferences:\n    - path: tests/x.py\n")
    repo.write(".ve-task.yaml", "external_artifact_repo: acme/architecture\nprojects: []\n")
    repo.write("docs/reviewers/baseline/METADATA.yaml", "name: baseline\ntrust_level: observation\n")
    repo.commit()
    got = _found(repo, "--select", "VE8")
    assert got == [
        ("VE801", "error", ".ve-config.yaml", 3),
        ("VE802", "error", ".ve-workspace.yaml", 1),
        ("VE803", "warning", "docs/hooks/chunk-compelte.md", 1),
        ("VE804", "warning", ".agents/skills/.ve-local-skills.json", 3),
        ("VE805", "error", ".agents/skills/chunk-create/SKILL.md", 1),
        ("VE805", "error", ".ve-task.yaml", 2),  # projects must name at least one repository
        ("VE805", "error", "docs/reviewers/baseline/decisions/known_1.md", 2),
        ("VE805", "error", "docs/trunk/DELETIONS.md", 10),  # D002 has no Reason
        ("VE805", "error", "docs/trunk/DELETIONS.md", 14),  # not a heading vibe-engineer reads
    ], got
    hint = next(d["hint"] for d in _run(repo, "--select", "VE803"))
    assert "chunk-complete" in hint


def test_workspace_member_without_a_tree(repo: GitRepo) -> None:
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n  app: apps/web\n")
    repo.write("packages/lib/docs/trunk/GOAL.md", "# Goal\n")
    repo.chunk("known", "FUTURE")
    repo.commit()
    [d] = _run(repo, "--select", "VE8")
    assert (d["rule"], d["line"]) == ("VE802", 3) and "apps/web/" in d["message"]


@pytest.mark.parametrize("name, text, rule", [
    (".ve-config.yaml", "validation:\n  ignore_backreferences: {}\n", "VE801"),
    ("docs/hooks/no-such-command.md", "text\n", "VE803"),
])
def test_the_source_hook_checks_staged_project_files(repo: GitRepo, name: str, text: str, rule: str) -> None:
    repo.chunk("known", "FUTURE")
    repo.commit()
    repo.write(name, text)
    repo.add()
    p = ve("--format", "json", name, cwd=repo.path, prog="ve-hooks-code-backrefs")
    assert [d["rule"] for d in json.loads(p.stdout)["diagnostics"]] == [rule], p.stderr
    assert p.returncode == (1 if rule == "VE801" else 0)


def test_pre_commit_patterns_hand_the_new_files_to_a_hook() -> None:
    import re

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())}
    source = hooks["ve-code-backrefs"]
    excluded = re.compile(source["exclude"])
    for path in (".ve-config.yaml", ".ve-workspace.yaml", "docs/hooks/chunk-plan.md", "docs/trunk/DELETIONS.md",
                 "docs/reviewers/r/decisions/c_1.md", "docs/reviewers/r/METADATA.yaml", ".ve-task.yaml",
                 ".agents/skills/x/SKILL.md", "docs/scripts/tool.py"):
        assert not excluded.search(path), path
    assert excluded.search("docs/chunks/x/GOAL.md")
    assert "(?" not in source["exclude"]  # no lookaround: prek's regex engine has none


def test_a_configured_severity_reaches_source_findings_through_every_door(repo: GitRepo) -> None:
    """Overrides are applied in one place (the engine's filter) for sources as for artifacts."""
    repo.chunk("known", "FUTURE")
    repo.write("src/app.py", "# Chunk: docs/chunks/gone\n")
    repo.write(".ve-hooks.toml", 'severity = { VE704 = "warning" }\n')
    repo.commit()
    assert _found(repo, "--select", "VE704") == [("VE704", "warning", "src/app.py", 1)]
    p = ve("--format", "json", "src/app.py", cwd=repo.path, prog="ve-hooks-code-backrefs")
    assert [(d["rule"], d["severity"]) for d in json.loads(p.stdout)["diagnostics"]] == [("VE704", "warning")]
    assert p.returncode == 0, p.stderr


def test_empty_workspace_qualifier_is_reported(repo: GitRepo) -> None:
    """``::docs/chunks/x`` names no member: vibe-engineer 0.10.0's ``ve workspace validate``
    reports it as malformed-qualifier, so it is a VE704 error here, workspace or not."""
    repo.chunk("root_chunk", "ACTIVE")
    repo.write("src/x.py", "# Chunk: ::docs/chunks/root_chunk - empty qualifier\n# Chunk: docs/chunks/root_chunk\n")
    repo.commit()
    [d] = _run(repo, "--select", "VE704")
    assert (d["severity"], d["path"], d["line"]) == ("error", "src/x.py", 1)
    assert "empty workspace member" in d["message"] and "<member>::docs/chunks/root_chunk" in d["hint"]


def test_member_backreference_resolves_in_its_own_tree(repo: GitRepo) -> None:
    """A file under a workspace member names that member's chunk bare, as 0.10.0 resolves it."""
    repo.chunk("root_chunk", "ACTIVE")
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n")
    repo.write("packages/lib/docs/chunks/lib_chunk/GOAL.md", "---\nstatus: IMPLEMENTING\n---\n")
    repo.write("packages/lib/src/lib.py", "# Chunk: docs/chunks/lib_chunk\n# Chunk: docs/chunks/gone_chunk\n")
    repo.commit()
    assert [(d["path"], d["line"]) for d in _run(repo, "--select", "VE704")] == [("packages/lib/src/lib.py", 2)]


def test_member_tree_code_references_resolve_in_that_tree(repo: GitRepo) -> None:
    """``ve workspace validate`` checks the chunks of every member tree, their bare paths in the
    member's own tree and ``member::`` paths in the named one, symbols included; ve-validate at
    the workspace root does the same (VE701-VE703 at the member's GOAL.md)."""
    from support.repo_factory import chunk_goal

    repo.chunk("root_chunk", "ACTIVE")
    repo.write("src/root.py", "def shared():\n    return 3\n")
    repo.write(".ve-workspace.yaml", "members:\n  root: .\n  lib: packages/lib\n")
    repo.write("packages/lib/src/lib.py", "def helper():\n    return 1\n")
    goal = "packages/lib/docs/chunks/lib_chunk/GOAL.md"
    repo.write(goal, chunk_goal("ACTIVE", code_paths=["src/lib.py", "src/*.py"], code_references=[
        {"ref": "src/lib.py#helper", "implements": "found in the member's tree"},
        {"ref": "root::src/root.py#shared", "implements": "found in the root tree"},
        {"ref": "src/root.py#shared", "implements": "bare: not in the member's tree"},
        {"ref": "root::src/root.py#nope", "implements": "no such symbol"},
        {"ref": "lib::src/gone.py", "implements": "no such file in the member"}]))
    repo.commit()
    found = [(d["rule"], d["severity"], d["path"], d["message"]) for d in _run(repo, "--select", "VE7")
             if d["path"] != "docs/chunks/root_chunk/GOAL.md"]
    assert sorted((r, s, p) for r, s, p, _ in found) == [("VE701", "error", goal), ("VE701", "error", goal),
                                                         ("VE703", "error", goal)], found
    messages = " | ".join(m for _, _, _, m in found)
    assert "packages/lib/src/root.py" in messages and "gone.py" in messages and "'nope'" in messages
    # The same check when the member's document is the PATHS given; none without the manifest.
    assert len(_run(repo, "--select", "VE7", goal)) == 3
    (repo.path / ".ve-workspace.yaml").unlink()
    repo.commit("no workspace")
    assert [d for d in _run(repo, "--select", "VE701,VE703") if d["path"] == goal] == []


def test_the_source_hook_checks_a_staged_member_document(repo: GitRepo) -> None:
    """pre-commit hands a member's GOAL.md to ve-code-backrefs (it is outside docs/): its code
    references are checked in the member's tree at commit time, as ve-validate checks them in CI."""
    from support.repo_factory import chunk_goal

    repo.chunk("root_chunk", "FUTURE")
    repo.write(".ve-workspace.yaml", "members:\n  lib: packages/lib\n")
    repo.write("packages/lib/src/lib.py", "def helper():\n    return 1\n")
    goal = "packages/lib/docs/chunks/lib_chunk/GOAL.md"
    repo.write(goal, chunk_goal("ACTIVE", code_references=[{"ref": "src/lib.py#helper", "implements": "it"}]))
    repo.commit()

    def hook() -> tuple[int, list[tuple[str, str]]]:
        p = ve("--format", "json", goal, cwd=repo.path, prog="ve-hooks-code-backrefs")
        return p.returncode, [(d["rule"], d["path"]) for d in json.loads(p.stdout)["diagnostics"]]

    assert hook() == (0, [])
    repo.write(goal, chunk_goal("ACTIVE", code_references=[{"ref": "src/lib.py#gone", "implements": "it"}]))
    repo.add()
    assert hook() == (1, [("VE703", goal)])
    (repo.path / ".ve-workspace.yaml").unlink()  # not a workspace (in the index): not a member tree
    repo.add()
    assert hook() == (0, [])
