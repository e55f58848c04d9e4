"""The artifacts of one snapshot: which exist (from the listing alone) and their parsed documents.

Parsing goes through the blob-id cache, in bulk: ask for many paths, get one ``cat-file``
for the misses and one SQLite query for the hits. Whole-repo rules ask for exactly the
documents they need, so a commit touching one chunk never parses the repository.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any, Generic, NamedTuple, TypeVar

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter
from ve_hooks.snapshot import Snapshot, Unreadable

Result = frontmatter.Doc | frontmatter.ParseError
# (kind directory, file name) -> (kind, role) of the files the artifact index keeps, as classify() says.
_MAIN_ROLES = {(d, f): (k, "main" if f == art.MAIN_FILE[k] else "external")
               for k, d in art.DIR_OF.items() for f in (art.MAIN_FILE[k], "external.yaml")}


class Facts(NamedTuple):
    """The few fields ordering needs, cached separately so tips never decode whole documents.

    A tuple, not a dataclass: a warm run builds one per artifact of a kind from the cache row.
    """

    status: Any
    created_after: Any

    @classmethod
    def of(cls, r: Result | None) -> Facts:
        if isinstance(r, frontmatter.Doc):
            return cls(r.data.get("status"), r.data.get("created_after"))
        return cls(None, None)


T = TypeVar("T")


class Change(NamedTuple):
    """What a derived Repo changed (see :meth:`Repo.derive`), for slots carrying their values."""

    paths: frozenset[str]
    listing_changed: bool  # a path appeared or went: name-based answers no longer hold
    moved: dict[str, dict[str, Facts]]  # kind -> name -> its new facts, where they differ


class Slot(Generic[T]):
    """A typed per-run cache slot that one module owns, kept in :attr:`Repo.memo`.

    A Repo is one immutable snapshot, so what a rule computed from it once (a created_after
    graph, a name index) serves every target of the run. ``carry(old, new, value, change)``
    says what of ``value`` still holds for a Repo derived from ``old`` (the language server
    derives one per keystroke); it returns None (or there is no ``carry``) to start again.
    """

    def __init__(self, name: str, carry: Callable[[Repo, Repo, T, Change], T | None] | None = None) -> None:
        self.name = name
        self.carry = carry

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class Repo:
    """Artifacts of one snapshot, parsed lazily and in bulk through the cache."""

    def __init__(self, snapshot: Snapshot, config: Config, cache: Cache) -> None:
        self.snapshot = snapshot
        self.config = config
        self.cache = cache
        self.root = config.artifact_root
        self.parsed = 0  # documents actually parsed (cache misses), for --stats and tests
        # The one per-run store: what modules derived from this snapshot (it is immutable), under
        # their typed :class:`Slot` (or, older code, a string key of their module's name).
        self.memo: dict[Any, Any] = {}
        self._files: dict[str, str | None] | None = None
        self._index: dict[str, dict[str, art.ArtifactPath]] | None = None
        self._results: dict[str, Result] = {}
        self._raw: dict[str, bytes] = {}
        self._facts: dict[str, Facts] = {}
        self._friction: set[str] | None = None
        self._kind_facts: dict[str, dict[str, Facts]] = {}
        self._kind_digest: dict[str, str] = {}

    # -- per-run slots and derived snapshots ------------------------------------------------

    def slot(self, slot: Slot[T], make: Callable[[], T]) -> T:
        """The value of ``slot`` for this snapshot, made on first use."""
        if slot not in self.memo:
            self.memo[slot] = make()
        return self.memo[slot]  # type: ignore[no-any-return]

    def peek(self, slot: Slot[T]) -> T | None:
        """The value of ``slot`` if it was made, else None."""
        return self.memo.get(slot)

    def derive(self, snapshot: Snapshot, changed: dict[str, bytes | None]) -> Repo:
        """A Repo for ``snapshot``, which differs from this one's only in ``changed`` (new bytes,
        or None: deleted), sharing everything loaded for the other paths.

        The language server derives one per keystroke: the listing, the name index and each
        kind's facts are patched, not recomputed, and every :class:`Slot` with a ``carry``
        hands its value on (patched) instead of starting again.
        """
        new = Repo(snapshot, self.config, self.cache)
        files = dict(self.files)
        listing_changed = False
        for p, data in changed.items():
            if data is None:
                listing_changed |= files.pop(p, "absent") != "absent"
            else:
                listing_changed |= p not in files
                files[p] = git.blob_id(data)
        new._files = files
        new._index = None if listing_changed else self._index
        drop = set(changed)
        new._results = {p: r for p, r in self._results.items() if p not in drop}
        new._raw = {p: r for p, r in self._raw.items() if p not in drop}
        for p, data in changed.items():
            if data is not None:
                new._raw[p] = data
        new._facts = {p: f for p, f in self._facts.items() if p not in drop}
        new._friction = None if f"{self.root}/{art.FRICTION}" in drop else self._friction
        kinds = {a.kind for p in changed if (a := art.classify(p, self.root)) is not None}
        new._kind_facts = {k: v for k, v in self._kind_facts.items() if k not in kinds}
        moved: dict[str, dict[str, Facts]] = {}
        if not listing_changed:
            for k in kinds:
                if k in self._kind_facts:
                    facts = dict(self._kind_facts[k])
                    for p in changed:
                        a = art.classify(p, self.root)
                        if a is not None and a.kind == k and a.name in facts and new.names(k).get(a.name) == a:
                            f = Facts.of(new.load([p]).get(p))
                            if f != facts[a.name]:
                                moved.setdefault(k, {})[a.name] = f
                            facts[a.name] = f
                    new._kind_facts[k] = facts
        change = Change(frozenset(changed), listing_changed, moved)
        for key, value in self.memo.items():
            if isinstance(key, Slot) and key.carry is not None:
                carried = key.carry(self, new, value, change)
                if carried is not None:
                    new.memo[key] = carried
        return new

    # -- listing ---------------------------------------------------------------------------

    @property
    def files(self) -> dict[str, str | None]:
        if self._files is None:
            self._files = self.snapshot.list(self.root)
        return self._files

    @property
    def index(self) -> dict[str, dict[str, art.ArtifactPath]]:
        """kind -> name -> the artifact's main (or external.yaml) path. Listing only, no parsing."""
        if self._index is None:
            idx: dict[str, dict[str, art.ArtifactPath]] = {k: {} for k in art.KINDS}
            # One C-level search over all paths instead of classify() per path: 20,000 paths on
            # the hot path, of which about half are artifacts' main files.
            root = self.root.strip("/")
            main = re.compile(rf"\n{re.escape(root)}/(chunks|narratives|investigations|subsystems)/"
                              r"([^/\n]+)/(GOAL\.md|OVERVIEW\.md|external\.yaml)(?=\n)")
            files = self.files
            for d, name, filename in main.findall("\n" + "\n".join(files) + "\n"):
                kind_role = _MAIN_ROLES.get((d, filename))
                path = f"{root}/{d}/{name}/{filename}"
                if kind_role is None or path not in files:  # (a path with a line break in it)
                    continue
                a = art.ArtifactPath(kind_role[0], name, path, kind_role[1])
                cur = idx[a.kind].get(a.name)
                if cur is None or (cur.role == "external" and a.role == "main"):
                    idx[a.kind][a.name] = a
            self._index = idx
        return self._index

    def names(self, kind: str) -> dict[str, art.ArtifactPath]:
        return self.index.get(kind, {})

    def artifact_paths(self) -> list[art.ArtifactPath]:
        """Every validated artifact file in the snapshot (main docs, external refs, friction)."""
        out = []
        for path in sorted(self.files):
            a = art.classify(path, self.root)
            if a is not None and a.validated:
                out.append(a)
        return out

    # -- reading ---------------------------------------------------------------------------

    def load(self, paths: Iterable[str]) -> dict[str, Result]:
        """Parse results for ``paths`` (missing files are left out)."""
        paths = list(paths)
        want = [p for p in dict.fromkeys(paths) if p not in self._results and p in self.files]
        if want:
            self._load(want)
        return {p: self._results[p] for p in paths if p in self._results}

    def _load(self, paths: list[str]) -> None:
        oids = {p: self.files.get(p) for p in paths}
        raw: dict[str, bytes | Unreadable] = {}
        unknown = [p for p, o in oids.items() if o is None]
        if unknown:  # worktree: read to learn the blob id
            raw.update(self.snapshot.read_many(unknown))
            for p in unknown:
                data = raw.get(p)
                if isinstance(data, bytes):
                    self._raw[p] = data
                    oids[p] = git.blob_id(data)
                    self.files[p] = oids[p]
        by_ns: dict[str, dict[str, str]] = {}
        for p, oid in oids.items():
            if oid is not None and not isinstance(raw.get(p), Unreadable):
                by_ns.setdefault(_namespace(p), {})[p] = oid
        for ns, group in by_ns.items():
            hits = self.cache.get_many(ns, set(group.values()))
            for p, oid in group.items():
                if oid in hits:
                    try:
                        self._results[p] = frontmatter.result_from_json(hits[oid])
                    except (KeyError, TypeError, ValueError, IndexError):
                        pass  # a damaged entry is a miss
        missing = [p for p in paths if p not in self._results and p not in raw]
        for p in [p for p in missing if p in self._raw]:  # read already (prefetch, pre-scan)
            raw[p] = self._raw[p]
        missing = [p for p in missing if p not in raw]
        if missing:
            raw.update(self.snapshot.read_many(missing))
        for p in paths:
            if p in self._results:
                continue
            data = raw.get(p)
            if data is None:
                continue
            if isinstance(data, Unreadable):
                self._results[p] = frontmatter.ParseError(
                    frontmatter.Problem("VE111", 1, 1, f"file {data.reason}", "replace it with a regular file"))
                continue
            self._raw[p] = data
            result = (frontmatter.parse_yaml_file(data) if p.endswith(".yaml") else frontmatter.parse(data))
            self.parsed += 1
            self._results[p] = result
            oid = oids.get(p)
            if oid is not None:
                # Bodies stay out of the cache: per-file rules cache their own findings.
                self.cache.put(_namespace(p), oid, frontmatter.result_to_json(result, body=False))
                # ... and the facts go in too: the base snapshot of this very run (HEAD, sharing
                # nearly every blob) then finds them instead of reading and pre-scanning again.
                f = self._facts[p] = Facts.of(result)
                self.cache.put("facts", oid, [f.status, f.created_after])

    def raw(self, path: str) -> bytes | None:
        """The bytes of an artifact that was parsed in this run (cache hits are not re-read)."""
        self.prefetch([path])
        return self._raw.get(path)

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read the bytes of many files in one batch (one ``cat-file`` for a git snapshot)."""
        want = [p for p in paths if p not in self._raw]
        if want:
            for p, data in self.snapshot.read_many(want).items():
                if isinstance(data, bytes):
                    self._raw[p] = data

    def full(self, path: str) -> Result | None:
        """The parse result with its body, re-reading the file when the cache dropped the body."""
        r = self.load([path]).get(path)
        if isinstance(r, frontmatter.Doc) and r.body is None:
            data = self.raw(path)
            if data is not None:
                r = frontmatter.parse_yaml_file(data) if path.endswith(".yaml") else frontmatter.parse(data)
                self.parsed += 1
                self._results[path] = r
        return r

    def oid(self, path: str) -> str | None:
        """Blob id of a file under the artifact root (hashing the worktree file if needed)."""
        oid = self.files.get(path)
        if oid is None and path in self.files:
            data = self.raw(path)
            if data is not None:
                oid = git.blob_id(data)
                self.files[path] = oid
        return oid

    def derived(self, ns: str, paths: Iterable[str], fn: Callable[[bytes], Any]) -> dict[str, Any]:
        """``fn(bytes)`` of many files, cached by blob id and read in one batch on a miss.

        For facts that are a pure function of one file's content (is this PLAN.md still the
        template?): a warm run reads nothing, a cold one reads all misses with one process.
        """
        paths = [p for p in dict.fromkeys(paths) if p in self.files]
        oids = {p: self.oid(p) for p in paths}
        hits = self.cache.get_many(ns, {o for o in oids.values() if o})
        out = {p: hits[o] for p, o in oids.items() if o in hits}
        missing = [p for p in paths if p not in out]
        if missing:
            for p, data in self.snapshot.read_many(missing).items():
                if isinstance(data, bytes):
                    out[p] = fn(data)
                    oid = oids.get(p) or git.blob_id(data)
                    self.cache.put(ns, oid, out[p])
        return out

    def doc(self, kind: str, name: str) -> Result | None:
        a = self.names(kind).get(name)
        if a is None:
            return None
        return self.load([a.path]).get(a.path)

    def docs(self, kind: str) -> dict[str, Result]:
        """Every artifact of ``kind`` parsed, in one batch."""
        paths = {name: a.path for name, a in self.names(kind).items()}
        loaded = self.load(paths.values())
        return {name: loaded[p] for name, p in paths.items() if p in loaded}

    def facts(self, kind: str) -> dict[str, Facts]:
        """status and created_after of every artifact of ``kind``.

        A whole kind is one cache entry keyed by a digest of its listing (names and blob ids),
        so a warm run decodes one row, not 10,000. When the listing changed (a commit touching
        one chunk), the entry of the last listing seen is patched: only artifacts whose blob id
        changed are read.
        """
        if kind in self._kind_facts:
            return self._kind_facts[kind]
        listing = self._kind_listing(kind)
        digest = self._kind_digest[kind] = _listing_digest(kind, listing)
        got = self.cache.get_many("kindfacts", [digest]).get(digest)
        out = _decode_kind_facts(got, listing)
        if out is None:
            previous = _decode_rows(self.cache.get_many("kindfacts-last", [kind]).get(kind))
            out = {}
            changed: dict[str, str] = {}
            for name, (path, oid) in listing.items():
                row = previous.get(name)
                if oid is not None and row is not None and row[0] == oid:
                    out[name] = self._facts[path] = Facts(row[1], row[2])
                else:
                    changed[name] = path
            if changed:
                out.update(self._facts_of(changed))
            rows = {n: [listing[n][1], f.status, f.created_after] for n, f in out.items()}
            self.cache.put("kindfacts", digest, rows)
            self.cache.put("kindfacts-last", kind, rows)
        self._kind_facts[kind] = out
        return out

    def _kind_listing(self, kind: str) -> dict[str, tuple[str, str | None]]:
        return {name: (a.path, self.oid(a.path)) for name, a in self.names(kind).items()}

    def kind_digest(self, kind: str) -> str:
        """A digest of the names and blob ids of every artifact of ``kind``: whatever is computed
        from the kind's facts alone (its created_after graph) can be cached under it."""
        if kind not in self._kind_digest:  # (facts handed over by a derived Repo carry no digest)
            self._kind_digest[kind] = _listing_digest(kind, self._kind_listing(kind))
        return self._kind_digest[kind]

    def _facts_of(self, names: dict[str, str]) -> dict[str, Facts]:
        """Facts of the given name -> path entries, through the per-blob cache."""
        out: dict[str, Facts] = {}
        need: dict[str, str] = {}
        for name, path in names.items():
            if path in self._facts:
                out[name] = self._facts[path]
            elif path in self._results:
                out[name] = self._facts[path] = Facts.of(self._results[path])
            else:
                need[name] = path
        oids = {p: self.files.get(p) for p in need.values()}
        known = {p: o for p, o in oids.items() if o}
        hits = self.cache.get_many("facts", set(known.values())) if known else {}
        rest = []
        for name, p in need.items():
            oid = known.get(p)
            v = hits.get(oid) if oid else None
            if isinstance(v, list) and len(v) == 2:
                out[name] = self._facts[p] = Facts(v[0], v[1])
            else:
                rest.append(name)
        if rest:
            rest = self._prescanned(need, rest, out)
        if rest:
            loaded = self.load([need[n] for n in rest])
            for name in rest:
                p = need[name]
                f = Facts.of(loaded.get(p))
                out[name] = self._facts[p] = f
                oid = self.files.get(p) or oids.get(p)
                if oid:
                    self.cache.put("facts", oid, [f.status, f.created_after])
        return out

    def _prescanned(self, need: dict[str, str], names: list[str], out: dict[str, Facts]) -> list[str]:
        """Facts of markdown documents read by the pre-scan where it is certain; the names left.

        The pre-scan reads only ``status`` and ``created_after`` and answers only when the full
        parse would read the same (see :mod:`ve_hooks.documents.prescan`), so its facts are cached
        under the blob id exactly like parsed ones. The bytes stay for the documents it leaves.
        """
        from ve_hooks.documents import prescan

        md = [need[n] for n in names if need[n].endswith(".md") and need[n] not in self._results]
        self.prefetch(md)
        left = []
        for name in names:
            p = need[name]
            data = self._raw.get(p)
            got = prescan.facts(data) if data is not None and p.endswith(".md") else None
            if got is None:
                left.append(name)
                continue
            f = out[name] = self._facts[p] = Facts(*got)
            oid = self.files.get(p) or git.blob_id(data)  # type: ignore[arg-type]
            self.cache.put("facts", oid, [f.status, f.created_after])
        return left

    def friction_ids(self) -> set[str] | None:
        """Entry ids (``F001``) headed in the friction log; None when there is no log."""
        if self._friction is None:
            path = f"{self.root}/{art.FRICTION}"
            if path not in self.files:
                return None
            data = self.snapshot.read(path)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            import re

            self._friction = set(re.findall(r"(?m)^#{2,4}\s+(F\d+)\b", text))
        return self._friction

    def close(self) -> None:
        self.cache.flush()


def _listing_digest(kind: str, listing: dict[str, tuple[str, str | None]]) -> str:
    text = "\0".join(f"{name}\0{path}\0{oid}" for name, (path, oid) in sorted(listing.items()))
    return hashlib.sha1(f"{kind}\0{text}".encode("utf-8", "surrogateescape")).hexdigest()


def _decode_rows(value: Any) -> dict[str, list[Any]]:
    """A cached kind summary, or {} when it is not the shape we wrote."""
    if not isinstance(value, dict):
        return {}
    return {n: r for n, r in value.items() if isinstance(r, list) and len(r) == 3}


def _decode_kind_facts(value: Any, listing: dict[str, tuple[str, str | None]]) -> dict[str, Facts] | None:
    rows = _decode_rows(value)
    if set(rows) != set(listing) or any(rows[n][0] != listing[n][1] for n in rows):
        return None  # damaged or colliding entry: never trusted
    return {n: Facts(r[1], r[2]) for n, r in rows.items()}


def _namespace(path: str) -> str:
    return "yaml" if path.endswith(".yaml") else "md"
