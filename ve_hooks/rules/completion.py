"""VE502, VE503, VE303: what a chunk must carry once it is being or has been implemented.

An ACTIVE chunk asserts ongoing understanding of code, so it must say which code
(``code_references``); fixes of known-wrong code (``bug_type: implementation``) are exempt
and are expected to end HISTORICAL instead. A chunk under way should have a real plan, not
the untouched PLAN.md template that ``ve chunk create`` writes.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.artifacts import artifact_dir
from ve_hooks.rules import Context, Target

if TYPE_CHECKING:
    from ve_hooks.repo import Repo
from ve_hooks.rules.lifecycle import base_status

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def plan_is_template(text: str) -> bool:
    """True when a PLAN.md holds nothing but headings, HTML comments, rules and blank lines."""
    text = _FENCE.sub("", text.lstrip("\ufeff"), count=1)
    for line in _COMMENT.sub("", text).splitlines():
        s = line.strip()
        if s and not s.startswith("#") and s.strip("-*_ ") != "":
            return False
    return True


def _plan_path(repo: Repo, name: str) -> str:
    return f"{artifact_dir('chunk', name, repo.root)}/PLAN.md"


_plan_memo: weakref.WeakKeyDictionary[Repo, dict[str, bool]] = weakref.WeakKeyDictionary()


def _plans(ctx: Context, plan: str) -> dict[str, bool]:
    """Whether each target chunk's PLAN.md is still the template: one batch, cached by blob id."""
    memo = _plan_memo.setdefault(ctx.repo, {})
    if plan not in memo:
        paths = {_plan_path(ctx.repo, t.art.name) for t in ctx.targets
                 if t.art.kind == "chunk" and t.art.role == "main"} | {plan}
        memo.update(ctx.repo.derived("plan-template", paths - set(memo),
                                     lambda raw: plan_is_template(raw.decode("utf-8", "replace"))))
    return memo


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE502/VE503/VE303 for one chunk GOAL.md."""
    if target.art.kind != "chunk" or target.art.role != "main" or target.doc is None:
        return []
    data = target.data
    status = data.get("status")
    bug = data.get("bug_type")
    out: list[Diagnostic] = []
    if status == "ACTIVE":
        refs = data.get("code_references")
        if not refs and bug != "implementation":
            completing = base_status(ctx, "chunk", target.art.name) == "IMPLEMENTING"
            why = ("a semantic bug fix adds to the understanding of the code" if bug == "semantic"
                   else "an ACTIVE chunk describes code that exists")
            message = ("chunk is being completed without code_references" if completing
                       else "ACTIVE chunk has no code_references") + f": {why}"
            out.append(ctx.diag(
                "VE502", target, ("code_references",) if "code_references" in data else ("status",), message,
                "list the code it governs (- ref: path/to/file.py#Symbol, implements: ...); "
                "a fix of known-wrong code can set bug_type: implementation instead"))
        if bug == "implementation":
            out.append(ctx.diag(
                "VE503", target, ("status",),
                "an implementation bug fix is ACTIVE; such fixes are point-in-time corrections",
                "set status: HISTORICAL once the fix is merged (or bug_type: semantic if it changed "
                "the understanding of intended behaviour)", Severity.WARNING))
    if status in ("IMPLEMENTING", "ACTIVE"):
        plan = _plan_path(ctx.repo, target.art.name)
        if plan in ctx.repo.files and _plans(ctx, plan).get(plan):
                out.append(ctx.diag(
                    "VE303", target, ("status",),
                    f"chunk is {status} but {plan} is still the empty template (headings and comments only)",
                    "write the approach and sequence into PLAN.md (the comments say what goes where)",
                    Severity.WARNING, data={"plan": plan}))
    return out
