"""``ve-hooks doctor``: who owns the ``ve`` script, and how to get one ``ve`` back.

vibe-engineer and ve-hooks both declare a ``ve`` script. The package installed last writes the
file, and uninstalling *either* package deletes it (each lists it in its RECORD). So:

* vibe-engineer installed after ve-hooks: ``ve`` is vibe-engineer's alone (ours via ``ve-hooks``);
* either uninstalled: ``ve`` is gone until repaired.

``--fix`` writes ve-hooks' ``ve`` (the superset, which hands vibe-engineer's commands to it)
beside this interpreter. After uninstalling ve-hooks, vibe-engineer's ``ve`` comes back with
``pip install --force-reinstall --no-deps vibe-engineer``.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import click

SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
# Written by `ve-hooks doctor --fix`: ve-hooks' `ve`, which runs vibe-engineer's commands too.
import re
import sys
from ve_hooks.cli import ve_main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(ve_main())
"""

_IMPORT = re.compile(r"^from (\S+) import (\S+)", re.MULTILINE)


def script_path() -> Path:
    """The ``ve`` next to this interpreter (where pip puts both packages' scripts)."""
    return Path(sys.executable).parent / "ve"


def owner(path: Path) -> str:
    """"ve-hooks", "vibe-engineer", "missing" or "unknown" for the script at ``path``."""
    if not path.exists():
        return "missing"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return "unknown"
    m = _IMPORT.search(text)
    if m is None:
        return "unknown"
    if m.group(1).startswith("ve_hooks"):
        return "ve-hooks"
    if m.group(1) == "ve":
        return "vibe-engineer"
    return "unknown"


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def write_script(path: Path) -> None:
    from ve_hooks.documents.writer import atomic_write

    atomic_write(path, SCRIPT.format(python=sys.executable).encode("utf-8"), mode=0o755)


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Write ve-hooks' `ve` script (runs vibe-engineer's commands too).")
def command(fix: bool) -> int:
    """Check that one `ve` serves vibe-engineer and ve-hooks; exit 1 if it does not.

    \b
    Installing or uninstalling either package rewrites or deletes the `ve`
    script both declare. This says which one `ve` runs and how to repair it:
      ve-hooks doctor          report (exit 1 if `ve` misses a package)
      ve-hooks doctor --fix    make `ve` ve-hooks' superset again
    """
    path = script_path()
    vibe = _version("vibe-engineer")
    who = owner(path)
    click.echo(f"ve-hooks {_version('ve-hooks')}; vibe-engineer {vibe or 'not installed'}")
    click.echo(f"{path}: {who if who != 'missing' else 'no such file'}")
    problem = None
    if who == "missing":
        problem = ("`ve` is missing (uninstalling either package deletes the script both declare)")
    elif who == "vibe-engineer":
        problem = ("`ve` is vibe-engineer's alone: ve-hooks' commands only as `ve-hooks`, and `ve orch attention`"
                   " / `ve orch answer` see the daemon but not the AskOperator notes")
    elif who == "unknown":
        problem = "`ve` is a script neither package wrote"
    if problem is None:
        from ve_hooks.vibe_engineer import load

        loaded = load()
        if loaded is not None and loaded.group is None:
            click.echo(f"problem: {loaded.problem}")
            click.echo("  repair: pip install --force-reinstall vibe-engineer")
            return 1
        click.echo("ok: `ve` is ve-hooks'" + (", handing vibe-engineer's commands to it" if vibe else ""))
        return 0
    click.echo(f"problem: {problem}")
    if fix:
        write_script(path)
        click.echo(f"fixed: wrote ve-hooks' `ve` to {path}")
        return 0
    click.echo("  repair: ve-hooks doctor --fix")
    return 1
