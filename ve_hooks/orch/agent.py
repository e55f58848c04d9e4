"""``ve orch run`` / ``ve orch resume``: start an agent with the AskOperator tool, log its stream.

The unit's state after the agent exits comes from the notes and the stream's ``result`` line,
never the agent's prose: NEEDS_ATTENTION if a question of the unit is open (AskOperator was
called, or its call deferred), else DONE on exit 0 with a clean result line, else FAILED with the
reason. Claude Code runs defer AskOperator (see :mod:`ve_hooks.orch.claude`); answers are claimed
before a resume and count as delivered only once the stream shows the agent took them in (see
:mod:`ve_hooks.orch.delivery`).
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

from ve_hooks.orch import claude, model
from ve_hooks.orch.claude import ClaudeSettings
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
    reason: str | None = None


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
    # alwaysLoad: Claude Code connects this server before the first model turn (headless runs
    # otherwise connect MCP servers in the background, and the first turn may not see AskOperator).
    entry: dict[str, Any] = {"type": "stdio", "command": cmd[0], "args": args, "alwaysLoad": True}
    if run_id:
        entry["env"] = {"VE_ORCH_RUN_ID": run_id}
    return {"mcpServers": {SERVER_NAME: entry}}


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def load_settings(store: Store) -> ClaudeSettings:
    """``[tool.ve-hooks.orch]`` of the repository's work tree (defaults when there is none)."""
    from ve_hooks import config, git
    from ve_hooks.diagnostic import UsageError

    top = git.process(["rev-parse", "--show-toplevel"], store.repo.path, check=False)
    if top.returncode != 0 or not top.stdout.strip():
        return ClaudeSettings()
    try:
        table = config.load(Path(top.stdout.decode("utf-8", "surrogateescape").strip())).orch
    except UsageError as e:
        raise OrchError(str(e)) from None
    try:
        return ClaudeSettings.from_table(table, "[tool.ve-hooks.orch]")
    except ValueError as e:
        raise OrchError(str(e)) from None


def uses_placeholders(agent_cmd: str | None) -> bool:
    return bool(agent_cmd) and any("{" + p + "}" in agent_cmd for p in PLACEHOLDERS)  # type: ignore[operator]


def build_command(agent_cmd: str | None, values: dict[str, str], *, resume: bool,
                  settings: ClaudeSettings | None = None, prompt_on_resume: bool = True) -> tuple[list[str], bool]:
    """The argv to start, and whether the prompt/answer goes to stdin.

    Default: Claude Code in print mode with stream-json. A custom command with ``{placeholders}``
    is used as written (substituted per argument, no shell); without placeholders it stands in
    for the ``claude`` executable and gets the same arguments. ``prompt_on_resume=False`` resumes
    a deferred tool call: no new prompt, the session runs the pending call.
    """
    base = shlex.split(agent_cmd) if agent_cmd else ["claude"]
    if uses_placeholders(agent_cmd):
        try:
            return [arg.format_map(values) for arg in base], False
        except (KeyError, ValueError, IndexError) as e:
            raise OrchError(f"--agent-cmd: bad placeholder {e}; known: {', '.join(PLACEHOLDERS)}") from None
    settings = settings or ClaudeSettings()
    args = [*base]
    if resume:
        args += ["--resume", values["session_id"]]
    allowed = ",".join([values["allowed_tool"], *settings.allowed_tools])
    args += ["-p", "--output-format", "stream-json", "--verbose", "--mcp-config", values["mcp_config"],
             "--allowedTools", allowed, "--permission-mode", settings.permission_mode]
    if settings.max_turns is not None:
        args += ["--max-turns", str(settings.max_turns)]
    if values.get("settings"):
        args += ["--settings", values["settings"]]
    if resume and prompt_on_resume:
        return [*args, "--", values["answer"]], False  # `--`: an answer starting with "-" stays text
    return args, not resume


