"""created_after ordering, as pure functions: tips, cycles and the DAG of one kind.

No I/O here: callers hand in ``{name: Facts}`` (see :meth:`ve_hooks.repo.Repo.facts`) and a
tip-eligibility predicate, so the same code answers ``ve tips``, the VE6xx rules, ``fill``,
the history backfill and the property tests. The contract is ``docs/created_after.md``.

A reference matches an artifact when both names are equal after dropping a legacy ``NNNN-``
prefix (:func:`key`): directories were renamed ``0001-foo`` -> ``foo`` and old references
must keep meaning the same artifact.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ve_hooks.documents.artifacts import bare_name, normalize_ref


class HasFacts(Protocol):
    status: Any
    created_after: Any


Eligible = Callable[[Any], bool]
"""status -> is an artifact with that status tip-eligible?"""


def key(name: str) -> str:
    """The identity a reference is matched on: the name without a legacy numeric prefix."""
    return bare_name(name) if name[:1].isdigit() else name  # only digits start a legacy prefix


def refs(value: Any, kind: str = "chunk") -> list[str]:
    """The names a created_after value lists, normalised, in order, duplicates kept.

    Anything that is not a string (a schema error, reported elsewhere) is ignored, and a lone
    string counts as a one-element list so a hand-written ``created_after: foo`` still orders.
    """
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    try:  # nearly every list: plain names, already normal (one C-level check for the whole list)
        if _PLAIN_NAMES.fullmatch("\n".join(value)):
            return list(value)
    except TypeError:
        pass  # a non-string item: the item by item path below skips it
    out = []
    for v in value:
        if not isinstance(v, str):
            continue
        if "/" in v or v != v.strip():  # plain names (nearly all) are already normal
            v = normalize_ref(v, kind)
        if v:
            out.append(v)
    return out


# Names with no slash, no surrounding space and not empty: what normalize_ref leaves alone.
_PLAIN_NAMES = re.compile(r"[^\s/](?:[^\n/]*[^\s/])?(?:\n[^\s/](?:[^\n/]*[^\s/])?)*")


def statuses_predicate(statuses: Iterable[str]) -> Eligible:
    """Eligibility from a status list; an empty list means every status is eligible."""
    allowed = frozenset(statuses)
    # A status of the wrong type (a list, a mapping) is never eligible, and never unhashable here.
    return lambda status: not allowed or (isinstance(status, str) and status in allowed)


def tips(facts: Mapping[str, HasFacts], eligible: Eligible, kind: str = "chunk",
         exclude: Iterable[str] = ()) -> list[str]:
    """Sorted tip-eligible names that no tip-eligible artifact names in its created_after."""
    named: set[str] = set()
    for f in facts.values():
        if eligible(f.status):
            named.update(map(key, refs(f.created_after, kind)))
    skip = set(exclude)
    return sorted(n for n, f in facts.items()
                  if n not in skip and eligible(f.status) and key(n) not in named)


def resolver(names: Iterable[str]) -> Callable[[str], str | None]:
    """A function mapping a reference to the existing name it designates (exact name first)."""
    exact = set(names)
    by_key: dict[str, str] = {}
    for n in sorted(exact):
        by_key.setdefault(key(n), n)

    def resolve(ref: str) -> str | None:
        if ref in exact:
            return ref
        return by_key.get(key(ref))

    return resolve


def edges(facts: Mapping[str, HasFacts], kind: str = "chunk") -> dict[str, list[str]]:
    """name -> the existing names its created_after designates (dangling references dropped)."""
    resolve = resolver(facts)
    out: dict[str, list[str]] = {}
    for n, f in facts.items():
        targets = []
        for r in refs(f.created_after, kind):
            t = resolve(r)
            if t is not None and t not in targets:
                targets.append(t)
        out[n] = targets
    return out


def cycle_through(graph: Mapping[str, Iterable[str]], start: str) -> list[str] | None:
    """The shortest cycle through ``start`` as a path ``[start, ..., start]``, or None.

    Breadth-first from ``start``: linear in the graph, and only cycles the target takes part
    in are reported, so one bad edge elsewhere is not blamed on every artifact.
    """
    prev: dict[str, str] = {}
    queue: deque[str] = deque()
    for nxt in graph.get(start, ()):
        if nxt == start:
            return [start, start]
        if nxt not in prev:
            prev[nxt] = start
            queue.append(nxt)
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                path.reverse()
                return [*path, start]
            if nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    return None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Any cycle of the graph as ``[a, b, ..., a]`` (iterative DFS, no recursion limit)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in sorted(graph):
        if state.get(root):
            continue
        stack: list[tuple[str, Any]] = [(root, iter(graph.get(root, ())))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            for nxt in it:
                s = state.get(nxt)
                if s == 1:
                    return [*path[path.index(nxt):], nxt]
                if s is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(graph.get(nxt, ()))))
                    path.append(nxt)
                    break
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


@dataclass
class Dag:
    """The created_after graph of one kind, ready to draw: edges point child -> parent."""

    nodes: dict[str, Any] = field(default_factory=dict)  # name -> status
    edges: list[tuple[str, str]] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    dangling: list[tuple[str, str]] = field(default_factory=list)  # (name, unresolved reference)


def dag(facts: Mapping[str, HasFacts], eligible: Eligible, kind: str = "chunk") -> Dag:
    """Nodes with statuses, resolved edges, tips, and references that name nothing."""
    resolve = resolver(facts)
    out = Dag(tips=tips(facts, eligible, kind))
    for n in sorted(facts):
        f = facts[n]
        out.nodes[n] = f.status
        seen: set[str] = set()
        for r in refs(f.created_after, kind):
            t = resolve(r)
            if t is None:
                out.dangling.append((n, r))
            elif t not in seen:
                seen.add(t)
                out.edges.append((n, t))
    return out
