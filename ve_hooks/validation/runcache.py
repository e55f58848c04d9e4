"""Whole-run results, cached: a repeated ``ve-validate`` over an unchanged repository reads one row.

A run's findings are a function of what it read. Under the artifact root that is the listing
with blob ids (every artifact, plan and friction log), which goes into the key together with the
base snapshot, the configuration, the selected rules, the targets, the scope of the source
checks and the code of ve-hooks itself. Outside the artifact root (source files that code
references name, globs over source directories, the files a ``grep`` for backreference comments
found) a run reads comparatively few files, so it records them -- what ``exists`` said, the blob
id of what ``read_many`` returned, the paths (and blob ids) a ``list`` gave, the paths a
``grep`` found -- and a later run with the same key trusts the row only after asking the
snapshot the same questions and getting the same answers. A new source file with a ``# Chunk:``
comment changes what the grep finds; an edited one changes its blob id. A commit snapshot's
label is its sha, so there nothing can differ; the worktree is checked file by file. Anything
unreadable in the row is a miss.

Rows are kept one per kind of run (:func:`run_slot`), each holding its key: the next run of the
same kind overwrites it, so the cache does not grow with every edit.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from ve_hooks import git
from ve_hooks.snapshot import Snapshot, Unreadable

# Bump when what a cached run stores changes shape.
RUN_VERSION = "2"  # 2: source checks (VE704-VE706, VE80x) replayed too, their files recorded
_NS = "runs"
# Before one row per kind of run, a row per key: hundreds of megabytes over months of edits.
_LEGACY_NS = "run"


def _code_version() -> str:
    """Version plus size and mtime of every file of the installed package: editing a rule (or a
    schema) in a development checkout must not replay the findings of the old code."""
    import ve_hooks

    top = os.path.dirname(ve_hooks.__file__)
    parts = [ve_hooks.__version__]
    stack = [top]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            for e in it:
                if e.name == "__pycache__":
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith((".py", ".json", ".yaml", ".md", ".txt")):
                    st = e.stat()
                    parts.append(f"{e.path[len(top):]}:{st.st_size}:{st.st_mtime_ns}")
    parts.sort()
    return hashlib.sha1("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class RunId(NamedTuple):
    """Where a run's row lives (``slot``) and what it must match (``key``)."""

    slot: str
    key: str


def run_slot(*, label: str, select: Sequence[str], ignore: Sequence[str], scoped: bool) -> str:
    """Where a run's row is kept: one row per kind of run (snapshot kind, selection, whole tree
    or PATHS), overwritten by the next run of that kind. A row holds every finding of the run
    (megabytes on a big repository): keeping one per key would grow the cache by that much
    after every edit, for rows that are never asked for again."""
    kind = label if label in ("WORKTREE", "STAGED") else "REV"
    head = [RUN_VERSION, kind, sorted(c.upper() for c in select), sorted(c.upper() for c in ignore), scoped]
    return hashlib.sha1(json.dumps(head).encode()).hexdigest()


def run_key(*, label: str, base_label: str | None, config: dict[str, Any], select: Sequence[str],
            ignore: Sequence[str], targets: Iterable[str] | None, scope: Sequence[str] | None,
            root_listing: dict[str, str | None]) -> str:
    """The key of a run: everything its findings depend on except the recorded outside reads.
    ``targets`` None: every artifact of ``root_listing``. ``scope`` is where the source checks
    looked (None: the whole tree; empty: nowhere)."""
    h = hashlib.sha1()
    head = [RUN_VERSION, _code_version(), label, base_label, config,
            sorted(c.upper() for c in select), sorted(c.upper() for c in ignore),
            None if targets is None else sorted(targets), None if scope is None else sorted(scope)]
    h.update(json.dumps(head, sort_keys=True, default=str).encode("utf-8", "surrogateescape"))
    paths = sorted(root_listing)  # two joins, not an update per path: 20,000 paths on every hook run
    h.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    h.update(b"\1")
    h.update("\0".join([root_listing[p] or "-" for p in paths]).encode("ascii", "replace"))
    return h.hexdigest()


def _read_id(data: bytes | Unreadable | None) -> str | None:
    if data is None:
        return None
    if isinstance(data, Unreadable):
        return "unreadable:" + data.reason
    return git.blob_id(data)


