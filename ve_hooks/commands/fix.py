"""``ve-validate --fix``: apply the fixes rules attached to their findings, file by file.

Each file is read once from disk, every applicable fix is applied in turn through
:func:`ve_hooks.documents.fixes.apply` (which re-parses and refuses anything that would change
more than the fix names), and the result is written atomically. A file that no longer parses
is never touched.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click

from ve_hooks.documents import fixes
from ve_hooks.documents.writer import UnsafePath, atomic_write, sweep
from ve_hooks.project import locate
from ve_hooks.sanitize import clean
from ve_hooks.validation.engine import Options, Outcome


def apply_fixes(outcome: Outcome, options: Options, *, unsafe: bool) -> tuple[int, int]:
    """Apply the fixes of ``outcome``'s findings to the working tree: (findings fixed, files that
    needed a fix and could not be written). Every write goes through the writer's guard (no
    symbolic link, nothing outside the repository); temporary files a killed run left beside
    the checked files are removed first."""
    loc = locate(Path(options.repo) if options.repo else options.cwd)  # as engine.run does
    by_path: dict[str, list[fixes.Fix]] = defaultdict(list)
    for d in outcome.diagnostics:
        if d.fix is not None and (d.fix.safe or unsafe):
            by_path[d.path].append(d.fix)
    by_dir: dict[str, set[str]] = defaultdict(set)
    for p in outcome.checked:
        folder, _, name = p.rpartition("/")
        by_dir[folder].add(name)
    for folder, names in by_dir.items():
        sweep(loc.root / folder, names)
    total = 0
    files = 0
    failed = 0
    for rel, wanted in sorted(by_path.items()):
        path = loc.root / rel
        try:
            raw = path.read_bytes()
        except OSError as e:
            click.echo(f"ve-validate: {clean(rel, keep_newlines=False)}: not fixed: {e.strerror or e}", err=True)
            failed += 1
            continue
        new, applied = fixes.apply(raw, wanted, yaml_file=rel.endswith(".yaml"))
        if not applied or new == raw:
            continue
        try:
            atomic_write(path, new, root=loc.root)
        except (UnsafePath, OSError) as e:
            click.echo(f"ve-validate: {clean(rel, keep_newlines=False)}: not fixed: "
                       f"{clean(str(e), keep_newlines=False)}", err=True)
            failed += 1
            continue
        total += len(applied)
        files += 1
    if total:
        click.echo(f"ve-validate: fixed {total} finding{'s' if total != 1 else ''} in "
                   f"{files} file{'s' if files != 1 else ''}", err=True)
    return total, failed
