"""``ve-status-transitions`` hook: only VE501, the status lifecycle, as its own hook id.

Kept apart from ``ve-validate`` so a team can turn it off alone (``SKIP=ve-status-transitions``)
when a commit deliberately rewrites history, and so it can run at pre-push, where it checks every
pushed commit against its parent -- including commits made with ``--no-verify``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from ve_hooks import git
from ve_hooks.diagnostic import Diagnostic
from ve_hooks.hooks import TRANSITIONS, artifact_root, changes, find_toplevel, guarded, refs_from_env, report
from ve_hooks.report.formats import FORMATS


def _check(top: Path, paths: list[str], rev: str | None) -> list[Diagnostic]:
    if not paths:
        return []
    from ve_hooks.validation import engine

    outcome = engine.run(engine.Options(paths=[str(top / p) for p in paths], repo=str(top), staged=rev is None,
                                        rev=rev, cwd=top))
    return [d for d in outcome.diagnostics if d.rule.startswith(TRANSITIONS)]


def transitions(top: Path, from_ref: str | None = None, to_ref: str | None = None) -> list[Diagnostic]:
    """VE501 findings of the index against HEAD, or of each commit in FROM..TO against its parent."""
    root = artifact_root(top)
    if not to_ref:
        ch = changes(top, root)
        return _check(top, [a.path for a in ch.present if a.role == "main"], None)
    span = to_ref if not from_ref or set(from_ref) == {"0"} else f"{from_ref}..{to_ref}"
    commits = git.run_text(["rev-list", "--reverse", "--first-parent", span, "--", f"{root}/"], top).split()
    out: list[Diagnostic] = []
    for sha in commits:
        parent = git.run_text(["rev-parse", "-q", "--verify", f"{sha}^1"], top, check=False).strip()
        ch = changes(top, root, parent or None, sha)
        out.extend(_check(top, [a.path for a in ch.present if a.role == "main"], sha))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ve-hooks-status-transitions",
        description="Check that artifact statuses move only along their lifecycle (VE501): the staged "
                    "state against HEAD, or at pre-push every pushed commit against its parent.")
    parser.add_argument("filenames", nargs="*", help="Ignored: the changed artifacts are read from git.")
    parser.add_argument("--format", default="text", choices=FORMATS, help="Output format (default: text).")
    args = parser.parse_args(argv)
    return guarded("ve-status-transitions",
                   lambda: report(transitions(find_toplevel(), *refs_from_env()), args.format))

if __name__ == "__main__":
    raise SystemExit(main())
