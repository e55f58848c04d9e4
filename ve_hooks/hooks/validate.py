"""``ve-validate`` hook: validate what this commit changes, against the staged state of the whole repo.

Runs once per commit (``always_run``, ``pass_filenames: false``) because deleting or renaming an
artifact breaks the artifacts that reference it, and pre-commit passes no filename for a
deletion. One ``git diff --cached`` decides: nothing under the artifact root staged means exit
before anything is imported or parsed. Otherwise the targets are the staged artifact files plus,
when an artifact was removed, every staged file that names it (one ``git grep`` over the index);
the engine takes the rest of the repository from the listing and the blob-id cache.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ve_hooks import git
from ve_hooks.diagnostic import EXIT_FINDINGS, EXIT_OK, Diagnostic
from ve_hooks.documents import artifacts as art
from ve_hooks.hooks import (
    TRANSITIONS,
    Changes,
    artifact_root,
    changes,
    codes,
    find_toplevel,
    guarded,
    has_errors,
    print_diagnostics,
    refs_from_env,
)
from ve_hooks.report.formats import FORMATS

_FRICTION_ID = re.compile(rb"(?m)^#{2,4}\s+(F\d+)\b")


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
    cache_hits: int = 0
    early_exit: str = ""  # why nothing was checked, when nothing was
    checked: list[str] = field(default_factory=list)  # the files checked, for reports listing them all
    suppressed: int = 0  # errors within ve-hooks-suppressions.json


def removed_friction_ids(ch: Changes) -> set[str]:
    """Friction entry ids headed in the base log but no longer in the checked one."""
    path = f"{ch.artifact_root}/{art.FRICTION}"
    old_rev = ch.base if ch.rev else "HEAD"
    old = git.run(["cat-file", "-p", f"{old_rev}:{path}"], ch.toplevel, check=False)
    new = git.run(["cat-file", "-p", f"{ch.rev or ''}:{path}"], ch.toplevel, check=False)
    return {m.decode() for m in _FRICTION_ID.findall(old)} - {m.decode() for m in _FRICTION_ID.findall(new)}


def dependents(ch: Changes) -> list[str]:
    """Files of the checked snapshot that mention a removed artifact name or friction id.

    ``git grep`` over the index (or commit) reads blobs without parsing them: an over-approximation
    (a mention in prose counts) that the engine then narrows to real findings.
    """
    needles = {art.bare_name(a.name) for a in ch.removed if a.kind != "friction"}
    if any(a.kind == "friction" for a in ch.removed) or ch.friction_changed:
        needles |= removed_friction_ids(ch)
        if any(a.kind == "friction" for a in ch.removed):
            needles.add("friction_entries")  # every chunk that cites the log at all
    if not needles:
        return []
    args = ["grep", "-l", "-z", "-w", "-F", "-I"]
    for n in sorted(needles):
        args += ["-e", n]
    args += ["--cached"] if ch.rev is None else [ch.rev]
    out = git.zsplit(git.run([*args, "--", "."], ch.toplevel, check=False))
    prefix = f"{ch.rev}:" if ch.rev else ""
    return [p[len(prefix):] if prefix and p.startswith(prefix) else p for p in out]


def validate(top: Path, *, filenames: Sequence[str] = (), from_ref: str | None = None,
             to_ref: str | None = None, select: Sequence[str] = (), ignore: Sequence[str] = (),
             with_transitions: bool = False, cwd: Path | None = None) -> Result:
    """Diagnostics for the artifacts this commit (or FROM..TO) can affect; nothing parsed when none."""
    args = (top, filenames, from_ref, to_ref, select, ignore, with_transitions, cwd)
    if filenames or to_ref is not None:
        return _validate(*args)
    with git.index_listing_ahead(top):  # the run will list the index: git does it while it diffs
        return _validate(*args)


def _validate(top: Path, filenames: Sequence[str], from_ref: str | None, to_ref: str | None,
              select: Sequence[str], ignore: Sequence[str], with_transitions: bool, cwd: Path | None) -> Result:
    root = artifact_root(top)
    targets: list[str] = []
    sources: list[str] = []
    if filenames:  # pass_filenames overridden: check exactly the given files (pre-commit may batch them)
        base = cwd or Path.cwd()
        for f in filenames:
            rel = Path(f) if Path(f).is_absolute() else base / f
            try:
                p = rel.resolve().relative_to(top.resolve()).as_posix()
            except ValueError:
                continue
            a = art.classify(p, root)
            if a is not None and a.validated:
                targets.append(p)
        if not targets:
            return Result(early_exit="no artifact among the given files")
    else:
        ch = changes(top, root, from_ref, to_ref)
        if ch.changes:
            from ve_hooks.rules.project_files import kind_of

            # Project files under the root vibe-engineer reads (docs/hooks/, reviewers, DELETIONS.md).
            sources.extend(c.path for c in ch.changes if c.status != "D" and kind_of(c.path, root))
        if not ch.relevant and not sources:
            return Result(early_exit=f"no change under {root}/")
        targets = [a.path for a in ch.present]
        for p in dependents(ch):
            a = art.classify(p, root)
            if a is not None:
                if a.validated and p not in targets:
                    targets.append(p)
            elif not p.startswith(root + "/") and p not in sources:
                sources.append(p)
        if not targets and not sources:
            return Result(early_exit="removed artifacts are referenced nowhere")

    from ve_hooks.validation import engine

    # One run, one open project: the artifacts, and the source files that named a removed one.
    outcome = engine.run(engine.Options(paths=[str(top / p) for p in [*targets, *sources]], repo=str(top),
                                        staged=to_ref is None, rev=to_ref, select=select, ignore=ignore,
                                        cwd=top))
    result = Result(list(outcome.diagnostics), outcome.files, outcome.parsed, outcome.cache_hits,
                    checked=list(outcome.checked), suppressed=len(outcome.suppressed))
    if not with_transitions:
        result.diagnostics = [d for d in result.diagnostics if not d.rule.startswith(TRANSITIONS)]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ve-hooks-validate-staged",
        description="Validate the artifacts a commit changes (and those a removal breaks) against "
                    "the staged repository. Status transitions (VE501) are left to ve-status-transitions.")
    parser.add_argument("filenames", nargs="*", help="Check only these files (default: what is staged).")
    parser.add_argument("--format", default="text", choices=FORMATS, help="Output format (default: text).")
    parser.add_argument("--select", action="append", metavar="CODES", help="Only these rule codes or prefixes.")
    parser.add_argument("--ignore", action="append", metavar="CODES", help="Skip these rule codes or prefixes.")
    parser.add_argument("--with-transitions", action="store_true",
                        help="Also report VE501 status transitions (when ve-status-transitions is not used).")
    parser.add_argument("--stats", action="store_true", help="Print files checked, parsed and cache hits.")
    args = parser.parse_args(argv)
    from_ref, to_ref = refs_from_env()

    def work() -> int:
        result = validate(find_toplevel(), filenames=args.filenames, from_ref=from_ref, to_ref=to_ref,
                          select=codes(args.select), ignore=codes(args.ignore),
                          with_transitions=args.with_transitions)
        print_diagnostics(result.diagnostics, result.files, args.format, result.checked, result.suppressed)
        if args.stats:
            if result.early_exit:
                print(f"ve-validate: early exit: {result.early_exit}; 0 files, 0 parsed", file=sys.stderr)
            else:
                print(f"ve-validate: {result.files} files, {result.parsed} parsed, "
                      f"{result.cache_hits} cache hits", file=sys.stderr)
        return EXIT_FINDINGS if has_errors(result.diagnostics) else EXIT_OK

    return guarded("ve-validate", work)

if __name__ == "__main__":
    raise SystemExit(main())
