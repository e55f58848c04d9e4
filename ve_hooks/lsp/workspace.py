"""The repository as the editor sees it: the working tree, with open buffers laid over it.

Loaded once (listing, artifact index, each kind's status/created_after facts, the HEAD base),
then every keystroke derives a new :class:`~ve_hooks.repo.Repo` that shares all of that and
differs only in the edited path: the engine's own checks and rules then run on the one target,
so diagnostics are ve-validate's, code for code and position for position. A derived Repo is a
new object, so the rules' per-snapshot memos (graph, tips) start fresh for it and cannot serve
a stale answer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from ve_hooks import engine, git
from ve_hooks.config import Config
from ve_hooks.diagnostic import Diagnostic
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter
from ve_hooks.project import open_project
from ve_hooks.repo import Facts, Repo
from ve_hooks.rules import Target
from ve_hooks.snapshot import Snapshot, Unreadable


class OverlaySnapshot(Snapshot):
    """The working tree with some files' bytes replaced by unsaved editor buffers."""

    label = "WORKTREE"

    def __init__(self, base: Snapshot, overlay: dict[str, bytes]) -> None:
        self.base = base
        self.root = base.root
        self.overlay = overlay

    def list(self, prefix: str) -> dict[str, str | None]:
        out = self.base.list(prefix)
        pre = prefix.rstrip("/") + "/" if prefix else ""
        for p in self.overlay:
            if p.startswith(pre):
                out[p] = None
        return out

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        paths = list(paths)
        out: dict[str, bytes | Unreadable] = {p: self.overlay[p] for p in paths if p in self.overlay}
        rest = [p for p in paths if p not in self.overlay]
        if rest:
            out.update(self.base.read_many(rest))
        return out

    def exists(self, path: str) -> bool:
        return path in self.overlay or self.base.exists(path)


def _derive(old: Repo, snapshot: Snapshot, changed: dict[str, bytes | None]) -> Repo:
    """A Repo for ``snapshot`` sharing everything ``old`` loaded except the ``changed`` paths
    (new bytes, or None: deleted). Kind facts are patched, not recomputed."""
    new = Repo(snapshot, old.config, old.cache)
    files = dict(old.files)
    listing_changed = False
    for p, data in changed.items():
        if data is None:
            listing_changed |= files.pop(p, "absent") != "absent"
        else:
            listing_changed |= p not in files
            files[p] = git.blob_id(data)
    new._files = files
    new._index = None if listing_changed else old._index
    drop = set(changed)
    new._results = {p: r for p, r in old._results.items() if p not in drop}
    new._raw = {p: r for p, r in old._raw.items() if p not in drop}
    for p, data in changed.items():
        if data is not None:
            new._raw[p] = data
    new._facts = {p: f for p, f in old._facts.items() if p not in drop}
    new._friction = None if f"{old.root}/{art.FRICTION}" in drop else old._friction
    kinds = {a.kind for p in changed if (a := art.classify(p, old.root)) is not None}
    new._kind_facts = {k: v for k, v in old._kind_facts.items() if k not in kinds}
    moved: dict[str, dict[str, Facts]] = {}  # kind -> name -> new facts, where they differ
    if not listing_changed:
        for k in kinds:
            if k in old._kind_facts:
                facts = dict(old._kind_facts[k])
                for p in changed:
                    a = art.classify(p, old.root)
                    if a is not None and a.kind == k and a.name in facts and new.names(k).get(a.name) == a:
                        f = Facts.of(new.load([p]).get(p))
                        if f != facts[a.name]:
                            moved.setdefault(k, {})[a.name] = f
                        facts[a.name] = f
                new._kind_facts[k] = facts
    _carry_memos(old, new, moved, listing_changed)
    return new


