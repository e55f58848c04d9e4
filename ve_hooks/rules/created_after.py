"""VE601-VE606: created_after must describe causal order -- the tips that existed, once each.

Whole-kind answers (facts, the cycle check, the base tips) are computed once per snapshot and
kind and shared by every target, so validating 10,000 chunks stays linear. Names that resolve
to nothing are VE401's business (references rule) and are skipped here.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ve_hooks.created_after import graph as order
from ve_hooks.created_after.identity import counted_status
from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import fixes
from ve_hooks.documents.artifacts import KINDS
from ve_hooks.repo import Change, Facts, Slot
from ve_hooks.rules import Context, Target, quote
from ve_hooks.rules.registry import Rule

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

VE601 = Rule("VE601", "created-after-future", Severity.ERROR,
             '`created_after` names a FUTURE chunk')
VE602 = Rule("VE602", "created-after-self", Severity.ERROR,
             '`created_after` names the artifact itself')
VE603 = Rule("VE603", "created-after-cycle", Severity.ERROR,
             '`created_after` edges form a cycle')
VE604 = Rule("VE604", "created-after-duplicate", Severity.ERROR,
             '`created_after` lists the same name twice')
VE605 = Rule("VE605", "created-after-not-tips", Severity.WARNING,
             "A new artifact's `created_after` differs from the tips at its creation")
VE606 = Rule("VE606", "created-after-empty", Severity.WARNING,
             'A new artifact has an empty `created_after`', fix_command='ve created-after fill')


def _carry(old: Repo, new: Repo, answers: dict[tuple[str, str], Any], change: Change
           ) -> dict[tuple[str, str], Any] | None:
    """The whole-kind answers of ``old`` patched for ``new`` (a Repo derived edit by edit).

    Rebuilding the created_after graph of 10,000 chunks costs about a second: the language
    server would pay it on every keystroke. When the listing is unchanged, name-based answers
    (the resolver) still hold; the graph changes only in the out-edges of artifacts whose facts
    moved, and a new cycle can only pass through one of them. The language server's parity
    tests compare the result with ve-validate's.
    """
    if change.listing_changed:
        return None
    out = {(what, kind): v for (what, kind), v in answers.items() if what == "resolver" or kind not in change.moved}
    for kind, names in change.moved.items():
        old_facts = answers.get(("facts", kind))
        if isinstance(old_facts, dict):
            patched = dict(old_facts)
            roles = new.names(kind)
            for name, f in names.items():  # as kind_facts
                patched[name] = counted_status(roles[name].role, f)
            out[("facts", kind)] = patched
        resolve = answers.get(("resolver", kind))
        graph = answers.get(("graph", kind))
        if resolve is None or not isinstance(graph, tuple):
            continue
        edges, cyclic = dict(graph[0]), graph[1]
        reverse = answers.get(("reverse", kind)) or _reverse_edges(graph[0])
        added: dict[str, list[str]] = {}
        for name, f in names.items():
            targets: list[str] = []
            for r in order.refs(f.created_after, kind):
                t = resolve(r)
                if t is not None and t not in targets:
                    targets.append(t)
            before = set(edges.get(name, ()))
            added[name] = [t for t in targets if t not in before]
            reverse = _rewire(reverse, name, before, targets)
            edges[name] = targets
        if cyclic:  # the old cycle may be gone: only a full search can tell
            cyclic = order.find_cycle(edges) is not None
        else:  # a new cycle needs a new edge name -> t where t already reaches name
            cyclic = any(t == name or t in _reaching(reverse, name) for name, ts in added.items() for t in ts)
        out[("graph", kind)] = (edges, cyclic)
        out[("reverse", kind)] = reverse
    return out


# (what, kind) -> answer, what being facts, graph, tips, resolver or reverse (the reverse edges,
# made only for a Repo that will be derived from: see :func:`warm`).
ANSWERS: Slot[dict[tuple[str, str], Any]] = Slot(__name__, _carry)


def _memo(repo: Repo, what: str, kind: str, compute: Any) -> Any:
    """Computed once per snapshot and run: the facts, graph and tips of a kind."""
    answers = repo.slot(ANSWERS, dict)
    if (what, kind) not in answers:
        answers[(what, kind)] = compute()
    return answers[(what, kind)]


def warm(repo: Repo) -> None:
    """Everything a derived Repo will patch rather than build, for every kind: the graph, the
    resolver and the reverse edges (the language server calls it once, when it opens)."""
    for kind in KINDS:
        edges, _ = _graph(repo, kind)
        facts = _facts(repo, kind)
        _memo(repo, "resolver", kind, lambda facts=facts: order.resolver(facts))
        _memo(repo, "reverse", kind, lambda edges=edges: _reverse_edges(edges))


def _reverse_edges(edges: dict[str, list[str]]) -> dict[str, set[str]]:
    """name -> the names whose created_after designates it."""
    rev: dict[str, set[str]] = {}
    for n, targets in edges.items():
        for t in targets:
            rev.setdefault(t, set()).add(n)
    return rev


def _rewire(rev: dict[str, set[str]], name: str, before: set[str], after: list[str]) -> dict[str, set[str]]:
    """``rev`` with ``name``'s out-edges changed from ``before`` to ``after`` (copy on write)."""
    out = dict(rev)
    for t in before - set(after):
        out[t] = out.get(t, set()) - {name}
    for t in set(after) - before:
        out[t] = out.get(t, set()) | {name}
    return out


