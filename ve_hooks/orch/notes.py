"""Git-notes records: bulk read, compare-and-swap append and union merge (plumbing only, no click).

A record is a JSON-lines note keyed by a *name* (an orchestrator work unit). The note annotates an
*anchor* blob whose content is ``ve-orch-unit:<name>\\n``: its id depends on the name alone, so the
note survives rebase, amend, squash and shallow clones. The notes tree also stores the anchor
itself under ``ve-orch-units/<name>`` (a non-note entry, which ``git notes`` preserves), so the
anchor stays reachable from the notes ref and ``git gc --prune=now`` + ``git notes prune`` keep both.

``git notes append`` read-modify-writes the ref without a compare-and-swap, so concurrent writers
lose lines. :func:`append` builds the new notes commit with plumbing and moves the ref with
``git update-ref <ref> <new> <old>``, retrying (bounded, with jitter) when another writer won.
Every git call goes through :func:`git`, a thin door onto :mod:`ve_hooks.git` (one runner, one
:class:`~ve_hooks.git.GitError` for the whole package).
"""

from __future__ import annotations

import contextlib
import os
import random
import shlex
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ve_hooks import git as git_mod
from ve_hooks.git import GitError

if TYPE_CHECKING:
    import subprocess

try:
    import fcntl
except ImportError:  # Windows: the compare-and-swap alone keeps writes safe
    fcntl = None  # type: ignore[assignment]

ANCHOR_DIR = "ve-orch-units"
ANCHOR_PREFIX = b"ve-orch-unit:"
STALE_LOCK_SECONDS = 10.0
MAX_ATTEMPTS = 80
MAX_SECONDS = 60.0
_HEX = frozenset("0123456789abcdef")
# A fresh machine may have no git identity; notes commits then get this one (``who`` is in the event).
_FALLBACK_IDENT = {
    "GIT_AUTHOR_NAME": "ve-orch",
    "GIT_AUTHOR_EMAIL": "ve-orch@localhost",
    "GIT_COMMITTER_NAME": "ve-orch",
    "GIT_COMMITTER_EMAIL": "ve-orch@localhost",
}


class NotesError(Exception):
    """The notes ref or a note is not in a state we can trust; the message says what to do."""


class CasConflict(Exception):
    """The ref moved between our read and our write (internal: triggers a retry)."""


