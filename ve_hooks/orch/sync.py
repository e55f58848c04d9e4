"""``ve orch sync``: exchange notes with a remote without ever overwriting either side.

fetch (forced, into a tracking ref) -> union-merge per unit -> CAS the local ref -> plain push of
a commit that descends from the remote tip. A concurrent push makes ours non-fast-forward: we
refetch and merge again, a bounded number of times.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ve_hooks.orch import model, notes
from ve_hooks.orch.store import OrchError, Store

MAX_ROUNDS = 6


@dataclass
class SyncResult:
    remote: str
    action: str  # "up to date", "pushed", "fast-forwarded", "merged", ...
    merged_units: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rounds: int = 1


def tracking_ref(ref: str, remote: str) -> str:
    """``refs/notes/ve/orch-remote/<remote>``; URLs and paths get a short hash instead of a name."""
    name = remote if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote) and ".." not in remote else \
        "url-" + hashlib.sha1(remote.encode()).hexdigest()[:12]
    return f"{ref}-remote/{name}"


def _fetch(store: Store, remote: str, tracking: str) -> str | None:
    """Fetch the remote's notes ref into ``tracking``; None when the remote has none yet."""
    proc = notes.git(store.repo.path, "fetch", "--no-tags", "--no-write-fetch-head", "--quiet", remote,
                     f"+{store.ref}:{tracking}", check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        if "couldn't find remote ref" in err:
            notes.git(store.repo.path, "update-ref", "-d", tracking, check=False)
            return None
        raise OrchError(f"git fetch {remote} failed: {model.one_line(err.strip().splitlines()[-1] if err.strip() else '?')}")
    return notes.resolve_ref(store.repo.path, tracking)


def _is_ancestor(store: Store, a: str, b: str) -> bool:
    return notes.git(store.repo.path, "merge-base", "--is-ancestor", a, b, check=False).returncode == 0


def _push(store: Store, remote: str, commit: str) -> bool:
    """Plain (non-force) push; False if the remote moved meanwhile."""
    proc = notes.git(store.repo.path, "push", "--porcelain", "--quiet", remote, f"{commit}:{store.ref}", check=False)
    if proc.returncode == 0:
        return True
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    if "rejected" in out or "non-fast-forward" in out or "fetch first" in out or "stale info" in out:
        return False
    raise OrchError(f"git push {remote} failed: {model.one_line(out.strip().splitlines()[-1] if out.strip() else '?')}")


def sync(store: Store, remote: str = "origin") -> SyncResult:
    """Make local and ``remote`` hold the union of both notes; see the module docstring."""
    tracking = tracking_ref(store.ref, remote)
    result = SyncResult(remote, "up to date")
    for rnd in range(1, MAX_ROUNDS + 1):
        result.rounds = rnd
        theirs = _fetch(store, remote, tracking)
        ours = store.head()
        if theirs is None and ours is None:
            result.action = "nothing to sync"
            return result
        if theirs == ours:
            result.action = "up to date"
            return result
        if theirs is None or (ours is not None and _is_ancestor(store, theirs, ours)):
            assert ours is not None
            if _push(store, remote, ours):
                result.action = "pushed"
                return result
            continue
        if ours is None or _is_ancestor(store, ours, theirs):
            try:
                notes.update_ref(store.repo, store.ref, theirs, ours, f"ve-orch: sync fast-forward from {remote}")
            except notes.CasConflict:
                continue
            result.action = "fast-forwarded"
            return result
        # Diverged: a merge commit with both tips as parents, notes unioned line by line.
        mine = notes.read_snapshot(store.repo.path, store.ref, commit=ours)
        other = notes.read_snapshot(store.repo.path, store.ref, commit=theirs)
        changes, extra, warnings = notes.merge_snapshots(mine, other, model.line_sort_key)
        result.warnings = [*mine.warnings, *other.warnings, *warnings]
        message = f"ve-orch: merge notes from {remote}"
        merged = notes.build_commit(store.repo, mine, changes, message, replace=True, extra_parents=[theirs],
                                    extra_entries=extra)
        try:
            notes.update_ref(store.repo, store.ref, merged, ours, message)
        except notes.CasConflict:
            continue
        result.merged_units = sorted(changes)
        if _push(store, remote, merged):
            result.action = "merged"
            return result
    raise OrchError(f"{remote} kept moving while syncing; gave up after {MAX_ROUNDS} rounds. "
                    "Nothing was lost: run `ve orch sync` again.")
