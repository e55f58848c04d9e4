"""Every git call goes through here: one helper to run git, one bulk blob reader.

Reading 10,000 chunks must cost two processes, not 10,000: listings come from one
``git ls-tree``/``git ls-files -s`` and blobs from one ``git cat-file --batch``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

# Git must not localise messages we match on, nor page, nor prompt.
_ENV_OVERRIDES = {"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


class GitError(Exception):
    """A git command failed; ``str()`` is a one-line explanation for the user, the attributes
    say which command failed and how (for callers that decide what a failure means)."""

    def __init__(self, message: str, *, git_args: Sequence[str] = (), returncode: int | None = None,
                 stderr: str = "") -> None:
        super().__init__(message)
        self.git_args = list(git_args)
        self.returncode = returncode
        self.stderr = stderr

    @classmethod
    def of(cls, args: Sequence[str], returncode: int, stderr: str) -> GitError:
        lines = stderr.strip().splitlines()
        return cls(f"git {' '.join(list(args)[:2])}: {lines[-1] if lines else f'exit {returncode}'}",
                   git_args=args, returncode=returncode, stderr=stderr)


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(_ENV_OVERRIDES)
    env.update(extra or {})
    return env


def process(args: Sequence[str], cwd: Path | str, *, input: bytes | None = None,
            env: Mapping[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` (``env`` added to the environment) and return the finished
    process; raise :class:`GitError` when ``check`` and it failed. The one door to git."""
    try:
        p = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=_env(env))
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a directory") from None
    if check and p.returncode != 0:
        raise GitError.of(args[:1], p.returncode, p.stderr.decode("utf-8", "replace"))
    return p


def run(args: Sequence[str], cwd: Path | str, *, input: bytes | None = None, check: bool = True) -> bytes:
    """Run ``git ARGS`` in ``cwd`` and return stdout; raise :class:`GitError` on failure."""
    return process(args, cwd, input=input, check=check).stdout


def run_text(args: Sequence[str], cwd: Path | str, **kw: object) -> str:
    return run(args, cwd, **kw).decode("utf-8", "surrogateescape")  # type: ignore[arg-type]


def zsplit(out: bytes) -> list[str]:
    """Split NUL-terminated output (``-z``) into decoded entries."""
    return [s.decode("utf-8", "surrogateescape") for s in out.split(b"\0") if s]


def blob_id(data: bytes) -> str:
    """The id git gives ``data`` as a blob, so worktree files share the blob-id cache."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class RepoInfo:
    """Where a repository lives. ``toplevel`` is None for a bare repository."""

    toplevel: Path | None
    git_dir: Path
    common_dir: Path
    has_head: bool
    shallow: bool


def discover(path: Path | str) -> RepoInfo | None:
    """Find the repository containing ``path``; None when it is not inside one."""
    p = Path(path)
    if not p.exists():
        raise GitError(f"{p}: no such directory")
    if not p.is_dir():
        p = p.parent
    try:
        out = run_text(["rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
                        "--is-shallow-repository", "--show-toplevel"], p, check=False)
    except GitError:
        return None
    lines = out.splitlines()
    if len(lines) < 4:
        return None
    bare = lines[0] == "true"
    git_dir = Path(lines[1])
    common = Path(lines[2])
    if not common.is_absolute():
        common = (p / common).resolve()
    top = None if bare or len(lines) < 5 else Path(lines[4])
    has_head = bool(run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], p, check=False).strip())
    return RepoInfo(top, git_dir, common, has_head, lines[3] == "true")


def resolve_commit(cwd: Path, rev: str) -> str:
    """Full sha of ``rev`` as a commit, or a :class:`GitError` that names it."""
    out = run(["rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}"], cwd, check=False)
    sha = out.decode().strip()
    if not sha:
        raise GitError(f"unknown revision {rev!r}")
    return sha


class Entry(NamedTuple):
    """One file of a tree or the index: mode, blob id and repo-relative path.

    A tuple, not a dataclass: a listing creates 20,000 of them on every commit.
    """

    mode: str
    oid: str
    path: str


# Whole listings are split by one C-level regex rather than record by record in Python.
_TREE_RECORD = re.compile(rb"(\d+) blob ([0-9a-f]+)\t([^\0]*)\0")
_INDEX_RECORD = re.compile(rb"(\d+) ([0-9a-f]+) ([0-3])\t([^\0]*)\0")


def ls_tree(cwd: Path, rev: str, paths: Sequence[str] = ()) -> list[Entry]:
    """Files of commit ``rev`` (recursively), optionally below ``paths``."""
    out = run(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths], cwd)
    return [Entry(m.decode(), o.decode(), p.decode("utf-8", "surrogateescape"))
            for m, o, p in _TREE_RECORD.findall(out)]


def ls_index(cwd: Path, paths: Sequence[str] = ()) -> list[Entry]:
    """Files of the index at stage 0 (a conflicted path shows its "ours" side, stage 2)."""
    top = run(["rev-parse", "--show-toplevel"], cwd).decode().strip()
    out = run(["ls-files", "-s", "-z", "--full-name", "--", *paths], top)
    by_path: dict[str, Entry] = {}
    for mode, oid, stage, path in _INDEX_RECORD.findall(out):
        if stage in (b"0", b"2") and mode != b"160000":
            p = path.decode("utf-8", "surrogateescape")
            by_path[p] = Entry(mode.decode(), oid.decode(), p)
    return list(by_path.values())


def cat_blobs(cwd: Path, oids: Iterable[str]) -> dict[str, bytes]:
    """Read many blobs with one ``git cat-file --batch`` process.

    The whole request is written through ``communicate`` so neither pipe can fill up and
    deadlock, however many blobs are asked for.
    """
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    request = ("\n".join(wanted) + "\n").encode()
    p = subprocess.Popen(["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    out, err = p.communicate(request)
    if p.returncode != 0:
        raise GitError(f"git cat-file: {err.decode('utf-8', 'replace').strip() or p.returncode}")
    blobs: dict[str, bytes] = {}
    pos = 0
    view = memoryview(out)
    for oid in wanted:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].decode()
        pos = nl + 1
        parts = header.split(" ")
        if len(parts) != 3:  # "<oid> missing" / "<oid> ambiguous"
            continue
        size = int(parts[2])
        blobs[oid] = bytes(view[pos:pos + size])
        pos += size + 1
    return blobs