def git(repo: str | Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C repo args`` and capture bytes (through :func:`ve_hooks.git.process`)."""
    proc = git_mod.process(["-C", str(repo), *args], ".", input=input, env={"LANGUAGE": "C", **(env or {})},
                           check=False)
    if check and proc.returncode != 0:
        raise GitError.of(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


@dataclass(frozen=True)
class NotesRepo:
    """A repository as the orchestrator sees it: where to run git and where shared state lives."""

    path: Path
    common_dir: Path

    @classmethod
    def open(cls, path: str | Path) -> NotesRepo:
        """Resolve ``path`` (any directory inside a work tree, or a bare repo) once."""
        proc = git(path, "rev-parse", "--git-common-dir", check=False)
        if proc.returncode != 0:
            raise NotesError(f"not a git repository: {path}")
        common = Path(proc.stdout.decode().strip())
        if not common.is_absolute():
            common = Path(path) / common
        return cls(Path(path).resolve(), common.resolve())

    def lock_path(self, ref: str) -> Path:
        return self.common_dir / f"{ref}.lock"

    def stale_lock(self, ref: str, max_age: float = STALE_LOCK_SECONDS) -> Path | None:
        """The ref's lock file if it exists and is older than ``max_age`` seconds (a crashed git)."""
        lock = self.lock_path(ref)
        try:
            age = time.time() - lock.stat().st_mtime
        except OSError:
            return None
        return lock if age >= max_age else None


def anchor_content(name: str) -> bytes:
    return ANCHOR_PREFIX + name.encode("utf-8") + b"\n"


@dataclass
class NotesSnapshot:
    """One notes commit, read consistently: which names have notes, and the bytes we loaded."""

    ref: str
    commit: str | None
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (mode, blob id)
    notes: dict[str, str] = field(default_factory=dict)  # annotated object id -> path of its note
    anchors: dict[str, str] = field(default_factory=dict)  # name -> anchor blob id
    blobs: dict[str, bytes] = field(default_factory=dict)  # blob id -> content (loaded ones)
    warnings: list[str] = field(default_factory=list)

    def note_path(self, name: str) -> str | None:
        anchor = self.anchors.get(name)
        return self.notes.get(anchor) if anchor else None

    def records(self) -> dict[str, bytes]:
        """name -> note bytes, for every name whose note was loaded."""
        out: dict[str, bytes] = {}
        for name in self.anchors:
            path = self.note_path(name)
            if path is not None and self.entries[path][1] in self.blobs:
                out[name] = self.blobs[self.entries[path][1]]
        return out


def resolve_ref(repo: str | Path, ref: str) -> str | None:
    """The commit ``ref`` points at, None if absent; refuse anything that is not a commit."""
    out = git(repo, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(objecttype)", ref).stdout
    for line in out.decode("utf-8", "replace").splitlines():
        refname, oid, otype = line.split("\0")
        if refname != ref:
            continue
        if otype != "commit":
            raise NotesError(
                f"{ref} points at a {otype} ({oid[:12]}), not a notes commit: it is not ours, so it is "
                f"neither read nor overwritten. Inspect it with `git cat-file -p {oid[:12]}`."
            )
        return oid
    return None


def cat_file_batch(repo: str | Path, oids: Iterable[str]) -> dict[str, bytes]:
    """Contents of many objects with one ``git cat-file --batch`` process; missing ones are absent."""
    return git_mod.cat_blobs(Path(repo), oids)


def _note_object(path: str) -> str | None:
    """The annotated object id of a notes-tree path (flat or fanned out), None for non-notes."""
    flat = path.replace("/", "")
    if len(flat) in (40, 64) and set(flat) <= _HEX and all(len(p) == 2 for p in path.split("/")[:-1]):
        return flat
    return None


def read_snapshot(repo: str | Path, ref: str, names: Iterable[str] | None = None,
                  commit: str | None = None) -> NotesSnapshot:
    """Read the notes commit of ``ref`` (or ``commit``) and load the notes of ``names`` (None: all).

    Three git processes whatever the number of notes: resolve, ``ls-tree -r``, ``cat-file --batch``.
    ``ls-tree`` on the resolved commit (not ``git notes list``, which rereads the ref) keeps the
    snapshot consistent for a compare-and-swap.
    """
    if commit is None:
        commit = resolve_ref(repo, ref)
    snap = NotesSnapshot(ref=ref, commit=commit)
    if commit is None:
        return snap
    raw = git(repo, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    for item in raw.split(b"\0"):
        if not item:
            continue
        meta, _, path_b = item.partition(b"\t")
        mode, otype, oid = meta.decode().split()
        path = path_b.decode("utf-8", "surrogateescape")
        snap.entries[path] = (mode, oid)
        if otype != "blob":
            snap.warnings.append(f"{ref}: entry {path!r} is a {otype}, not a note; kept, ignored")
            continue
        if path.startswith(ANCHOR_DIR + "/") and path.count("/") == 1:
            snap.anchors[path[len(ANCHOR_DIR) + 1:]] = oid
            continue
        annotated = _note_object(path)
        if annotated is not None:
            snap.notes[annotated] = path
    by_anchor = {oid: name for name, oid in snap.anchors.items()}
    unknown = [obj for obj in snap.notes if obj not in by_anchor]
    if unknown:
        # Notes whose anchor entry another tool dropped are still ours if the object is an anchor.
        found = cat_file_batch(repo, unknown)
        for obj in unknown:
            content = found.get(obj, b"")
            if content.startswith(ANCHOR_PREFIX) and content.endswith(b"\n"):
                name = content[len(ANCHOR_PREFIX):-1].decode("utf-8", "replace")
                snap.anchors.setdefault(name, obj)
                by_anchor[obj] = name
                snap.warnings.append(f"{ref}: unit {name!r} has a note but no {ANCHOR_DIR}/ entry; "
                                     "the next write restores it")
            else:
                snap.warnings.append(f"{ref}: note on object {obj[:12]} is not a ve-orch unit; kept, ignored")
    wanted = set(names) if names is not None else None
    load = [snap.entries[snap.notes[a]][1] for a, n in by_anchor.items()
            if a in snap.notes and (wanted is None or n in wanted)]
    snap.blobs = cat_file_batch(repo, load)
    return snap


def write_blobs(repo: str | Path, contents: Sequence[bytes]) -> list[str]:
    """Write blobs with one ``git hash-object -w`` process."""
    if not contents:
        return []
    if len(contents) == 1:
        return [git(repo, "hash-object", "-w", "--no-filters", "--stdin", input=contents[0]).stdout.decode().strip()]
    with tempfile.TemporaryDirectory(prefix="ve-orch-") as tmp:
        paths = []
        for i, data in enumerate(contents):
            p = Path(tmp) / str(i)
            p.write_bytes(data)
            paths.append(str(p))
        out = git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths", input=("\n".join(paths) + "\n").encode())
    return out.stdout.decode().split()


def write_tree(repo: str | Path, entries: Mapping[str, tuple[str, str]]) -> str:
    """A tree (with subtrees) from ``path -> (mode, blob id)``, via a throw-away index."""
    with tempfile.TemporaryDirectory(prefix="ve-orch-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        info = b"".join(f"{mode} {oid}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"
                        for path, (mode, oid) in sorted(entries.items()))
        git(repo, "update-index", "-z", "--index-info", input=info, env=env)
        return git(repo, "write-tree", env=env).stdout.decode().strip()


def commit_tree(repo: str | Path, tree: str, parents: Sequence[str], message: str) -> str:
    """``git commit-tree``; falls back to a fixed identity when the machine has none."""
    args = ["commit-tree", tree, *(a for p in parents for a in ("-p", p)), "-m", message]
    proc = git(repo, *args, check=False)
    if proc.returncode != 0:
        proc = git(repo, *args, env=_FALLBACK_IDENT)
    return proc.stdout.decode().strip()


def update_ref(repo: NotesRepo, ref: str, new: str, old: str | None, message: str) -> None:
    """Move ``ref`` from ``old`` (None: must not exist) to ``new`` or raise :class:`CasConflict`."""
    proc = git(repo.path, "update-ref", "-m", message, ref, new, old or "", check=False)
    if proc.returncode == 0:
        return
    err = proc.stderr.decode("utf-8", "replace")
    if "File exists" in err or ".lock" in err:
        lock = repo.stale_lock(ref)
        if lock is not None:
            raise NotesError(
                f"{lock} exists and is {time.time() - lock.stat().st_mtime:.0f}s old: a git process "
                f"crashed while updating {ref}. Nothing was written. If no git command is running, "
                f"remove it (`rm {shlex.quote(str(lock))}`) and retry."
            )
        raise CasConflict(err.strip())
    if "but expected" in err or "already exists" in err or "unable to resolve reference" in err or "is at" in err:
        raise CasConflict(err.strip())
    raise GitError.of(["update-ref", ref], proc.returncode, err)


def cas_loop(repo: NotesRepo, ref: str, attempt: Callable[[], None], *, max_attempts: int = MAX_ATTEMPTS,
             max_seconds: float = MAX_SECONDS) -> int:
    """Run ``attempt`` until it stops raising :class:`CasConflict`; return the number of tries."""
    deadline = time.monotonic() + max_seconds
    last = ""
    for n in range(1, max_attempts + 1):
        try:
            attempt()
            return n
        except CasConflict as e:
            last = str(e)
        if time.monotonic() > deadline:
            break
        # Full jitter, capped: the 40-writer test converges in a few rounds.
        time.sleep(random.uniform(0, min(0.4, 0.005 * 2 ** min(n, 8))))
    lock = repo.lock_path(ref)
    hint = f"; {lock} exists" if lock.exists() else ""
    raise NotesError(f"{ref} kept moving under us after {n} attempts{hint}; nothing was written ({last})")


def _joined(old: bytes, new: bytes) -> bytes:
    if old and not old.endswith(b"\n"):
        old += b"\n"
    return old + new


def build_commit(repo: NotesRepo, snap: NotesSnapshot, changes: Mapping[str, bytes], message: str,
                 *, replace: bool = False, extra_parents: Sequence[str] = (),
                 extra_entries: Mapping[str, tuple[str, str]] | None = None) -> str:
    """A notes commit on top of ``snap`` where each name's note gets ``changes[name]`` appended
    (or, with ``replace``, becomes it). Other entries are kept as they are."""
    names = list(changes)
    new_anchor = [n for n in names if n not in snap.anchors]
    contents: list[bytes] = [anchor_content(n) for n in new_anchor]
    for n in names:
        path = snap.note_path(n)
        old = b"" if replace or path is None else snap.blobs[snap.entries[path][1]]
        contents.append(changes[n] if replace else _joined(old, changes[n]))
    oids = write_blobs(repo.path, contents)
    anchors = dict(snap.anchors)
    anchors.update(zip(new_anchor, oids[: len(new_anchor)], strict=True))
    entries = {**(extra_entries or {}), **snap.entries}
    for n, oid in zip(names, oids[len(new_anchor):], strict=True):
        entries[f"{ANCHOR_DIR}/{n}"] = ("100644", anchors[n])
        path = snap.note_path(n) or anchors[n]
        entries[path] = ("100644", oid)
    tree = write_tree(repo.path, entries)
    parents = [p for p in (snap.commit, *extra_parents) if p]
    return commit_tree(repo.path, tree, parents, message)


@contextlib.contextmanager
def local_writer_lock(repo: NotesRepo, max_seconds: float = MAX_SECONDS) -> Iterator[None]:
    """Serialise our own writers on this machine (an advisory ``flock``, released by the kernel
    if the process dies, so it can never go stale).

    Only an optimisation: correctness comes from the compare-and-swap, which still guards against
    writers that do not take this lock (other clones' pushes, plain ``git notes``). Without it, 40
    concurrent writers spend ~9 attempts each; with it, one. ``VE_ORCH_LOCAL_LOCK=0`` disables it.
    """
    if fcntl is None or os.environ.get("VE_ORCH_LOCAL_LOCK") == "0":
        yield
        return
    path = repo.common_dir / "ve-orch" / "writer.flock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # read-only git dir: fall back to CAS alone
        return
    try:
        deadline = time.monotonic() + max_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    break  # proceed unlocked; the CAS keeps us correct
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def append(repo: NotesRepo, ref: str, additions: Mapping[str, bytes], message: str) -> int:
    """Append bytes to the notes of several names in one commit, compare-and-swap; returns tries."""

    def attempt() -> None:
        snap = read_snapshot(repo.path, ref, names=additions)
        new = build_commit(repo, snap, additions, message)
        update_ref(repo, ref, new, snap.commit, message)

    with local_writer_lock(repo):
        return cas_loop(repo, ref, attempt)


def union_lines(a: bytes, b: bytes, sort_key: Callable[[bytes], tuple[object, ...]]) -> bytes:
    """Both notes' lines, identical lines once, in ``sort_key`` order (a deterministic merge)."""
    lines = {line for data in (a, b) for line in data.split(b"\n") if line.strip()}
    ordered = sorted(lines, key=lambda line: (sort_key(line), line))
    return b"".join(line + b"\n" for line in ordered)


def merge_snapshots(ours: NotesSnapshot, theirs: NotesSnapshot,
                    sort_key: Callable[[bytes], tuple[object, ...]]
                    ) -> tuple[dict[str, bytes], dict[str, tuple[str, str]], list[str]]:
    """Union of two snapshots: names whose merged note differs from ours -> merged bytes; tree
    entries only they have (carried over); warnings for foreign entries that conflict (ours kept)."""
    mine, other = ours.records(), theirs.records()
    changes: dict[str, bytes] = {}
    for name, data in other.items():
        if name not in mine:
            changes[name] = data
        elif mine[name] != data:
            merged = union_lines(mine[name], data, sort_key)
            if merged != mine[name]:
                changes[name] = merged
    warnings = []
    ours_anchor_notes = {ours.note_path(n) for n in ours.anchors}
    theirs_unit_paths = {theirs.note_path(n) for n in theirs.anchors}
    extra: dict[str, tuple[str, str]] = {}
    for path, entry in theirs.entries.items():
        if path.startswith(ANCHOR_DIR + "/") or path in theirs_unit_paths:
            continue
        if path not in ours.entries:
            extra[path] = entry  # a foreign note or file only they have: carried over, not trusted
        elif ours.entries[path] != entry and path not in ours_anchor_notes:
            warnings.append(f"entry {path!r} differs between local and remote notes; kept the local one")
    return changes, extra, warnings
