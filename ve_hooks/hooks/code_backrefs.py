"""``ve-code-backrefs`` hook: backreference comments in staged source files must name real
artifacts, and vibe-engineer's project files (``.ve-config.yaml``, hook fragments...) must match
their schemas: every family's ``check_sources`` over the files pre-commit hands it.

A comment such as ``# Chunk: docs/chunks/<name>`` ties code to its intent; once the chunk is
renamed or deleted the comment misleads. pre-commit passes the staged text files (and may batch
them): each file is checked alone against the listing of the staged artifacts, and files that
neither mention the artifact root nor are project files are skipped without being decoded. A
workspace member's chunk or subsystem (``packages/lib/docs/chunks/x/GOAL.md``) has its code
references checked in the member's tree, as ``ve workspace validate`` does.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.hooks import find_toplevel, guarded, report
from ve_hooks.report.formats import FORMATS


def check_files(filenames: Sequence[str], *, cwd: Path | None = None) -> list[Diagnostic]:
    """Backreference findings for ``filenames`` (paths relative to ``cwd``)."""
    from ve_hooks.config import load
    from ve_hooks.rules.code_references import member_document
    from ve_hooks.rules.project_files import kind_of

    here = cwd or Path.cwd()
    top = find_toplevel(here)
    config = load(top)
    needle = (config.artifact_root.strip("/") + "/").encode()
    texts: dict[str, str] = {}
    for f in filenames:
        p = Path(f) if Path(f).is_absolute() else here / f
        try:
            data = p.read_bytes()
            rel = p.resolve().relative_to(top.resolve()).as_posix()
        except (OSError, ValueError):
            continue
        if needle in data or kind_of(rel, config.artifact_root) or member_document(rel, config.artifact_root):
            texts[rel] = data.decode("utf-8", "replace")
    if not texts:
        return []
    from ve_hooks.project import open_project
    from ve_hooks.rules import Sources
    from ve_hooks.validation.engine import check_sources

    with open_project(top) as project:
        snap = project.snapshot(staged=project.loc.info is not None)
        repo, base = project.repo(snap), project.base(snap)  # the base lets hints name renames
        found = check_sources(Sources(repo, base, project.config, given=texts))[0]
        from ve_hooks.validation import suppressions

        return suppressions.apply(found, project.root, snap, repo, base).reported


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ve-hooks-code-backrefs",
        description="Check that backreference comments (# Chunk: docs/chunks/<name>) in source files "
                    "name artifacts that exist in the staged repository.")
    parser.add_argument("filenames", nargs="*", help="Source files to check.")
    parser.add_argument("--format", default="text", choices=FORMATS, help="Output format (default: text).")
    args = parser.parse_args(argv)
    return guarded("ve-code-backrefs", lambda: report(check_files(args.filenames), args.format, args.filenames))

if __name__ == "__main__":
    raise SystemExit(main())
