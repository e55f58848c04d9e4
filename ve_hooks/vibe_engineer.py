"""One ``ve`` for both packages: ve-hooks' commands here, every other one to vibe-engineer's CLI.

vibe-engineer and ve-hooks both install a script named ``ve``; the package installed last owns
the file. When ours runs and vibe-engineer's click group is importable, ``ve`` is a superset of
vibe-engineer's: a command ve-hooks owns runs here, anything else is handed to vibe-engineer's own
group with the argv untouched (its output and exit code are its own). Where both name a command:

* ``ve orch attention`` and ``ve orch answer`` are ours and serve both the notes and the daemon;
* ``ve validate`` and ``ve orch status`` stay vibe-engineer's (its users' scripts rely on them);
  ours are ``ve-validate`` / ``ve-hooks validate`` and ``ve-hooks orch status``.

``ve-hooks`` is always ve-hooks alone. ``$VE_HOOKS_ALONE=1`` makes ``ve`` ve-hooks alone too.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Sequence
from dataclasses import dataclass

import click

DIST = "vibe-engineer"
# vibe-engineer keeps these words under `ve`; the value says where ours is.
VIBE_KEEPS = {"validate": "ve-validate (or ve-hooks validate)"}
VIBE_KEEPS_ORCH = {"status": "ve-hooks orch status"}
# Both packages have these; ours serves both sources.
SHARED_ORCH = ("attention", "answer")
ORCH_GROUP_OPTIONS = ("--repo", "--ref")


@dataclass
class Vibe:
    """vibe-engineer as installed here; its click group is imported only when needed (slow)."""

    version: str
    _group: click.Group | None = None
    problem: str | None = None

    @property
    def group(self) -> click.Group | None:
        if self._group is None and self.problem is None:
            try:
                group = importlib.import_module("ve").cli  # vibe-engineer's entry module is `ve`
            except Exception as e:  # its import may fail in many ways; say which and go on without it
                self.problem = (f"vibe-engineer {self.version} is installed but its CLI cannot be imported: "
                                f"{type(e).__name__}: {e}")
                return None
            if not isinstance(group, click.Group):
                self.problem = f"vibe-engineer {self.version}: `ve.cli` is not a click group"
                return None
            self._group = group
        return self._group


def load() -> Vibe | None:
    """vibe-engineer when the package is installed here (not imported yet); None when it is not."""
    if os.environ.get("VE_HOOKS_ALONE"):
        return None
    try:
        return Vibe(importlib.metadata.version(DIST))
    except importlib.metadata.PackageNotFoundError:
        return None


def _ours_top() -> set[str]:
    from ve_hooks.commands import LAZY_COMMANDS

    return set(LAZY_COMMANDS)


def _ours_orch() -> set[str]:
    from ve_hooks.orch.cli import orch

    return set(orch.commands)


def route(argv: Sequence[str]) -> str:
    """Who runs ``ve ARGV``: "ours", "vibe", "help" (both), "orch-help" (both) or "version"."""
    if not argv or argv[0] in ("-h", "--help"):
        return "help"
    if argv[0] == "--version":
        return "version"
    name = argv[0]
    if name == "orch":
        rest = list(argv[1:])
        while rest and (rest[0] in ORCH_GROUP_OPTIONS or rest[0].split("=", 1)[0] in ORCH_GROUP_OPTIONS):
            rest = rest[2:] if "=" not in rest[0] else rest[1:]
        if not rest or rest[0] in ("-h", "--help"):
            return "orch-help"
        sub = rest[0]
        return "ours" if sub in _ours_orch() and sub not in VIBE_KEEPS_ORCH else "vibe"
    if name in _ours_top() and name not in VIBE_KEEPS:
        return "ours"
    return "vibe"


def run_vibe(group: click.Group, argv: Sequence[str]) -> int:
    """vibe-engineer's group, standalone, exactly as its own ``ve`` script would run it."""
    try:
        rv = group.main(args=list(argv), prog_name="ve", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        click.echo(code, err=True)
        return 1
    return rv if isinstance(rv, int) else 0


def _rows(group: click.Group, suffix: dict[str, str], leave_out: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(name, short help) of a vibe-engineer group's commands, where ours is noted after the help."""
    ctx = click.Context(group, info_name="ve")
    rows = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden or name in leave_out:
            continue
        note = f" (ve-hooks': {suffix[name]})" if name in suffix else ""
        rows.append((name, cmd.get_short_help_str(limit=70) + note))
    return rows


def combined_help(vibe: Vibe) -> str:
    """``ve --help``: vibe-engineer's commands, then ours."""
    from ve_hooks.commands import LAZY_COMMANDS

    formatter = click.HelpFormatter()
    formatter.write_usage("ve", "[OPTIONS] COMMAND [ARGS]...")
    formatter.write_paragraph()
    with formatter.indentation():
        formatter.write_text(f"One `ve` for vibe-engineer {vibe.version} and ve-hooks: vibe-engineer's commands "
                             "run unchanged, ve-hooks' beside them. `ve orch attention` and `ve orch answer` "
                             "serve both the AskOperator notes and vibe-engineer's daemon.")
    with formatter.section("Options"):
        formatter.write_dl([("--version", "Show both versions and exit."),
                            ("-h, --help", "Show this message and exit.")])
    group = vibe.group
    if group is not None:
        with formatter.section(f"vibe-engineer {vibe.version} commands"):
            formatter.write_dl(_rows(group, VIBE_KEEPS))
    else:
        with formatter.section("vibe-engineer"):
            formatter.write_text(str(vibe.problem))
    rows = [(n, LAZY_COMMANDS[n][1] + (" (also vibe-engineer's daemon)" if n == "orch" else ""))
            for n in sorted(LAZY_COMMANDS) if n not in VIBE_KEEPS]
    with formatter.section("ve-hooks commands"):
        formatter.write_dl(rows)
    return formatter.getvalue()


def orch_help(vibe: Vibe) -> str:
    """``ve orch --help``: ours, then the daemon commands vibe-engineer adds."""
    from ve_hooks.orch.cli import orch

    ctx = click.Context(orch, info_name="orch", parent=click.Context(click.Group("ve"), info_name="ve"))
    text = orch.get_help(ctx)
    group = vibe.group
    vorch = group.get_command(click.Context(group, info_name="ve"), "orch") if group is not None else None
    if not isinstance(vorch, click.Group):
        return text
    formatter = click.HelpFormatter()
    with formatter.section(f"vibe-engineer {vibe.version} orch commands (its daemon)"):
        formatter.write_dl(_rows(vorch, VIBE_KEEPS_ORCH, set(orch.commands) - set(VIBE_KEEPS_ORCH)))
    formatter.write_paragraph()
    formatter.write_text(f"Shared: {', '.join(SHARED_ORCH)} list and answer both the notes and the daemon.")
    return text + "\n" + formatter.getvalue()


def dispatch(argv: Sequence[str], run_ours) -> int:  # run_ours: (argv) -> int
    """Entry of the ``ve`` script."""
    vibe = load()
    if vibe is None:
        return run_ours(argv)
    where = route(argv)
    if where == "ours":
        return run_ours(argv)
    if where == "help":
        click.echo(combined_help(vibe), nl=False)
        return 0
    if where == "orch-help":
        click.echo(orch_help(vibe), nl=False)
        return 0
    if where == "version":
        ours = importlib.metadata.version("ve-hooks")
        click.echo(f"ve (ve-hooks {ours}, vibe-engineer {vibe.version})")
        return 0
    group = vibe.group
    if group is None:
        click.echo(f"Error: `ve {argv[0]}` is vibe-engineer's, but {vibe.problem}. "
                   "Repair: pip install --force-reinstall vibe-engineer", err=True)
        return 2
    return run_vibe(group, argv)
