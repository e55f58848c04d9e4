"""The repository as the editor sees it: the working tree, with open buffers laid over it.

Loaded once (listing, artifact index, each kind's status/created_after facts, the HEAD base),
then every keystroke derives a new :class:`~ve_hooks.repo.Repo` (``Repo.derive``) that shares
all of that and differs only in the edited path: the engine's own checks and rules then run on
the one target, so diagnostics are ve-validate's, code for code and position for position. The
rules' per-snapshot answers live in their own slots, which carry forward only what the edit
cannot have changed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

from ve_hooks import git
from ve_hooks.config import Config
from ve_hooks.diagnostic import Diagnostic, UsageError
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter
from ve_hooks.project import open_project
from ve_hooks.repo import Repo
from ve_hooks.rules import Target
from ve_hooks.snapshot import Snapshot, Unreadable
from ve_hooks.validation import engine, suppressions


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


def _warm(repo: Repo) -> None:
    """What the first keystroke would otherwise pay: each kind's created_after graph, resolver
    and reverse edges (carried forward edit by edit by the rule's own slot, see
    :meth:`ve_hooks.repo.Repo.derive`), and the schema validators (jsonschema is imported only
    to explain errors)."""
    from ve_hooks.documents import schema
    from ve_hooks.rules import created_after as ordering

    ordering.warm(repo)
    for name in set(schema.SCHEMA_FOR.values()):
        schema.validator(name)


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
            self.repo = self.repo.derive(OverlaySnapshot(self._disk, self.buffers), {rel: data})

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
                self.repo = self.repo.derive(OverlaySnapshot(self._disk, self.buffers), changed)
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
            found = engine.check_targets([Target(a, result)], repo, base, self.config, cache_file_findings=False)
            return self._suppressed(found, repo, base)

    def _suppressed(self, found: list[Diagnostic], repo: Repo, base: Repo | None) -> list[Diagnostic]:
        """The one suppressions filter; what it covers stays visible, as a hint."""
        try:
            table = suppressions.load(self.root, self._disk)
        except UsageError:
            table = None  # a damaged file: ve-validate names it; the editor keeps checking
        moved = suppressions.moved_paths(table, repo, base) if table else None
        return suppressions.as_hints(suppressions.split(found, table, moved))

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
            repo, base = self.repo, self.base
            found = engine.check_sources(Sources(repo, base, self.config, given={rel: text}))[0]
            return self._suppressed(found, repo, base)

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

