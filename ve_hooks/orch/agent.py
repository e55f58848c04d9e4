"""``ve orch run`` / ``ve orch resume``: start an agent with the AskOperator tool, log its stream.

The unit's state after the agent exits comes from the notes alone: NEEDS_ATTENTION if a question
of the unit is open (AskOperator was called), else DONE on exit 0, else FAILED. The stream is only
logged and read for the session id; the agent's final text is never parsed for questions.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.mcp_server import SERVER_NAME, TOOL_NAME
from ve_hooks.orch.store import OrchError, Store

ALLOWED_TOOL = f"mcp__{SERVER_NAME}__{TOOL_NAME}"
PLACEHOLDERS = ("unit", "prompt_file", "mcp_config", "session_id", "answer", "allowed_tool", "run_id")


@dataclass
class AgentResult:
    state: str
    exit_code: int
    session_id: str | None
    log_path: Path
    run_id: str


def server_command() -> list[str]:
    """How the agent should start ``ve-hooks``: the script next to this Python, else ``-m``."""
    script = Path(sys.executable).parent / "ve-hooks"
    if script.exists():
        return [str(script)]
    found = shutil.which("ve-hooks")
    return [found] if found else [sys.executable, "-m", "ve_hooks.cli"]


def mcp_config(store: Store, unit: str, wait: float = 0.0, run_id: str | None = None) -> dict[str, Any]:
    """The JSON Claude Code takes with ``--mcp-config``: one stdio server offering AskOperator."""
    model.validate_unit(unit)
    cmd = server_command()
    args = [*cmd[1:], "orch", "--repo", str(store.repo.path), "--ref", store.ref, "mcp", "--unit", unit]
    if wait > 0:
        args += ["--wait", f"{wait:g}"]
    entry: dict[str, Any] = {"type": "stdio", "command": cmd[0], "args": args}
    if run_id:
        entry["env"] = {"VE_ORCH_RUN_ID": run_id}
    return {"mcpServers": {SERVER_NAME: entry}}


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def build_command(agent_cmd: str | None, values: dict[str, str], *, resume: bool) -> tuple[list[str], bool]:
    """The argv to start, and whether the prompt/answer goes to stdin.

    Default: Claude Code in print mode with stream-json. A custom command with ``{placeholders}``
    is used as written (substituted per argument, no shell); without placeholders it stands in
    for the ``claude`` executable and gets the same arguments.
    """
    base = shlex.split(agent_cmd) if agent_cmd else ["claude"]
    if agent_cmd and any("{" + p + "}" in agent_cmd for p in PLACEHOLDERS):
        try:
            return [arg.format_map(values) for arg in base], False
        except (KeyError, ValueError, IndexError) as e:
            raise OrchError(f"--agent-cmd: bad placeholder {e}; known: {', '.join(PLACEHOLDERS)}") from None
    args = [*base]
    if resume:
        args += ["--resume", values["session_id"]]
    args += ["-p", "--output-format", "stream-json", "--verbose", "--mcp-config", values["mcp_config"],
             "--allowedTools", values["allowed_tool"]]
    if resume:
        return [*args, "--", values["answer"]], False  # `--`: an answer starting with "-" stays text
    return args, True


def _launch(store: Store, unit: str, cmd: list[str], stdin_text: str | None, env: dict[str, str],
            log_path: Path, on_spawn: Any = None) -> tuple[int, str | None]:
    """Run the agent, tee its stdout to ``log_path``, return (exit code, session id from the stream)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, env=env, cwd=store.repo.path)
    except OSError as e:
        raise OrchError(f"cannot start the agent {model.one_line(cmd[0], 80)}: {e.strerror or e}") from None
    if on_spawn is not None:
        on_spawn()
    if stdin_text is not None:
        assert proc.stdin is not None

        def feed() -> None:
            try:
                proc.stdin.write(stdin_text.encode())  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

        threading.Thread(target=feed, daemon=True).start()
    session_id: str | None = None
    assert proc.stdout is not None
    with log_path.open("wb") as log:
        for line in proc.stdout:
            log.write(line)
            log.flush()
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict) and isinstance(msg.get("session_id"), str) and (
                    msg.get("type") == "result" or (msg.get("type") == "system" and msg.get("subtype") == "init")):
                session_id = msg["session_id"]
    proc.stdout.close()
    return proc.wait(), session_id


