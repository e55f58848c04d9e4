"""Run the checks: read (worktree, index or commit) -> parse -> check -> diagnostics.

The rule families are the modules that declare rules (:mod:`ve_hooks.rules.registry`).
Their per-file checks (``check_file``: parse, schema, template hygiene) depend only on a file's
bytes and kind, so their findings are cached by blob id; their whole-repository checks
(``check``) then run on the targets with a :class:`~ve_hooks.rules.Context` that loads only
the documents they ask for. A family none of whose rules is selected is not run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks.config import Config
from ve_hooks.diagnostic import Diagnostic, Severity, UsageError
from ve_hooks.documents import artifacts as art
from ve_hooks.project import Project, open_project
from ve_hooks.repo import Repo
from ve_hooks.rules import Context, Sources, Target, registry
from ve_hooks.validation import runcache

# Bump when a per-file rule changes what it reports: cached findings are keyed by it.
FILE_RULES_VERSION = "3"  # 3: VE203 on dates (YAML types follow the consumer)


@dataclass
class Options:
    paths: Sequence[str] = ()
    repo: str | None = None
    staged: bool = False
    rev: str | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    cwd: Path = field(default_factory=Path.cwd)
    # A run over no artifact root is a usage error (ve-validate); the hooks just find nothing.
    require_root: bool = False
    # Filter through ve-hooks-suppressions.json (off when recording or pruning it).
    suppress: bool = True


@dataclass
class Outcome:
    diagnostics: list[Diagnostic]
    files: int
    parsed: int
    cache_hits: int
    snapshot: str
    config: Config
    artifact_root: Path | None = None  # the folder checked, for --stats
    checked: tuple[str, ...] = ()  # the paths of the files checked (``files`` of them)
    suppressed: list[Diagnostic] = field(default_factory=list)  # within ve-hooks-suppressions.json


def _families(hook: str, enabled: Callable[[str], bool] = lambda code: True) -> list[Callable[..., Any]]:
    """The ``hook`` functions (``check_file`` or ``check``) of the families with an enabled rule."""
    fns = []
    for name in registry.family_modules(enabled):
        fn = getattr(importlib.import_module(name), hook, None)
        if fn is not None:
            fns.append(fn)
    return fns


def file_checks(target: Target, repo: Repo) -> list[Diagnostic]:
    """Every family's per-file findings for one file: a pure function of its bytes and kind
    (all of them, whatever is selected, so the cached findings serve every selection)."""
    out: list[Diagnostic] = []
    for fn in _families("check_file"):
        out = fn(target, repo, out)
    return out


def _diag_to_json(d: Diagnostic) -> list[Any]:
    return [d.rule, d.severity.value, d.line, d.column, d.message, d.hint, d.generation, d.fixable, d.data,
            d.fix.to_json() if d.fix is not None else None]


_SEVERITY = {s.value: s for s in Severity}  # a dict lookup: a replay decodes 10,000+ findings


def _diag_from_json(path: str, v: list[Any]) -> Diagnostic:
    fix = None
    if len(v) > 9 and v[9] is not None:
        from ve_hooks.documents.fixes import Fix

        fix = Fix.from_json(v[9])
    return Diagnostic(str(v[0]), _SEVERITY[v[1]], path, int(v[2]), int(v[3]), str(v[4]), str(v[5]),
                      v[6], bool(v[7]), dict(v[8]), fix)


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


def resolve_targets(opts: Options, project: Project, repo: Repo) -> list[art.ArtifactPath]:
    """The artifact files to check: all of them, or those under the given PATHS (relative to
    the working directory). A PATH that names nothing is a usage error, not a clean run."""
    if not opts.paths:
        return repo.artifact_paths()
    wanted = project.paths(opts.paths, opts.cwd)
    files = repo.files
    exact = [art.classify(w, repo.root) for w in wanted if w in files]
    if len(exact) == len(wanted):  # plain file paths (the pre-commit case): classify just those
        return sorted({a for a in exact if a is not None and a.validated}, key=lambda a: a.path)
    for raw, w in zip(opts.paths, wanted, strict=True):
        if w and w not in files and not (project.root / w).exists() \
                and not any(f.startswith(w.rstrip("/") + "/") for f in files):
            raise UsageError(f"{raw}: no such file or directory")
    chosen = []
    for a in repo.artifact_paths():
        for w in wanted:
            if not w or a.path == w or a.path.startswith(w.rstrip("/") + "/"):
                chosen.append(a)
                break
    return chosen


def run(opts: Options) -> Outcome:
    """Validate and return every finding (unfiltered by select/ignore: see :func:`filter_diagnostics`)."""
    with open_project(Path(opts.repo) if opts.repo else opts.cwd) as project:
        if opts.require_root:
            project.require_artifact_root()
        return _run(opts, project)


def _run(opts: Options, project: Project) -> Outcome:
    config = project.config
    snap = project.snapshot(staged=opts.staged, rev=opts.rev)
    repo = project.repo(snap)
    base = project.base(snap)
    try:
        # A whole-tree run's targets follow from the listing, which is in the key: they are
        # classified only when the run is not a replay (20,000 paths).
        chosen = resolve_targets(opts, project, repo) if opts.paths else None
        scope = _source_scope(opts, project, repo)
        replay = _replayed_run(opts, repo, base, chosen, scope)
        if not isinstance(replay, runcache.RunId):
            diagnostics = filter_diagnostics(replay.diagnostics, config, opts.select, opts.ignore)
            paths, sources = replay.targets, replay.sources
        else:
            arts = repo.artifact_paths() if chosen is None else chosen
            recording = runcache.Recording(snap, config.artifact_root)
            repo.snapshot = recording
            loaded = repo.load(a.path for a in arts)
            targets = [Target(a, loaded[a.path]) for a in arts if a.path in loaded]
            diagnostics = check_targets(targets, repo, base, config, opts.select, opts.ignore)
            found, sources = ([], []) if scope == [] else check_sources(
                Sources(repo, base, config, scope), opts.select, opts.ignore)
            diagnostics = sorted([*diagnostics, *found], key=lambda d: d.sort_key)
            paths = [t.path for t in targets]
            runcache.store(repo.cache, replay, [[d.path, *_diag_to_json(d)] for d in diagnostics],
                           paths, sources, recording)
        suppressed: list[Diagnostic] = []
        if opts.suppress:
            from ve_hooks.validation import suppressions

            kept = suppressions.apply(diagnostics, project.root, snap, repo, base)
            diagnostics, suppressed = kept.reported, kept.suppressed
    finally:
        repo.close()
    checked = (*paths, *sources)
    return Outcome(diagnostics, len(checked), repo.parsed + (base.parsed if base else 0), project.cache.hits,
                   snap.label, config, project.artifact_dir, checked, suppressed)


def _source_scope(opts: Options, project: Project, repo: Repo) -> list[str] | None:
    """Where the families' ``check_sources`` look, the files around the artifacts (what the
    commit hooks check, so CI catches what a skipped hook missed): the whole tree (None), the
    given PATHS, or nowhere ([]) when every PATH is an artifact file (the pre-commit case)."""
    if not opts.paths:
        return None
    prefixes = project.paths(opts.paths, opts.cwd)
    return [] if all(art.classify(w, repo.root) is not None for w in prefixes) else list(prefixes)


def check_sources(sources: Sources, select: Sequence[str] = (), ignore: Sequence[str] = ()
                  ) -> tuple[list[Diagnostic], list[str]]:
    """Every enabled family's ``check_sources`` findings (filtered), and the files they read."""
    out: list[Diagnostic] = []
    for fn in _families("check_sources", _enabled(sources.config, select, ignore)):
        out.extend(fn(sources))
    return filter_diagnostics(out, sources.config, select, ignore), sorted(sources.checked)


