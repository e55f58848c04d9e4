"""What ``ve orch`` knows about OpenAI's Codex CLI: its arguments and its ``--json`` event stream.

**AskOperator for one run only.** The server is added with ``-c mcp_servers.ve-orch.…``
overrides, which Codex layers over ``$CODEX_HOME/config.toml`` and the project's
``.codex/config.toml`` for that process alone: no file is written, the user's own MCP servers stay
configured beside it. ``default_tools_approval_mode = "approve"`` pre-approves its one tool (headless
Codex refuses MCP calls that would need an approval, reporting "requires approval"), as Claude Code
gets it in ``--allowedTools``; every other MCP tool keeps the user's approval setting.

**Permissions.** Claude Code's permission modes map onto Codex's sandbox (``acceptEdits``: the
agent may write in the workspace, no network; ``default``/``plan``/...: read-only;
``bypassPermissions``: no sandbox), with approvals never asked (a headless run cannot answer).

**Stopping.** Codex cannot defer a tool call: AskOperator records the question and its result tells
the model to end its turn; :mod:`ve_hooks.orch.agent_turns` checks from the stream that it did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.agent_turns import Call, Turns
from ve_hooks.orch.protocol import SERVER_NAME, TOOL_NAME

EXECUTABLE = "codex"
INSTALL = "npm install -g @openai/codex"

SANDBOX = {"acceptEdits": "workspace-write", "bypassPermissions": "danger-full-access"}  # else read-only
# Stream items that are not tool calls.
_BARE = re.compile(r"[A-Za-z0-9_-]+")  # a -c key segment needs no quotes
_NOT_CALLS = {"agent_message", "reasoning", "error", "todo_list"}


def toml_value(value: Any) -> str:
    """``value`` as a TOML literal for ``-c key=value`` (strings, numbers, booleans, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def server_table(command: str, args: Sequence[str], env: dict[str, str] | None, wait: float) -> dict[str, Any]:
    """The ``[mcp_servers.ve-orch]`` table (run overrides and ``ve orch init`` share it)."""
    table: dict[str, Any] = {"command": command, "args": list(args)}
    if env:
        table["env"] = env
    table["default_tools_approval_mode"] = "approve"
    if wait > 0:  # Codex cuts tool calls after 60 s by default: a waiting call needs longer
        table["tool_timeout_sec"] = int(wait) + 120
    return table


def overrides(command: str, args: Sequence[str], env: dict[str, str], wait: float, permission_mode: str,
              allowed_tools: Sequence[str] = ()) -> list[str]:
    """The ``-c`` arguments of one run: AskOperator, its approval, the sandbox, no approval prompts."""
    out: list[str] = []
    for key, value in server_table(command, args, env, wait).items():
        out += ["-c", f"mcp_servers.{SERVER_NAME}.{key}={toml_value(value)}"]
    out += ["-c", f"mcp_servers.{SERVER_NAME}.required=true",  # the first turn must see AskOperator
            "-c", "approval_policy=\"never\"",
            "-c", f"sandbox_mode={toml_value(SANDBOX.get(permission_mode, 'read-only'))}"]
    for tool in allowed_tools:  # Claude Code's mcp__server__tool names map onto Codex's per-tool approval
        parts = tool.split("__")
        if len(parts) == 3 and parts[0] == "mcp" and all(_BARE.fullmatch(p) for p in parts[1:]):
            out += ["-c", f"mcp_servers.{parts[1]}.tools.{parts[2]}.approval_mode=\"approve\""]
    return out


def command(base: Sequence[str], extra: Sequence[str], session_id: str | None) -> list[str]:
    """``codex exec --json … -`` (prompt on stdin), or ``codex exec resume --json … <id> -``."""
    if session_id:
        return [*base, "exec", "resume", "--json", "--skip-git-repo-check", *extra, "--", session_id, "-"]
    return [*base, "exec", "--json", "--skip-git-repo-check", *extra, "-"]


def _denied(item: dict[str, Any]) -> bool:
    if item.get("status") == "declined":
        return True
    error = item.get("error")
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    return "requires approval" in message or "rejected" in message or "declined" in message


def _name(item: dict[str, Any]) -> str:
    if item.get("type") == "mcp_tool_call":
        return f"mcp__{item.get('server')}__{item.get('tool')}"
    return str(item.get("type"))


def read_stream(path: Path) -> Turns:
    """Parse a ``codex exec --json`` log; lines that are not JSON objects are ignored."""
    facts = Turns()
    in_turn_replies = 0
    for msg in model.json_objects(path):
        kind = msg.get("type")
        if kind == "thread.started" and isinstance(msg.get("thread_id"), str):
            facts.session_id = msg["thread_id"]
        elif kind == "turn.started":
            facts.ended = False
            in_turn_replies = 0
        elif kind == "turn.completed":
            facts.turns += 1
            facts.ended = True
            facts.model_turns += in_turn_replies
        elif kind == "turn.failed":
            err = msg.get("error")
            facts.error = str(err.get("message") if isinstance(err, dict) else err)
            facts.ended = False
        elif kind == "error" and not facts.error:
            facts.error = str(msg.get("message"))
        elif kind in ("item.started", "item.completed") and isinstance(msg.get("item"), dict):
            item = msg["item"]
            itype = item.get("type")
            if itype in _NOT_CALLS:
                if itype == "agent_message" and kind == "item.completed":
                    in_turn_replies += 1
                continue
            call_id = str(item.get("id"))
            call = facts.call(call_id)
            if call is None:
                asks = itype == "mcp_tool_call" and item.get("server") == SERVER_NAME and item.get("tool") == TOOL_NAME
                call = Call(_name(item), call_id, asks=asks)
                facts.calls.append(call)
                in_turn_replies += 1
            if kind == "item.completed":
                call.denied = _denied(item)
                err = item.get("error")
                call.error = str(err.get("message")) if isinstance(err, dict) else None
    return facts
