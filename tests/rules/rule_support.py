"""Run one rule family over a real repository the way the engine does: one context, all targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from support.repo_factory import GitRepo

from ve_hooks import config as config_mod
from ve_hooks.cache import Cache
from ve_hooks.diagnostic import Diagnostic
from ve_hooks.project import locate, parent_snapshot, snapshot_for
from ve_hooks.repo import Repo
from ve_hooks.rules import Context, Sources, Target

RuleFn = Callable[[Target, Context], Iterable[Diagnostic]]


def rule_context(r: GitRepo, *, staged: bool = False, rev: str | None = None, cache: Cache | None = None,
                 **config: Any) -> Context:
    """The snapshot asked for (worktree by default) against its base, with config overrides
    given as attribute names (``strict_transitions=True``); every artifact is a target."""
    loc = locate(r.path)
    cfg = config_mod.load(loc.root)
    for key, value in config.items():
        setattr(cfg, key, value)
    snap = snapshot_for(loc, staged=staged, rev=rev)
    cache = cache or Cache(None)
    ctx = Context(Repo(snap, cfg, cache), Repo(parent_snapshot(loc, snap), cfg, cache), cfg)
    arts = ctx.repo.artifact_paths()
    loaded = ctx.repo.load(a.path for a in arts)
    ctx.targets = [Target(a, loaded[a.path]) for a in arts if a.path in loaded]
    return ctx


def run_rule(check: RuleFn, r: GitRepo, **kw: Any) -> list[Diagnostic]:
    """Every finding of ``check`` over all artifacts, sorted by place."""
    ctx = rule_context(r, **kw)
    return sorted((d for t in ctx.targets for d in check(t, ctx)), key=lambda d: d.sort_key)


def sources(ctx: Context) -> Sources:
    """The files around the artifacts of ``ctx``'s snapshot, for ``check_sources`` and ``scan``."""
    return Sources(ctx.repo, ctx.base, ctx.config)
