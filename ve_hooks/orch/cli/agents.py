"""``ve orch`` agent runs: run, resume, the AskOperator MCP server and the Claude Code defer hook."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ve_hooks.orch import model
from ve_hooks.orch.cli.group import checked_unit, domain_errors, orch, store_of
from ve_hooks.sanitize import one_line


@orch.command("defer-hook", hidden=True)
@click.option("--unit", required=True, callback=lambda _c, _p, v: checked_unit(v), help="Work unit of the run.")
@click.pass_context
@domain_errors
def defer_hook(ctx: click.Context, unit: str) -> int:
    """Claude Code PreToolUse hook: defer AskOperator until its question has an answer (JSON on stdin)."""
    from ve_hooks.orch import claude

    try:
        payload = json.loads(sys.stdin.read() or "{}")
    except ValueError:
        payload = {}
    decision = claude.hook_decision(store_of(ctx).load([unit]).unit(unit), payload if isinstance(payload, dict) else {})
    if decision is not None:
        click.echo(json.dumps(decision))
    return 0


@orch.command("stop-hook", hidden=True)
def stop_hook() -> int:
    """Gemini CLI AfterTool hook: end the agent loop once AskOperator recorded a question without an answer."""
    from ve_hooks.orch import gemini

    try:
        payload = json.loads(sys.stdin.read() or "{}")
    except ValueError:
        payload = {}
    click.echo(json.dumps(gemini.after_tool_decision(payload if isinstance(payload, dict) else {})))
    return 0


@orch.command()
@click.option("--unit", envvar="VE_ORCH_UNIT", default=None,
              help="Work unit the questions belong to [default: inferred from the worktree at each call].")
@click.option("--wait", type=click.FloatRange(min=0), default=None,
              help="Seconds a tool call waits for an answer [default: 0 with --unit, "
                   "1800 when the unit is inferred, where running out is a tool error].")
@click.pass_context
@domain_errors
def mcp(ctx: click.Context, unit: str | None, wait: float | None) -> int:
    """Serve the AskOperator tool over stdio MCP (for `claude --mcp-config` or `.mcp.json`).

    \b
    With --unit (as `ve orch run` starts it) a call records the question and,
    with --wait, waits for the answer. Without --unit (as `.mcp.json` from
    `ve orch init` starts it in vibe-engineer's worktrees) the unit is the
    worktree's: its orch/<chunk> branch, else .ve/chunks/<chunk>/; elsewhere
    the tool says so and records nothing. The call then waits up to --wait
    seconds, ending in a tool error if no answer comes.
    """
    if unit:
        checked_unit(unit)
    try:
        import mcp as _sdk  # noqa: F401  (the optional [orch] extra)
    except ImportError:
        raise click.ClickException(
            "the MCP SDK is not installed: pip install 've-hooks[orch]' (mcp>=2,<3)") from None
    from ve_hooks.orch.mcp_server import DEFAULT_WAIT_SECONDS, serve

    serve(store_of(ctx), unit or None, wait if wait is not None else (0.0 if unit else DEFAULT_WAIT_SECONDS))
    return 0



def _report(unit: str, result: Any) -> int:
    session = one_line(str(result.session_id), 80) if result.session_id else "unknown"
    click.echo(f"{unit}: {result.state} (exit {result.exit_code}, session {session})")
    if getattr(result, "reason", None):
        click.echo(f"why: {one_line(result.reason, 500)}")
    click.echo(f"log: {result.log_path}")
    if result.state == model.NEEDS_ATTENTION:
        click.echo(f"answer with: ve orch answer {unit}")
    return 0 if result.state == model.DONE else 1


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.option("--prompt-file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the prompt the agent starts from.")
@click.option("--agent-cmd", default=None, help="Agent command instead of `claude` (see docs/orchestrator.md).")
@click.option("--agent", "agent_name", type=click.Choice(["claude", "codex", "gemini"]), default=None,
              help="Which agent CLI to start, found on PATH [default: `agent` in [tool.ve-hooks.orch], else claude].")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, help="AskOperator waits this long for an answer.")
@click.pass_context
@domain_errors
def run(ctx: click.Context, unit: str, prompt_file: Path, agent_cmd: str | None, agent_name: str | None,
        wait: float) -> int:
    """Run an agent on UNIT with the AskOperator tool; exit 0 DONE, 1 NEEDS_ATTENTION/FAILED.

    \b
    The agent is Claude Code, Codex CLI or Gemini CLI (--agent), headless with
    JSON output; AskOperator is added for this run only, the agent's own
    configuration is left as it is. With --agent-cmd and no placeholders the
    command stands in for the agent's executable.
    """
    from ve_hooks.orch import agent

    return _report(unit, agent.run(store_of(ctx), unit, prompt_file, agent_cmd, wait, agent=agent_name))


@orch.command()
@click.argument("unit", callback=lambda _c, _p, v: checked_unit(v))
@click.option("--agent-cmd", default=None, help="Agent command instead of `claude`.")
@click.option("--agent", "agent_name", type=click.Choice(["claude", "codex", "gemini"]), default=None,
              help="Which agent CLI to start, found on PATH [default: the agent of the run that asked].")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, help="AskOperator waits this long for an answer.")
@click.pass_context
@domain_errors
def resume(ctx: click.Context, unit: str, agent_cmd: str | None, agent_name: str | None, wait: float) -> int:
    """Deliver UNIT's answers to its agent session (`claude --resume`, `codex exec resume`, `gemini --resume`)."""
    from ve_hooks.orch import agent

    result = agent.resume(store_of(ctx), unit, agent_cmd, wait, agent=agent_name)
    if result is None:
        click.echo(f"{unit}: no answered question waits for delivery")
        return 1
    return _report(unit, result)
