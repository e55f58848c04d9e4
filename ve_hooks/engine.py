"""Run the checks: read (worktree, index or commit) -> parse -> check -> diagnostics.

Per-file checks (parse, schema, template hygiene) depend only on a file's bytes and kind,
so their findings are cached by blob id; whole-repository rules then run on the targets
with a :class:`~ve_hooks.rules.Context` that loads only the documents they ask for.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.config import load as load_config
from ve_hooks.diagnostic import Diagnostic, Severity, UsageError
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter
from ve_hooks.repo import Location, Repo, locate, parent_snapshot, snapshot_for
from ve_hooks.rules import Context, Target

# Whole-repository rule families, imported on first use, with the codes each can report:
# a family none of whose codes is selected is never imported nor run.
REPO_RULES = {
    "ve_hooks.rules.references": ("VE401", "VE402", "VE403", "VE404", "VE405"),
    "ve_hooks.rules.lifecycle": ("VE501",),
    "ve_hooks.rules.completion": ("VE303", "VE502", "VE503"),
    "ve_hooks.rules.code_references": ("VE701", "VE702", "VE703", "VE704"),
    "ve_hooks.rules.created_after": ("VE601", "VE602", "VE603", "VE604", "VE605", "VE606"),
}
# Bump when a per-file rule changes what it reports: cached findings are keyed by it.
FILE_RULES_VERSION = "1"


@dataclass
class Options:
    paths: Sequence[str] = ()
    repo: str | None = None
    staged: bool = False
    rev: str | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    cwd: Path = field(default_factory=Path.cwd)


@dataclass
class Outcome:
    diagnostics: list[Diagnostic]
    files: int
    parsed: int
    cache_hits: int
    snapshot: str
    config: Config


def _severity(s: str) -> Severity:
    try:
        return Severity(s)
    except ValueError:
        return Severity.ERROR


def parse_diagnostics(target: Target, generation: str | None) -> list[Diagnostic]:
    """Problems found while reading/parsing, as diagnostics."""
    r = target.result
    problems = r.all_problems if isinstance(r, frontmatter.ParseError) else r.problems
    return [Diagnostic(p.rule, _severity(p.severity), target.path, p.line, p.column, p.message, p.hint,
                       generation) for p in problems]


def file_checks(target: Target, repo: Repo) -> list[Diagnostic]:
    """Parse, schema and template findings of one file: a pure function of its bytes and kind."""
    from ve_hooks.documents import schema
    from ve_hooks.rules import template

    generation = schema.generation_of(target.data) if target.art.kind == "chunk" and target.art.role == "main" \
        and target.doc else None
    out = parse_diagnostics(target, generation)
    doc = target.doc
    if doc is not None:
        out.extend(schema.check(target.art.schema_kind, doc, target.path))
        if doc.body is None:
            full = repo.full(target.path)
            doc = full if isinstance(full, frontmatter.Doc) else doc
    raw = repo.raw(target.path)
    if raw is not None:
        text = raw.decode("utf-8", "replace").lstrip("\ufeff")
        found = template.check(target.path, text, doc, target.art.schema_kind)
        if doc is None and template.masks_parse_error(found):
            # `ticket: {{ ticket_id }}` breaks the YAML: report the cause, not the symptom.
            out = [d for d in out if d.rule not in ("VE104", "VE106")]
        out.extend(found)
    return out


def _diag_to_json(d: Diagnostic) -> list[Any]:
    return [d.rule, d.severity.value, d.line, d.column, d.message, d.hint, d.generation, d.fixable, d.data]


def _diag_from_json(path: str, v: list[Any]) -> Diagnostic:
    return Diagnostic(str(v[0]), Severity(v[1]), path, int(v[2]), int(v[3]), str(v[4]), str(v[5]),
                      v[6], bool(v[7]), dict(v[8]))


def _cached_file_checks(targets: list[Target], repo: Repo) -> list[Diagnostic]:
    keys: dict[str, str] = {}
    for t in targets:
        oid = repo.oid(t.path)
        if oid:
            keys[t.path] = f"{oid}:{t.art.schema_kind}:{FILE_RULES_VERSION}"
    hits = repo.cache.get_many("filediag", set(keys.values()))
    # Files whose findings must be computed need their bytes: read them all in one batch, not
    # one git process per file when only the document cache was warm.
    repo.prefetch(t.path for t in targets if not isinstance(hits.get(keys.get(t.path, "")), list))
    out: list[Diagnostic] = []
    for t in targets:
        key = keys.get(t.path)
        cached = hits.get(key) if key else None
        if isinstance(cached, list):
            try:
                out.extend(_diag_from_json(t.path, v) for v in cached)
                continue
            except (TypeError, ValueError, IndexError, KeyError):
                pass  # damaged entry: recompute
        found = file_checks(t, repo)
        out.extend(found)
        if key:
            repo.cache.put("filediag", key, [_diag_to_json(d) for d in found])
    return out


def _rule_functions(enabled: Callable[[str], bool]) -> list[Callable[[Target, Context], Iterable[Diagnostic]]]:
    fns = []
    for name, codes in REPO_RULES.items():
        if any(enabled(c) for c in codes):
            fns.append(importlib.import_module(name).check)
    return fns


def resolve_targets(opts: Options, loc: Location, repo: Repo) -> list[art.ArtifactPath]:
    """The artifact files to check: all of them, or those under the given PATHS."""
    if not opts.paths:
        return repo.artifact_paths()
    wanted: list[str] = []
    for raw in opts.paths:
        p = Path(raw)
        absolute = p if p.is_absolute() else (opts.cwd / p)
        try:
            rel = Path(os.path.normpath(absolute)).relative_to(loc.root.resolve()).as_posix()
        except ValueError:
            try:
                rel = Path(os.path.normpath(absolute)).relative_to(loc.root).as_posix()
            except ValueError:
                raise UsageError(f"{raw}: outside the repository {loc.root}") from None
        wanted.append("" if rel == "." else rel)
    files = repo.files
    exact = [art.classify(w, repo.root) for w in wanted if w in files]
    if len(exact) == len(wanted):  # plain file paths (the pre-commit case): classify just those
        return sorted({a for a in exact if a is not None and a.validated}, key=lambda a: a.path)
    chosen = []
    for a in repo.artifact_paths():
        for w in wanted:
            if not w or a.path == w or a.path.startswith(w.rstrip("/") + "/"):
                chosen.append(a)
                break
    return chosen


def run(opts: Options) -> Outcome:
    """Validate and return every finding (unfiltered by select/ignore: see :func:`filter_diagnostics`)."""
    loc = locate(Path(opts.repo) if opts.repo else opts.cwd, explicit=bool(opts.repo))
    config = load_config(loc.info.toplevel if loc.info else loc.root)
    snap = snapshot_for(loc, staged=opts.staged, rev=opts.rev)
    cache = Cache.for_git_dir(loc.info.common_dir if loc.info else None)
    repo = Repo(snap, config, cache)
    base = Repo(parent_snapshot(loc, snap), config, cache) if loc.info else None
    try:
        arts = resolve_targets(opts, loc, repo)
        loaded = repo.load(a.path for a in arts)
        targets = [Target(a, loaded[a.path]) for a in arts if a.path in loaded]
        diagnostics = _cached_file_checks(targets, repo)
        from ve_hooks.documents import schema

        def generation(t: Target) -> str | None:
            if t.art.kind == "chunk" and t.art.role == "main" and t.doc is not None:
                return schema.generation_of(t.data)
            return None

        ctx = Context(repo, base, config, generation, targets)
        fns = _rule_functions(_enabled(config, opts.select, opts.ignore))
        for t in targets:
            if t.doc is None:
                continue
            for fn in fns:
                diagnostics.extend(fn(t, ctx))
    finally:
        repo.close()
    diagnostics = filter_diagnostics(diagnostics, config, opts.select, opts.ignore)
    diagnostics.sort(key=lambda d: d.sort_key)
    return Outcome(diagnostics, len(targets), repo.parsed + (base.parsed if base else 0), cache.hits,
                   snap.label, config)


def _enabled(config: Config, select: Sequence[str], ignore: Sequence[str]) -> Callable[[str], bool]:
    """ruff semantics: a command-line --select replaces the configured one, --ignore adds to it."""
    from ve_hooks.rules import catalog

    sel = [c.upper() for c in select] or config.select
    ign = [*config.ignore, *(c.upper() for c in ignore)]
    return catalog.select(sel, ign)


def filter_diagnostics(diagnostics: list[Diagnostic], config: Config, select: Sequence[str],
                       ignore: Sequence[str]) -> list[Diagnostic]:
    """Apply --select/--ignore (see :func:`_enabled`), per-path ignores and configured severities."""
    from dataclasses import replace

    enabled = _enabled(config, select, ignore)
    out = []
    for d in diagnostics:
        if not enabled(d.rule):
            continue
        per_path = config.ignored_for(d.path)
        if per_path and any(d.rule.startswith(c) for c in per_path):
            continue
        sev = config.severity.get(d.rule)
        if sev is not None and sev is not d.severity:
            d = replace(d, severity=sev)
        out.append(d)
    return out
