"""Rules: one module per family, named after what it checks and numbered as its codes.

A family module declares its rules with :class:`~ve_hooks.rules.registry.Rule` and defines
one or both of:

* ``check_file(target, repo, found) -> list[Diagnostic]``: findings that depend only on the
  file's bytes and kind (cached by blob id); ``found`` holds the earlier families' findings
  for the file and the function returns them with its own (it may replace a symptom by its cause);
* ``check(target, ctx) -> Iterable[Diagnostic]``: findings that need the rest of the repository,
  through a :class:`Context` that answers whole-repository questions lazily;
* ``check_sources(sources) -> Iterable[Diagnostic]``: findings in the files around the artifacts
  (source code, ``.ve-config.yaml``, hook fragments...), through :class:`Sources`, which finds
  the candidate files (one ``git grep``), reads them in one batch and emits their findings.

The engine discovers families from the declarations: declaring a rule is all it takes to run it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.artifacts import ArtifactPath
from ve_hooks.documents.frontmatter import Doc, ParseError
from ve_hooks.sanitize import one_line

if TYPE_CHECKING:
    from ve_hooks.config import Config
    from ve_hooks.documents.fixes import Fix
    from ve_hooks.repo import Repo


@dataclass
class Target:
    """An artifact file being checked, with its parse result."""

    art: ArtifactPath
    result: Doc | ParseError

    @property
    def path(self) -> str:
        return self.art.path

    @property
    def doc(self) -> Doc | None:
        return self.result if isinstance(self.result, Doc) else None

    @property
    def data(self) -> dict[str, Any]:
        return self.result.data if isinstance(self.result, Doc) else {}

    @property
    def generation(self) -> str | None:
        """The template generation of a chunk's GOAL.md (None for anything else)."""
        if self.art.kind == "chunk" and self.art.role == "main" and isinstance(self.result, Doc):
            from ve_hooks.documents.schema import generation_of

            return generation_of(self.result.data)
        return None


@dataclass
class Context:
    """The repository around the targets: ``repo`` is the snapshot checked, ``base`` what it is
    compared with (HEAD for the index and worktree, the first parent for a commit)."""

    repo: Repo
    base: Repo | None
    config: Config
    generation: Callable[[Target], str | None] = field(default=lambda t: None)
    # Every target of this run, so a rule can read what it needs for all of them in one batch.
    # (What a family computes once for all targets goes in a Slot of ``repo`` or ``base``.)
    targets: list[Target] = field(default_factory=list)
    # The folder the targets' bare code paths are relative to: "" for the project, a workspace
    # member's tree (``packages/lib``) when its artifacts are checked from the workspace root.
    tree: str = ""

    def is_new(self, art: ArtifactPath) -> bool:
        """True when the artifact did not exist in ``base``, under this name or renamed."""
        return self.base is not None and self.base_name(art) is None

    def base_name(self, art: ArtifactPath) -> str | None:
        """The artifact's name in ``base``: its own, its name before a rename, None when new."""
        from ve_hooks.created_after.identity import old_name

        return old_name(self.repo, self.base, art.kind, art.name)

    def diag(self, rule: str, target: Target, where: tuple[Any, ...] = (), message: str = "", hint: str = "",
             *, softer: bool = False, pos: tuple[int, int] | None = None,
             fixable: bool = False, data: dict[str, Any] | None = None, fix: Fix | None = None) -> Diagnostic:
        """A diagnostic at JSON path ``where`` of the target (or at explicit ``pos``). Its severity
        is the rule's declared one (``softer``: the declared lower one); a configured override is
        applied once, by the engine's filter (:func:`ve_hooks.validation.engine.filter_diagnostics`),
        to every finding alike, cached or fresh."""
        if pos is None:
            doc = target.doc
            pos = doc.position(where) if doc else (1, 1)
        return Diagnostic(rule, declared_severity(rule, softer), target.path,
                          pos[0], pos[1], message, hint, self.generation(target), fixable, data or {}, fix)


