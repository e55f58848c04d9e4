"""VE701-VE704: code references in artifacts, and backreferences in code, must point at things
that exist in the snapshot being checked.

* VE701 a referenced file is not in the snapshot (``code_references`` of v1 ``file:`` and v2+
  ``ref: path#Symbol`` form; ``code_paths`` entries and globs of ACTIVE and COMPOSITE chunks, an
  error as in vibe-engineer 0.10.0). ``member::path`` resolves in the workspace member named by
  ``.ve-workspace.yaml``; ``org/repo::path`` names another repository and is a warning saying
  it was not checked, as ``ve chunk validate`` words it.
* VE702 a v1 line range is malformed, reversed or runs past the end of the file.
* VE703 a Python symbol path (``Class::method``) is not defined in the file. Symbol tables are
  cached per blob id (namespace "pysymbols"), so a file is parsed once in its life. Symbols of
  other languages are not checked: the file's existence is, and :func:`unchecked_refs` lists
  what was taken on trust. An unparsable Python file gives a warning saying so, never a crash.
* VE704 ``# Chunk: docs/chunks/<name>`` style comments in source files name existing artifacts
  (:func:`ve_hooks.rules.backreferences.scan`, through ``check_sources``: the pre-commit hook's
  staged files and ``ve-validate``'s whole tree alike).
* VE705 a ``# Chunk:`` comment in a code file the chunk's ``code_references`` do not name.
* VE706 an allow-list entry (``.ve-config.yaml`` ``validation.ignore_backreferences``) that
  suppressed nothing on a whole-tree run. Findings of VE704/VE705 in allow-listed files are
  dropped, as vibe-engineer drops them.

Only chunks that describe current code are checked (IMPLEMENTING, ACTIVE, COMPOSITE), and
subsystems unless DEPRECATED: SUPERSEDED and HISTORICAL chunks are expected to have drifted.
Everything is skipped when ``check-code-references`` is false (docs-only checkouts).
"""

from __future__ import annotations

import difflib
import fnmatch
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ve_hooks import git
from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import pysymbols
from ve_hooks.rules import Context, Sources, Target, quote
from ve_hooks.rules.registry import Rule
from ve_hooks.snapshot import Unreadable

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

VE701 = Rule("VE701", "code-reference-file-missing", Severity.ERROR,
             'A code reference or `code_paths` entry points at a file that does not exist',
             softer="the reference names another repository (`org/repo::path`), which cannot be checked here")
VE702 = Rule("VE702", "code-reference-range-invalid", Severity.ERROR,
             'A line range is malformed or lies outside the file')
VE703 = Rule("VE703", "code-reference-symbol-missing", Severity.ERROR,
             'A symbolic code reference names a symbol that does not exist',
             softer="the file does not parse as Python or is over the 2 MiB parse limit, so the "
                    "symbol cannot be checked")
VE704 = Rule("VE704", "backreference-unknown-artifact", Severity.ERROR,
             'A source comment backreference names no artifact')
VE705 = Rule("VE705", "backreference-not-in-code-references", Severity.WARNING,
             "A `# Chunk:` comment sits in a file the chunk's `code_references` do not name")
VE706 = Rule("VE706", "backreference-allowlist-unused", Severity.WARNING,
             'A `validation.ignore_backreferences` entry of `.ve-config.yaml` suppresses nothing')


JsonPath = tuple[Any, ...]
CHECKED_STATUSES = {"chunk": {"IMPLEMENTING", "ACTIVE", "COMPOSITE"}}
UNCHECKED_SUBSYSTEM = {"DEPRECATED"}
PYTHON = (".py", ".pyi")


@dataclass
class CodeRef:
    """One reference to code found in a document."""

    where: JsonPath  # the key or item it came from, for positions
    file: str  # as written (after dropping a ``./``)
    symbol: str | None = None
    ranges: list[tuple[JsonPath, Any]] = field(default_factory=list)  # v1 ``lines`` values
    planned: bool = False  # from code_paths


