"""Hostile documents and odd repositories through the real console scripts.

Every entry point gets a diagnostic (rule code and position), exit 1 for findings or 2 for
usage errors, never a traceback, valid machine-readable output, and no file modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.cli import BIN
from support.repo_factory import GitRepo, chunk_goal

HOSTILE: dict[str, bytes] = {
    "invalid_utf8": b"---\nstatus: ACTIVE\nticket: \xff\xfe\n---\n",
    "utf16_bom": "---\nstatus: ACTIVE\n---\n".encode("utf-16"),
    "utf8_bom": b"\xef\xbb\xbf" + chunk_goal("ACTIVE").encode(),
    "binary_nul": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "crlf_mixed": chunk_goal("ACTIVE").replace("\n", "\r\n", 5).encode(),
    "tabs": b"---\nstatus: ACTIVE\ncode_paths:\n\t- src/app.py\n---\n",
    "no_frontmatter": b"# Chunk Goal\n\nJust prose.\n",
    "unclosed": b"---\nstatus: ACTIVE\nticket: null\n",
    "fence_in_body": chunk_goal("ACTIVE", body="# Goal\n\n---\nstatus: HISTORICAL\n---\n").encode(),
    "empty": b"",
    "list_frontmatter": b"---\n- ACTIVE\n---\n",
    "scalar_frontmatter": b"---\nACTIVE\n---\n",
    "null_frontmatter": b"---\nnull\n---\n",
    "duplicate_keys": b"---\nstatus: ACTIVE\nstatus: FUTURE\n---\n",
    "alias_bomb": ("---\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)) + "---\n").encode(),
    "huge_frontmatter": ("---\nstatus: ACTIVE\n" + "".join(f"k{i}: v\n" for i in range(10_000)) + "---\n").encode(),
    "wrong_types": b"---\nstatus: ACTIVE\nticket: 2026-01-01\nparent_chunk: 12\ncode_paths: true\n"
                   b"code_references: {a: 1}\ncreated_after: alpha\n---\n",
    "python_tag": b"---\nstatus: !!python/object/apply:os.system ['touch /tmp/pwned-ve-hooks']\n---\n",
    "escape_sequences": b"---\nstatus: \"ACT\\e[31mIVE\\e]0;pwned\\a\"\nticket: null\n---\n",
    "unknown_keys": b"---\nstatus: ACTIVE\nstaus: ACTIVE\ncode_references: []\nwhatever: {deep: [1]}\n---\n",
    "sp ace": chunk_goal("ACTIVE").encode(),
    "ünïcødé": chunk_goal("ACTIVE").encode(),
    "-leading-dash": chunk_goal("ACTIVE").encode(),
}


def _tree_digest(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if ".git" in p.parts or not p.is_file() or p.is_symlink():
            continue
        out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo.init(tmp_path_factory.mktemp("hostile") / "repo")
    repo.chunk("alpha", "ACTIVE")
    repo.write("src/app.py", "def main():\n    pass\n")
    for name, content in HOSTILE.items():
        repo.write(f"docs/chunks/{name}/GOAL.md", content)
    repo.write("docs/chunks/big_body/GOAL.md", chunk_goal("ACTIVE") + "x" * (50 * 1024 * 1024))
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("---\nstatus: ACTIVE\n---\nsecret\n")
    (repo.path / "docs/chunks/symlinked").mkdir(parents=True)
    os.symlink(outside, repo.path / "docs/chunks/symlinked/GOAL.md")
    repo.commit("hostile documents")
    return repo


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "VE_HOOKS_CACHE_DIR": ""})
    assert "Traceback" not in p.stderr, p.stderr
    return p


@pytest.mark.parametrize(("fmt", "source"), [
    ("text", []), ("json", []), ("github", []), ("sarif", []), ("junit", []),
    ("json", ["--staged"]), ("json", ["--rev", "HEAD"]), ("text", ["--rev", "HEAD"]),
])
def test_every_format_survives_hostile_documents(hostile: GitRepo, fmt: str, source: list[str]) -> None:
    before = _tree_digest(hostile.path)
    p = _run("ve-validate", "--format", fmt, *source, cwd=hostile.path)
    assert p.returncode == 1, p.stderr
    assert "\x1b" not in p.stdout  # escape sequences from documents never reach the terminal
    if fmt == "json":
        doc = json.loads(p.stdout)
        by_path: dict[str, set[str]] = {}
        for d in doc["diagnostics"]:
            assert d["line"] >= 1 and d["column"] >= 1 and d["rule"].startswith("VE")
            by_path.setdefault(d["path"], set()).add(d["rule"])
        expected = {
            "invalid_utf8": "VE101", "utf16_bom": "VE101", "binary_nul": "VE101", "tabs": "VE107",
            "no_frontmatter": "VE102", "unclosed": "VE103", "empty": "VE102", "list_frontmatter": "VE106",
            "scalar_frontmatter": "VE106", "null_frontmatter": "VE106", "duplicate_keys": "VE105",
            "alias_bomb": "VE109", "python_tag": "VE108", "wrong_types": "VE203", "unknown_keys": "VE205",
            "utf8_bom": "VE110",
        }
        for name, rule in expected.items():
            assert rule in by_path.get(f"docs/chunks/{name}/GOAL.md", set()), (name, by_path.get(name))
        if not source:  # a link out of the repo, in the worktree
            assert "VE111" in by_path["docs/chunks/symlinked/GOAL.md"]
        else:  # committed as a symlink: never followed
            assert "VE111" in by_path["docs/chunks/symlinked/GOAL.md"]
        for clean in ("sp ace", "ünïcødé", "-leading-dash", "crlf_mixed", "fence_in_body", "alpha"):
            rules = by_path.get(f"docs/chunks/{clean}/GOAL.md", set()) - {"VE112"}
            assert not any(r.startswith(("VE1", "VE2")) for r in rules), clean
        assert "VE112" in by_path["docs/chunks/sp ace/GOAL.md"]  # a name that cannot go into created_after
        assert "VE112" not in by_path.get("docs/chunks/ünïcødé/GOAL.md", set())  # letters of any script are fine
    elif fmt == "sarif":
        assert json.loads(p.stdout)["version"] == "2.1.0"
    elif fmt == "junit":
        ET.fromstring(p.stdout)
    elif fmt == "github":
        assert all(line.startswith("::") for line in p.stdout.splitlines() if line)
    assert _tree_digest(hostile.path) == before
    assert not Path("/tmp/pwned-ve-hooks").exists()


def test_other_commands_survive_and_modify_nothing(hostile: GitRepo) -> None:
    before = _tree_digest(hostile.path)
    for args in (["ve", "tips"], ["ve", "tips", "--rev", "HEAD", "--format", "json"], ["ve", "graph"],
                 ["ve", "graph", "--format", "json"], ["ve", "created-after", "backfill", "--format", "json"],
                 ["ve", "created-after", "fill"]):
        p = _run(*args, cwd=hostile.path)
        assert p.returncode in (0, 1), (args, p.stderr)
    assert _tree_digest(hostile.path) == before


def test_fill_never_touches_a_file_it_cannot_parse(repo: GitRepo) -> None:
    repo.chunk("alpha", "ACTIVE")
    repo.commit()
    for name, content in HOSTILE.items():
        if name not in ("utf8_bom", "crlf_mixed", "sp ace", "ünïcødé", "-leading-dash", "fence_in_body"):
            repo.write(f"docs/chunks/{name}/GOAL.md", content)
    before = _tree_digest(repo.path)
    p = _run("ve", "created-after", "fill", cwd=repo.path)
    after = _tree_digest(repo.path)
    # Valid documents among them are filled (exit 1, pre-commit's fixer convention) ...
    fixed = {f"docs/chunks/{n}/GOAL.md" for n in ("escape_sequences", "huge_frontmatter", "unknown_keys")}
    assert p.returncode == 1 and all(f"Fixing {f}" in p.stdout for f in fixed), p.stdout + p.stderr
    # ... and every other byte of the repository is untouched, broken documents above all.
    assert {k: v for k, v in after.items() if k not in fixed} == {k: v for k, v in before.items() if k not in fixed}
    assert "not filled" in p.stdout + p.stderr


@pytest.mark.parametrize("kind", ["bare", "not_a_repo", "missing", "shallow", "detached", "no_commits", "file"])
def test_odd_repositories(repo: GitRepo, tmp_path: Path, kind: str) -> None:
    repo.chunk("alpha", "ACTIVE")
    repo.commit("one")
    repo.chunk("beta", "ACTIVE", ["alpha"])
    repo.commit("two")
    target: Path
    if kind == "bare":
        target = tmp_path / "bare.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(target)], check=True)
    elif kind == "not_a_repo":
        target = tmp_path / "plain"
        target.mkdir()
    elif kind == "missing":
        target = tmp_path / "nope"
    elif kind == "file":
        target = tmp_path / "a-file"
        target.write_text("x")
    elif kind == "shallow":
        target = tmp_path / "shallow"
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(target)], check=True)
    elif kind == "detached":
        repo.git("checkout", "-q", "--detach", "HEAD~1")
        target = repo.path
    else:
        target = tmp_path / "fresh"
        GitRepo.init(target).chunk("gamma", "FUTURE")
    for args in (["ve-validate", "--repo", str(target), "--format", "json"],
                 ["ve-validate", "--repo", str(target), "--rev", "HEAD"],
                 ["ve", "tips", "--repo", str(target), "--format", "json"],
                 ["ve", "graph", "--repo", str(target)]):
        p = _run(*args, cwd=tmp_path)
        if kind in ("missing", "file"):
            assert p.returncode == 2 and p.stderr.strip(), (args, p.stdout, p.stderr)
        elif kind in ("not_a_repo", "no_commits") and "--rev" in args:
            assert p.returncode == 2 and "error" in p.stderr.lower(), (args, p.stderr)
        elif kind == "not_a_repo" and args[0] == "ve-validate":  # an empty folder: nothing was checked
            assert p.returncode == 2 and "no artifact root" in p.stderr, (args, p.stderr)
        elif kind == "not_a_repo":  # ve tips / ve graph read git: not a silent empty answer
            assert p.returncode == 2 and "not inside a git repository" in p.stderr, (args, p.stderr)
        else:
            assert p.returncode in (0, 1), (kind, args, p.stdout, p.stderr)
            if args[-1] == "json" and args[0] == "ve-validate":
                json.loads(p.stdout)


def test_bad_names_on_the_command_line(repo: GitRepo) -> None:
    repo.chunk("alpha", "ACTIVE")
    repo.commit()
    for unit in ("../escape", "a/b", "bad\x1bname", ""):
        p = _run("ve", "orch", "ask", unit, "--question", "why?", cwd=repo.path)
        assert p.returncode == 2, (unit, p.stdout, p.stderr)
        assert "\x1b" not in p.stderr
    p = _run("ve", "tips", "--kind", "../chunk", cwd=repo.path)
    assert p.returncode == 2
