"""VE704: ``# Chunk: docs/chunks/<name>`` style comments in source files name existing artifacts.

The scan of one source file's text (:func:`check_source`), used by the pre-commit hook on staged
source files and by ``ve-validate`` over the snapshot's candidates (:data:`BACKREF_GREP` picks
them with ``git grep``). VE704 is declared with the rest of the VE7 family in
:mod:`ve_hooks.rules.code_references`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.documents.artifacts import DIR_OF, KIND_OF_DIR
from ve_hooks.rules.code_references import PYTHON, VE704
from ve_hooks.rules.references import missing_hint, resolve

if TYPE_CHECKING:
    from ve_hooks.repo import Repo


_BACKREF = re.compile(
    r"^(?P<lead>[ \t]*(?:#+|//+|--|;+|/\*+|\*|<!--|%)[ \t]*)"
    r"(?P<label>Chunk|Subsystem|Narrative|Investigation):[ \t]*(?P<ref>[^\s,;)]+)")
# For ``git grep -E`` (POSIX classes, no lookarounds): a superset of _BACKREF's lines.
BACKREF_GREP = r"^[[:blank:]]*(#+|//+|--|;+|/\*+|\*|<!--|%)[[:blank:]]*(Chunk|Subsystem|Narrative|Investigation):"
_LABEL_KIND = {"Chunk": "chunk", "Subsystem": "subsystem", "Narrative": "narrative",
               "Investigation": "investigation"}
_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


# An artifact name as vibe-engineer writes and scans it (its backreference pattern): anything
# else after the label (``{short_name}``, ``<subsystem_name>``, ``Memory Leak``) is a placeholder
# or prose, not a backreference.
_ARTIFACT_NAME = re.compile(r"^[a-z0-9_-]+$")
_TEMPLATE_SUFFIXES = (".jinja2", ".jinja", ".j2", ".tmpl", ".template")


def is_markdown(path: str) -> bool:
    """Markdown, or a template that renders markdown (``PLAN.md.jinja2``): fences hold examples."""
    for suffix in _TEMPLATE_SUFFIXES:
        path = path.removesuffix(suffix)
    return path.endswith((".md", ".markdown"))


def _python_string_lines(text: str) -> set[int]:
    """Lines that begin inside a Python string literal: a ``# Chunk:`` there is data (a test's
    fixture), not a comment. An unparsable file keeps what was found before the error."""
    import io
    import tokenize

    inside: set[int] = set()
    starts: list[int] = []  # f-string (3.12+) starts, innermost last
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING:
                inside.update(range(tok.start[0] + 1, tok.end[0] + 1))
            elif tok.type == fstring_start:
                starts.append(tok.start[0])
            elif tok.type == fstring_end and starts:
                inside.update(range(starts.pop() + 1, tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return inside


def _ref_of(match: re.Match[str]) -> str:
    ref = match.group("ref")
    for end in ("-->", "*/"):
        ref = ref.removesuffix(end)
    return ref.rstrip(".:'\"`")


def check_source(path: str, text: str, repo: Repo, base: Repo | None = None) -> list[Diagnostic]:
    """VE704 for one source file: every backreference comment names an existing artifact.

    Positions are the line and column of the reference (``docs/chunks/<name>``). Not
    backreferences: lines in markdown fenced code blocks (also in templates of markdown), lines
    inside Python string literals, and names that cannot be artifact names (template
    placeholders). ``base`` (HEAD for a pre-commit hook) lets the hint recognise an artifact
    renamed in the same change.
    """
    out: list[Diagnostic] = []
    markdown = is_markdown(path)
    strings: list[set[int]] = []  # tokenized only when a finding needs it: most references resolve

    def in_string(lineno: int) -> bool:
        if not path.endswith(PYTHON):
            return False
        if not strings:
            strings.append(_python_string_lines(text))
        return lineno in strings[0]

    fence: str | None = None  # the open fence's marker run, CommonMark style
    root = repo.root.strip("/") + "/"
    for lineno, line in enumerate(text.splitlines(), 1):
        if markdown:
            f = _MD_FENCE.match(line)
            if f and fence is None:
                fence = f.group(1)
                continue
            if fence is not None:
                # Only a bare run of the same character, at least as long, closes the block.
                if f and f.group(1)[0] == fence[0] and len(f.group(1)) >= len(fence) and not f.group(2).strip():
                    fence = None
                continue
        m = _BACKREF.match(line)
        if m is None:
            continue
        ref = _ref_of(m)
        label_kind = _LABEL_KIND[m.group("label")]
        rel = ref[len(root):] if ref.startswith(root) else ref
        head = rel.split("/", 1)[0]
        kind = KIND_OF_DIR.get(head, label_kind)
        res = resolve(repo, base, kind, rel if head in KIND_OF_DIR else ref)
        if (not res.found and not _ARTIFACT_NAME.match(res.name)) or (
                (not res.found or kind != label_kind) and in_string(lineno)):
            continue
        col = m.start("ref") + 1
        if res.found:
            if kind != label_kind:
                out.append(_source_diag(repo, path, lineno, col,
                                        f"{m.group('label')}: backreference points at a {kind}: {ref}",
                                        f"write '{kind.capitalize()}: {ref}'"))
            continue
        where = f"{root}{DIR_OF[kind]}/{res.name}"
        if res.other_kind:
            message = f"backreference {ref}: {res.name!r} is a {res.other_kind}, not a {kind}"
            hint = f"write '{res.other_kind.capitalize()}: {root}{DIR_OF[res.other_kind]}/{res.name}'"
        else:
            message = f"backreference names {where}, which does not exist"
            hint = missing_hint(res, kind, repo.root)
        out.append(_source_diag(repo, path, lineno, col, message, hint,
                                {"kind": kind, "name": res.name,
                                 **({"renamed_to": res.renamed_to} if res.renamed_to else {})}))
    return out


def _source_diag(repo: Repo, path: str, line: int, col: int, message: str, hint: str,
                 data: dict[str, Any] | None = None) -> Diagnostic:
    severity = repo.config.severity.get("VE704", VE704.severity)
    return Diagnostic("VE704", severity, path, line, col, message, hint, None, False, data or {})