def code_refs(data: dict[str, Any]) -> list[CodeRef]:
    """The code references of a document's frontmatter, in any generation's shape."""
    out: list[CodeRef] = []
    refs = data.get("code_references")
    if isinstance(refs, list):
        for i, item in enumerate(refs):
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("ref"), str):
                path, _, sym = item["ref"].strip().partition("#")
                out.append(CodeRef(("code_references", i, "ref"), path.strip(), sym.strip() or None))
            elif isinstance(item.get("file"), str):
                ranges = []
                if isinstance(item.get("ranges"), list):
                    for j, r in enumerate(item["ranges"]):
                        if isinstance(r, dict) and "lines" in r:
                            ranges.append((("code_references", i, "ranges", j, "lines"), r["lines"]))
                out.append(CodeRef(("code_references", i, "file"), item["file"].strip(), None, ranges))
    paths = data.get("code_paths")
    if isinstance(paths, list):
        for i, p in enumerate(paths):
            if isinstance(p, str) and p.strip():
                out.append(CodeRef(("code_paths", i), p.strip(), planned=True))
    return out


def _clean_path(p: str) -> str | None:
    """A repo-relative POSIX path, or None when it leaves the repository."""
    if not p or p.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", p):
        return None
    n = posixpath.normpath(p.replace("\\", "/"))
    if n == ".." or n.startswith("../"):
        return None
    return "" if n == "." else n


@dataclass
class _File:
    exists: bool
    lines: int | None = None  # None: not read (or not a regular file)
    symbols: set[str] | pysymbols.Unparsable | pysymbols.TooLarge | None = None
    unreadable: str | None = None


class _Sources:
    """What the rules learned about source files of one snapshot, read in batches."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.files: dict[str, _File] = {}

    def exists(self, path: str) -> bool:
        f = self.files.get(path)
        if f is None:
            f = self.files[path] = _File(self.repo.snapshot.exists(path))
        return f.exists

    def load(self, paths: Iterable[str]) -> None:
        """Read line counts and Python symbol tables for existing ``paths`` in one batch."""
        want = [p for p in dict.fromkeys(paths) if self.exists(p) and self.files[p].lines is None
                and self.files[p].unreadable is None]
        if not want:
            return
        raw = self.repo.snapshot.read_many(want)
        py: dict[str, tuple[str, bytes]] = {}
        for p in want:
            f = self.files[p]
            data = raw.get(p)
            if isinstance(data, Unreadable):
                f.unreadable = data.reason
            elif data is None:
                f.unreadable = "is not a regular file"
            else:
                f.lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
                if p.endswith(PYTHON) and len(data) > pysymbols.MAX_SOURCE:
                    f.symbols = pysymbols.TooLarge(len(data))  # never parsed: see MAX_SOURCE
                elif p.endswith(PYTHON):
                    py[p] = (git.blob_id(data), data)
        if py:
            cache = self.repo.cache
            hits = cache.get_many("pysymbols", {oid for oid, _ in py.values()})
            for p, (oid, data) in py.items():
                syms = pysymbols.from_json(hits[oid]) if oid in hits else None
                if syms is None:
                    syms = pysymbols.symbols(data)
                    cache.put("pysymbols", oid, pysymbols.to_json(syms))
                self.files[p].symbols = syms

    def glob(self, pattern: str) -> bool:
        """Whether any file matches a glob ``code_paths`` entry (listing only its fixed prefix)."""
        fixed = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        prefix = fixed.rsplit("/", 1)[0] if "/" in fixed else ""
        return any(fnmatch.fnmatchcase(p, pattern) for p in self.repo.snapshot.list(prefix))


def _sources(repo: Repo) -> _Sources:
    """The source files of this run's snapshot, read once."""
    s = repo.memo.get(__name__)
    if s is None:
        s = repo.memo[__name__] = _Sources(repo)
    return s


