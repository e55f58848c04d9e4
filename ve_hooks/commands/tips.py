"""``ve tips``: the artifacts a new artifact of a kind should be created after, at any snapshot.

Reads one listing plus the compact facts cache (``Repo.facts``), so it costs a ``ls-tree`` and,
cold, one ``cat-file --batch`` -- never a process per artifact.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ve_hooks.created_after.tips import kind_facts, tips_in  # noqa: F401  (re-exported: the command's API)
from ve_hooks.documents.artifacts import KINDS
from ve_hooks.project import Location, locate, open_location
from ve_hooks.sanitize import echo


def tips(loc: Location, kind: str = "chunk", *, rev: str | None = None, staged: bool = False) -> list[str]:
    """The tips of ``kind`` in the worktree, the index (``staged``) or commit ``rev``."""
    return tips_at(loc, kind, rev=rev, staged=staged)[1]


def tips_at(loc: Location, kind: str = "chunk", *, rev: str | None = None, staged: bool = False
            ) -> tuple[str, list[str]]:
    """(snapshot label -- full sha, STAGED or WORKTREE -- , tips)."""
    with open_location(loc) as project:
        snap = project.snapshot(staged=staged, rev=rev)
        return snap.label, tips_in(project.repo(snap), kind)


@click.command("tips")
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project directory (default: the nearest one above the working directory).")
@click.option("--rev", default=None, help="Read this commit instead of the worktree.")
@click.option("--staged", is_flag=True, help="Read the index instead of the worktree.")
@click.option("--kind", type=click.Choice(KINDS), default="chunk", show_default=True,
              help="Which artifacts' tips to print.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one name per line; json: the revision, kind and tips.")
def command(repo_dir: Path | None, rev: str | None, staged: bool, kind: str, fmt: str) -> int:
    """Print the tips of KIND: what a new artifact's created_after should list.

    \b
    Examples:
      ve tips                      tips in the worktree
      ve tips --rev HEAD~3 --format json
    """
    from ve_hooks.commands import require_repository

    loc = locate(repo_dir)
    require_repository(loc, "ve tips", "reads the artifacts of a git snapshot")
    label, names = tips_at(loc, kind, rev=rev, staged=staged)
    if fmt == "json":
        click.echo(json.dumps({"rev": label, "kind": kind, "tips": names}))
    else:
        for n in names:
            echo(n)
    return 0
