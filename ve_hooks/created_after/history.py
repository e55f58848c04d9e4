"""Backfill created_after from git history: replay the mainline once, incrementally.

One ``git log --first-parent -M --raw -z`` process restricted to the artifact root lists
every mainline commit that touched an artifact, with the blob ids of what changed; one
``git cat-file --batch`` (after the blob-id facts cache) reads those blobs. The replay keeps
per kind a reference count of the keys named by tip-eligible artifacts, so the tips are
maintained as changes arrive: the cost is proportional to the changes, never to
commits x artifacts. ``--raw`` rather than ``--name-status``: it is the same walk, plus
the blob ids, which spares an ``ls-tree`` per commit.

Identity follows renames: a main file renamed (git's ``-M``), or deleted and re-added in the
same commit under the same bare name (``0001-foo`` -> ``foo``), stays the same artifact.
``git log --follow`` is not used: it follows one path and gives up on directory renames.
See ``docs/created_after.md`` for the classification.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.created_after import graph as order
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter
from ve_hooks.project import Location
from ve_hooks.repo import Facts

STATUSES = ("exact", "missing", "stale", "wrong")


@dataclass
class Commit:
    """One mainline commit and its artifact-relevant raw diff records against its first parent."""

    sha: str
    parent: str | None
    changes: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    # (status letter, old path, new path, new blob id); "R" only for a trusted rename


def log(loc: Location, root: str) -> list[Commit]:
    """Mainline commits touching ``root``, oldest first, from a single ``git log`` process."""
    if loc.info is None or not loc.info.has_head:
        return []
    out = git.run(["log", "--first-parent", "--reverse", "--diff-merges=first-parent", "-M", "--raw",
                   "--no-abbrev", "-z", "--format=%x01%H %P", "HEAD", "--", root + "/"], loc.git_cwd)
    commits: list[Commit] = []
    tokens = out.split(b"\0")
    i = 0
    zero = "0" * 40
    while i < len(tokens):
        t = tokens[i].lstrip(b"\n")
        i += 1
        if t.startswith(b"\x01"):
            parts = t[1:].decode().split()
            commits.append(Commit(parts[0], parts[1] if len(parts) > 1 else None))
        elif t.startswith(b":") and commits:
            meta = t[1:].decode().split()
            status = meta[4]
            oid = meta[3] if meta[3] != zero else None
            if status[0] in "RC":
                old, new = (tokens[i].decode("utf-8", "surrogateescape"),
                            tokens[i + 1].decode("utf-8", "surrogateescape"))
                i += 2
                if status[0] == "C":
                    commits[-1].changes.append(("A", None, new, oid))
                elif _same_key(old, new):
                    commits[-1].changes.append(("R", old, new, oid))
                else:
                    # Artifacts share their template, so git pairs a deleted chunk with an
                    # unrelated new one as a "rename" (even at 100%); only a rename keeping
                    # the key (0001-foo -> foo) is trusted to keep the identity.
                    commits[-1].changes.append(("D", old, None, None))
                    commits[-1].changes.append(("A", None, new, oid))
            else:
                path = tokens[i].decode("utf-8", "surrogateescape")
                i += 1
                if status[0] == "D":
                    commits[-1].changes.append(("D", path, None, None))
                else:
                    commits[-1].changes.append(("M" if status[0] == "M" else "A", path, path, oid))
    return commits


def _same_key(old: str, new: str) -> bool:
    a, b = old.split("/"), new.split("/")
    return len(a) >= 2 and len(b) >= 2 and order.key(a[-2]) == order.key(b[-2])


class TipState:
    """Tips of one kind maintained incrementally over artifact identities (ints).

    ``refcount[k]`` counts tip-eligible artifacts naming key ``k``; an artifact is a tip when
    it is eligible and its own key has a zero count. Each add/remove costs its references.
    """

    def __init__(self) -> None:
        self.eligible: dict[int, bool] = {}
        self.refs: dict[int, frozenset[str]] = {}
        self.key_of: dict[int, str] = {}
        self.refcount: Counter[str] = Counter()
        self.by_key: dict[str, set[int]] = {}
        self.tips: set[int] = set()
        self.entered: set[int] = set()  # idents that (re)entered the tips since last cleared

    def remove(self, i: int) -> None:
        if i not in self.eligible:
            return
        if self.eligible[i]:
            for k in self.refs[i]:
                self.refcount[k] -= 1
                if self.refcount[k] == 0:
                    del self.refcount[k]
                    for j in self.by_key.get(k, ()):
                        if j != i and self.eligible[j]:
                            self.tips.add(j)
                            self.entered.add(j)
        holders = self.by_key[self.key_of[i]]
        holders.discard(i)
        if not holders:
            del self.by_key[self.key_of[i]]
        self.tips.discard(i)
        del self.eligible[i], self.refs[i], self.key_of[i]

    def add(self, i: int, name: str, eligible: bool, refs: Iterable[str]) -> None:
        k = order.key(name)
        self.eligible[i] = eligible
        self.refs[i] = frozenset(order.key(r) for r in refs)
        self.key_of[i] = k
        self.by_key.setdefault(k, set()).add(i)
        if eligible:
            for r in self.refs[i]:
                if self.refcount[r] == 0:
                    self.tips.difference_update(self.by_key.get(r, ()))
                self.refcount[r] += 1
            if self.refcount[k] == 0:
                self.tips.add(i)
                self.entered.add(i)


@dataclass
class Ident:
    """One artifact across its names and lifetime."""

    kind: str
    name: str
    added_in: str
    seq_added: int  # commit number that added it; the tips were taken at seq_added - 1
    computed: list[int]
    lives: list[list[int | None]] = field(default_factory=list)  # [born, died) commit numbers
    first_tip: int | None = None
    facts: Facts = field(default_factory=lambda: Facts(None, None))
    role_files: dict[str, str] = field(default_factory=dict)  # role -> blob id

    def alive_at(self, seq: int) -> bool:
        return any(b is not None and b <= seq and (d is None or seq < d) for b, d in self.lives)


@dataclass
class Row:
    kind: str
    name: str
    path: str
    added_in: str
    current: list[str]
    computed: list[str]
    status: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "added_in": self.added_in, "current": self.current,
                "computed": self.computed, "status": self.status}


@dataclass
class Result:
    rows: list[Row]
    commits: int
    seconds: float

    def summary(self) -> dict[str, Any]:
        counts = Counter(r.status for r in self.rows)
        out: dict[str, Any] = {s: counts.get(s, 0) for s in STATUSES}
        out["commits"] = self.commits
        out["seconds"] = round(self.seconds, 3)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "artifacts": [r.to_json() for r in self.rows], "summary": self.summary()}


def _facts_for(loc: Location, cache: Cache, oids: dict[str, str]) -> dict[str, Facts]:
    """oid -> Facts for every blob (oid -> path tells markdown from YAML), cache first, one batch."""
    hits = cache.get_many("facts", set(oids))
    out: dict[str, Facts] = {}
    for oid, v in hits.items():
        if isinstance(v, list) and len(v) == 2:
            out[oid] = Facts(v[0], v[1])
    missing = [o for o in oids if o not in out]
    blobs = git.cat_blobs(loc.git_cwd, missing)
    for oid in missing:
        raw = blobs.pop(oid, None)
        if raw is None:
            out[oid] = Facts(None, None)
            continue
        parsed = frontmatter.parse_yaml_file(raw) if oids[oid].endswith(".yaml") else frontmatter.parse(raw)
        f = Facts.of(parsed)
        out[oid] = f
        cache.put("facts", oid, [f.status, f.created_after])
    return out


def replay(loc: Location, config: Config, cache: Cache, kinds: Iterable[str] = art.KINDS,
           progress: Callable[[int], None] | None = None, commits: list[Commit] | None = None
           ) -> tuple[list[Ident], int, dict[str, TipState]]:
    """Replay the mainline; return every identity ever seen, the commit count and the final tips."""
    root = config.artifact_root
    wanted = set(kinds)
    if commits is None:
        commits = log(loc, root)
    oids: dict[str, str] = {}
    for c in commits:
        for _, _, new, oid in c.changes:
            if new and oid and _relevant(new, root, wanted):
                oids[oid] = new
    facts = _facts_for(loc, cache, oids)

    idents: list[Ident] = []
    live: dict[tuple[str, str], int] = {}  # (kind, name) -> ident
    dead: dict[tuple[str, str], int] = {}
    states = {k: TipState() for k in wanted}
    for seq, c in enumerate(commits, start=1):
        # 1. file-level changes per (kind, name)
        touched: dict[tuple[str, str], dict[str, str | None]] = {}
        renamed_from: dict[tuple[str, str], tuple[str, str]] = {}
        for status, old, new, oid in c.changes:
            a_old = _classify(old, root, wanted)
            a_new = _classify(new, root, wanted)
            if a_old is not None and (status == "R" or status == "D"):
                touched.setdefault((a_old.kind, a_old.name), {})[a_old.role] = None
            if a_new is not None:
                touched.setdefault((a_new.kind, a_new.name), {})[a_new.role] = oid
                if (status == "R" and a_old is not None and a_old.role == a_new.role
                        and a_old.kind == a_new.kind and a_old.name != a_new.name):
                    renamed_from[(a_new.kind, a_new.name)] = (a_old.kind, a_old.name)
        if not touched:
            if progress:
                progress(1)
            continue
        # 2. new file sets; who disappears, who appears
        files: dict[tuple[str, str], dict[str, str]] = {}
        for kn, roles in touched.items():
            cur = dict(idents[live[kn]].role_files) if kn in live else {}
            for role, oid in roles.items():
                if oid is None:
                    cur.pop(role, None)
                else:
                    cur[role] = oid
            files[kn] = cur
        gone = [kn for kn, f in files.items() if not f and kn in live]
        born = [kn for kn, f in files.items() if f and kn not in live]
        gone_set = set(gone)
        tips_before: dict[str, list[int]] = {}
        # 3. identities: renames keep theirs, a bare-name match in the same commit too
        moved: dict[tuple[str, str], tuple[str, str]] = {}
        taken: set[tuple[str, str]] = set()
        for kn in born:
            src = renamed_from.get(kn)
            if src is None or src not in gone_set or src in taken:
                src = next((g for g in gone if g[0] == kn[0] and g not in taken
                            and order.key(g[1]) == order.key(kn[1])), None)
            if src is not None:
                moved[kn] = src
                taken.add(src)
        for kn in born:  # the tips at the first parent, before this commit changes anything
            if kn not in moved and kn not in dead and kn[0] not in tips_before:
                tips_before[kn[0]] = sorted(states[kn[0]].tips)
        gone_ids = {kn: live.pop(kn) for kn in gone}
        for kn, i in gone_ids.items():
            states[kn[0]].remove(i)
            if kn not in taken:
                idents[i].lives[-1][1] = seq
                dead[kn] = i
        for kn in born:
            if kn in moved:
                i = gone_ids[moved[kn]]
                idents[i].name = kn[1]
            elif kn in dead:
                i = dead.pop(kn)
                idents[i].lives.append([seq, None])
            else:
                i = len(idents)
                idents.append(Ident(kn[0], kn[1], c.sha, seq, tips_before[kn[0]], [[seq, None]]))
            live[kn] = i
        # 4. facts and tip contributions of everything touched that lives on
        for kn, f in files.items():
            if not f:
                continue
            i = live[kn]
            ident = idents[i]
            ident.role_files = f
            if "main" in f:
                ident.facts = facts.get(f["main"], Facts(None, None))
            else:
                ident.facts = Facts("ACTIVE", facts.get(f["external"], Facts(None, None)).created_after)
            st = states[kn[0]]
            st.remove(i)
            st.add(i, kn[1], config.tip_eligible(kn[0], ident.facts.status),
                   order.refs(ident.facts.created_after, kn[0]))
        for st in states.values():
            for i in st.entered:
                if i in st.tips and idents[i].first_tip is None:
                    idents[i].first_tip = seq
            st.entered.clear()
        if progress:
            progress(1)
    return idents, len(commits), states


def _classify(path: str | None, root: str, kinds: set[str]) -> art.ArtifactPath | None:
    if path is None:
        return None
    a = art.classify(path, root)
    if a is None or a.kind not in kinds or a.role not in ("main", "external"):
        return None
    return a


def _relevant(path: str, root: str, kinds: set[str]) -> bool:
    return _classify(path, root, kinds) is not None


def backfill(loc: Location, config: Config, cache: Cache, kinds: Iterable[str] = art.KINDS,
             progress: Callable[[int], None] | None = None, commits: list[Commit] | None = None) -> Result:
    """Classify the created_after of every artifact alive at HEAD against the replayed history."""
    t0 = time.perf_counter()
    kinds = [k for k in art.KINDS if k in set(kinds)]
    idents, ncommits, _ = replay(loc, config, cache, kinds, progress, commits)
    rows: list[Row] = []
    for kind in kinds:
        of_kind = [(i, d) for i, d in enumerate(idents) if d.kind == kind]
        alive = {d.name: i for i, d in of_kind if d.lives[-1][1] is None}
        exact_names = order.resolver(alive)
        historic: dict[str, int] = {}
        for i, d in of_kind:  # later idents win: the most recent holder of a key
            historic[order.key(d.name)] = i

        def resolve(ref: str, alive: dict[str, int] = alive, exact_names: Any = exact_names,
                    historic: dict[str, int] = historic) -> int | None:
            n = exact_names(ref)
            if n is not None:
                return alive[n]
            return historic.get(order.key(ref))

        for name in sorted(alive):
            d = idents[alive[name]]
            main = "main" if "main" in d.role_files else "external"
            path = (art.main_path(kind, name, config.artifact_root) if main == "main"
                    else f"{art.artifact_dir(kind, name, config.artifact_root)}/external.yaml")
            current = order.refs(d.facts.created_after, kind)
            computed_ids = [i for i in d.computed if i != alive[name]]
            computed = sorted(idents[i].name for i in computed_ids)
            rows.append(Row(kind, name, path, d.added_in, current, computed,
                            classify(current, computed_ids, d.seq_added - 1, resolve, idents)))
    return Result(rows, ncommits, time.perf_counter() - t0)


def classify(current: list[str], computed: list[int], at: int, resolve: Callable[[str], int | None],
             idents: list[Ident]) -> str:
    """exact | missing | stale | wrong, as defined in docs/created_after.md."""
    if not current:
        return "missing" if computed else "exact"
    resolved = [resolve(r) for r in current]
    if all(r is not None for r in resolved) and set(resolved) == set(computed):
        return "exact"
    for r in resolved:
        if r is None:
            return "wrong"
        d = idents[r]
        if not d.alive_at(at) or d.first_tip is None or d.first_tip > at:
            return "wrong"
    return "stale"