def _prefetch(src: _Sources, ctx: Context) -> None:
    """On the first target, read every file any target references: one batch, not one per target."""
    if getattr(src, "prefetched", False):
        return
    src.prefetched = True  # type: ignore[attr-defined]
    paths = []
    for t in ctx.targets:
        if t.doc is not None and t.art.role == "main" and t.art.kind in ("chunk", "subsystem") and _checked(t):
            for r in code_refs(t.data):
                p = _clean_path(r.file)
                if p and "::" not in r.file and not any(c in p for c in "*?["):
                    paths.append(_in_tree(ctx.tree, p))
    src.load(paths)


def _in_tree(tree: str, path: str) -> str:
    """A bare code path of an artifact in ``tree`` (a workspace member's; "" for the project) as
    a path of the snapshot: vibe-engineer resolves it against the member's root."""
    return f"{tree}/{path}" if tree and path else path


def _checked(target: Target) -> bool:
    status = target.data.get("status")
    if not isinstance(status, str):  # a status of the wrong type is the schema rule's finding
        status = None
    if target.art.kind == "chunk":
        return status in CHECKED_STATUSES["chunk"]
    return target.art.kind == "subsystem" and status not in UNCHECKED_SUBSYSTEM


def _missing_hint(src: _Sources, path: str) -> str:
    top = path.split("/", 1)[0]
    if "/" in path and not src.exists(top):
        return (f"there is no {top}/ at all in this snapshot; if this is a docs-only checkout set "
                "check-code-references = false, else fix the path")
    return "fix the path (files move: search for the symbol), or drop the reference"


_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-\u2013:]\s*(\d+))?\s*$")


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE701-VE703 for one chunk or subsystem document."""
    if (not ctx.config.check_code_references or target.art.role != "main" or target.doc is None
            or target.art.kind not in ("chunk", "subsystem") or not _checked(target)):
        return []
    refs = code_refs(target.data)
    if target.data.get("status") not in ("ACTIVE", "COMPOSITE"):
        refs = [r for r in refs if not r.planned]
    if not refs:
        return []
    src = _sources(ctx.repo)
    _prefetch(src, ctx)
    out: list[Diagnostic] = []
    live: list[tuple[CodeRef, str]] = []
    for r in refs:
        what = "code_paths entry" if r.planned else "code reference"
        info = {"file": r.file, **({"symbol": r.symbol} if r.symbol else {})}
        if "::" in r.file:
            found, resolved = _qualified(ctx, target, r, what, info)
            out.extend(found)
            if resolved is not None and (r.ranges or (r.symbol and resolved.endswith(PYTHON))):
                live.append((r, resolved))  # checked like a local file, as 0.10.0's workspace validate does
            continue
        path = _clean_path(r.file)
        if path is None or path == "":
            out.append(ctx.diag("VE701", target, r.where,
                                f"{what} {quote(r.file)} does not name a file inside the repository",
                                "use a path relative to the repository root",
                                data={**info, "checked": False}))
            continue
        path = _in_tree(ctx.tree, path)
        if r.planned and any(c in path for c in "*?["):
            if not src.glob(path):
                out.append(ctx.diag("VE701", target, r.where,
                                    f"{what} {quote(r.file)} matches no file in the snapshot",
                                    "update code_paths to the files the chunk touched", data=info))
            continue
        if not src.exists(path):
            out.append(ctx.diag("VE701", target, r.where, f"{what}: {path} is not in the snapshot",
                                _missing_hint(src, path),
                                data={**info, "checked": False} if r.symbol or r.ranges else info))
            continue
        if r.ranges or (r.symbol and path.endswith(PYTHON)):
            live.append((r, path))
    src.load(p for _, p in live)
    for r, path in live:
        f = src.files[path]
        if f.unreadable and (r.ranges or r.symbol):
            out.append(ctx.diag("VE701", target, r.where, f"code reference: {path} {f.unreadable}",
                                "point the reference at a regular file", data={"file": path, "checked": False}))
            continue
        for where, value in r.ranges:
            out.extend(_check_range(ctx, target, where, value, path, f.lines))
        if r.symbol:
            out.extend(_check_symbol(ctx, target, r, path, f))
    return out


def _qualified(ctx: Context, target: Target, r: CodeRef, what: str, info: dict[str, Any]
               ) -> tuple[list[Diagnostic], str | None]:
    """``member::path`` resolves inside the workspace; ``org/repo::path`` cannot be checked here
    (``ve chunk validate`` skips it with a warning, ``ve validate`` says nothing). The findings,
    and the snapshot path of a member's file that exists (its ranges and symbol are checked next)."""
    from ve_hooks.documents import workspace

    qualifier, _, rest = r.file.partition("::")
    members = workspace.members(ctx.repo) if qualifier and "/" not in qualifier else None
    if members is None:
        where = "another repository" if "/" in qualifier else "a workspace member, but there is no .ve-workspace.yaml"
        return [ctx.diag("VE701", target, r.where, f"{what} {quote(r.file)} names {where}: not checked",
                         "check it where that tree is, or resolve it with `ve workspace validate`", softer=True,
                         data={**info, "checked": False})], None
    tree = members.get(qualifier)
    if tree is None:
        return [ctx.diag("VE701", target, r.where,
                         f"{what} {quote(r.file)}: no workspace member {qualifier!r} in .ve-workspace.yaml",
                         f"members: {', '.join(sorted(members)) or 'none'}", data={**info, "checked": False})], None
    rel = _clean_path(rest)
    path = rel if rel is None or tree in ("", ".") else f"{tree}/{rel}"
    src = _sources(ctx.repo)
    glob = path is not None and any(c in path for c in "*?[")
    if path is None or not (src.glob(path) if glob else src.exists(path)):
        return [ctx.diag("VE701", target, r.where,
                         f"{what} {quote(r.file)}: {rest} is not in workspace member {qualifier!r} ({tree}/)",
                         "fix the path, or the member's path in .ve-workspace.yaml",
                         data={**info, "checked": False})], None
    return [], None if glob or r.planned else path