def _carry_memos(old: Repo, new: Repo, moved: dict[str, dict[str, Facts]],
                 listing_changed: bool) -> None:
    """Hand the whole-kind answers the rules memoised for ``old`` on to ``new``, patched.

    The rules memoise per Repo (a Repo is one immutable snapshot), so a derived Repo would
    rebuild the created_after graph of 10,000 chunks (about a second) on every keystroke. When
    the listing is unchanged, name-based answers (resolver, bare-name index) still hold; the
    graph changes only in the out-edges of artifacts whose facts moved, and a new cycle can only
    pass through one of them. The parity tests compare the result with ve-validate's.
    """
    if listing_changed:
        return
    from ve_hooks.created_after import graph as order

    bare = old.memo.get(_BARE)
    if bare is not None:
        new.memo[_BARE] = bare
    reverse_old = old.memo.get(_REVERSE)
    if reverse_old is not None:
        new.memo[_REVERSE] = {k: v for k, v in reverse_old.items() if k not in moved}
    slot = old.memo.get(_GRAPHS)
    if slot is None:
        return
    out: dict[tuple[str, str], object] = {}
    for (what, kind), value in slot.items():
        if what == "resolver" or kind not in moved:  # names unchanged / facts unchanged
            out[(what, kind)] = value
    for kind, names in moved.items():
        old_facts = slot.get(("facts", kind))
        if isinstance(old_facts, dict):
            patched = dict(old_facts)
            roles = new.names(kind)
            for name, f in names.items():  # as kind_facts: an external reference counts as ACTIVE
                patched[name] = Facts("ACTIVE", f.created_after) if roles[name].role == "external" else f
            out[("facts", kind)] = patched
        resolve = slot.get(("resolver", kind))
        graph = slot.get(("graph", kind))
        if resolve is None or not isinstance(graph, tuple):
            continue
        edges, cyclic = dict(graph[0]), graph[1]
        reverse = _reverse(old, kind, graph[0])
        added: dict[str, list[str]] = {}
        for name, f in names.items():
            targets: list[str] = []
            for r in order.refs(f.created_after, kind):
                t = resolve(r)  # type: ignore[operator]
                if t is not None and t not in targets:
                    targets.append(t)
            before = set(edges.get(name, ()))
            added[name] = [t for t in targets if t not in before]
            reverse = _rewire(reverse, name, before, targets)
            edges[name] = targets
        if cyclic:  # the old cycle may be gone: only a full search can tell
            cyclic = order.find_cycle(edges) is not None
        else:  # a new cycle needs a new edge name -> t where t already reaches name
            cyclic = any(t == name or t in _reaching(reverse, name) for name, ts in added.items() for t in ts)
        out[("graph", kind)] = (edges, cyclic)
        new.memo.setdefault(_REVERSE, {})[kind] = reverse
    new.memo[_GRAPHS] = out


def _warm(repo: Repo) -> None:
    """What the first keystroke would otherwise pay: each kind's created_after graph and its
    reverse edges, and the schema validators (jsonschema is imported only to explain errors)."""
    from ve_hooks.documents import schema
    from ve_hooks.rules import created_after as ordering

    for kind in art.KINDS:
        edges, _ = ordering._graph(repo, kind)
        ordering._memo(repo, "resolver", kind, lambda kind=kind: order_resolver(repo, kind))
        repo.memo.setdefault(_REVERSE, {})[kind] = _reverse(repo, kind, edges)
    for name in set(schema.SCHEMA_FOR.values()):
        schema.validator(name)


def order_resolver(repo: Repo, kind: str) -> object:
    from ve_hooks.created_after import graph as order
    from ve_hooks.rules import created_after as ordering

    return order.resolver(ordering._facts(repo, kind))


# Repo.memo keys: the rules' whole-kind answers, and ours: per kind, name -> the names whose
# created_after designates it (reverse edges).
_GRAPHS = "ve_hooks.rules.created_after"
_BARE = "ve_hooks.rules.references.bare"
_REVERSE = "ve_hooks.lsp.workspace.reverse"


def _reverse(repo: Repo, kind: str, edges: dict[str, list[str]]) -> dict[str, set[str]]:
    got = repo.memo.get(_REVERSE, {}).get(kind)
    if got is not None:
        return got
    rev: dict[str, set[str]] = {}
    for n, targets in edges.items():
        for t in targets:
            rev.setdefault(t, set()).add(n)
    return rev


def _rewire(rev: dict[str, set[str]], name: str, before: set[str], after: list[str]) -> dict[str, set[str]]:
    """``rev`` with ``name``'s out-edges changed from ``before`` to ``after`` (copy on write)."""
    out = dict(rev)
    for t in before - set(after):
        out[t] = out.get(t, set()) - {name}
    for t in set(after) - before:
        out[t] = out.get(t, set()) | {name}
    return out


def _reaching(rev: dict[str, set[str]], name: str) -> set[str]:
    """Every artifact whose created_after chain reaches ``name``: few for the new work one edits."""
    seen: set[str] = set()
    stack = [name]
    while stack:
        for n in rev.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