def _execute(store: Store, unit: str, agent_cmd: str | None, *, kind: str, stdin_payload: str | None,
             values: dict[str, str], wait: float, extra_env: dict[str, str], on_spawn: Any = None,
             session_hint: str | None = None) -> AgentResult:
    run_id = model.new_id("run")
    stamp = _stamp()
    log_path = store.state_dir / "logs" / unit / f"{stamp}.jsonl"
    config_path = log_path.with_suffix(".mcp.json")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(json.dumps(mcp_config(store, unit, wait, run_id), indent=2) + "\n")
    values = {**values, "unit": unit, "mcp_config": str(config_path), "allowed_tool": ALLOWED_TOOL,
              "run_id": run_id}
    values.setdefault("session_id", "")
    values.setdefault("answer", "")
    values.setdefault("prompt_file", "")
    cmd, use_stdin = build_command(agent_cmd, values, resume=kind == "resume")
    env = {**os.environ, "VE_ORCH_UNIT": unit, "VE_ORCH_RUN_ID": run_id, "VE_ORCH_MCP_CONFIG": str(config_path),
           "VE_ORCH_REPO": str(store.repo.path), "VE_ORCH_REF": store.ref, **extra_env}
    started = model.now()
    code, session_id = _launch(store, unit, cmd, stdin_payload if use_stdin else None, env, log_path, on_spawn)
    unit_state = store.load([unit]).unit(unit)
    state = model.NEEDS_ATTENTION if unit_state.open_questions() else (model.DONE if code == 0 else model.FAILED)
    store.record_run(unit, state=state, exit_code=code, session_id=session_id or session_hint, run_id=run_id,
                     kind=kind, started_at=started, log=str(log_path))
    return AgentResult(state, code, session_id or session_hint, log_path, run_id)


def run(store: Store, unit: str, prompt_file: Path, agent_cmd: str | None = None, wait: float = 0.0) -> AgentResult:
    """Start a fresh agent session on ``unit`` with the prompt in ``prompt_file``."""
    model.validate_unit(unit)
    try:
        prompt = prompt_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise OrchError(f"cannot read prompt file {prompt_file}: {e}") from None
    return _execute(store, unit, agent_cmd, kind="run", stdin_payload=prompt,
                    values={"prompt_file": str(prompt_file.resolve())}, wait=wait,
                    extra_env={"VE_ORCH_PROMPT_FILE": str(prompt_file.resolve())})


def compose_answer(pairs: Sequence[tuple[model.Question, model.Event]]) -> str:
    """The message the resumed session receives."""
    if len(pairs) == 1:
        q, a = pairs[0]
        return (f"The operator answered your AskOperator question {q.id} ({q.text.strip()}):\n\n"
                f"{model.answer_text(q, a)}")
    parts = ["The operator answered your AskOperator questions:"]
    for q, a in pairs:
        parts.append(f"\n- {q.id} ({q.text.strip()}):\n  {model.answer_text(q, a)}")
    return "\n".join(parts)


def resume(store: Store, unit: str, agent_cmd: str | None = None, wait: float = 0.0) -> AgentResult | None:
    """Deliver the answered questions of ``unit`` to its agent session; None if nothing to deliver."""
    model.validate_unit(unit)
    u = store.load([unit]).unit(unit)
    pairs = [(q, q.winner) for q in u.answered_questions() if q.winner is not None]
    if not pairs:
        return None
    session_id = u.session_for(pairs[0][0])
    if not session_id:
        raise OrchError(f"unit {unit}: no agent session id is recorded for question {pairs[0][0].id}; "
                        "cannot resume (start a new run with `ve orch run`)")
    answer = compose_answer(pairs)

    def mark_delivered() -> None:
        store.delivered(unit, pairs, via="resume", session_id=session_id)

    return _execute(store, unit, agent_cmd, kind="resume", stdin_payload=answer,
                    values={"session_id": session_id, "answer": answer}, wait=wait,
                    extra_env={"VE_ORCH_SESSION_ID": session_id, "VE_ORCH_ANSWER": answer},
                    on_spawn=mark_delivered, session_hint=session_id)
