"""What ``ve orch`` knows about Google's Gemini CLI: its settings layering, arguments and stream.

**AskOperator for one run only.** Gemini CLI has no per-invocation MCP flag, and its system
settings file (``$GEMINI_CLI_SYSTEM_SETTINGS_PATH``) is read only when owned by root in
root-owned folders. A run therefore gets its own home (``$GEMINI_CLI_HOME``, next to the run's log):
its ``.gemini/settings.json`` is a copy of the user's with the ``ve-orch-run`` server added (``trust``:
its one tool runs without a confirmation, as Claude Code gets it in ``--allowedTools``), and every
other entry of the user's ``.gemini`` folder is a symlink to the original, so sessions, credentials
and trusted folders are the user's own and ``gemini --resume`` finds the session later. The user's
files are never written; their MCP servers stay configured (untrusted: headless Gemini does not
offer tools that would need a confirmation).

**Stopping.** Gemini cannot defer a tool call: AskOperator records the question and its result
tells the model to end its turn; :mod:`ve_hooks.orch.agent_turns` checks from the stream that it did.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.agent_turns import Call, Turns
from ve_hooks.orch.protocol import SERVER_NAME, STOP_MARKER, TOOL_NAME

EXECUTABLE = "gemini"
INSTALL = "npm install -g @google/gemini-cli"
# The run's own server has its own name: Gemini ranks a project's settings above the user's, so a
# project `ve-orch` entry (from `ve orch init`) would otherwise replace the run's. That entry is
# excluded for the run (`mcp.excluded`), leaving exactly one AskOperator.
RUN_SERVER = f"{SERVER_NAME}-run"
TOOL = f"mcp_{RUN_SERVER}_{TOOL_NAME}"  # how Gemini CLI names an MCP tool
ASK_TOOLS = {TOOL, f"mcp_{SERVER_NAME}_{TOOL_NAME}"}

APPROVAL = {"acceptEdits": "auto_edit", "plan": "plan", "bypassPermissions": "yolo"}  # else default


class GeminiSetupError(Exception):
    """The user's settings cannot be layered (the message says why)."""


def server_entry(command: str, args: Sequence[str], env: Mapping[str, str] | None, wait: float) -> dict[str, Any]:
    """The ``mcpServers.ve-orch`` entry (run settings and ``ve orch init`` share it)."""
    entry: dict[str, Any] = {"command": command, "args": list(args)}
    if env:
        entry["env"] = dict(env)
    entry["trust"] = True
    if wait > 0:  # Gemini cuts MCP calls after 10 minutes by default: a waiting call needs longer
        entry["timeout"] = int((wait + 120) * 1000)
    return entry


def user_folder(env: Mapping[str, str]) -> Path:
    """The user's ``.gemini`` folder, as Gemini CLI finds it."""
    return Path(env.get("GEMINI_CLI_HOME") or env.get("HOME") or os.path.expanduser("~")) / ".gemini"


def after_tool_decision(payload: dict[str, Any]) -> dict[str, Any]:
    """The AfterTool hook's answer: stop the agent loop when AskOperator's result says to stop."""
    response = payload.get("tool_response")
    text = json.dumps(response) if response is not None else ""
    if payload.get("tool_name") in ASK_TOOLS and STOP_MARKER in text:
        return {"continue": False,
                "stopReason": "AskOperator recorded a question; waiting for the operator "
                              "(ve orch answer, then ve orch resume)"}
    return {}


def hook_settings(hook_command: str) -> dict[str, Any]:
    """The ``hooks`` entry that runs :func:`after_tool_decision` after each AskOperator call."""
    return {"matcher": f"^{TOOL}$", "hooks": [{"type": "command", "name": "ve-orch-stop",
                                               "command": hook_command, "timeout": 60000}]}


