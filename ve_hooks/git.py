"""Every git call goes through here: one helper to run git, one bulk blob reader.

Reading 10,000 chunks must cost two processes, not 10,000: listings come from one
``git ls-tree``/``git ls-files -s`` and blobs from one ``git cat-file --batch``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

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
        message = f"git {' '.join(list(args)[:2])}: {lines[-1] if lines else f'exit {returncode}'}"
        if _DAMAGED.search(stderr):
            message += "; an object cannot be read: the repository is damaged, run `git fsck --full`"
        return cls(message, git_args=args, returncode=returncode, stderr=stderr)


# What git says when an object it needs is missing or corrupt (LC_ALL=C: not localised).
_DAMAGED = re.compile(r"not a tree object|bad object|bad tree object|unable to read|cannot simplify commit|"
                      r"missing (?:blob|tree|commit)|corrupt|could not read|loose object .* is corrupt")


class MissingObject(GitError):
    """An object the repository refers to cannot be read: the repository is damaged.

    Never treated as an absent file: a check that skipped the file would pass ("All checks
    passed" with one file fewer) on a repository that cannot even be checked out.
    """


def missing_object(oid: str, what: str) -> MissingObject:
    """The error for object ``oid`` (``what``: which path at which snapshot refers to it)."""
    return MissingObject(f"git object {oid} ({what}) cannot be read: the repository is damaged; "
                         "run `git fsck --full` to see what is missing, and restore it (e.g. fetch "
                         "from a clone that has it)")


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
    head: str | None = None  # HEAD's commit sha when discovered (saves resolving it again)


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
    head = run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], p, check=False).decode().strip()
    return RepoInfo(top, git_dir, common, bool(head), lines[3] == "true", head or None)


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


# Whole listings are decoded once and split by one C-level regex, not record by record.


_TREE_TEXT = re.compile(r"(\d+) blob ([0-9a-f]+)\t([^\0]*)\0")
_INDEX_TEXT = re.compile(r"(\d+) ([0-9a-f]+) ([0-3])\t([^\0]*)\0")
REGULAR = "100644"


class Listing(NamedTuple):
    """A listing as two maps: path -> blob id, and path -> mode for the few files whose mode is
    not a plain ``100644`` (executables, symbolic links). Built without a tuple per file."""

    oids: dict[str, str]
    modes: dict[str, str]

    def entries(self) -> list[Entry]:
        modes = self.modes
        return [Entry(modes.get(p, REGULAR), o, p) for p, o in self.oids.items()]


def _top(cwd: Path) -> str:
    return run(["rev-parse", "--show-toplevel"], cwd).decode().strip()


def tree_listing(cwd: Path, rev: str, paths: Sequence[str] = ()) -> Listing:
    """Files of commit ``rev`` (recursively), optionally below ``paths``. A commit or tree that
    cannot be read is a :class:`MissingObject` naming it, not git's "not a tree object"."""
    p = process(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths], cwd, check=False)
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace")
        if _DAMAGED.search(err):
            bad = re.search(r"\b([0-9a-f]{40}|[0-9a-f]{64})\b", err)
            raise missing_object(bad.group(1) if bad else rev, f"commit {rev} or its tree"
                                 + (f", listing {', '.join(paths)}" if paths else ""))
        raise GitError.of(["ls-tree"], p.returncode, err)
    out = p.stdout.decode("utf-8", "surrogateescape")
    found = _TREE_TEXT.findall(out)
    return Listing({p: o for _, o, p in found}, {p: m for m, _, p in found if m != REGULAR})


T = TypeVar("T")


def meanwhile(work: Callable[[], T]) -> Callable[[], T | None]:
    """Start ``work`` (which runs git) in a thread and return a function that waits for its
    result, so git works while the caller does something else. The result is None when the
    work failed with a :class:`GitError`; any other exception is raised in the caller's thread."""
    import threading

    box: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            box.append((True, work()))
        except GitError:
            box.append((True, None))
        except BaseException as e:  # handed to the caller, not lost in the thread
            box.append((False, e))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()

    def result() -> T | None:
        worker.join()
        ok, value = box[0] if box else (True, None)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]
    return result


# Whole-index listings started ahead of need (:func:`index_listing_ahead`), by work tree root.
_early: dict[str, Callable[[], Listing | None]] = {}


@contextmanager
def index_listing_ahead(top: Path) -> Iterator[None]:
    """List the whole index of the work tree at ``top`` in a thread while the block runs: a
    commit hook that first asks ``git diff --cached`` what changed, then lists the index, has
    both processes run at once. An ``index_listing(top, toplevel=True)`` inside the block takes
    the result (a failure there just lists again); on leaving, a listing nobody took is dropped,
    so a later call never sees an index that may have changed since."""
    key = os.path.realpath(top)
    result = _early[key] = meanwhile(lambda: _list_index(top, ()))
    try:
        yield
    finally:
        if _early.get(key) is result:
            del _early[key]


def index_listing(cwd: Path, paths: Sequence[str] = (), *, toplevel: bool = False) -> Listing:
    """Files of the index at stage 0 (a conflicted path shows its "ours" side, stage 2).

    ``toplevel``: ``cwd`` is known to be the work tree root (saves a ``rev-parse``).
    """
    early = _early.pop(os.path.realpath(cwd), None) if toplevel and not paths else None
    if early is not None:
        got = early()
        if got is not None:
            return got
    return _list_index(cwd if toplevel else _top(cwd), paths)


def _list_index(top: Path | str, paths: Sequence[str]) -> Listing:
    out = run(["ls-files", "-s", "-z", "--full-name", "--", *paths], top).decode("utf-8", "surrogateescape")
    found = _INDEX_TEXT.findall(out)
    if any(stage != "0" for _, _, stage, _ in found):  # a merge in progress: stages 1-3
        found = [r for r in found if r[2] in ("0", "2")]
    oids: dict[str, str] = {}
    modes: dict[str, str] = {}
    for mode, oid, _, path in found:
        if mode == REGULAR:
            oids[path] = oid
        elif mode != "160000":  # submodules are not files
            oids[path] = oid
            modes[path] = mode
    return Listing(oids, modes)


def ls_tree(cwd: Path, rev: str, paths: Sequence[str] = ()) -> list[Entry]:
    """Files of commit ``rev`` (recursively), optionally below ``paths``."""
    return tree_listing(cwd, rev, paths).entries()


def ls_index(cwd: Path, paths: Sequence[str] = ()) -> list[Entry]:
    """Files of the index at stage 0 (a conflicted path shows its "ours" side, stage 2)."""
    return index_listing(cwd, paths).entries()


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
