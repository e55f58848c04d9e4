"""Audit created_after against the history: what it should be, and whether a difference matters.

Each artifact alive at HEAD gets ``computed`` (the tips of its kind at its creation commit's
first parent, without itself, under today's names) and a class. Actionable classes mean the
value is wrong and should be fixed; informational ones name a harmless difference. The classes
are defined in ``docs/created_after.md``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.created_after import graph as order
from ve_hooks.created_after.gitlog import Commit
from ve_hooks.created_after.history import Replay, replay
from ve_hooks.documents import artifacts as art
from ve_hooks.project import Location

ACTIONABLE = ("missing", "dangling", "causality")
INFORMATIONAL = ("subset", "older", "sibling", "future", "migration", "concurrent")
CLASSES = ("exact", *ACTIONABLE, *INFORMATIONAL)
# An entry's relation to the artifact, for the entries that are not among the computed tips.
# Worst first: the first relation present decides an artifact's class.
RELATIONS = ("dangling", "causality", "future", "sibling", "concurrent", "older")


@dataclass
class Row:
    kind: str
    name: str
    path: str
    created_in: str
    introduced_in: str  # the commit that set the current value
    current: list[str]
    computed: list[str]
    cls: str
    entries: dict[str, str]  # entry -> relation, for entries not among the computed tips

    @property
    def actionable(self) -> bool:
        return self.cls in ACTIONABLE

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "path": self.path, "created_in": self.created_in,
                "introduced_in": self.introduced_in, "current": self.current, "computed": self.computed,
                "class": self.cls, "actionable": self.actionable, "entries": self.entries}


@dataclass
class Result:
    rows: list[Row]
    commits: int
    seconds: float

    def summary(self) -> dict[str, Any]:
        counts = Counter(r.cls for r in self.rows)
        out: dict[str, Any] = {c: counts.get(c, 0) for c in CLASSES}
        out["actionable"] = sum(counts.get(c, 0) for c in ACTIONABLE)
        out["commits"] = self.commits
        out["seconds"] = round(self.seconds, 3)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"version": 2, "artifacts": [r.to_json() for r in self.rows], "summary": self.summary()}


def backfill(loc: Location, config: Config, cache: Cache, kinds: Iterable[str] = art.KINDS,
             progress: Callable[[int], None] | None = None, commits: list[Commit] | None = None) -> Result:
    """Classify the created_after of every artifact alive at HEAD against the replayed history."""
    t0 = time.perf_counter()
    kinds = [k for k in art.KINDS if k in set(kinds)]
    rp = replay(loc, config, cache, kinds, progress, commits)
    rows: list[Row] = []
    for kind in kinds:
        alive = {name: e for (k, name), e in rp.head.items() if k == kind}
        name_of = {e.ident: name for name, e in alive.items()}
        resolve = order.resolver(alive)
        for name in sorted(alive):
            e = alive[name]
            d = rp.idents[e.ident]
            files = dict(e.files)
            path = (art.main_path(kind, name, config.artifact_root) if "main" in files
                    else f"{art.artifact_dir(kind, name, config.artifact_root)}/external.yaml")
            computed_ids = set(d.computed).intersection(name_of)  # (in C: ~500 tips each here)
            computed_ids.discard(e.ident)
            computed = sorted(name_of[i] for i in computed_ids)
            current = order.refs(e.facts.created_after, kind)
            entries = {r: rel for r in current
                       if (rel := _relation(rp, e.ident, resolve(r), alive, computed_ids)) != "tip"}
            cls = _classify(rp, e.ident, current, computed, computed_ids, entries, e.value_from, alive, resolve)
            rows.append(Row(kind, name, path, rp.commits[d.created].sha, rp.commits[e.value_from].sha,
                            current, computed, cls, entries))
    return Result(rows, len(rp.commits), time.perf_counter() - t0)


def _relation(rp: Replay, x: int, target: str | None, alive: dict[str, Any], computed: set[int]) -> str:
    """How an entry of artifact ``x`` (resolved to a name at HEAD) relates to it."""
    if target is None:
        return "dangling"
    y = alive[target].ident
    if y in computed:
        return "tip"
    if y == x:
        return "causality"
    dx, dy = rp.idents[x], rp.idents[y]
    if dy.created == dx.created:
        return "sibling"
    if rp.is_ancestor(dx.created, dy.created):
        return "causality"  # y was created after x, with x in its history
    if rp.is_ancestor(dy.created, dx.created):
        fp = rp.first_parent(dx.created)
        if dy.first_eligible is None or fp is None or not rp.is_ancestor(dy.first_eligible, fp):
            return "future"  # it existed, but not yet tip-eligible (FUTURE): the older rule counted it
        return "older"  # it existed and had shipped; some tip already follows it
    return "concurrent"  # created on a parallel branch


def _classify(rp: Replay, x: int, current: list[str], computed: list[str], computed_ids: set[int],
              entries: dict[str, str], value_from: int, alive: dict[str, Any],
              resolve: Callable[[str], str | None]) -> str:
    if not current:
        return "missing" if computed else "exact"
    rels = set(entries.values())
    for r in ("dangling", "causality"):
        if r in rels:
            return r
    resolved = {alive[t].ident for c in current if (t := resolve(c)) is not None}
    if resolved == computed_ids:
        return "exact"
    d = rp.idents[x]
    if value_from != d.created and not d.created_value:
        return "migration"  # the field was written after the artifact, by a migration or backfill
    if not rels:
        return "subset"
    return next(r for r in RELATIONS if r in rels)


@dataclass
class Fixes:
    written: list[str]
    left: list[tuple[str, str]]  # (path, why it was left alone)
    failed: bool = False  # a write was needed and refused or failed: the command must not exit 0


def fix(root: Path, result: Result, artifact_root: str, informational: bool = False) -> Fixes:
    """Write ``computed`` into the actionable artifacts (and, if asked, the informational ones).

    Only what is safe: a markdown main file whose created_after in the worktree still equals
    HEAD's (no local edit to overrule), a non-empty computed value whose every name still
    exists in the worktree (so no write can dangle), and a file the byte-preserving writer can
    edit. Everything else is left, with the reason.
    """
    from ve_hooks.documents import frontmatter, writer
    from ve_hooks.sanitize import unsafe_name

    out = Fixes([], [])
    for row in result.rows:
        if row.cls == "exact" or not (row.actionable or informational):
            continue
        if not row.path.endswith(".md"):
            out.left.append((row.path, "an external reference: edit it in its own repository"))
            continue
        values = [n for n in row.computed if (root / art.artifact_dir(row.kind, n, artifact_root)).is_dir()
                  and not unsafe_name(n)]  # (a name with a space or a control character: VE112)
        if not values:
            out.left.append((row.path, "nothing to write: no tip at its creation exists any more"))
            continue
        target = root / row.path
        try:
            raw = target.read_bytes()
        except OSError:
            out.left.append((row.path, "not in the worktree"))
            continue
        doc = frontmatter.parse(raw)
        if not isinstance(doc, frontmatter.Doc):
            out.left.append((row.path, "the frontmatter does not parse"))
            continue
        if order.refs(doc.data.get("created_after"), row.kind) != row.current:
            out.left.append((row.path, "created_after was edited since HEAD: commit or discard the edit first"))
            continue
        new = writer.set_list_field(raw, "created_after", values)
        if new is None:
            out.left.append((row.path, "cannot be edited safely"))
        elif new != raw:
            try:
                writer.atomic_write(target, new, root=root)
            except OSError as e:  # writer.UnsafePath (a link) included
                out.left.append((row.path, f"not written: {e}"))
                out.failed = True
                continue
            out.written.append(row.path)
    return out
