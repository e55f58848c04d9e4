"""What ``ve orch`` knows about Claude Code: its arguments, the defer hook, and its result line.

**The agent stops when it asks.** For runs started with Claude Code's arguments, a PreToolUse hook
(``ve orch defer-hook``) answers ``defer`` for AskOperator: the headless run ends at once with
``stop_reason: "tool_deferred"`` and the pending call in the result's ``deferred_tool_use``, so
the model gets no further turn to go on with a guess. The question is recorded from that call.
``claude --resume SESSION`` (no prompt) later runs the very same call: the hook now allows it,
because the question has an answer, and the AskOperator tool returns that answer.

**A run can do the work.** Headless Claude Code refuses every tool that needs a permission prompt
(a refused Write only shows up in the result's ``permission_denials``), so runs get a permission
mode that lets the agent edit files in the repository (``acceptEdits`` by default; see
:data:`PERMISSION_MODES`), configured in ``[tool.ve-hooks.orch]``.

**It says when it could not.** :func:`outcome` reads the result line: denials, ``is_error``,
``subtype`` (``error_max_turns``, ...), ``stop_reason``; a run with any of them is not DONE.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.protocol import ALLOWED_TOOL, answer_message, stop_message
from ve_hooks.orch.store import Store

# Permission modes of `claude --permission-mode`, and why one would pick them for unattended runs.
PERMISSION_MODES = {
    "acceptEdits": "file edits in the working directory are allowed; shell commands and the network "
                   "still need allowed-tools (the default: the agent can do the work, nothing else)",
    "default": "every tool that needs a prompt is refused in headless runs (a run edits nothing)",
    "plan": "read-only planning; nothing is changed",
    "bypassPermissions": "every tool runs unasked; only inside a disposable sandbox",
    "dontAsk": "tools not pre-approved by allowed-tools are refused without asking",
    "auto": "a classifier approves or refuses each tool call",
}
DEFAULT_PERMISSION_MODE = "acceptEdits"
# The agents `ve orch run --agent` knows (Claude Code here; Codex CLI and Gemini CLI in their modules).
AGENTS = ("claude", "codex", "gemini")

HOOK_COMMAND = "defer-hook"


@dataclass(frozen=True)
class ClaudeSettings:
    """``[tool.ve-hooks.orch]``: which agent ``ve orch run``/``resume`` start, and how."""

    permission_mode: str = DEFAULT_PERMISSION_MODE
    allowed_tools: tuple[str, ...] = ()
    max_turns: int | None = None
    defer: bool = True
    agent: str = "claude"

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str) -> ClaudeSettings:
        known = {"permission-mode", "allowed-tools", "max-turns", "defer", "agent"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r} in orch (known: {', '.join(sorted(known))})")
        mode = table.get("permission-mode", DEFAULT_PERMISSION_MODE)
        if mode not in PERMISSION_MODES:
            raise ValueError(f"{where}: orch.permission-mode must be one of {', '.join(PERMISSION_MODES)}")
        tools = table.get("allowed-tools", [])
        if isinstance(tools, str):
            tools = [tools]
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise ValueError(f"{where}: orch.allowed-tools must be a list of strings")
        turns = table.get("max-turns")
        if turns is not None and (not isinstance(turns, int) or isinstance(turns, bool) or turns < 1):
            raise ValueError(f"{where}: orch.max-turns must be a positive integer")
        defer = table.get("defer", True)
        if not isinstance(defer, bool):
            raise ValueError(f"{where}: orch.defer must be true or false")
        agent = table.get("agent", "claude")
        if agent not in AGENTS:
            raise ValueError(f"{where}: orch.agent must be one of {', '.join(AGENTS)}")
        return cls(mode, tuple(tools), turns, defer, agent)


def hook_settings(server_cmd: list[str], repo: Path, ref: str, unit: str) -> dict[str, Any]:
    """Settings JSON (for ``claude --settings``) with the PreToolUse hook that defers AskOperator."""
    argv = [*server_cmd, "orch", "--repo", str(repo), "--ref", ref, HOOK_COMMAND, "--unit", unit]
    return {"hooks": {"PreToolUse": [{"matcher": ALLOWED_TOOL, "hooks": [
        {"type": "command", "command": shlex.join(argv), "timeout": 60}]}]}}


def hook_decision(unit: model.Unit, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The hook's answer for one PreToolUse call (None: no opinion, Claude Code decides).

    Defer an AskOperator call unless its question (found by the call's ``tool_use_id``) already has
    an answer: then allow it, so the resumed session runs the call and gets the answer.
    """
    if payload.get("tool_name") != ALLOWED_TOOL:
        return None
    tool_use_id = payload.get("tool_use_id")
    question = next((q for q in unit.questions.values()
                     if tool_use_id and q.event.get("tool_use_id") == tool_use_id), None)
    if question is not None and question.winner is not None:
        decision, reason = "allow", f"the operator answered {question.id}"
    else:
        decision, reason = "defer", "waiting for the operator's answer (ve orch answer, then ve orch resume)"
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": decision,
                                   "permissionDecisionReason": reason}}


