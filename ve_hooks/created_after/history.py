"""Replay the whole history once, every branch, to find when each artifact was created.

One ``git log`` pass (:mod:`ve_hooks.created_after.gitlog`) lists every commit (side branches and
merges included, parents first) with its raw diff against its first parent; one ``git cat-file --batch`` (after the blob-id
facts cache) reads the changed blobs. The replay keeps one incremental state (tips per kind
maintained by reference counts) along the current line of first parents; where the next
commit continues another line (a side branch, the commit after a merge's side), it restores a
checkpoint kept for exactly the commits a later commit needs, so the cost stays proportional
to the changes plus one state copy per branch point.

Identity: an artifact keeps its identity across a trusted rename (see :func:`ve_hooks.created_after.identity.trusted_renames`),
a delete + add of the same bare name in one commit, a merge bringing it from another parent,
and a delete followed by a re-add under the same name. A name renamed away and reused later is
a different artifact. See ``docs/created_after.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.created_after import graph as order
from ve_hooks.created_after.gitlog import Commit, log
from ve_hooks.created_after.identity import counted_status
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter, prescan
from ve_hooks.project import Location
from ve_hooks.repo import Facts


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
        if raw is None:  # named by a commit of the history, unreadable: the repository is damaged
            raise git.missing_object(oid, f"{oids[oid]} in the history")
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
    return counted_status("external", facts.get(files["external"], none))
