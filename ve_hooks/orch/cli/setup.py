"""``ve orch`` setup: init (AskOperator for vibe-engineer's daemon) and mcp-config."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ve_hooks.orch.cli.group import checked_unit, domain_errors, orch, store_of
from ve_hooks.orch.store import OrchError
from ve_hooks.sanitize import one_line


@orch.command("init")
@click.option("--check", "check_only", is_flag=True, help="Only report what is missing (exit 1 if anything is).")
@click.option("--wait", type=click.FloatRange(min=0), default=None,
              help="Seconds AskOperator waits for an answer in the daemon's agents [default: 1800].")
@click.option("--command", "command", default="ve-hooks", show_default=True,
              help="How the agents start ve-hooks (a name on their PATH, or an absolute path).")
@click.pass_context
@domain_errors
def init_command(ctx: click.Context, check_only: bool, wait: float | None, command: str) -> int:
    """Give the agents of vibe-engineer's daemon the AskOperator tool.

    \b
    Adds the ve-orch server to .mcp.json (other servers and bytes kept;
    nothing changes when it is there already), and configures git:
    notes.rewriteRef refs/notes/ve/*, and per remote a fetch refspec for
    refs/notes/ve/* (a push refspec only where the remote lists push
    refspecs already: elsewhere it would change what `git push` pushes;
    `ve orch sync` pushes the notes). Commit .mcp.json afterwards: the
    daemon's worktrees are checked out from commits.

    A .mcp.json that is a symbolic link, not a regular file, not UTF-8,
    not JSON it can parse, or read-only is refused (exit 2, nothing
    changed); a merged file keeps its line endings (CRLF too) and mode.
      ve orch init            set up (idempotent)
      ve orch init --check    say what is missing; exit 1 if anything is
    """
    from ve_hooks.orch import init as setup
    from ve_hooks.orch.config_file import ConfigRefused
    from ve_hooks.orch.mcp_server import DEFAULT_WAIT_SECONDS

    repo = ctx.obj["repo"]
    try:
        if not check_only:
            for line in setup.init(repo, DEFAULT_WAIT_SECONDS if wait is None else wait, command):
                click.echo(f"done: {one_line(line, 500)}")
        report = setup.check(repo)
    except ConfigRefused as e:  # InitError included: the file or the repository refused, nothing half-done
        raise click.ClickException(one_line(str(e), 500)) from None
    for item in report.items:
        mark = "ok" if item.ok else ("warning" if not item.required else "missing" if check_only else "todo")
        # .mcp.json's command and the remotes' names come from the repository: through the guard.
        click.echo(f"{mark}: {one_line(item.what, 500)}" + ("" if item.ok else f"  ->  {one_line(item.fix, 500)}"))
    return 1 if check_only and report.missing else 0


@orch.command("mcp-config")
@click.option("--unit", required=True, callback=lambda _c, _p, v: checked_unit(v),
              help="Work unit whose agent gets the AskOperator tool.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds the tool call waits for an answer before telling the agent to stop.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the JSON to this file (its folder is created, e.g. .git/ve-orch/) instead of stdout.")
@click.pass_context
@domain_errors
def mcp_config(ctx: click.Context, unit: str, wait: float, output: Path | None) -> int:
    """Print the JSON for `claude --mcp-config` (allowed tool name on stderr)."""
    from ve_hooks.orch import agent

    text = json.dumps(agent.mcp_config(store_of(ctx), unit, wait), indent=2)
    if output is None:
        click.echo(text)
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            raise OrchError(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"wrote {output}", err=True)
    click.echo(f"# allow the tool with: --allowedTools {agent.ALLOWED_TOOL}", err=True)
    return 0
