"""Build real vibe-engineer git repositories for tests, commit by commit.

Kept free of pytest so benchmarks and property tests can use it too.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml


def render_frontmatter(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, default_flow_style=None, allow_unicode=True)


def chunk_goal(status: str = "ACTIVE", created_after: Iterable[str] = (), *, body: str | None = None,
               **fields: Any) -> str:
    """A v3-shaped chunk GOAL.md with sensible defaults (ACTIVE chunks get a code reference)."""
    data: dict[str, Any] = {
        "status": status,
        "ticket": None,
        "parent_chunk": None,
        "code_paths": [],
        "code_references": [],
        "narrative": None,
        "investigation": None,
        "subsystems": [],
        "friction_entries": [],
        "bug_type": None,
        "depends_on": [],
        "created_after": list(created_after),
    }
    if status in ("ACTIVE", "SUPERSEDED", "COMPOSITE"):
        data["code_references"] = [{"ref": "src/app.py#main", "implements": "entry point"}]
    data.update(fields)
    if body is None:
        body = "# Chunk Goal\n\n## Minor Goal\n\nDo the thing.\n\n## Success Criteria\n\n- It works.\n"
        if status in ("FUTURE", "IMPLEMENTING"):
            body = "<!--\nDO NOT DELETE THIS COMMENT BLOCK until the chunk complete command is run.\n-->\n\n" + body
    return f"---\n{render_frontmatter(data)}---\n\n{body}"


class GitRepo:
    """A git repository on disk with helpers to write artifacts and commit."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def init(cls, path: Path) -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
        subprocess.run(["git", "-C", str(path), "config", "user.name", "Test"], check=True)
        subprocess.run(["git", "-C", str(path), "config", "user.email", "test@example.com"], check=True)
        subprocess.run(["git", "-C", str(path), "config", "commit.gpgsign", "false"], check=True)
        return cls(path)

    def git(self, *args: str, check: bool = True, input: str | None = None) -> str:
        p = subprocess.run(["git", "-C", str(self.path), *args], check=False, capture_output=True,
                           text=True, input=input)
        if check and p.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {p.stderr}")
        return p.stdout

    def write(self, rel: str, content: str | bytes) -> Path:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8"))
        return p

    def read(self, rel: str) -> bytes:
        return (self.path / rel).read_bytes()

    def chunk(self, name: str, status: str = "ACTIVE", created_after: Iterable[str] = (), **fields: Any) -> Path:
        return self.write(f"docs/chunks/{name}/GOAL.md", chunk_goal(status, created_after, **fields))

    def remove(self, rel: str) -> None:
        self.git("rm", "-rq", rel)

    def add(self, *paths: str) -> None:
        self.git("add", "-A", *(paths or ["."]))

    def commit(self, message: str = "change", *, add: bool = True) -> str:
        if add:
            self.add()
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


def run_cli(*args: str, cwd: Path | str, input: str | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run an installed console script (``ve``, ``ve-validate`` ...) as a real subprocess.

    A bare script name is this environment's script: the README runs the tests as
    ``.venv/bin/python -m pytest``, with no virtualenv on PATH."""
    from support.cli import BIN

    argv = list(args)
    if argv and os.sep not in argv[0] and (BIN / argv[0]).exists():
        argv[0] = str(BIN / argv[0])
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(argv, cwd=cwd, input=input, env=full_env, capture_output=True, text=True,
                          timeout=300)
