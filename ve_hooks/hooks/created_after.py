"""``ve-created-after`` hook: the fixer that fills ``created_after`` of new artifacts.

A new chunk (or narrative, investigation, subsystem) is created after the current tips of HEAD.
The hook writes them into the file byte-preservingly, prints ``Fixing <file>`` and fails, as
pre-commit fixers do: the user sees the change, stages it, and the second ``git commit`` passes.
Each call handles only the files it is given, so pre-commit may batch them freely.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from ve_hooks.diagnostic import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from ve_hooks.documents import artifacts as art
from ve_hooks.hooks import artifact_root, find_toplevel, guarded
from ve_hooks.sanitize import clean


def fix(filenames: Sequence[str], *, refresh: bool = False, cwd: Path | None = None,
        failed: list[str] | None = None) -> list[str]:
    """Fill created_after of the new artifacts among ``filenames``; return the paths changed
    (``failed`` collects those that needed a write and could not be written)."""
    base = cwd or Path.cwd()
    top = find_toplevel(base)
    root = artifact_root(top)
    mains: list[str] = []
    for f in filenames:
        p = Path(f) if Path(f).is_absolute() else base / f
        try:
            # The folders resolved, not the file: a linked GOAL.md is its own path (and refused).
            rel = (Path(os.path.realpath(p.parent)) / p.name).relative_to(Path(top).resolve()).as_posix()
        except ValueError:
            continue
        a = art.classify(rel, root)
        if a is not None and a.role == "main":
            mains.append(rel)
    if not mains:
        return []
    from ve_hooks.commands.created_after import fill
    from ve_hooks.project import locate

    return [str(p) for p in fill(locate(top), mains, refresh=refresh, failed=failed)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ve-hooks-created-after",
        description="Fill created_after of new artifacts with the tips of HEAD (a fixer: it edits "
                    "the files and fails so that you can review and stage the change).")
    parser.add_argument("filenames", nargs="*", help="Artifact files (GOAL.md / OVERVIEW.md) to fill.")
    parser.add_argument("--refresh", action="store_true",
                        help="Also recompute a non-empty created_after of a new artifact (HEAD moved).")
    args = parser.parse_args(argv)

    def work() -> int:
        failed: list[str] = []
        changed = fix(args.filenames, refresh=args.refresh, failed=failed)
        for path in changed:
            print(f"Fixing {clean(path, keep_newlines=False)}")
        return EXIT_ERROR if failed else EXIT_FINDINGS if changed else EXIT_OK

    return guarded("ve-created-after", work)

if __name__ == "__main__":
    raise SystemExit(main())
