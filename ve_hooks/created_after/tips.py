"""Tips of a kind in an opened snapshot: the one place rules and commands compute them.

Kept apart from the ``ve tips`` command so that rules running inside a commit hook do not
import click.
"""

from __future__ import annotations

from ve_hooks.created_after import graph as order
from ve_hooks.repo import Facts, Repo


def kind_facts(repo: Repo, kind: str) -> dict[str, Facts]:
    """``Repo.facts`` with external references counted as ACTIVE (they point at shipped work)."""
    facts = repo.facts(kind)
    names = repo.names(kind)
    return {n: (Facts("ACTIVE", f.created_after) if names[n].role == "external" else f)
            for n, f in facts.items()}


def tips_in(repo: Repo, kind: str, exclude: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The sorted tips of ``kind`` in an already opened snapshot."""
    return order.tips(kind_facts(repo, kind), lambda s: repo.config.tip_eligible(kind, s), kind, exclude)