def _list_id(listing: dict[str, str | None]) -> str:
    """The paths of a listing with their blob ids (None where the worktree has not hashed a file
    yet: such a file is read, and its read recorded, when the run uses its content)."""
    h = hashlib.sha1()
    for path in sorted(listing):
        h.update(f"{path}\0{listing[path]}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class Recording(Snapshot):
    """A snapshot that forwards every call and remembers the answers outside the artifact root."""

    def __init__(self, inner: Snapshot, artifact_root: str) -> None:
        self.inner = inner
        self.label = inner.label
        self.root = inner.root
        self._inside = artifact_root.strip("/") + "/"
        self.deps: dict[tuple[str, str], Any] = {}

    def _outside(self, path: str) -> bool:
        return not path.startswith(self._inside)

    def list(self, prefix: str) -> dict[str, str | None]:
        out = self.inner.list(prefix)
        if self._outside(prefix.rstrip("/") + "/"):
            self.deps[("l", prefix)] = _list_id(out)
        return out

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        paths = list(paths)
        out = self.inner.read_many(paths)
        for p in paths:
            if self._outside(p):
                self.deps[("r", p)] = _read_id(out.get(p))
        return out

    def exists(self, path: str) -> bool:
        out = self.inner.exists(path)
        self.deps[("e", path)] = out  # all of them: an empty directory is in no listing
        return out

    def grep(self, pattern: str, paths: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str] | None:
        out = self.inner.grep(pattern, paths, exclude)
        question = json.dumps([pattern, None if paths is None else list(paths), list(exclude)])
        self.deps[("g", question)] = None if out is None else _list_id(dict.fromkeys(out))
        return out

    def __getattr__(self, name: str) -> Any:  # mode(), sha, ... of the wrapped snapshot
        return getattr(self.inner, name)


def _grep_answers(snapshot: Snapshot, questions: list[str]) -> Callable[[], dict[str, str | None] | None]:
    """The recorded grep questions asked again in a thread (git searches while the reads and
    existence checks run); the answers when called, None when git failed."""
    def ask() -> dict[str, str | None]:
        answers: dict[str, str | None] = {}
        for q in questions:
            pattern, paths, exclude = json.loads(q)
            found = snapshot.grep(pattern, paths, exclude)
            answers[q] = None if found is None else _list_id(dict.fromkeys(found))
        return answers
    return git.meanwhile(ask)


def _still_true(snapshot: Snapshot, deps: list[list[Any]]) -> bool:
    greps = [d[1] for d in deps if d[0] == "g"]
    grepped = _grep_answers(snapshot, greps) if greps else dict
    listed = getattr(snapshot, "listed_blob_id", None)  # git snapshots: blob ids without reading
    reads = [d[1] for d in deps if d[0] == "r" and (listed is None or listed(d[1]) is None)]
    got = snapshot.read_many(reads) if reads else {}
    for what, path, value in deps:
        if what == "r":
            oid = listed(path) if listed is not None else None
            if (oid if oid is not None else _read_id(got.get(path))) != value:
                return False
        elif what == "e":
            if snapshot.exists(path) != value:
                return False
        elif what == "l":
            if _list_id(snapshot.list(path)) != value:
                return False
        elif what == "g":
            if (grepped() or {}).get(path, "no answer") != value:
                return False
        else:
            return False
    return True


class Row(NamedTuple):
    """A stored run: its findings (``[path, *fields]``), the artifact files and the source
    files it checked."""

    diagnostics: list[list[Any]]
    targets: list[str]
    sources: list[str]


def lookup(cache: Any, run: RunId, snapshot: Snapshot) -> Row | None:
    """The row of an identical earlier run whose outside reads still hold, or None."""
    row = cache.get_many(_NS, [run.slot]).get(run.slot)
    try:
        if row["key"] != run.key:
            return None
        diags, targets, sources, deps = row["diags"], row["targets"], row["sources"], row["deps"]
        if not all(isinstance(v, list) for v in (diags, targets, sources)) or not _still_true(snapshot, deps):
            return None
    except (TypeError, KeyError, ValueError, IndexError):
        return None
    return Row(diags, [str(p) for p in targets], [str(p) for p in sources])


def store(cache: Any, run: RunId, diags: list[list[Any]], targets: Sequence[str], sources: Sequence[str],
          recording: Recording) -> None:
    deps = [[what, path, value] for (what, path), value in sorted(recording.deps.items())]
    cache.drop(_LEGACY_NS)
    cache.put(_NS, run.slot, {"key": run.key, "diags": diags, "targets": list(targets), "sources": list(sources),
                              "deps": deps})