def check_sources(sources: Sources) -> list[Diagnostic]:
    """VE704-VE706 over the files around the artifacts (see :mod:`ve_hooks.rules.backreferences`)."""
    from ve_hooks.documents import ve_config
    from ve_hooks.rules.backreferences import BACKREF_GREP, scan, scanned

    root = sources.repo.root.strip("/")
    # Markdown in artifact folders is never read: the grep need not open 10,000 chunk documents.
    files = sources.matching(BACKREF_GREP, exclude=[f"{root}/**/*.md", "**/docs/**/*.md"])
    found: list[Diagnostic] = []
    chunk_refs = []
    for path in sorted(files):
        if scanned(path, root):
            diags, refs = scan(path, files[path], sources)
            found.extend(diags)
            chunk_refs.extend(refs)
    found.extend(_unnamed_files(sources, chunk_refs))
    found.extend(_member_trees(sources))
    cfg = ve_config.load(sources.repo)
    if not cfg.ignore_backreferences:
        return found
    used: set[int] = set()
    kept = []
    for d in found:
        hits = [e.index for e in cfg.ignore_backreferences if e.matches(d.path)]
        used.update(hits)
        if not hits:
            kept.append(d)
    if sources.whole_tree:
        lines = cfg.text.splitlines()
        for e in cfg.ignore_backreferences:
            if e.index in used:
                continue
            line = next((i for i, t in enumerate(lines, 1) if e.path in t), 1)
            col = lines[line - 1].find(e.path) + 1 if line <= len(lines) and e.path in lines[line - 1] else 1
            kept.append(sources.emit("VE706", ve_config.PATH, line, col,
                                     f"validation.ignore_backreferences entry {e.path!r} suppressed nothing ({e.reason})",
                                     "remove it, or correct the path: an entry that matches nothing today hides a "
                                     "real reference the day something moves into its path", {"path": e.path}))
    return kept


