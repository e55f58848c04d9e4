"""Tips of a kind in an opened snapshot: the one place rules and commands compute them.

Kept apart from the ``ve tips`` command so that rules running inside a commit hook do not
import click.
"""

from __future__ import annotations

from ve_hooks.created_after import graph as order
from ve_hooks.created_after import identity
from ve_hooks.repo import Facts, Repo


def kind_facts(repo: Repo, kind: str) -> dict[str, Facts]:
    """``Repo.facts`` with each status as the graph counts it (:func:`identity.counted_status`)."""
    facts = repo.facts(kind)
    names = repo.names(kind)
    return {n: identity.counted_status(names[n].role, f) for n, f in facts.items()}


def tips_in(repo: Repo, kind: str, exclude: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The sorted tips of ``kind`` in an already opened snapshot."""
    return order.tips(kind_facts(repo, kind), lambda s: repo.config.tip_eligible(kind, s), kind, exclude)


# Bump when the graph resolution or the cycle search changes: cached answers are keyed by it.
GRAPH_VERSION = "1"


def has_cycle(repo: Repo, kind: str, edges: dict[str, list[str]]) -> bool:
    """Whether ``edges``, the created_after graph of ``kind`` in ``repo``, has any cycle at all.

    The answer depends only on the kind's facts, so it is cached under the kind digest (names and
    blob ids): a warm run skips the depth-first search over 10,000 lists.
    """
    key = f"{repo.kind_digest(kind)}:{GRAPH_VERSION}"
    hit = repo.cache.get_many("kindcycle", [key]).get(key)
    if isinstance(hit, bool):
        return hit
    cyclic = order.find_cycle(edges) is not None
    repo.cache.put("kindcycle", key, cyclic)
    return cyclic
