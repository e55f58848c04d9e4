"""VE1xx, the parse family: what reading and parsing a file found.

The parser (:mod:`ve_hooks.documents.frontmatter`) returns its problems as values, each
naming a rule declared here; this module gives them their declared severity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.frontmatter import ParseError
from ve_hooks.rules import quote
from ve_hooks.rules.registry import RULES, Rule
from ve_hooks.sanitize import unsafe_name

if TYPE_CHECKING:
    from ve_hooks.repo import Repo
    from ve_hooks.rules import Context, Target

VE101 = Rule("VE101", "invalid-encoding", Severity.ERROR,
             'Artifact is not valid UTF-8 text')
VE102 = Rule("VE102", "missing-frontmatter", Severity.ERROR,
             'Artifact does not start with a `---` YAML frontmatter block')
VE103 = Rule("VE103", "unclosed-frontmatter", Severity.ERROR,
             'Frontmatter opened with `---` is never closed')
VE104 = Rule("VE104", "yaml-syntax-error", Severity.ERROR,
             'Frontmatter is not valid YAML')
VE105 = Rule("VE105", "duplicate-key", Severity.ERROR,
             'A frontmatter mapping repeats a key')
VE106 = Rule("VE106", "frontmatter-not-mapping", Severity.ERROR,
             'Frontmatter is valid YAML but not a mapping')
VE107 = Rule("VE107", "tab-indentation", Severity.ERROR,
             'Frontmatter is indented with tab characters')
VE108 = Rule("VE108", "unsafe-yaml-tag", Severity.ERROR,
             'Frontmatter uses a language-specific YAML tag')
VE109 = Rule("VE109", "document-too-large", Severity.ERROR,
             'Artifact or frontmatter exceeds the size or alias-expansion limit')
VE110 = Rule("VE110", "byte-order-mark", Severity.WARNING,
             'Artifact starts with a UTF-8 byte-order mark')
VE111 = Rule("VE111", "unreadable-file", Severity.ERROR,
             'Artifact path cannot be read safely')
VE112 = Rule("VE112", "unsafe-artifact-name", Severity.ERROR,
             'An artifact directory name holds whitespace, a control or an invisible character')


def diagnostics(target: Target, generation: str | None = None) -> list[Diagnostic]:
    """Problems found while reading/parsing ``target``, as diagnostics."""
    r = target.result
    problems = r.all_problems if isinstance(r, ParseError) else r.problems
    return [Diagnostic(p.rule, RULES[p.rule].severity, target.path, p.line, p.column, p.message, p.hint,
                       generation) for p in problems]


def check_file(target: Target, repo: Repo, found: list[Diagnostic]) -> list[Diagnostic]:
    """The parse findings of one file (the first family: ``found`` is empty)."""
    return [*found, *diagnostics(target, target.generation)]


def check(target: Target, ctx: Context) -> list[Diagnostic]:
    """VE112: the artifact's name itself (the path, not the bytes: so not a cached per-file check)."""
    a = target.art
    why = unsafe_name(a.name) if a.role == "main" else None
    if not why:
        return []
    return [ctx.diag("VE112", target, (), f"the {a.kind} name {quote(a.name)} {why}: it cannot be written into "
                     "created_after or shown safely in a terminal",
                     "rename the directory to one word (letters, digits, _ and -), e.g. with `git mv`", pos=(1, 1))]
