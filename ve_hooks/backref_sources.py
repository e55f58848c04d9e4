"""VE704 over a whole snapshot: the source files ``ve-validate`` checks for backreference comments.

The ``ve-code-backrefs`` hook sees the staged text files pre-commit hands it; CI must be able to
make the same check on the whole tree, so a skipped hook (``--no-verify``, a web edit) is still
caught. Speed: one ``git grep`` over the snapshot (worktree, index or commit) finds the few files
with a backreference-shaped line; only those are read, in one batch, and checked with the very
function the hook uses (:func:`ve_hooks.rules.backreferences.check_source`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ve_hooks import git
from ve_hooks.diagnostic import Diagnostic
from ve_hooks.snapshot import CommitSnapshot, IndexSnapshot, Snapshot, WorktreeSnapshot

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

# The hook's own scope (.pre-commit-hooks.yaml: ``exclude: ^docs/``, ``types: [text]``).
EXCLUDED_DIR = "docs"
_PLAIN_LIMIT = 1 << 20  # plain directories are scanned in Python: skip files larger than this


def _wanted(path: str, prefixes: Sequence[str] | None) -> bool:
    if path == EXCLUDED_DIR or path.startswith(EXCLUDED_DIR + "/"):
        return False
    if prefixes is None:
        return True
    return any(not w or path == w or path.startswith(w.rstrip("/") + "/") for w in prefixes)


def _grep(snap: Snapshot, pattern: str, prefixes: Sequence[str] | None) -> list[str] | None:
    """Files of a git snapshot with a line matching ``pattern`` (None: not a git snapshot)."""
    args = ["grep", "-l", "-z", "-I", "-E", "--full-name", "-e", pattern]
    cwd_of = getattr(snap, "_git_cwd", None) if isinstance(snap, WorktreeSnapshot) else getattr(snap, "cwd", None)
    if cwd_of is None or Path(cwd_of).resolve() != Path(snap.root).resolve():
        return None  # a project below the git top level: its paths are not git's
    if isinstance(snap, IndexSnapshot):
        cwd, args = snap.cwd, [*args, "--cached"]
    elif isinstance(snap, CommitSnapshot):
        cwd, args = snap.cwd, [*args, snap.sha]
    elif isinstance(snap, WorktreeSnapshot) and snap._git_cwd is not None:
        cwd = snap._git_cwd  # tracked files, as pre-commit sees them
    else:
        return None
    # Only the asked-for places (a hook's few files must not cost a grep of the whole tree).
    where = ["."] if prefixes is None else [f":(literal){p.rstrip('/')}" if p else "." for p in prefixes]
    out = git.zsplit(git.run([*args, "--", *where, f":(exclude){EXCLUDED_DIR}/"], cwd, check=False))
    if isinstance(snap, CommitSnapshot):
        prefix = snap.sha + ":"
        out = [p.removeprefix(prefix) for p in out]
    return out


def candidates(snap: Snapshot, prefixes: Sequence[str] | None, pattern: str) -> dict[str, bytes]:
    """The bytes of files outside docs/ (under ``prefixes``, None: all) that may hold a backreference."""
    found = _grep(snap, pattern, prefixes)
    if found is not None:
        paths = [p for p in found if _wanted(p, prefixes)]
        if paths:
            snap.list("")  # one listing of the whole tree gives the blob ids to read by
        return {p: data for p, data in snap.read_many(paths).items() if isinstance(data, bytes)}
    # A plain directory: no git to ask, so read what the listing holds (hidden folders skipped).
    rx = re.compile(pattern.replace("[[:blank:]]", r"[ \t]").encode(), re.MULTILINE)
    paths = [p for p in snap.list("") if _wanted(p, prefixes) and not any(
        part.startswith(".") for part in p.split("/"))]
    out: dict[str, bytes] = {}
    for p, data in snap.read_many(paths).items():
        if isinstance(data, bytes) and len(data) <= _PLAIN_LIMIT and b"\0" not in data and rx.search(data):
            out[p] = data
    return out


def check_tree(snap: Snapshot, repo: Repo, base: Repo | None, prefixes: Sequence[str] | None
               ) -> tuple[list[Diagnostic], list[str]]:
    """VE704 findings of every candidate source file, and the files checked."""
    from ve_hooks.rules.backreferences import BACKREF_GREP, check_source

    files = candidates(snap, prefixes, BACKREF_GREP)
    out: list[Diagnostic] = []
    for path in sorted(files):
        out.extend(check_source(path, files[path].decode("utf-8", "replace"), repo, base))
    return out, sorted(files)
