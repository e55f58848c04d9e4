"""VE704: ``# Chunk: docs/chunks/<name>`` style comments in source files name existing artifacts.

The scan of one source file's text (:func:`scan`), used by the family's ``check_sources``
(:mod:`ve_hooks.rules.code_references`) on the pre-commit hook's staged files and on
``ve-validate``'s candidates (:data:`BACKREF_GREP` picks them with ``git grep``), and which
files it reads (:func:`scanned`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.documents.artifacts import DIR_OF, KIND_OF_DIR
from ve_hooks.rules.references import missing_hint, resolve

if TYPE_CHECKING:
    from ve_hooks.rules import Sources


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


def _ref_of(match: re.Match[str]) -> str:
    ref = match.group("ref")
    for end in ("-->", "*/"):
        ref = ref.removesuffix(end)
    return ref.rstrip(".:'\"`")


# vibe-engineer 0.10.0 scans these files for backreferences wherever they are, docs/ included
# (its ``source_files.SOURCE_EXTENSIONS``): scripts kept beside the docs are code too.
SOURCE_EXTENSIONS = frozenset({
    "py", "js", "ts", "jsx", "tsx", "mjs", "cjs", "rb", "go", "rs", "java", "kt", "kts", "swift",
    "c", "cpp", "cc", "cxx", "h", "hpp", "hxx", "cs", "php", "scala", "ex", "exs", "erl", "hrl",
    "clj", "cljs", "cljc", "lua", "pl", "pm", "sh", "bash", "zsh"})
# What vibe-engineer renders itself (``ve init``, ``ve skills reify``): its chunk comments name
# vibe-engineer's own chunks, which no consuming project has.
RENDERED_DIRS = (".agents/", ".claude/")
# Any folder of these names holds artifacts (a workspace member's docs/ too): only code there.
_DOCS_DIRS = frozenset({"docs"})


def is_source(path: str) -> bool:
    """A file vibe-engineer itself scans for backreferences (by extension)."""
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in SOURCE_EXTENSIONS


def scanned(path: str, root: str = "docs") -> bool:
    """Whether VE704 reads ``path``: every text file vibe-engineer scans (code by extension,
    anywhere), and beyond it other text files (markdown, templates, configuration) outside
    the artifact folders and outside what vibe-engineer renders itself."""
    if is_source(path):
        return True
    if path.startswith(RENDERED_DIRS) or any(f"/{d}" in path for d in RENDERED_DIRS):
        return False
    parts = path.split("/")[:-1]
    return not any(p in _DOCS_DIRS or p == root.strip("/") for p in parts)


@dataclass(frozen=True)
class ChunkBackref:
    """A ``# Chunk:`` comment that names an existing chunk (for VE705)."""

    path: str
    line: int
    column: int
    name: str


def check_source(path: str, text: str, sources: Sources) -> list[Diagnostic]:
    """VE704 for one source file (see :func:`scan`)."""
    return scan(path, text, sources)[0]


def scan(path: str, text: str, sources: Sources) -> tuple[list[Diagnostic], list[ChunkBackref]]:
    """VE704 for one source file: every backreference comment names an existing artifact; and
    the ``# Chunk:`` comments of code files that name a chunk of this tree (for VE705).

    Positions are the line and column of the reference (``docs/chunks/<name>``). Not
    backreferences: lines in markdown fenced code blocks (also in templates of markdown) and
    names that cannot be artifact names (template placeholders). A comment inside a string
    literal counts, as it does for vibe-engineer: ``.ve-config.yaml``'s
    ``validation.ignore_backreferences`` is how a project marks a fixture. A qualified
    reference (``member::docs/chunks/x``) is resolved in the workspace member it names; one
    into another repository (``org/repo::docs/chunks/x``) cannot be checked here.
    ``sources.base`` (HEAD for a pre-commit hook) lets the hint recognise an artifact renamed in
    the same change.
    """
    repo, base = sources.repo, sources.base
    resolved = sources.memo.setdefault(f"{__name__}.resolved", {})
    out: list[Diagnostic] = []
    chunks: list[ChunkBackref] = []
    markdown = is_markdown(path)
    code = is_source(path)
    root = repo.root.strip("/") + "/"
    for lineno, col, m in _comments(text, markdown):
        ref = _ref_of(m)
        label_kind = _LABEL_KIND[m.group("label")]
        if "::" in ref:
            out.extend(_qualified(sources, path, lineno, col, ref, label_kind))
            continue
        rel = ref[len(root):] if ref.startswith(root) else ref
        head = rel.split("/", 1)[0]
        kind = KIND_OF_DIR.get(head, label_kind)
        value = rel if head in KIND_OF_DIR else ref
        res = resolved.get((kind, value))
        if res is None:  # the same few chunks are named from many files: resolve each once a run
            res = resolved[(kind, value)] = resolve(repo, base, kind, value)
        if not res.found and not _ARTIFACT_NAME.match(res.name):
            continue
        if not res.found and _in_member_tree(sources, path, f"{root}{DIR_OF[kind]}/{res.name}"):
            continue  # a member's file names its own tree's artifact: 0.10.0 resolves it there
        if res.found:
            if kind != label_kind:
                out.append(sources.emit("VE704", path, lineno, col,
                                        f"{m.group('label')}: backreference points at a {kind}: {ref}",
                                        f"write '{kind.capitalize()}: {ref}'"))
            elif kind == "chunk" and code and m.group("lead").lstrip().startswith("#"):
                chunks.append(ChunkBackref(path, lineno, col, res.name))
            continue
        where = f"{root}{DIR_OF[kind]}/{res.name}"
        if res.other_kind:
            message = f"backreference {ref}: {res.name!r} is a {res.other_kind}, not a {kind}"
            hint = f"write '{res.other_kind.capitalize()}: {root}{DIR_OF[res.other_kind]}/{res.name}'"
        else:
            message = f"backreference names {where}, which does not exist"
            hint = missing_hint(res, kind, repo.root)
        out.append(sources.emit("VE704", path, lineno, col, message, hint,
                                {"kind": kind, "name": res.name,
                                 **({"renamed_to": res.renamed_to} if res.renamed_to else {})}))
    return out, chunks


