"""VE5xx, the lifecycle family: how statuses move and what each status requires.

VE501: a status may only move along its kind's lifecycle.
The status in the snapshot being checked is compared with the same artifact's status in the
base snapshot (HEAD, or the first parent of a commit). Real histories often move several steps
in one commit (FUTURE -> ACTIVE when a chunk is created and finished together), so by default
any move that the state machine can reach is accepted and only impossible moves are flagged:
leaving a terminal state or going backwards. ``strict-transitions`` allows single steps only.

VE502/VE503: an ACTIVE or COMPOSITE chunk owns intent over code, so it must say which code
(``code_references``), as vibe-engineer 0.10.0's ``ve chunk validate`` requires. 0.10.0 removed
``bug_type`` (it still parses it and ignores it): the field exempts nothing any more, and an
ACTIVE fix of known-wrong code (``bug_type: implementation``) is asked to end HISTORICAL.
"""

from __future__ import annotations

from collections.abc import Iterable

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.frontmatter import Doc
from ve_hooks.repo import Slot
from ve_hooks.rules import Context, Target
from ve_hooks.rules.registry import Rule

VE501 = Rule("VE501", "invalid-status-transition", Severity.ERROR,
             'A commit changes status along a transition the lifecycle does not allow')
VE502 = Rule("VE502", "missing-code-references", Severity.ERROR,
             'An ACTIVE or COMPOSITE chunk has no code references')
VE503 = Rule("VE503", "implementation-bug-active", Severity.WARNING,
             'An implementation-bug chunk is ACTIVE instead of HISTORICAL')

# kind -> status -> the statuses it may move to in one step. The single source of truth.
TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "chunk": {
        "FUTURE": ("IMPLEMENTING", "HISTORICAL"),
        "IMPLEMENTING": ("ACTIVE", "COMPOSITE", "HISTORICAL"),
        "ACTIVE": ("SUPERSEDED", "COMPOSITE", "HISTORICAL"),
        "COMPOSITE": ("ACTIVE", "HISTORICAL"),
        "SUPERSEDED": ("HISTORICAL",),
        "HISTORICAL": (),
    },
    "narrative": {
        "DRAFTING": ("ACTIVE",),
        "ACTIVE": ("COMPLETED",),
        "COMPLETED": (),
    },
    "investigation": {
        "ONGOING": ("SOLVED", "NOTED", "DEFERRED"),
        "DEFERRED": ("ONGOING",),
        "SOLVED": (),
        "NOTED": (),
    },
    "subsystem": {
        "DISCOVERING": ("DOCUMENTED", "DEPRECATED"),
        "DOCUMENTED": ("REFACTORING", "DEPRECATED"),
        "REFACTORING": ("STABLE", "DOCUMENTED", "DEPRECATED"),
        "STABLE": ("DEPRECATED", "REFACTORING"),
        "DEPRECATED": (),
    },
}


def reachable(kind: str, old: str) -> set[str]:
    """Every status reachable from ``old`` in one or more steps."""
    table = TRANSITIONS[kind]
    seen: set[str] = set()
    todo = list(table.get(old, ()))
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(table.get(s, ()))
    return seen


def allowed(kind: str, old: str, new: str, *, strict: bool) -> bool:
    """Whether ``old -> new`` is a legal status change (an unchanged status always is)."""
    if old == new:
        return True
    return new in TRANSITIONS[kind].get(old, ()) if strict else new in reachable(kind, old)


def _names(statuses: Iterable[str]) -> str:
    s = list(statuses)
    return ", ".join(s[:-1]) + f" or {s[-1]}" if len(s) > 1 else (s[0] if s else "")


# Few targets (a commit): read each one's base document. Many (a whole repository): the base's
# whole-kind table once, which is one cache row.
_FEW_TARGETS = 64


# kind -> name -> status in the base snapshot (a base is immutable: it serves every run over it).
BASE_STATUS: Slot[dict[str, dict[str, object]]] = Slot(f"{__name__}.base-status")