@dataclass
class Outcome:
    """What a run's result line says, recorded on the ``run`` event."""

    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    deferred: dict[str, Any] | None = None


def outcome(result: dict[str, Any] | None, exit_code: int, expect_result: bool) -> Outcome:
    """Read Claude Code's ``result`` line. ``expect_result``: the agent speaks stream-json."""
    out = Outcome()
    if result is None:
        if expect_result and exit_code == 0:
            out.problems.append("no result line in the agent's stream")
        return out
    denials = result.get("permission_denials")
    denied = [str(d.get("tool_name", "?")) for d in denials if isinstance(d, dict)] \
        if isinstance(denials, list) else []
    for key in ("subtype", "is_error", "stop_reason", "num_turns"):
        if result.get(key) is not None:
            out.fields[key] = result[key]
    if denied:
        out.fields["permission_denials"] = denied
        out.problems.append(f"permission denied: {', '.join(sorted(set(denied)))} ({len(denied)} call(s))")
    if result.get("is_error") is True:
        # Its own words ("Not logged in · Please run /login"), after the subtype when that says more.
        said = _error_text(result)
        sub = result.get("subtype")
        kind = f" ({model.one_line(str(sub), 40)})" if sub != "success" or not said else ""
        out.problems.append(f"the agent reported an error{kind}" + (f": {said}" if said else ""))
    elif isinstance(result.get("subtype"), str) and result["subtype"] != "success":
        out.problems.append(f"the run ended with {model.one_line(result['subtype'], 40)}")
    deferred = result.get("deferred_tool_use")
    if isinstance(deferred, dict):
        out.deferred = deferred
    elif result.get("stop_reason") == "tool_deferred":
        out.problems.append("a tool call was deferred but the result does not say which")
    return out


def _error_text(result: dict[str, Any]) -> str:
    """The agent's own error message from its result line: ``result`` (the final text), else ``errors``."""
    text = result.get("result")
    if isinstance(text, str) and text.strip():
        return model.one_line(text.strip(), 300)
    errors = result.get("errors")
    if isinstance(errors, list):
        return model.one_line("; ".join(str(e) for e in errors if e), 300)
    return ""


def question_from_deferred(call: dict[str, Any]) -> tuple[str, list[str], str | None]:
    """(text, options, context) of a deferred AskOperator call; odd inputs are kept readable."""
    data = call.get("input") if isinstance(call.get("input"), dict) else {}
    text = data.get("question")
    if not isinstance(text, str) or not text.strip():
        text = "(AskOperator was called without a question) " + json.dumps(data, ensure_ascii=False)[:2000]
    options = data.get("options")
    opts = [str(o) for o in options] if isinstance(options, list) else []
    context = data.get("context")
    return text, opts, context if isinstance(context, str) and context else None


def tool_use_id(ctx: object) -> str | None:
    """Claude Code names the calling tool_use in the MCP request's ``_meta`` (``claudecode/toolUseId``)."""
    try:
        meta = ctx.request_context.meta  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return None
    if meta is None:
        return None
    value = meta.get("claudecode/toolUseId") if isinstance(meta, dict) else None
    if value is None:
        value = (getattr(meta, "model_extra", None) or {}).get("claudecode/toolUseId")
    return str(value) if value else None


def answer_deferred_call(store: Store, unit: str, call_id: str | None, session_id: str | None,
                         run_id: str | None) -> str | None:
    """The tool result for a resumed session running its deferred AskOperator call, or None.

    None when ``call_id`` asked nothing yet (a fresh call: record the question). The answer is
    returned once, recorded as delivered ``via: tool`` under the resume's claim; a question still
    unanswered, or whose answer went to another attempt, gets the stop message again.
    """
    from ve_hooks.orch import delivery

    if not call_id:
        return None
    asked = next((q for q in store.load([unit]).unit(unit).questions.values()
                  if q.event.get("tool_use_id") == call_id), None)
    if asked is None:
        return None
    if asked.event.get("parallel_calls") and asked.winner is not None:
        # The model will not see this result (the call shared its turn): the resume's prompt
        # carries the answer, and the orchestrator records the delivery from the stream.
        return answer_message(asked.id, model.answer_text(asked, asked.winner))
    got = delivery.deliver(store, unit, asked.id, via="tool", session_id=session_id, run_id=run_id,
                           tool_use_id=call_id, allow_claimed_by=run_id)
    if got is None:  # already recorded for this very call (a retried request) returns the same answer
        fresh = store.load([unit]).unit(unit).questions[asked.id]
        if fresh.winner is None or not any(d.get("tool_use_id") == call_id for d in fresh.delivered):
            return stop_message(asked.id, unit)
        got = (fresh, fresh.winner)
    q, answer = got
    return answer_message(q.id, model.answer_text(q, answer))