_MEMBER_DOC = re.compile(r"(?:^|/)docs/(?:chunks|subsystems)/[^/]+/(?:GOAL|OVERVIEW)\.md$")


def member_document(path: str, root: str = "docs") -> bool:
    """Whether ``path`` can be a chunk or subsystem of a workspace member's tree (outside the
    project's own artifact root): what the source hook hands :func:`_member_trees`. The
    manifest decides whether it is one."""
    return not path.startswith(root.strip("/") + "/") and _MEMBER_DOC.search(path) is not None


def _member_trees(sources: Sources) -> list[Diagnostic]:
    """VE701-VE703 for the chunks and subsystems of every workspace member's own tree
    (``<member>/docs/``), their bare paths resolved in that tree, as ``ve workspace validate``
    checks them: all of them on a whole-tree run, those in scope otherwise (the PATHS given,
    or the staged files a hook was handed). The project's own tree is the run's targets."""
    from dataclasses import replace

    from ve_hooks.documents import workspace
    from ve_hooks.repo import Repo

    repo = sources.repo
    root = repo.root.strip("/")
    given = sources.given or {}
    if not sources.config.check_code_references or (
            sources.given is not None and not any(member_document(p, root) for p in given)):
        return []  # (a hook handed no member document: no member tree is listed)
    members = workspace.members(repo)
    if not members:
        return []
    out: list[Diagnostic] = []
    for tree in sorted(set(members.values())):
        t = tree.strip("/")
        if t in ("", ".") or f"{t}/docs" == root or t == root or t.startswith(f"{root}/"):
            continue  # the project itself, or a folder of its own artifacts
        member = Repo(repo.snapshot, replace(sources.config, artifact_root=f"{t}/docs"), repo.cache)
        arts = [a for a in member.artifact_paths()
                if a.role == "main" and a.kind in ("chunk", "subsystem") and sources.in_scope(a.path)]
        if not arts:
            continue
        loaded: dict[str, Any] = member.load(a.path for a in arts if a.path not in given)
        if given:  # a hook's own text of the file, as for every other file it was handed
            from ve_hooks.documents import frontmatter

            loaded.update({a.path: frontmatter.parse(given[a.path].encode("utf-8")) for a in arts if a.path in given})
        targets = [Target(a, loaded[a.path]) for a in arts if a.path in loaded]
        ctx = Context(member, None, sources.config, lambda x: x.generation, targets, tree=t)
        for target in targets:
            out.extend(check(target, ctx))
        sources.checked.update(target.path for target in targets)
    return out


def _unnamed_files(sources: Sources, refs: list[Any]) -> list[Diagnostic]:
    """VE705: vibe-engineer warns when a ``# Chunk:`` comment sits in a file the chunk's
    ``code_references`` (their file parts) do not name: one side of the link was not kept."""
    if not refs:
        return []
    repo = sources.repo
    chunks = repo.names("chunk")
    local = {r.name: chunks[r.name].path for r in refs if r.name in chunks and chunks[r.name].role == "main"}
    # The documents are parsed already on a whole-tree run (they are its targets), and come
    # from the parse cache by blob id on a hook's few: never a second parse.
    loaded = repo.load(local.values())
    files_of = {p: _reference_files(r) for p, r in loaded.items()}
    named = {name: files_of.get(p, set()) for name, p in local.items()}
    out = []
    for r in refs:
        if r.name in named and r.path not in named[r.name]:
            out.append(sources.emit("VE705", r.path, r.line, r.column,
                                    f"backreference to chunk {r.name!r}, whose code_references do not name {r.path}",
                                    f"add `- ref: {r.path}` to the code_references of {local[r.name]}, or drop "
                                    "the comment", {"chunk": r.name}))
    return out


