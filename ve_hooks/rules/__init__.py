"""Rules: one module per family, each exposing ``check(target, ctx) -> Iterable[Diagnostic]``.

A rule sees one parsed artifact (the *target*) and a :class:`Context` that answers
whole-repository questions lazily (does this chunk exist? what was its status at HEAD?).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.artifacts import ArtifactPath
from ve_hooks.documents.frontmatter import Doc, ParseError
from ve_hooks.sanitize import one_line

if TYPE_CHECKING:
    from ve_hooks.config import Config
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


@dataclass
class Context:
    """The repository around the targets: ``repo`` is the snapshot checked, ``base`` what it is
    compared with (HEAD for the index and worktree, the first parent for a commit)."""

    repo: Repo
    base: Repo | None
    config: Config
    generation: Callable[[Target], str | None] = field(default=lambda t: None)
    # Every target of this run, so a rule can read what it needs for all of them in one batch.
    targets: list[Target] = field(default_factory=list)

    def is_new(self, art: ArtifactPath) -> bool:
        """True when the artifact did not exist (under this name) in ``base``."""
        if self.base is None:
            return False
        return art.name not in self.base.names(art.kind)

    def diag(self, rule: str, target: Target, where: tuple[Any, ...] = (), message: str = "", hint: str = "",
             severity: Severity = Severity.ERROR, *, pos: tuple[int, int] | None = None,
             fixable: bool = False, data: dict[str, Any] | None = None) -> Diagnostic:
        """A diagnostic at JSON path ``where`` of the target (or at explicit ``pos``), with the
        configured severity override applied."""
        if pos is None:
            doc = target.doc
            pos = doc.position(where) if doc else (1, 1)
        return Diagnostic(rule, self.config.severity.get(rule, severity), target.path, pos[0], pos[1],
                          message, hint, self.generation(target), fixable, data or {})


def quote(value: object) -> str:
    """A value from a document, safe to print inside a message."""
    return repr(one_line(str(value), 120)) if isinstance(value, str) else one_line(repr(value), 120)


RuleFn = Callable[[Target, Context], Iterable[Diagnostic]]