def _reaching(rev: dict[str, set[str]], name: str) -> set[str]:
    """Every artifact whose created_after chain reaches ``name``: few for the new work one edits."""
    seen: set[str] = set()
    stack = [name]
    while stack:
        for n in rev.get(stack.pop(), ()):
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return seen


def _facts(repo: Repo, kind: str) -> dict[str, Facts]:
    from ve_hooks.created_after.tips import kind_facts

    return _memo(repo, "facts", kind, lambda: kind_facts(repo, kind))


def _graph(repo: Repo, kind: str) -> tuple[dict[str, list[str]], bool]:
    """Resolved edges of the kind and whether the graph has any cycle at all.

    The cycle answer is cached under the kind digest (the search is skipped on a warm run); the
    edges are always built, since the language server patches them edit by edit.
    """
    def compute() -> tuple[dict[str, list[str]], bool]:
        from ve_hooks.created_after.tips import has_cycle

        edges = order.edges(_facts(repo, kind), kind)
        return edges, has_cycle(repo, kind, edges)

    return _memo(repo, "graph", kind, compute)


def _tips(repo: Repo, kind: str) -> list[str]:
    from ve_hooks.created_after.tips import tips_in

    return _memo(repo, "tips", kind, lambda: tips_in(repo, kind))


def _short(label: str) -> str:
    return label[:12] if len(label) == 40 else label


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE601-VE606 for one main document."""
    a = target.art
    if a.role != "main" or target.doc is None or a.kind not in KINDS:
        return []
    kind, name = a.kind, a.name
    raw = target.data.get("created_after")
    items = [(i, order.refs(v, kind)[0]) for i, v in enumerate(raw)
             if isinstance(v, str) and v.strip()] if isinstance(raw, list) else []
    out: list[Diagnostic] = []
    facts = _facts(ctx.repo, kind)
    resolve = _memo(ctx.repo, "resolver", kind, lambda: order.resolver(facts))  # once per kind, not per target
    seen: dict[str, int] = {}
    for i, ref in items:
        where = ("created_after", i)
        k = order.key(ref)
        if k in seen:
            out.append(ctx.diag("VE604", target, where,
                                f"created_after lists {quote(ref)} twice (first at item {seen[k] + 1})",
                                "delete the repeated entry; check the merge did not drop another"))
            continue
        seen[k] = i
        if ref == name or resolve(ref) == name:
            out.append(ctx.diag("VE602", target, where, f"created_after names the {kind} itself ({quote(ref)})",
                                "remove it: an artifact is created after others, never after itself"))
            continue
        t = resolve(ref)
        if t is not None and facts[t].status == "FUTURE":
            out.append(ctx.diag(
                "VE601", target, where, f"created_after names {quote(t)}, a FUTURE {kind}",
                "FUTURE work is never a tip; name the ACTIVE tips (`ve tips`) and put design "
                "dependencies in depends_on"))
    if items:
        graph, cyclic = _graph(ctx.repo, kind)
        if cyclic and name in graph:
            cycle = order.cycle_through(graph, name)
            if cycle and len(cycle) > 2:
                nxt = cycle[1]
                idx = next((i for i, r in items if resolve(r) == nxt), None)
                out.append(ctx.diag(
                    "VE603", target, ("created_after", idx) if idx is not None else ("created_after",),
                    "created_after forms a cycle: " + " -> ".join(cycle),
                    "an artifact can only be created after things that existed before it; remove one edge",
                    data={"cycle": cycle}))
    out.extend(_against_base(target, ctx, kind, name, [r for _, r in items], resolve))
    return out


def _fill_adds_errors(target: Target, ctx: Context, tips: list[str]) -> bool:
    """Would filling make the document worse (a v1 chunk given created_after becomes a v3 one)?
    Then there is nothing to propose: ``ve created-after fill`` leaves it untouched too."""
    if "created_after" in target.data or target.art.kind != "chunk":
        return False
    from ve_hooks.documents import writer
    from ve_hooks.rules.schema import added_errors

    raw = ctx.repo.raw(target.path)
    out = writer.set_list_field(raw, "created_after", tips) if raw is not None else None
    return out is not None and bool(added_errors(target.art.schema_kind, target.path, raw, out))


def _against_base(target: Target, ctx: Context, kind: str, name: str, refs: list[str],
                  resolve: Any) -> Iterable[Diagnostic]:
    """VE605/VE606: a new artifact should be created after the tips of the base snapshot."""
    if ctx.base is None or not ctx.is_new(target.art):
        return []
    tips = [t for t in _tips(ctx.base, kind) if t != name]
    base = _short(ctx.base.snapshot.label)
    if not refs:
        if not tips or _fill_adds_errors(target, ctx, tips):
            return []
        sh = shlex.quote
        return [ctx.diag(
            "VE606", target, ("created_after",),
            f"new {kind} has an empty created_after; the tips at {base} are {', '.join(tips)}",
            f"run `ve created-after fill {sh(target.path)}`",
            data={"tips": tips}, fix=fixes.fill_list("created_after", tips, "Fill created_after with the tips"))]
    if not ctx.base.names(kind):
        return []  # the first artifacts of a kind (an import, a bootstrap): nothing to follow yet
    tip_keys = {order.key(t): t for t in tips}
    ref_keys = {order.key(r): r for r in refs}
    # A name that resolves to nothing is VE401's; it is not repeated here.
    added = [r for k, r in ref_keys.items() if k not in tip_keys and resolve(r) is not None]
    dropped = [t for k, t in tip_keys.items() if k not in ref_keys]
    if not added and not dropped:
        return []
    parts = []
    if added:
        parts.append("names " + ", ".join(quote(r) for r in added) + " (not a tip)")
    if dropped:
        parts.append("leaves out the tip" + ("s " if len(dropped) > 1 else " ")
                     + ", ".join(quote(t) for t in dropped))
    return [ctx.diag(
        "VE605", target, ("created_after",),
        f"created_after differs from the tips at {base}: " + "; ".join(parts),
        f"refresh it with `ve created-after fill --refresh {shlex.quote(target.path)}`, or edit the list to the tips "
        f"({', '.join(tips) or 'none'})", data={"added": added, "dropped": dropped, "tips": tips})]
