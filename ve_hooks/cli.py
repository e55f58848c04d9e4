"""Command-line entry points: the ``ve`` group (also installed as ``ve-hooks``) and ``ve-validate``.

Subcommands are registered by dotted path and imported only when invoked, so ``ve --help``
and the hooks never pay for jsonschema, click's subcommands or the MCP SDK.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from ve_hooks.commands import LAZY_COMMANDS


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            target, _ = LAZY_COMMANDS[cmd_name]
            module_name, attr = target.split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help without importing every subcommand.
        rows = [(name, LAZY_COMMANDS[name][1]) for name in sorted(LAZY_COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ve-hooks", prog_name="ve-hooks")
def cli() -> None:
    """ve-hooks: keep vibe-engineer chunks and their kin honest inside git.

    \b
    Examples:
      ve validate                  check every artifact under docs/
      ve tips --rev HEAD           the chunks a new chunk should be created after
      ve created-after fill        fill created_after of new chunks
      ve orch attention            open AskOperator questions
    """


def _run(command: click.Command, argv: Sequence[str] | None, prog_name: str) -> int:
    """Invoke a click command inside the one guard (:mod:`ve_hooks.errors`): usage and internal
    errors exit 2 with one line, never with a traceback."""
    from ve_hooks.errors import debugging, guard

    args = list(argv) if argv is not None else None

    def work() -> int:
        try:
            rv = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        except click.exceptions.Exit as e:
            return e.exit_code
        except click.ClickException as e:
            e.show()
            return 2
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            return 2
        return rv if isinstance(rv, int) else 0

    return guard(prog_name, work, debug=debugging(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ve-hooks`` (ve-hooks alone, whatever else is installed)."""
    prog = os.path.basename(sys.argv[0]) if argv is None and sys.argv and sys.argv[0] else "ve"
    return _run(cli, argv, prog if prog in ("ve", "ve-hooks") else "ve")


def ve_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ve``: ve-hooks' commands, and vibe-engineer's when it is installed too."""
    from .vibe_engineer import dispatch

    args = list(sys.argv[1:] if argv is None else argv)
    return dispatch(args, lambda a: _run(cli, a, "ve"))


def validate_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ve-validate``."""
    from ve_hooks.commands.validate import command

    return _run(command, argv, "ve-validate")


if __name__ == "__main__":
    raise SystemExit(main())
