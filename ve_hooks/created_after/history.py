"""Replay the whole history once, every branch, to find when each artifact was created.

One ``git log --full-history --topo-order --reverse --parents -M --raw -z`` process restricted
to the artifact root lists every commit (side branches and merges included, parents first)
with its raw diff against its first parent; one ``git cat-file --batch`` (after the blob-id
facts cache) reads the changed blobs. The replay keeps one incremental state (tips per kind
maintained by reference counts) along the current line of first parents; where the next
commit continues another line (a side branch, the commit after a merge's side), it restores a
checkpoint kept for exactly the commits a later commit needs, so the cost stays proportional
to the changes plus one state copy per branch point.

Identity: an artifact keeps its identity across a trusted rename (see :func:`trusted_renames`),
a delete + add of the same bare name in one commit, a merge bringing it from another parent,
and a delete followed by a re-add under the same name. A name renamed away and reused later is
a different artifact. See ``docs/created_after.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.created_after import graph as order
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter, prescan
from ve_hooks.project import Location
from ve_hooks.repo import Facts

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

    def copy(self) -> TipState:
        """An independent copy (dict copies run in C: far cheaper than re-adding every artifact)."""
        other = TipState.__new__(TipState)
        other.eligible, other.refs, other.key_of = dict(self.eligible), dict(self.refs), dict(self.key_of)
        other.refcount = self.refcount.copy()
        other.by_key = {k: set(v) for k, v in self.by_key.items()}
        other.tips = set(self.tips)
        return other

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


@dataclass(frozen=True)
class Entry:
    """One artifact in one snapshot: its identity, files, facts and who set its created_after."""

    ident: int
    files: tuple[tuple[str, str], ...]  # (role, blob id), sorted
    facts: Facts
    value_from: int  # index of the commit that introduced this created_after value


@dataclass
class Ident:
    """One artifact across its names, branches and lifetime."""

    kind: str
    created: int  # index (into the replayed commits) of the creation commit
    computed: list[int]  # identities that were the tips at the creation commit's first parent
    created_value: list[str]  # created_after as written in the creation commit
    first_eligible: int | None = None  # first commit (replay order) where it was tip-eligible


State = dict[tuple[str, str], Entry]


@dataclass
class Replay:
    """What one pass over the history found."""

    commits: list[Commit]
    idents: list[Ident]
    head: State  # the snapshot of the last commit, i.e. of HEAD under the artifact root
    index: dict[str, int]  # sha -> position in ``commits``

    def first_parent(self, c: int) -> int | None:
        ps = self.commits[c].parents
        return self.index.get(ps[0]) if ps else None

    def is_ancestor(self, a: int, b: int) -> bool:
        """Is commit ``a`` an ancestor of (or equal to) commit ``b``? Walks back from b only as far as a."""
        if a == b:
            return True
        if a > b:  # parents come first
            return False
        seen = {b}
        todo = [b]
        while todo:
            c = todo.pop()
            for p in self.commits[c].parents:
                j = self.index.get(p)
                if j is None or j in seen or j < a:
                    continue
                if j == a:
                    return True
                seen.add(j)
                todo.append(j)
        return False


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
        # The pre-scan answers for nearly every markdown blob and, when it does, exactly as the
        # full parse would; the parse stays for everything it is not certain about.
        got = None if oids[oid].endswith(".yaml") else prescan.facts(raw)
        if got is not None:
            f = Facts(*got)
        else:
            parsed = frontmatter.parse_yaml_file(raw) if oids[oid].endswith(".yaml") else frontmatter.parse(raw)
            f = Facts.of(parsed)
        out[oid] = f
        cache.put("facts", oid, [f.status, f.created_after])
    return out


def _classify(path: str | None, root: str, kinds: set[str]) -> art.ArtifactPath | None:
    if path is None:
        return None
    a = art.classify(path, root)
    if a is None or a.kind not in kinds or a.role not in ("main", "external"):
        return None
    return a


def replay(loc: Location, config: Config, cache: Cache, kinds: Iterable[str] = art.KINDS,
           progress: Callable[[int], None] | None = None, commits: list[Commit] | None = None) -> Replay:
    """Replay every commit touching the artifact root once, parents first."""
    root = config.artifact_root
    wanted = set(kinds)
    if commits is None:
        commits = log(loc, root)
    index = {c.sha: n for n, c in enumerate(commits)}
    oids: dict[str, str] = {}
    for c in commits:
        for _, _, new, _, oid in c.changes:
            if new and oid and _classify(new, root, wanted) is not None:
                oids[oid] = new
    facts = _facts_for(loc, cache, oids)
    none = Facts(None, None)

    # Which commits' snapshots a later commit needs other than as the next in line.
    keep: Counter[int] = Counter()
    for n, c in enumerate(commits):
        for pos, p in enumerate(c.parents):
            j = index.get(p)
            if j is not None and (pos > 0 or j != n - 1):
                keep[j] += 1
    saved: dict[int, tuple[State, dict[str, TipState]]] = {}

    idents: list[Ident] = []
    holder: dict[tuple[str, str], int] = {}  # name -> the identity that last held it
    last: dict[int, Entry] = {}  # identity -> its latest entry on any branch (for a revival)
    state: State = {}
    tips = {k: TipState() for k in wanted}
    current: int | None = None  # the commit whose snapshot ``state`` is

    def eligible(kind: str, f: Facts) -> bool:
        return config.tip_eligible(kind, f.status)

    for n, c in enumerate(commits):
        fp = index.get(c.parents[0]) if c.parents else None
        if fp != current:  # another line continues: restore the snapshot of its first parent
            if fp is None:
                state, tips = {}, {k: TipState() for k in wanted}
            else:
                state = dict(saved[fp][0])
                tips = {k: t.copy() for k, t in saved[fp][1].items()}
        others = [saved[j][0] for p in c.parents[1:] if (j := index.get(p)) is not None]
        for p in c.parents:  # release snapshots nobody needs any more
            j = index.get(p)
            if j is not None and j in saved and (j != n - 1 or p != c.parents[0]):
                keep[j] -= 1
                if keep[j] == 0:
                    del saved[j]
        _apply(n, c, root, wanted, state, others, tips, idents, holder, last, facts, none, eligible)
        current = n
        if keep.get(n):
            saved[n] = (dict(state), {k: t.copy() for k, t in tips.items()})
        if progress:
            progress(1)
    return Replay(commits, idents, state, index)


def _apply(n: int, c: Commit, root: str, wanted: set[str], state: State, others: list[State],
           tips: dict[str, TipState], idents: list[Ident], holder: dict[tuple[str, str], int],
           last: dict[int, Entry], facts: dict[str, Facts], none: Facts, eligible: Callable[[str, Facts], bool]) -> None:
    """Turn ``state`` (the first parent's snapshot) into commit ``n``'s, creating identities."""
    touched: dict[tuple[str, str], dict[str, str | None]] = {}
    renamed_from: dict[tuple[str, str], tuple[str, str]] = {}
    for status, old, new, _, oid in c.changes:
        a_old = _classify(old, root, wanted)
        a_new = _classify(new, root, wanted)
        if a_old is not None and status in ("R", "D"):
            touched.setdefault((a_old.kind, a_old.name), {})[a_old.role] = None
        if a_new is not None:
            touched.setdefault((a_new.kind, a_new.name), {})[a_new.role] = oid
            if (status == "R" and a_old is not None and a_old.role == a_new.role
                    and a_old.kind == a_new.kind and a_old.name != a_new.name):
                renamed_from[(a_new.kind, a_new.name)] = (a_old.kind, a_old.name)
    if not touched:
        return
    files: dict[tuple[str, str], dict[str, str]] = {}
    for kn, roles in touched.items():
        cur = dict(state[kn].files) if kn in state else {}
        for role, oid in roles.items():
            if oid is None:
                cur.pop(role, None)
            else:
                cur[role] = oid
        files[kn] = cur
    gone = [kn for kn, f in files.items() if not f and kn in state]
    born = [kn for kn, f in files.items() if f and kn not in state]
    gone_set = set(gone)
    # identities of the newcomers: moved here, brought by a merge, revived, or created
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
    tips_before = {kn[0]: sorted(tips[kn[0]].tips) for kn in born}
    previous: dict[tuple[str, str], Entry] = {}
    for kn in gone:
        e = state.pop(kn)
        tips[kn[0]].remove(e.ident)
        previous[kn] = e
        if kn in taken and holder.get(kn) == e.ident:
            del holder[kn]  # renamed away: the name, reused later, is another artifact
    ident_of: dict[tuple[str, str], int] = {}
    for kn in born:
        if kn in moved:
            previous[kn] = previous[moved[kn]]
            ident_of[kn] = previous[kn].ident
            holder[kn] = ident_of[kn]
            continue
        brought = next((o[kn] for o in others if kn in o), None)
        if brought is not None:
            previous[kn] = brought
            ident_of[kn] = brought.ident
        elif kn in holder:
            ident_of[kn] = holder[kn]
            previous[kn] = last[holder[kn]]
        else:
            f = files[kn]
            value = _facts_of(f, facts, none).created_after
            ident_of[kn] = len(idents)
            idents.append(Ident(kn[0], n, [i for i in tips_before[kn[0]]], order.refs(value, kn[0])))
        holder[kn] = ident_of[kn]
    for kn, f in files.items():
        if not f:
            continue
        old = state.get(kn) or previous.get(kn)
        i = old.ident if kn in state and old is not None else ident_of[kn]
        fa = _facts_of(f, facts, none)
        if old is not None and old.facts.created_after == fa.created_after:
            value_from = old.value_from
        else:
            value_from = next((o[kn].value_from for o in others
                               if kn in o and o[kn].facts.created_after == fa.created_after), n)
        e = Entry(i, tuple(sorted(f.items())), fa, value_from)
        if kn in state:
            tips[kn[0]].remove(i)
        state[kn] = e
        last[i] = e
        ok = eligible(kn[0], fa)
        tips[kn[0]].add(i, kn[1], ok, order.refs(fa.created_after, kn[0]))
        if ok and idents[i].first_eligible is None:
            idents[i].first_eligible = n


def _facts_of(files: dict[str, str], facts: dict[str, Facts], none: Facts) -> Facts:
    if "main" in files:
        return facts.get(files["main"], none)
    return Facts("ACTIVE", facts.get(files["external"], none).created_after)