def base_status(ctx: Context, kind: str, name: str) -> str | None:
    """The status of artifact ``name`` in the base snapshot; None when it was not a main document
    there (new, or only an external pointer) or had no string status."""
    if ctx.base is None:
        return None
    before = ctx.base.names(kind).get(name)
    if before is None or before.role != "main":
        return None
    per_kind = ctx.base.slot(BASE_STATUS, dict)
    if kind not in per_kind:
        if len(ctx.targets) <= _FEW_TARGETS:
            doc = ctx.base.doc(kind, name)
            status = doc.data.get("status") if isinstance(doc, Doc) else None
            return status if isinstance(status, str) else None
        per_kind[kind] = {n: f.status for n, f in ctx.base.facts(kind).items()}
    status = per_kind[kind].get(name)
    return status if isinstance(status, str) else None


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE501-VE503 for one main document."""
    return [*_transition(target, ctx), *_completion(target, ctx)]


def _transition(target: Target, ctx: Context) -> list[Diagnostic]:
    """VE501 for one main document that existed in the base snapshot (under this name or renamed)."""
    kind = target.art.kind
    if target.art.role != "main" or target.doc is None or kind not in TRANSITIONS or ctx.base is None:
        return []
    new = target.data.get("status")
    table = TRANSITIONS[kind]
    if not isinstance(new, str) or new not in table:
        return []  # unknown statuses are the schema rule's business
    before = ctx.base_name(target.art)  # a renamed artifact continues its old self's lifecycle
    old_status = base_status(ctx, kind, before) if before else None  # None: new, so no transition
    if old_status is None or old_status not in table or old_status == new:
        return []
    strict = ctx.config.strict_transitions
    if allowed(kind, old_status, new, strict=strict):
        return []
    nxt = table[old_status]
    if not nxt:
        message = f"status changed from {old_status} to {new}, but {old_status} is a terminal {kind} status"
        hint = f"a {kind} never leaves {old_status}; create a new {kind} for new work"
    elif strict and new in reachable(kind, old_status):
        message = (f"status changed from {old_status} to {new} in one step; strict-transitions allows only "
                   f"{_names(nxt)} next")
        hint = f"move through {_names(nxt)} first, or set strict-transitions = false"
    else:
        message = f"status changed from {old_status} to {new}, which the {kind} lifecycle does not allow"
        hint = f"from {old_status} a {kind} may move to {_names(nxt)}"
    return [ctx.diag("VE501", target, ("status",), message, hint,
                     data={"from": old_status, "to": new, "allowed": list(nxt)})]


def _completion(target: Target, ctx: Context) -> list[Diagnostic]:
    """VE502/VE503 for one chunk GOAL.md."""
    if target.art.kind != "chunk" or target.art.role != "main" or target.doc is None:
        return []
    data = target.data
    status = data.get("status")
    if status not in ("ACTIVE", "COMPOSITE"):
        return []
    bug = data.get("bug_type")
    out: list[Diagnostic] = []
    refs = data.get("code_references")
    # vibe-engineer 0.10.0 removed bug_type: its `ve chunk validate` wants code_references on
    # every chunk that owns intent (ACTIVE, COMPOSITE), a fix of known-wrong code included.
    if not refs:
        completing = base_status(ctx, "chunk", target.art.name) == "IMPLEMENTING"
        why = ("a semantic bug fix adds to the understanding of the code" if bug == "semantic"
               else f"an {status} chunk describes code that exists")
        message = ("chunk is being completed without code_references" if completing
                   else f"{status} chunk has no code_references") + f": {why}"
        out.append(ctx.diag(
            "VE502", target, ("code_references",) if "code_references" in data else ("status",), message,
            "list the code it governs (- ref: path/to/file.py#Symbol, implements: ...); "
            "a point-in-time fix that owns no intent ends HISTORICAL"))
    if bug == "implementation" and status == "ACTIVE":
        out.append(ctx.diag(
            "VE503", target, ("status",),
            "an implementation bug fix is ACTIVE; such fixes are point-in-time corrections",
            "set status: HISTORICAL once the fix is merged (or bug_type: semantic if it changed "
            "the understanding of intended behaviour)"))
    return out
