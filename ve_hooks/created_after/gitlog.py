"""One pass over the whole history, and which of git's pairings are renames of an artifact.

``git log --full-history --topo-order --reverse --parents -M --raw -z``, restricted to the
artifact root, lists every commit of every branch (parents first) with its raw changes against
its first parent. Artifacts share their template, so git readily pairs unrelated ones: only the
renames :func:`trusted_renames` accepts keep an artifact's identity (``docs/created_after.md``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ve_hooks import git
from ve_hooks.created_after import graph as order
from ve_hooks.documents import artifacts as art
from ve_hooks.project import Location

SIMILAR = 90
"""git's similarity score (percent) from which a rename of a main file is trusted on its own."""

Change = tuple[str, "str | None", "str | None", "str | None", "str | None"]
"""(status A|M|D|R, old path, new path, old blob id, new blob id); R only for a trusted rename."""


@dataclass
class Commit:
    """One commit touching the artifact root: its (rewritten) parents and its diff to the first."""

    sha: str
    parents: list[str]
    changes: list[Change] = field(default_factory=list)


def log(loc: Location, root: str) -> list[Commit]:
    """Every commit touching ``root`` reachable from HEAD, parents first, in one ``git log``.

    ``--full-history --parents`` keeps merges and rewrites parents to the nearest listed
    commit, whose tree under ``root`` equals the real parent's, so replaying the listed
    commits alone reproduces every snapshot that matters.
    """
    if loc.info is None or not loc.info.has_head:
        return []
    out = git.run(["log", "--full-history", "--topo-order", "--reverse", "--parents",
                   "--diff-merges=first-parent", "-M", "--raw", "--no-abbrev", "-z",
                   "--format=%x01%H %P", "HEAD", "--", root + "/"], loc.git_cwd)
    commits: list[Commit] = []
    raw: list[tuple[str, str | None, str | None, str | None, str | None, int]] = []
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


def trusted_renames(raw: list[tuple[str, str | None, str | None, str | None, str | None, int]],
                    root: str) -> list[Change]:
    """Keep git's rename pairs that move an artifact; split the others into delete + add.

    Artifacts share their template, so git readily pairs a deleted artifact with an unrelated
    new one. A pair moving one artifact directory to another is trusted when the names share a
    key (``0001-foo`` -> ``foo``), or, unless ambiguous, when git pairs the artifact's other
    file (PLAN.md) the same way, or scores the main file at least :data:`SIMILAR` while no
    other file of the two directories contradicts it (deleted from the old one or added to the
    new one instead of moving). Ambiguous: the old or the new blob is also the blob of another
    file added or deleted in the commit (an unedited template), where git's choice among
    equals is arbitrary.
    """
    dirs: dict[str, set[str]] = {}
    olds: Counter[str] = Counter()
    news: Counter[str] = Counter()
    for st, _old, _new, ooid, noid, _ in raw:
        if st in ("R", "D") and ooid:
            olds[ooid] += 1
        if st in ("R", "A") and noid:
            news[noid] += 1
    for st, old, new, _, _, _ in raw:
        if st == "R" and old and new:
            dirs.setdefault(_dir(old), set()).add(_dir(new))
    raw = _pair_by_plan(raw, root)
    out: list[Change] = []
    for st, old, new, ooid, noid, score in raw:
        if st != "R":
            out.append((st, old, new, ooid, noid))
            continue
        assert old is not None and new is not None
        a, b = art.classify(old, root), art.classify(new, root)
        trusted = False
        if a is not None and b is not None and a.kind == b.kind and a.role == b.role:
            if order.key(a.name) == order.key(b.name):
                trusted = True
            elif not ((ooid and olds[ooid] > 1) or (noid and news[noid] > 1)):
                moved_together = len(dirs.get(_dir(old), ())) == 1 and _paired_plan(raw, old, new)
                trusted = moved_together or (score >= SIMILAR and not _left_behind(raw, old, new))
        if trusted:
            out.append(("R", old, new, ooid, noid))
        else:
            out.append(("D", old, None, ooid, None))
            out.append(("A", None, new, None, noid))
    return out


def _pair_by_plan(raw: list[tuple[str, str | None, str | None, str | None, str | None, int]],
                  root: str) -> list[tuple[str, str | None, str | None, str | None, str | None, int]]:
    """A main file rewritten too much for git to pair, whose PLAN.md moved, moved with it."""
    plan_moves: dict[str, set[str]] = {}
    for st, old, new, _, _, _ in raw:
        if st == "R" and old and new and old.endswith("/PLAN.md") and new.endswith("/PLAN.md"):
            plan_moves.setdefault(_dir(old), set()).add(_dir(new))
    if not plan_moves:
        return raw
    deleted = {_dir(old): n for n, (st, old, _, _, _, _) in enumerate(raw)
               if st == "D" and old and (a := art.classify(old, root)) is not None and a.role == "main"}
    added = {_dir(new): n for n, (st, _, new, _, _, _) in enumerate(raw)
             if st == "A" and new and (a := art.classify(new, root)) is not None and a.role == "main"}
    out = list(raw)
    drop: set[int] = set()
    for od, targets in plan_moves.items():
        (nd,) = targets if len(targets) == 1 else (None,)
        if nd is None or od not in deleted or nd not in added:
            continue
        d, a = raw[deleted[od]], raw[added[nd]]
        out[deleted[od]] = ("R", d[1], a[2], d[3], a[4], 0)
        drop.add(added[nd])
    return [x for n, x in enumerate(out) if n not in drop]


def _left_behind(raw: list[tuple[str, str | None, str | None, str | None, str | None, int]],
                 old: str, new: str) -> bool:
    """Did the old directory lose another file, or the new one gain one, without a move?

    Then the two are different artifacts whose main files merely look alike (the template).
    """
    od, nd = _dir(old), _dir(new)
    return any((st == "D" and o and _dir(o) == od) or (st == "A" and n and _dir(n) == nd)
               for st, o, n, _, _, _ in raw)


def _dir(path: str) -> str:
    return path.rsplit("/", 1)[0]


def _paired_plan(raw: list[tuple[str, str | None, str | None, str | None, str | None, int]],
                 old: str, new: str) -> bool:
    """Did another file of the old directory move to the new one in the same commit?"""
    od, nd = _dir(old), _dir(new)
    return any(st == "R" and o and n and o != old and _dir(o) == od and _dir(n) == nd
               for st, o, n, _, _, _ in raw)
