"""Rules: one module per family, named after what it checks and numbered as its codes.

A family module declares its rules with :class:`~ve_hooks.rules.registry.Rule` and defines
one or both of:

* ``check_file(target, repo, found) -> list[Diagnostic]``: findings that depend only on the
  file's bytes and kind (cached by blob id); ``found`` holds the earlier families' findings
  for the file and the function returns them with its own (it may replace a symptom by its cause);
* ``check(target, ctx) -> Iterable[Diagnostic]``: findings that need the rest of the repository,
  through a :class:`Context` that answers whole-repository questions lazily.

The engine discovers families from the declarations: declaring a rule is all it takes to run it.
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
        is the rule's declared one (``softer``: the declared lower one), or the configured override."""
        if pos is None:
            doc = target.doc
            pos = doc.position(where) if doc else (1, 1)
        return Diagnostic(rule, self.config.severity.get(rule, declared_severity(rule, softer)), target.path,
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


RuleFn = Callable[[Target, Context], Iterable[Diagnostic]]