def layered_home(run_home: Path, env: Mapping[str, str], entry: dict[str, Any], max_turns: int | None,
                 hook_command: str | None = None) -> Path:
    """Build the run's ``$GEMINI_CLI_HOME``: the user's settings plus ``entry``, everything else linked."""
    real = user_folder(env)
    # Sessions must land in the user's folder (a resume looks there): create the folders Gemini
    # itself creates on first use, so the links below point at them.
    for sub in ("tmp", "history"):
        (real / sub).mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {}
    source = real / "settings.json"
    if source.is_file():
        try:
            loaded = json.loads(source.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise GeminiSetupError(f"{source} is not plain JSON ({e}); cannot add AskOperator beside it") from None
        if not isinstance(loaded, dict):
            raise GeminiSetupError(f"{source} is not a JSON object; cannot add AskOperator beside it")
        settings = loaded
    servers = settings.get("mcpServers")
    settings["mcpServers"] = {**(servers if isinstance(servers, dict) else {}), RUN_SERVER: entry}
    mcp = settings.get("mcp") if isinstance(settings.get("mcp"), dict) else {}
    if isinstance(mcp.get("allowed"), list) and RUN_SERVER not in mcp["allowed"]:
        mcp["allowed"] = [*mcp["allowed"], RUN_SERVER]  # a user allow list must not hide the run's server
    excluded = [s for s in mcp.get("excluded") or [] if s != RUN_SERVER] if isinstance(mcp.get("excluded"), list) else []
    mcp["excluded"] = [*excluded, *([SERVER_NAME] if SERVER_NAME not in excluded else [])]
    settings["mcp"] = mcp
    if hook_command:  # the agent loop ends right after AskOperator recorded an unanswered question
        hooks = settings.get("hooks") if isinstance(settings.get("hooks"), dict) else {}
        after = hooks.get("AfterTool") if isinstance(hooks.get("AfterTool"), list) else []
        settings["hooks"] = {**hooks, "AfterTool": [*after, hook_settings(hook_command)]}
    if max_turns is not None:
        model = settings.get("model") if isinstance(settings.get("model"), dict) else {}
        settings["model"] = {**model, "maxSessionTurns": max_turns}
    folder = run_home / ".gemini"
    folder.mkdir(parents=True, exist_ok=True)
    for item in sorted(real.iterdir()):
        if item.name != "settings.json" and not (folder / item.name).exists():
            (folder / item.name).symlink_to(item)
    (folder / "settings.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return run_home


def command(base: Sequence[str], prompt: str, permission_mode: str, session_id: str | None) -> list[str]:
    """``gemini --output-format stream-json --approval-mode M [--resume ID] --prompt=TEXT``."""
    args = [*base, "--output-format", "stream-json", "--approval-mode", APPROVAL.get(permission_mode, "default")]
    if session_id:
        args += ["--resume", session_id]
    return [*args, f"--prompt={prompt}"]  # one argument: a prompt starting with "-" stays text


# Tool errors that mean "not allowed in this run". Headless Gemini does not offer a tool that would
# need a confirmation, so a call of one comes back as an unknown tool.
STOP_EXECUTION = "stop_execution"  # a hook's `continue: false`
DENIED = {"policy_violation", "permission_denied", "path_not_in_workspace", "tool_not_registered"}


def _denied(event: dict[str, Any]) -> bool:
    error = event.get("error")
    return isinstance(error, dict) and error.get("type") in DENIED


def read_stream(path: Path) -> Turns:
    """Parse a ``--output-format stream-json`` log; lines that are not JSON objects are ignored."""
    facts = Turns()
    previous = None
    for msg in model.json_objects(path):
        kind = msg.get("type")
        if kind == "init" and isinstance(msg.get("session_id"), str):
            facts.session_id = msg["session_id"]
        elif kind == "message" and msg.get("role") == "assistant":
            if previous not in ("assistant", "tool_use"):
                facts.model_turns += 1
            kind = "assistant"
        elif kind == "tool_use":
            if previous not in ("assistant", "tool_use"):
                facts.model_turns += 1
            name = str(msg.get("tool_name"))
            facts.calls.append(Call(name, str(msg.get("tool_id")), asks=name in ASK_TOOLS))
        elif kind == "tool_result":
            call = facts.call(str(msg.get("tool_id")))
            err = msg.get("error")
            if call is not None and call.asks and isinstance(err, dict) and err.get("type") == STOP_EXECUTION:
                facts.stopped_at_ask = True  # our AfterTool hook ended the loop: AskOperator did run
            elif call is not None and msg.get("status") != "success":
                call.denied = _denied(msg)
                err = msg.get("error")
                call.error = str(err.get("message") if isinstance(err, dict) else err)
        elif kind == "result":
            facts.turns += 1
            if msg.get("status") == "success":
                facts.ended = True
            else:
                err = msg.get("error")
                facts.error = str(err.get("message") if isinstance(err, dict) else err or msg.get("status"))
                facts.ended = False
                facts.subtype = str(err.get("type")) if isinstance(err, dict) and err.get("type") else None
        previous = kind
    return facts