def declared_severity(code: str, softer: bool = False) -> Severity:
    """The severity ``code`` is declared with; ``softer`` asks for the one its declaration
    names for its softer condition (an error for a rule that declares none)."""
    from ve_hooks.rules.registry import get

    rule = get(code)
    if rule is None:
        raise KeyError(f"{code} is not a declared rule: declare it with ve_hooks.rules.registry.Rule")
    if softer and not rule.softer:
        raise ValueError(f"{code} declares no softer condition")
    return rule.softer_severity if softer else rule.severity


def quote(value: object) -> str:
    """A value from a document, safe to print inside a message."""
    return repr(one_line(str(value), 120)) if isinstance(value, str) else one_line(repr(value), 120)


_PLAIN_LIMIT = 1 << 20  # plain directories are scanned in Python: skip files larger than this


@dataclass
class Sources:
    """The non-artifact files of a run, for the families' ``check_sources``.

    Either the whole snapshot (``prefixes`` None), the files under ``prefixes``, or the texts
    a hook was handed (``given``: pre-commit's staged files, read from disk). Families ask for
    the files matching a pattern (:meth:`matching`) and report through :meth:`emit`, which
    gives every finding its rule's declared severity (configured overrides are applied once,
    by the engine's filter, as for every other finding).
    """

    repo: Repo
    base: Repo | None
    config: Config
    prefixes: Sequence[str] | None = None
    given: dict[str, str] | None = None
    checked: set[str] = field(default_factory=set)  # the files some family read
    memo: dict[str, Any] = field(default_factory=dict)  # per-run state of the families

    @property
    def whole_tree(self) -> bool:
        """True when every file of the snapshot is in scope (tree-wide checks may run)."""
        return self.given is None and self.prefixes is None

    def in_scope(self, path: str) -> bool:
        if self.given is not None:
            return path in self.given
        return self.prefixes is None or any(
            not w or path == w or path.startswith(w.rstrip("/") + "/") for w in self.prefixes)

    def read(self, path: str) -> str | None:
        """One file of the snapshot (or the hook's own text of it), decoded; None when absent."""
        if self.given is not None and path in self.given:
            return self.given[path]
        data = self.repo.snapshot.read(path)
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else None

    def matching(self, pattern: str, exclude: Sequence[str] = ()) -> dict[str, str]:
        """Path -> text of the files in scope with a line matching the POSIX extended regex
        ``pattern`` (``[[:blank:]]`` is the one class used), none matching an ``exclude`` glob
        (``**`` crosses folders): one ``git grep``, one batch read."""
        rx = re.compile(pattern.replace("[[:blank:]]", r"[ \t]").encode(), re.MULTILINE)
        if self.given is not None:
            return {p: t for p, t in self.given.items() if rx.search(t.encode("utf-8", "replace"))}
        snap = self.repo.snapshot  # a run's recording: the grep and the reads decide a replay
        found = snap.grep(pattern, self.prefixes, exclude)
        if found is not None:
            paths = [p for p in found if self.in_scope(p) and not _excluded(p, exclude)]
            # No listing first: a git snapshot lists itself whole on the first path it does not
            # know, and the worktree reads by path (walking 20,000 folders would cost more).
            raw = snap.read_many(paths)
            out = {p: d.decode("utf-8", "replace") for p, d in raw.items() if isinstance(d, bytes)}
        else:
            # A plain directory: no git to ask, so read what the listing holds (hidden folders skipped).
            paths = [p for p in snap.list("") if self.in_scope(p) and not _excluded(p, exclude) and not any(
                part.startswith(".") for part in p.split("/"))]
            out = {p: d.decode("utf-8", "replace") for p, d in snap.read_many(paths).items()
                   if isinstance(d, bytes) and len(d) <= _PLAIN_LIMIT and b"\0" not in d and rx.search(d)}
        self.checked.update(out)
        return out

    def emit(self, rule: str, path: str, line: int, column: int, message: str, hint: str = "",
             data: dict[str, Any] | None = None, *, softer: bool = False) -> Diagnostic:
        """A finding in a non-artifact file, at its rule's declared severity."""
        return Diagnostic(rule, declared_severity(rule, softer), path, line, column, message, hint, None,
                          False, data or {})


def _excluded(path: str, globs: Sequence[str]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(path, g.replace("**/", "*")) for g in globs)


RuleFn = Callable[[Target, Context], Iterable[Diagnostic]]