_BACKREF_ANYWHERE = re.compile(_BACKREF.pattern, re.MULTILINE)
# Line breaks other than \n (and \r\n) that str.splitlines() honours: such a text is read line by line.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|\r(?!\n)")


def _comments(text: str, markdown: bool) -> Iterator[tuple[int, int, re.Match[str]]]:
    """(line, column of the reference, match) of every backreference-shaped comment line;
    markdown's fenced blocks are skipped. Code is searched in one pass (most lines of a file
    are not comments), markdown line by line (fences open and close)."""
    if not markdown and not _ODD_BREAKS.search(text):
        line, at = 1, 0
        for m in _BACKREF_ANYWHERE.finditer(text):
            line += text.count("\n", at, m.start())
            at = m.start()
            start = text.rfind("\n", 0, at) + 1
            yield line, m.start("ref") - start + 1, m
        return
    fence: str | None = None  # the open fence's marker run, CommonMark style
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
        if m is not None:
            yield lineno, m.start("ref") + 1, m


def _in_member_tree(sources: Sources, path: str, rel: str) -> bool:
    """Whether ``path`` lies in a workspace member's tree that holds ``rel`` (``docs/chunks/x``, under its own artifact root)."""
    from ve_hooks.documents import workspace

    members = workspace.members(sources.repo)
    if not members:
        return False
    for tree in members.values():
        t = tree.strip("/")
        if t not in ("", ".") and path.startswith(t + "/") and sources.repo.snapshot.exists(f"{t}/{rel}"):
            return True
    return False


def _qualified(sources: Sources, path: str, line: int, col: int, ref: str, kind: str) -> list[Diagnostic]:
    """A ``member::docs/<dir>/<name>`` reference: the member's tree must hold the artifact. An
    ``org/repo::`` one names another repository: vibe-engineer defers it, and so do we."""
    from ve_hooks.documents import workspace

    qualifier, _, rest = ref.partition("::")
    if not qualifier.strip():  # `::docs/chunks/x`: vibe-engineer's workspace validate reports it
        return [sources.emit("VE704", path, line, col,
                             f"backreference {ref}: empty workspace member before '::'",
                             f"write '<member>::{rest.strip('/')}', or drop the '::'", {"kind": kind})]
    if "/" in qualifier:
        return []
    members = workspace.members(sources.repo)
    if members is None:
        return []  # no workspace manifest in this snapshot: nothing to resolve the member against
    tree = members.get(qualifier)
    if tree is None:
        return [sources.emit("VE704", path, line, col,
                             f"backreference {ref}: no workspace member {qualifier!r} in .ve-workspace.yaml",
                             f"members: {', '.join(sorted(members)) or 'none'}")]
    rel = rest.strip("/")
    target = rel if tree in ("", ".") else f"{tree}/{rel}"
    if not _ARTIFACT_NAME.match(rel.rsplit("/", 1)[-1]) or sources.repo.snapshot.exists(target):
        return []
    return [sources.emit("VE704", path, line, col,
                         f"backreference names {rel} in workspace member {qualifier!r} ({tree}/), which does not exist",
                         "fix the name, or the member's path in .ve-workspace.yaml", {"kind": kind})]
