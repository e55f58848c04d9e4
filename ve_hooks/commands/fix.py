"""``ve-validate --fix``: apply the fixes rules attached to their findings, file by file.

Each file is read once from disk, every applicable fix is applied in turn through
:func:`ve_hooks.documents.fixes.apply` (which re-parses and refuses anything that would change
more than the fix names), and the result is written atomically. A file that no longer parses
is never touched.
"""

from __future__ import annotations

from collections import defaultdict

import click

from ve_hooks.documents import fixes
from ve_hooks.documents.writer import UnsafePath, atomic_write
from ve_hooks.engine import Options, Outcome
from ve_hooks.project import locate


def apply_fixes(outcome: Outcome, options: Options, *, unsafe: bool) -> int:
    """Apply the fixes of ``outcome``'s findings to the working tree; the number of findings fixed."""
    from pathlib import Path

    loc = locate(Path(options.repo) if options.repo else options.cwd)  # as engine.run does
    by_path: dict[str, list[fixes.Fix]] = defaultdict(list)
    for d in outcome.diagnostics:
        if d.fix is not None and (d.fix.safe or unsafe):
            by_path[d.path].append(d.fix)
    total = 0
    files = 0
    for rel, wanted in sorted(by_path.items()):
        path = loc.root / rel
        try:
            raw = path.read_bytes()
        except OSError as e:
            click.echo(f"ve-validate: {rel}: not fixed: {e.strerror or e}", err=True)
            continue
        new, applied = fixes.apply(raw, wanted, yaml_file=rel.endswith(".yaml"))
        if not applied or new == raw:
            continue
        try:
            atomic_write(path, new, root=loc.root)
        except (UnsafePath, OSError) as e:
            click.echo(f"ve-validate: {rel}: not fixed: {e}", err=True)
            continue
        total += len(applied)
        files += 1
    if total:
        click.echo(f"ve-validate: fixed {total} finding{'s' if total != 1 else ''} in "
                   f"{files} file{'s' if files != 1 else ''}", err=True)
    return total
