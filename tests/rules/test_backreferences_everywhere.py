"""VE704 is the same check at commit time and in CI: what a backreference is, and ve-validate
finding on the whole tree exactly what the ve-code-backrefs hook finds file by file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rule_support import rule_context, sources
from support.cli import BIN
from support.repo_factory import GitRepo

from ve_hooks.rules import backreferences

# Shapes found in vibe-engineer's own repository: template placeholders, examples in fenced
# blocks of markdown templates. None is a backreference.
NOT_BACKREFERENCES = {
    "tests/test_list.py": (
        '    body = f"""---\nstatus: ONGOING\n---\n\n'
        '# Investigation: {short_name}\n"""\n'),
    "src/templates/task/CLAUDE.md.jinja2": (
        "Backreferences look like:\n\n"
        "# Subsystem: docs/subsystems/<subsystem_name>\n\n"
        "```\n# Chunk: docs/chunks/auth_refactor - Authentication system redesign\n```\n"),
    "src/templates/subsystem/OVERVIEW.md.j2": "```\n# Subsystem: docs/subsystems/short_name - Brief\n```\n",
}
# Fixtures inside Python strings are backreferences to vibe-engineer 0.10.0 (its allow-list in
# .ve-config.yaml is how a project marks them), and so to ve-hooks.
BROKEN = {
    "tests/test_consolidation.py": (
        'def test_it(tmp_path):\n'
        '    (tmp_path / "a.py").write_text("""# Chunk: docs/chunks/chunk_one - First chunk\n'
        '# Chunk: docs/chunks/chunk_two - Second chunk\n'
        '# Narrative: docs/narratives/my_narrative\n'
        '""")\n'
        '    other = f"""\n# Subsystem: docs/subsystems/{1}_x\n"""\n'
        '    (tmp_path / "b.md").write_text("---\\n---\\n\\n# Investigation: Memory Leak\\n")\n'),
    "docs/investigations/known/prototypes/bench.py": "# Chunk: docs/chunks/script_beside_the_docs\n",
    "src/app.py": (
        '"""Module."""\n'
        "# Chunk: docs/chunks/gone - was renamed away\n"
        'TEXT = """\n# Chunk: docs/chunks/only_in_a_string\n"""\n'
        "# Subsystem: docs/subsystems/nowhere\n"),
    "web/app.ts": "// Chunk: docs/chunks/ghost\nexport const x = 1;\n",
    "src/templates/PLAN.md.jinja2": "# Chunk: docs/chunks/missing_outside_fence\n",
}


def _repo(repo: GitRepo) -> GitRepo:
    repo.chunk("known", "FUTURE")
    for path, text in {**NOT_BACKREFERENCES, **BROKEN}.items():
        repo.write(path, text)
    repo.write("docs/trunk/GUIDE.md", "# Chunk: docs/chunks/not_a_source_file\n")  # the hook excludes docs/
    repo.write("src/blob.bin", b"\0\0# Chunk: docs/chunks/binary\n")
    repo.commit("sources")
    return repo


EXPECTED = [("docs/investigations/known/prototypes/bench.py", 1), ("src/app.py", 2), ("src/app.py", 4),
            ("src/app.py", 6), ("src/templates/PLAN.md.jinja2", 1), ("tests/test_consolidation.py", 3),
            ("tests/test_consolidation.py", 4), ("web/app.ts", 1)]


def test_placeholders_strings_and_template_fences_are_not_backreferences(repo: GitRepo) -> None:
    _repo(repo)
    src = sources(rule_context(repo))
    for path, text in NOT_BACKREFERENCES.items():
        assert backreferences.check_source(path, text, src) == [], path
    found = [(p, d.line) for p, text in BROKEN.items() for d in backreferences.check_source(p, text, src)]
    assert sorted(found) == EXPECTED


def _hook(repo: GitRepo) -> list[tuple[str, int]]:
    # What pre-commit hands the hook (.pre-commit-hooks.yaml's exclude, types [text]).
    import re

    import yaml

    manifest = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    excluded = re.compile(next(h["exclude"] for h in manifest if h["id"] == "ve-code-backrefs"))
    files = [f for f in repo.git("ls-files").split() if not excluded.search(f) and not f.endswith(".bin")]
    p = subprocess.run([str(BIN / "ve-hooks-code-backrefs"), "--format", "json", *files], cwd=repo.path,
                       capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    return sorted((d["path"], d["line"]) for d in json.loads(p.stdout)["diagnostics"])


def _validate(repo: GitRepo, *args: str) -> list[tuple[str, int]]:
    p = subprocess.run([str(BIN / "ve-validate"), "--select", "VE704", "--format", "json", *args],
                       cwd=repo.path, capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    return sorted((d["path"], d["line"]) for d in json.loads(p.stdout)["diagnostics"])


@pytest.mark.parametrize("mode", [(), ("--staged",), ("--rev", "HEAD")])
def test_ve_validate_finds_what_the_hook_finds(repo: GitRepo, mode: tuple[str, ...]) -> None:
    _repo(repo)
    assert _hook(repo) == EXPECTED
    assert _validate(repo, *mode) == EXPECTED


def test_paths_narrow_the_source_scan(repo: GitRepo) -> None:
    _repo(repo)
    assert _validate(repo, "web") == [("web/app.ts", 1)]
    p = subprocess.run([str(BIN / "ve-validate"), "--select", "VE704", "docs/chunks/known/GOAL.md"],
                       cwd=repo.path, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout
