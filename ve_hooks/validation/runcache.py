"""Whole-run results, cached: a repeated ``ve-validate`` over an unchanged repository reads one row.

A run's findings are a function of what it read. Under the artifact root that is the listing
with blob ids (every artifact, plan and friction log), which goes into the key together with the
base snapshot, the configuration, the selected rules, the targets and the code of ve-hooks
itself. Outside the artifact root (source files that code references name, globs over source
directories) a run reads only a few files, so it records them -- what ``exists`` said, the blob
id of what ``read_many`` returned, the paths a ``list`` gave -- and a later run with the same key
trusts the row only after asking the snapshot the same questions and getting the same answers.
A commit snapshot's label is its sha, so there nothing can differ; the worktree is checked file
by file. Anything unreadable in the row is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from ve_hooks import git
from ve_hooks.snapshot import Snapshot, Unreadable

# Bump when what a cached run stores changes shape.
RUN_VERSION = "1"
_NS = "run"


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


def run_key(*, label: str, base_label: str | None, config: dict[str, Any], select: Sequence[str],
            ignore: Sequence[str], targets: Iterable[str], root_listing: dict[str, str | None]) -> str:
    """The key of a run: everything its findings depend on except the recorded outside reads."""
    h = hashlib.sha1()
    head = [RUN_VERSION, _code_version(), label, base_label, config,
            sorted(c.upper() for c in select), sorted(c.upper() for c in ignore), sorted(targets)]
    h.update(json.dumps(head, sort_keys=True, default=str).encode("utf-8", "surrogateescape"))
    for path in sorted(root_listing):
        h.update(f"\0{path}\0{root_listing[path]}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _read_id(data: bytes | Unreadable | None) -> str | None:
    if data is None:
        return None
    if isinstance(data, Unreadable):
        return "unreadable:" + data.reason
    return git.blob_id(data)


def _list_id(listing: dict[str, str | None]) -> str:
    return hashlib.sha1("\0".join(sorted(listing)).encode("utf-8", "surrogateescape")).hexdigest()


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
        return self.inner.grep(pattern, paths, exclude)  # source checks are never replayed: not recorded

    def __getattr__(self, name: str) -> Any:  # mode(), sha, ... of the wrapped snapshot
        return getattr(self.inner, name)


def _still_true(snapshot: Snapshot, deps: list[list[Any]]) -> bool:
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
        else:
            return False
    return True


def lookup(cache: Any, key: str, snapshot: Snapshot) -> tuple[list[list[Any]], int] | None:
    """(diagnostics as stored, files checked) of an identical earlier run, or None."""
    row = cache.get_many(_NS, [key]).get(key)
    try:
        diags, files, deps = row["diags"], int(row["files"]), row["deps"]
        if not isinstance(diags, list) or not _still_true(snapshot, deps):
            return None
    except (TypeError, KeyError, ValueError, IndexError):
        return None
    return diags, files


def store(cache: Any, key: str, diags: list[list[Any]], files: int, recording: Recording) -> None:
    deps = [[what, path, value] for (what, path), value in sorted(recording.deps.items())]
    cache.put(_NS, key, {"diags": diags, "files": files, "deps": deps})

