"""``ve tips``: the artifacts a new artifact of a kind should be created after, at any snapshot.

Reads one listing plus the compact facts cache (``Repo.facts``), so it costs a ``ls-tree`` and,
cold, one ``cat-file --batch`` -- never a process per artifact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ve_hooks import config as config_mod
from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.created_after.tips import kind_facts, tips_in  # noqa: F401  (re-exported: the command's API)
from ve_hooks.diagnostic import UsageError
from ve_hooks.documents.artifacts import KINDS
from ve_hooks.repo import Location, Repo, locate, snapshot_for


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn our usage and git errors into click's, so ``ve`` prints one line and exits 2."""
    try:
        yield
    except UsageError as e:
        raise click.UsageError(str(e)) from None
    except git.GitError as e:
        raise click.ClickException(str(e)) from None


def open_cache(loc: Location) -> Cache:
    return Cache.for_git_dir(loc.info.common_dir if loc.info else None)


def tips(loc: Location, kind: str = "chunk", *, rev: str | None = None, staged: bool = False) -> list[str]:
    """The tips of ``kind`` in the worktree, the index (``staged``) or commit ``rev``."""
    return tips_at(loc, kind, rev=rev, staged=staged)[1]


def tips_at(loc: Location, kind: str = "chunk", *, rev: str | None = None, staged: bool = False
            ) -> tuple[str, list[str]]:
    """(snapshot label -- full sha, STAGED or WORKTREE -- , tips)."""
    snap = snapshot_for(loc, staged=staged, rev=rev)
    cache = open_cache(loc)
    try:
        repo = Repo(snap, config_mod.load(loc.root), cache)
        return snap.label, tips_in(repo, kind)
    finally:
        cache.close()


@click.command("tips")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Repository (default: the current directory).")
@click.option("--rev", default=None, help="Read this commit instead of the worktree.")
@click.option("--staged", is_flag=True, help="Read the index instead of the worktree.")
@click.option("--kind", type=click.Choice(KINDS), default="chunk", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(repo_dir: Path | None, rev: str | None, staged: bool, kind: str, fmt: str) -> int:
    """Print the tips of KIND: what a new artifact's created_after should list.

    \b
    Examples:
      ve tips                      tips in the worktree
      ve tips --rev HEAD~3 --format json
    """
    with user_errors():
        loc = locate(repo_dir)
        label, names = tips_at(loc, kind, rev=rev, staged=staged)
    if fmt == "json":
        click.echo(json.dumps({"rev": label, "kind": kind, "tips": names}))
    else:
        for n in names:
            click.echo(n)
    return 0