def _reference_files(result: Any) -> set[str]:
    """The file parts of a GOAL.md's ``code_references[].ref`` (what vibe-engineer compares a
    ``# Chunk:`` comment's file with)."""
    data = getattr(result, "data", None)
    out: set[str] = set()
    if isinstance(data, dict) and isinstance(data.get("code_references"), list):
        for item in data["code_references"]:
            if isinstance(item, dict) and isinstance(item.get("ref"), str):
                out.add(item["ref"].partition("#")[0])
    return out


def _check_range(ctx: Context, target: Target, where: JsonPath, value: Any, path: str,
                 lines: int | None) -> list[Diagnostic]:
    m = _RANGE.match(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if m is None:
        return [ctx.diag("VE702", target, where, f"line range {quote(value)} is not START-END",
                         "write it as e.g. \"45-120\"")]
    start, end = int(m.group(1)), int(m.group(2) or m.group(1))
    if start < 1:
        return [ctx.diag("VE702", target, where, f"line range {quote(value)} starts before line 1",
                         "lines are numbered from 1")]
    if start > end:
        return [ctx.diag("VE702", target, where, f"line range {quote(value)} is reversed",
                         f"write it as \"{end}-{start}\"")]
    if lines is not None and end > lines:
        return [ctx.diag("VE702", target, where,
                         f"line range {quote(value)} runs past the end of {path} ({lines} lines)",
                         "the file changed since the reference was written: update the range, or move "
                         "to a symbolic ref: path#Symbol", data={"file": path, "lines": lines})]
    return []


def _check_symbol(ctx: Context, target: Target, r: CodeRef, path: str, f: _File) -> list[Diagnostic]:
    sym = (r.symbol or "").strip()
    if isinstance(f.symbols, pysymbols.Unparsable):
        return [ctx.diag("VE703", target, r.where,
                         f"cannot check symbol {quote(sym)}: {path} does not parse as Python ({f.symbols.reason})",
                         "fix the syntax error; the reference is taken on trust until then", softer=True,
                         data={"file": path, "symbol": sym, "checked": False})]
    if isinstance(f.symbols, pysymbols.TooLarge):
        return [ctx.diag("VE703", target, r.where, f"cannot check symbol {quote(sym)} in {path}: {f.symbols.reason}",
                         "point the reference at a hand-written module, or use a line range", softer=True,
                         data={"file": path, "symbol": sym, "checked": False})]
    if f.symbols is None:
        return []
    normal = sym.replace(".", pysymbols.SEP) if pysymbols.SEP not in sym else sym
    if sym in f.symbols or normal in f.symbols:
        return []
    lower = {s.lower(): s for s in sorted(f.symbols, reverse=True)}
    near = [lower[m] for m in difflib.get_close_matches(normal.lower(), list(lower), n=1, cutoff=0.6)]
    leaf = normal.rsplit(pysymbols.SEP, 1)[-1]
    same_leaf = sorted(s for s in f.symbols if s.rsplit(pysymbols.SEP, 1)[-1] == leaf)
    hint = (f"did you mean {quote(same_leaf[0])}?" if same_leaf else
            f"did you mean {quote(near[0])}?" if near else f"no such class, function or assignment in {path}")
    return [ctx.diag("VE703", target, r.where, f"{path} defines no symbol {quote(sym)}", hint,
                     data={"file": path, "symbol": sym, "checked": True})]


def unchecked_refs(target: Target, ctx: Context) -> list[tuple[str, str]]:
    """(file, symbol) references whose symbol is taken on trust: existing non-Python files (and
    Python files that do not parse). For reports that want to say what was not verified."""
    if target.doc is None or not ctx.config.check_code_references:
        return []
    src = _sources(ctx.repo)
    out = []
    for r in code_refs(target.data):
        path = _clean_path(r.file)
        if r.planned or not r.symbol or not path or not src.exists(path):
            continue
        if not path.endswith(PYTHON):
            out.append((path, r.symbol))
            continue
        src.load([path])
        if not isinstance(src.files[path].symbols, set):
            out.append((path, r.symbol))
    return out