class Workspace:
    """One repository opened for the editor. Thread-safe: pygls may run handlers in threads."""

    def __init__(self, root: Path | str) -> None:
        self.project = open_project(Path(root))
        self.loc = self.project.loc
        self.root = self.project.root
        self.config: Config = self.project.config
        self.cache = self.project.cache
        self._disk = self.project.snapshot()  # the working tree (a bare repository: HEAD)
        self.buffers: dict[str, bytes] = {}
        self._lock = threading.RLock()
        self.repo = Repo(OverlaySnapshot(self._disk, self.buffers), self.config, self.cache)
        self.base: Repo | None = None
        self._head: str | None = None
        self._refresh_base()

    # -- loading -----------------------------------------------------------------------------

    def _refresh_base(self) -> None:
        if self.loc.info is None:
            return
        head = git.run(["rev-parse", "-q", "--verify", "HEAD"], self.loc.git_cwd, check=False).decode().strip()
        if head != self._head or self.base is None:
            self._head = head
            self.base = self.project.base(self._disk)

    def load(self) -> None:
        """Read what every keystroke needs: the listing, the index, each kind's facts and tips."""
        from ve_hooks.created_after.tips import tips_in

        with self._lock:
            self.repo.index  # noqa: B018 - lists the tree and builds the name index
            for kind in art.KINDS:
                tips_in(self.repo, kind)
                if self.base is not None:
                    self.base.names(kind)
            _warm(self.repo)
            self.cache.flush()

    def relpath(self, path: str | os.PathLike[str]) -> str | None:
        """The repository-relative POSIX path of an absolute file path (None: outside)."""
        try:
            rel = Path(os.path.normpath(path)).relative_to(self.root)
        except ValueError:
            try:
                rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(self.root))
            except ValueError:
                return None
        return rel.as_posix()

    def classify(self, rel: str) -> art.ArtifactPath | None:
        a = art.classify(rel, self.config.artifact_root)
        return a if a is not None and a.validated else None

    # -- buffers -----------------------------------------------------------------------------

    def set_buffer(self, rel: str, text: str | bytes) -> None:
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        with self._lock, self.cache.ephemeral():  # a keystroke's parse is not worth keeping
            self.buffers = {**self.buffers, rel: data}
            self.repo = _derive(self.repo, OverlaySnapshot(self._disk, self.buffers), {rel: data})

    def close_buffer(self, rel: str) -> None:
        with self._lock:
            if rel not in self.buffers:
                return
            self.buffers = {p: d for p, d in self.buffers.items() if p != rel}
            self.disk_changed([rel])

    def disk_changed(self, rels: Iterable[str]) -> None:
        """Files changed on disk (saved, checked out, created, deleted): re-read those not open."""
        with self._lock:
            changed: dict[str, bytes | None] = {}
            prefix = self.config.artifact_root.strip("/") + "/"
            for rel in rels:
                if rel in self.buffers or not rel.startswith(prefix):
                    continue  # the listing holds the artifact root only; code files are read on demand
                data = self._disk.read(rel)
                changed[rel] = data if isinstance(data, bytes) else None
            if changed:
                self.repo = _derive(self.repo, OverlaySnapshot(self._disk, self.buffers), changed)
            self._refresh_base()

    def text(self, rel: str) -> str | None:
        data = self.buffers.get(rel)
        if data is None:
            raw = self._disk.read(rel)
            data = raw if isinstance(raw, bytes) else None
        return None if data is None else data.decode("utf-8", "replace")

    # -- checking ----------------------------------------------------------------------------

    def check(self, rel: str) -> list[Diagnostic]:
        """ve-validate's findings for one artifact (or project or source file: ``.ve-config.yaml``,
        a hook fragment, code with backreference comments) as the editor has it now."""
        a = self.classify(rel)
        if a is None:
            return self._check_source(rel)
        with self._lock, self.cache.ephemeral():
            repo, base = self.repo, self.base
            result = repo.load([rel]).get(rel)
            if result is None:
                return []
            return engine.check_targets([Target(a, result)], repo, base, self.config, cache_file_findings=False)

    def watches(self, rel: str) -> bool:
        """Whether the server diagnoses ``rel``: an artifact, a project file vibe-engineer reads
        (``.ve-config.yaml``, a hook fragment...), or a file VE704 scans for backreferences."""
        from ve_hooks.rules.backreferences import scanned
        from ve_hooks.rules.project_files import kind_of

        root = self.config.artifact_root
        return self.classify(rel) is not None or kind_of(rel, root) is not None or scanned(rel, root)

    def _check_source(self, rel: str) -> list[Diagnostic]:
        from ve_hooks.rules import Sources

        if not self.watches(rel):
            return []
        text = self.text(rel)
        if text is None:
            return []
        with self._lock, self.cache.ephemeral():
            return engine.check_sources(Sources(self.repo, self.base, self.config, given={rel: text}))[0]

    def doc(self, kind: str, name: str) -> frontmatter.Result | None:
        with self._lock:
            return self.repo.doc(kind, name)

    def names(self, kind: str) -> dict[str, art.ArtifactPath]:
        with self._lock:
            return self.repo.names(kind)

    def tips(self, kind: str) -> list[str]:
        from ve_hooks.created_after.tips import tips_in

        with self._lock:
            return tips_in(self.repo, kind)

    def close(self) -> None:
        self.project.close()