def _launch(store: Store, cmd: list[str], stdin_text: str | None, env: dict[str, str], log_path: Path) -> int:
    """Run the agent, tee its stdout to ``log_path``, return its exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, env=env, cwd=store.repo.path)
    except OSError as e:
        raise OrchError(f"cannot start the agent {model.one_line(cmd[0], 80)}: {e.strerror or e}") from None
    if stdin_text is not None:
        assert proc.stdin is not None

        def feed() -> None:
            try:
                proc.stdin.write(stdin_text.encode())  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

        threading.Thread(target=feed, daemon=True).start()
    assert proc.stdout is not None
    with log_path.open("wb") as log:
        for line in proc.stdout:
            log.write(line)
            log.flush()
    proc.stdout.close()
    return proc.wait()


def _record_deferred(store: Store, unit: str, call: dict[str, Any], session_id: str | None, run_id: str,
                     parallel: bool) -> str:
    """Record the question of a deferred AskOperator call once (keyed by its tool_use id)."""
    from ve_hooks.orch import delivery

    tool_use_id = str(call.get("id") or "")
    text, options, context = claude.question_from_deferred(call)
    found: list[str] = []

    def build(u: model.Unit) -> list[dict[str, Any]]:
        found[:] = [q.id for q in u.questions.values() if tool_use_id and q.event.get("tool_use_id") == tool_use_id]
        if found:
            return []
        event = model.make("question", unit=unit, text=text, options=options or None, context=context,
                           session_id=session_id, run_id=run_id, tool_use_id=tool_use_id or None, deferred=True,
                           parallel_calls=True if parallel else None,
                           asker=f"AskOperator (deferred call in session {session_id})")
        found.append(str(event["id"]))
        return [event]

    delivery.append_if(store, unit, build, f"ve-orch: deferred question for {unit}")
    return found[0]


def _execute(store: Store, unit: str, agent_cmd: str | None, *, kind: str, stdin_payload: str | None,
             values: dict[str, str], wait: float, extra_env: dict[str, str], session_hint: str | None = None,
             run_id: str | None = None, pairs: Sequence[tuple[model.Question, model.Event]] = (),
             deferred_resume: bool = False, prompt_on_resume: bool = True) -> AgentResult:
    from ve_hooks.orch import delivery

    run_id = run_id or model.new_id("run")
    stamp = _stamp()
    log_path = store.state_dir / "logs" / unit / f"{stamp}.jsonl"
    config_path = log_path.with_suffix(".mcp.json")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(json.dumps(mcp_config(store, unit, wait, run_id), indent=2) + "\n")
    claude_args = not uses_placeholders(agent_cmd)
    settings = load_settings(store) if claude_args else ClaudeSettings()
    defer = claude_args and settings.defer and wait <= 0
    values = {**values, "unit": unit, "mcp_config": str(config_path), "allowed_tool": ALLOWED_TOOL,
              "run_id": run_id}
    if defer:
        hook_path = log_path.with_suffix(".settings.json")
        hook_path.write_text(json.dumps(claude.hook_settings(server_command(), store.repo.path, store.ref, unit),
                                        indent=2) + "\n")
        values["settings"] = str(hook_path)
    values.setdefault("session_id", "")
    values.setdefault("answer", "")
    values.setdefault("prompt_file", "")
    cmd, use_stdin = build_command(agent_cmd, values, resume=kind == "resume", settings=settings,
                                   prompt_on_resume=prompt_on_resume)
    # MCP_CONNECTION_NONBLOCKING=0: Claude Code waits for AskOperator's server before the first turn.
    env = {**os.environ, "MCP_CONNECTION_NONBLOCKING": "0", "VE_ORCH_UNIT": unit, "VE_ORCH_RUN_ID": run_id,
           "VE_ORCH_MCP_CONFIG": str(config_path), "VE_ORCH_REPO": str(store.repo.path), "VE_ORCH_REF": store.ref,
           **extra_env}
    started = model.now()
    try:
        code = _launch(store, cmd, stdin_payload if use_stdin else None, env, log_path)
    except OrchError as e:  # recorded, so the attempt is visible and its claim on answers ends
        store.record_run(unit, state=model.FAILED, exit_code=None, session_id=session_hint, run_id=run_id,
                         kind=kind, started_at=started, log=str(log_path), reason=str(e))
        raise
    facts = delivery.read_stream(log_path)
    session_id = facts.session_id or session_hint
    result = claude.outcome(facts.result, code, expect_result=claude_args)
    if result.deferred is not None:
        if result.deferred.get("name") == ALLOWED_TOOL:
            _record_deferred(store, unit, result.deferred, session_id, run_id,
                             facts.parallel_to(str(result.deferred.get("id"))))
        else:
            result.problems.append(f"the agent deferred a call of {model.one_line(str(result.deferred.get('name')), 60)}")
    for q, _a in pairs:
        if facts.consumed(q, deferred_resume):
            delivery.deliver(store, unit, q.id, via="tool" if deferred_resume else "resume", session_id=session_id,
                             run_id=run_id, allow_claimed_by=run_id)
    unit_state = store.load([unit]).unit(unit)
    undelivered = [q.id for q, _a in pairs if unit_state.questions[q.id].status == model.ANSWERED]
    if undelivered:
        result.problems.append(f"the answer to {', '.join(undelivered)} did not reach the agent; "
                               f"it waits for the next `ve orch resume {shlex.quote(unit)}`")
    if unit_state.open_questions():
        state = model.NEEDS_ATTENTION
    else:
        state = model.DONE if code == 0 and not result.problems else model.FAILED
    reason = "; ".join(result.problems) or None
    store.record_run(unit, state=state, exit_code=code, session_id=session_id, run_id=run_id, kind=kind,
                     started_at=started, log=str(log_path), reason=reason, **result.fields)
    return AgentResult(state, code, session_id, log_path, run_id, reason)


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
    """Deliver the answered questions of ``unit`` to its agent session; None if nothing to deliver.

    The answers are claimed first (a conditional CAS write), so two racing resumes never hand the
    same answer to an agent; they count as delivered only once the agent's stream shows it took
    them in, else they stay ANSWERED for the next resume.
    """
    from ve_hooks.orch import delivery

    model.validate_unit(unit)
    u = store.load([unit]).unit(unit)
    free, busy = delivery.deliverable(u)
    if not free:
        if busy:
            q, holder = busy[0]
            raise OrchError(f"unit {unit}: the answer to {q.id} is being delivered by run "
                            f"{model.one_line(str(holder.get('run_id')), 40)} (pid {holder.get('pid')}); "
                            "wait for it to finish")
        return None
    claude_args = not uses_placeholders(agent_cmd)
    deferred = [(q, a) for q, a in free if q.deferred] if claude_args else []
    chosen = deferred[:1] or [(q, a) for q, a in free if not q.deferred or not claude_args]
    session_id = u.session_for(chosen[0][0])
    if not session_id:
        raise OrchError(f"unit {unit}: no agent session id is recorded for question {chosen[0][0].id}; "
                        f"cannot resume (take the answer with `ve orch take {shlex.quote(unit)}`, or start a new run)")
    chosen = [(q, a) for q, a in chosen if u.session_for(q) == session_id]
    run_id = model.new_id("run")
    pairs = delivery.claim(store, unit, [q.id for q, _a in chosen], run_id, session_id)
    if not pairs:
        raise OrchError(f"unit {unit}: another `ve orch resume` claimed these answers first")
    answer = compose_answer(pairs)
    deferred_resume = bool(deferred)
    # A deferred call made beside other calls: its result never reaches the model (Claude Code
    # 2.1.x), so the answer also goes as the prompt.
    prompt = not deferred_resume or any(q.event.get("parallel_calls") for q, _a in pairs)
    return _execute(store, unit, agent_cmd, kind="resume", stdin_payload=None if deferred_resume else answer,
                    values={"session_id": session_id, "answer": answer}, wait=wait,
                    extra_env={"VE_ORCH_SESSION_ID": session_id, "VE_ORCH_ANSWER": answer},
                    session_hint=session_id, run_id=run_id, pairs=pairs, deferred_resume=deferred_resume,
                    prompt_on_resume=prompt)