def check_targets(targets: list[Target], repo: Repo, base: Repo | None, config: Config,
                  select: Sequence[str] = (), ignore: Sequence[str] = (), *,
                  cache_file_findings: bool = True) -> list[Diagnostic]:
    """Every finding for ``targets``: per-file checks, then the whole-repository families, filtered
    and sorted. The language server calls it for the one document being typed (findings of an
    unsaved buffer are not worth caching: ``cache_file_findings=False``)."""
    if cache_file_findings:
        diagnostics = _cached_file_checks(targets, repo)
    else:
        diagnostics = [d for t in targets for d in file_checks(t, repo)]
    ctx = Context(repo, base, config, lambda t: t.generation, targets)
    fns: list[Callable[[Target, Context], Iterable[Diagnostic]]] = _families("check", _enabled(config, select, ignore))
    for t in targets:
        if t.doc is None:
            continue
        for fn in fns:
            diagnostics.extend(fn(t, ctx))
    diagnostics = filter_diagnostics(diagnostics, config, select, ignore)
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics


@dataclass
class _Replay:
    diagnostics: list[Diagnostic]
    targets: list[str]
    sources: list[str]


def _replayed_run(opts: Options, repo: Repo, base: Repo | None, arts: list[art.ArtifactPath] | None,
                  scope: list[str] | None) -> _Replay | runcache.RunId:
    """What an identical earlier run found and checked (see :mod:`ve_hooks.validation.runcache`),
    else where to store this one's. ``arts`` None: every artifact of the listing."""
    listing = repo.files
    for p in [p for p, oid in listing.items() if oid is None]:  # worktree files git cannot vouch for
        repo.oid(p)
    label = repo.snapshot.label
    slot = runcache.run_slot(label=label, select=opts.select, ignore=opts.ignore, scoped=bool(opts.paths))
    key = runcache.run_key(label=label, base_label=base.snapshot.label if base else None,
                           config=repo.config.as_dict(), select=opts.select, ignore=opts.ignore,
                           targets=None if arts is None else [a.path for a in arts], scope=scope,
                           root_listing=listing)
    run = runcache.RunId(slot, key)
    hit = runcache.lookup(repo.cache, run, repo.snapshot)
    if hit is None:
        return run
    try:
        return _Replay([_diag_from_json(str(v[0]), v[1:]) for v in hit.diagnostics], hit.targets, hit.sources)
    except (TypeError, ValueError, IndexError, KeyError):
        return run  # a damaged row is a miss


def _enabled(config: Config, select: Sequence[str], ignore: Sequence[str]) -> Callable[[str], bool]:
    """ruff semantics: a command-line --select replaces the configured one, --ignore adds to it."""
    sel = [c.upper() for c in select] or config.select
    ign = [*config.ignore, *(c.upper() for c in ignore)]
    return registry.select(sel, ign)


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
