"""One pass over the whole history, and which of git's pairings are renames of an artifact.

``git log --full-history --topo-order --reverse --parents -M --raw -z``, restricted to the
artifact root, lists every commit of every branch (parents first) with its raw changes against
its first parent. Artifacts share their template, so git readily pairs unrelated ones: only the
renames :func:`~ve_hooks.created_after.identity.trusted_renames` accepts keep an artifact's
identity (``docs/created_after.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ve_hooks import git
from ve_hooks.created_after.identity import Change, RawChange, trusted_renames
from ve_hooks.project import Location

__all__ = ["Change", "Commit", "log", "trusted_renames"]


@dataclass
class Commit:
    """One commit touching the artifact root: its (rewritten) parents and its diff to the first."""

    sha: str
    parents: list[str]
    changes: list[Change] = field(default_factory=list)


def log(loc: Location, root: str, revs: str = "HEAD") -> list[Commit]:
    """Every commit touching ``root`` reachable from HEAD (or in ``revs``, e.g. ``A..B``), parents
    first, in one ``git log``.

    ``--full-history --parents`` keeps merges and rewrites parents to the nearest listed
    commit, whose tree under ``root`` equals the real parent's, so replaying the listed
    commits alone reproduces every snapshot that matters.
    """
    if loc.info is None or not loc.info.has_head:
        return []
    out = git.run(["log", "--full-history", "--topo-order", "--reverse", "--parents",
                   "--diff-merges=first-parent", "-M", "--raw", "--no-abbrev", "-z",
                   "--format=%x01%H %P", revs, "--", root + "/"], loc.git_cwd)
    commits: list[Commit] = []
    raw: list[RawChange] = []
    tokens = out.split(b"\0")
    zero = "0" * 40
    i = 0

    def flush() -> None:
        if commits:
            commits[-1].changes = trusted_renames(raw, root)
        raw.clear()

    while i < len(tokens):
        t = tokens[i].lstrip(b"\n")
        i += 1
        if t.startswith(b"\x01"):
            flush()
            parts = t[1:].decode().split()
            parents = list(dict.fromkeys(parts[1:]))  # a rewritten merge may list a parent twice
            commits.append(Commit(parts[0], parents))
        elif t.startswith(b":") and commits:
            meta = t[1:].decode().split()
            old_oid = meta[2] if meta[2] != zero else None
            new_oid = meta[3] if meta[3] != zero else None
            status = meta[4]
            if status[0] in "RC":
                old = tokens[i].decode("utf-8", "surrogateescape")
                new = tokens[i + 1].decode("utf-8", "surrogateescape")
                i += 2
                score = int(status[1:] or 0)
                if status[0] == "C":
                    raw.append(("A", None, new, None, new_oid, 0))
                else:
                    raw.append(("R", old, new, old_oid, new_oid, score))
            else:
                path = tokens[i].decode("utf-8", "surrogateescape")
                i += 1
                if status[0] == "D":
                    raw.append(("D", path, None, old_oid, None, 0))
                else:
                    raw.append(("M" if status[0] == "M" else "A", path, path, old_oid, new_oid, 0))
    flush()
    return commits
