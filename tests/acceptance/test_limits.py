"""Issue 23 item 8: limits and exit codes. A huge Python file is not parsed (a finding instead of
gigabytes), an unsafe chunk directory name gets VE112 and is never written into created_after,
and temporary files a killed fixer left are removed by the next run. (Fixers that cannot write
exit non-zero: tests/acceptance/test_links.py.)"""

from __future__ import annotations

import json
import os
import resource
import time

from support.cli import ve
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.documents.frontmatter import Doc, parse


def _one_gib() -> None:
    """In the child: 1 GiB of address space. Parsing a 3 MB module with ast needs more."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_code_reference_to_a_huge_python_file_is_a_finding_not_gigabytes(repo: GitRepo) -> None:
    body = "".join(f"def f{i}(a, b):\n    return [a, b, {i}, {{'k': (a, b)}}]\n\n" for i in range(60_000))
    assert len(body) > 3_000_000
    repo.write("src/generated.py", "class Thing:\n    pass\n" + body)
    repo.chunk("alpha", code_references=[{"ref": "src/generated.py#Thing", "implements": "the generated API"}])
    repo.commit("generated")
    env = {**os.environ, "VE_HOOKS_CACHE_DIR": ""}
    p = ve("--format", "json", cwd=repo.path, prog="ve-validate", env=env, preexec_fn=_one_gib, timeout=300)
    assert p.returncode in (0, 1), (p.returncode, p.stderr[-2000:])
    found = [d for d in json.loads(p.stdout)["diagnostics"] if d["rule"] == "VE703"]
    assert len(found) == 1 and "limit" in found[0]["message"], found  # main: MemoryError, "does not parse"
    assert found[0]["severity"] == "warning" and found[0]["data"]["checked"] is False


def test_an_unsafe_directory_name_gets_ve406_and_is_never_written_into_created_after(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.chunk("sp ace", created_after=["alpha"])
    repo.chunk("bell\x07name", created_after=["alpha"])
    repo.chunk("fine_name", created_after=["alpha"])
    repo.commit("three tips")
    p = ve("--format", "json", "--select", "VE112", cwd=repo.path, prog="ve-validate")
    flagged = {d["path"] for d in json.loads(p.stdout)["diagnostics"]}
    assert flagged == {"docs/chunks/sp ace/GOAL.md", "docs/chunks/bell\x07name/GOAL.md"}, p.stdout  # main: none
    repo.write("docs/chunks/new_one/GOAL.md", chunk_goal("FUTURE"))
    p = ve("created-after", "fill", cwd=repo.path)
    assert p.returncode == 1, p.stderr
    doc = parse(repo.read("docs/chunks/new_one/GOAL.md"))
    assert isinstance(doc, Doc) and doc.data["created_after"] == ["fine_name"], doc  # main: all three


def test_temp_files_of_a_killed_fixer_are_removed_by_the_next_run(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.commit("alpha")
    d = repo.path / "docs/chunks/alpha"
    stale, fresh, mine = d / ".GOAL.md.k1ll3d00.ve-tmp", d / ".GOAL.md.w0rk1ng0.ve-tmp", d / ".GOAL.md.notes"
    old = d / ".GOAL.md.a1b2c3d4.tmp"  # the suffix writers used before
    for f in (stale, fresh, mine, old):
        f.write_bytes(b"half a file")
    hour_ago = time.time() - 3600
    for f in (stale, mine, old):
        os.utime(f, (hour_ago, hour_ago))
    p = ve("--fix", cwd=repo.path, prog="ve-validate")
    assert p.returncode in (0, 1), p.stderr
    assert not stale.exists() and not old.exists()  # main: both left for ever
    assert fresh.exists()  # a live writer's file (seconds old) is never touched
    assert mine.exists()  # nor anything that is not a writer's temporary file
