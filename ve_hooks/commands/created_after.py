"""``ve created-after fill`` and ``ve created-after backfill``.

``fill`` is what the pre-commit hook runs: a new artifact gets the tips of HEAD, written by
the byte-preserving writer, so the only diff is that one field. ``backfill`` audits (and
optionally repairs) every artifact against the history, see ``docs/created_after.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import click

from ve_hooks.created_after.identity import renamed
from ve_hooks.created_after.tips import tips_in
from ve_hooks.diagnostic import EXIT_ERROR, UsageError
from ve_hooks.documents import artifacts as art
from ve_hooks.documents import writer
from ve_hooks.project import Location, head_snapshot, locate, open_location, repo_paths
from ve_hooks.rules.schema import added_errors
from ve_hooks.sanitize import clean, echo, unsafe_name
from ve_hooks.snapshot import WorktreeSnapshot


def _selected(path: str, roots: list[str] | None) -> bool:
    if roots is None:
        return True
    return any(r == "" or path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def fill(loc: Location, paths: Iterable[str | Path] = (), refresh: bool = False,
         notes: list[str] | None = None, failed: list[str] | None = None) -> list[str]:
    """Write the tips of HEAD into new artifacts' created_after; return the repo paths changed.

    New means absent from HEAD, under its name and as a rename (:mod:`ve_hooks.created_after.identity`). Only an artifact whose created_after is
    missing or empty is filled, unless ``refresh``. ``paths`` (files or directories) narrow
    the candidates (relative ones are relative to the repository root); empty means every
    new artifact of the worktree. A file that does not parse is skipped with a line in
    ``notes`` (stderr when None): reporting it is the validator's job. A file that should
    change but cannot be written (a symbolic link, a read-only directory) is noted and added
    to ``failed``: the caller must not exit 0. A name unsafe to write into created_after
    (whitespace, control characters: ``VE112``) is never among the values written.
    """
    if failed is None:
        failed = []
    if notes is None:
        changed = fill(loc, paths, refresh, notes := [], failed)
        for n in notes:
            echo(n, err=True)
        return changed
    paths = list(paths)
    # Relative paths are the hooks' repository paths; the command passes absolute ones.
    roots = repo_paths(loc.root, paths, loc.root) if paths else None
    changed: list[str] = []
    with open_location(loc) as project:
        base = project.repo(head_snapshot(loc))
        work = project.repo(WorktreeSnapshot(loc.root))
        for kind in art.KINDS:
            old = base.names(kind)
            moved = renamed(work, base, kind)  # a renamed artifact keeps its own history
            new = {n: a for n, a in work.names(kind).items()
                   if n not in old and n not in moved and a.role == "main" and _selected(a.path, roots)}
            if not new:
                continue
            facts = work.facts(kind)
            todo = [n for n in sorted(new) if refresh or not facts[n].created_after]
            if not todo:
                continue
            tips = tips_in(base, kind)
            for name in todo:
                a = new[name]
                target = loc.root / a.path
                try:
                    raw = target.read_bytes()
                except OSError as e:
                    notes.append(f"{a.path}: cannot read ({e.strerror})")
                    continue
                values = [t for t in tips if t != name and not unsafe_name(t)]
                out = writer.set_list_field(raw, "created_after", values)
                if out is None:
                    notes.append(
                        f"{a.path}: not filled: the frontmatter does not parse or cannot be edited safely")
                    continue
                # A fixer never adds a finding (created_after would make a v1 chunk a v3 one).
                worse = added_errors(a.schema_kind, a.path, raw, out)
                if worse:
                    notes.append(f"{a.path}: not filled: writing created_after would add {', '.join(worse)} "
                                 f"(it would follow the v3 template); migrate it to the current template first")
                    continue
                if out != raw:
                    try:
                        writer.atomic_write(target, out, root=loc.root)
                    except OSError as e:  # writer.UnsafePath included
                        notes.append(f"{a.path}: not written: {e}")
                        failed.append(a.path)
                        continue
                    changed.append(a.path)
    return changed


@click.group("created-after")
def group() -> None:
    """Fill or audit created_after from the tips and the git history."""


_repo_option = click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                            help="Project directory (default: the nearest one above the working directory).")


@group.command("fill")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_repo_option
@click.option("--refresh", is_flag=True, help="Also rewrite a non-empty created_after of a new artifact.")
def fill_command(paths: tuple[Path, ...], repo_dir: Path | None, refresh: bool) -> int:
    """Set created_after of new artifacts to the tips of HEAD.

    Exits 1 when a file was changed (the pre-commit fixer convention), 2 when a file that
    needed the value could not be written (a symbolic link, a read-only file), else 0.
    """
    from ve_hooks.commands import require_repository

    loc = locate(repo_dir)
    require_repository(loc, "ve created-after fill", "fills new artifacts with the tips of HEAD")
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    notes: list[str] = []
    failed: list[str] = []
    changed = fill(loc, [p.absolute() for p in paths], refresh=refresh, notes=notes, failed=failed)
    for n in notes:
        click.echo(clean(n, keep_newlines=False), err=True)
    for p in changed:
        click.echo(f"Fixing {clean(p, keep_newlines=False)}")
    return EXIT_ERROR if failed else 1 if changed else 0


@group.command("backfill")
@_repo_option
@click.option("--kind", "kinds", type=click.Choice(art.KINDS), multiple=True,
              help="Only this kind (repeatable; default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per listed artifact and a summary; json: every artifact with its class.")
@click.option("--all", "show_all", is_flag=True,
              help="List every artifact, not only the actionable ones; with --write, also rewrite the "
                   "informational differences.")
@click.option("--write", is_flag=True,
              help="Write the computed value where it is safe (actionable artifacts; all with --all) "
                   "and say what was left.")
def backfill_command(repo_dir: Path | None, kinds: tuple[str, ...], fmt: str, show_all: bool, write: bool) -> int:
    """Audit every artifact's created_after against the history.

    Each artifact gets the value it should have (the tips of its kind at the first parent of
    the commit that created it, on any branch, under today's names) and a class: actionable
    (missing, dangling, causality) or informational (subset, older, sibling, future,
    migration, concurrent). The text output lists the actionable ones with the commit that
    introduced their value; docs/created_after.md defines every class. Exits 1 while an
    actionable artifact is left unfixed, else 0.

    \b
    Examples:
      ve created-after backfill                what needs action, and since which commit
      ve created-after backfill --all          every artifact with its class
      ve created-after backfill --write        fix the actionable ones where it is safe
      ve created-after backfill --format json  class, actionable, created_in per artifact
    """
    from ve_hooks.created_after import audit, gitlog

    loc = locate(repo_dir)
    if loc.info is None:
        raise UsageError(f"{loc.root} is not a git repository: backfill reads its history")
    if loc.info.shallow:
        # The oldest commit of a shallow clone holds everything older as if created there: an audit
        # would date every such artifact to it, and --write would rewrite their created_after.
        raise UsageError(f"{loc.root} is a shallow clone: the history before its oldest commit is missing; "
                         "run `git fetch --unshallow` first")
    with open_location(loc) as project:
        config, cache = project.config, project.cache
        if sys.stderr.isatty():
            commits = gitlog.log(loc, config.artifact_root)
            with click.progressbar(length=len(commits), label="Replaying history", file=sys.stderr) as bar:
                result = audit.backfill(loc, config, cache, kinds or art.KINDS, bar.update, commits)
        else:
            result = audit.backfill(loc, config, cache, kinds or art.KINDS)
    fixes = audit.fix(loc.root, result, config.artifact_root, informational=show_all) if write else None
    fixed = set(fixes.written) if fixes else set()
    if fmt == "json":
        data = result.to_json()
        if fixes is not None:
            data["written"] = fixes.written
            data["left"] = [{"path": p, "reason": why} for p, why in fixes.left]
        from ve_hooks.report.jsonout import dumps

        click.echo(dumps(data))
    else:
        for row in result.rows:
            if row.actionable or (show_all and row.cls != "exact"):
                notes = "".join(f"; {n}: {rel}" for n, rel in row.entries.items())
                echo(f"{row.cls:10} {row.kind} {row.name}: current {row.current or '[]'}, computed "
                           f"{row.computed or '[]'} (value from {row.introduced_in[:12]}, created in "
                           f"{row.created_in[:12]}{notes})")
            elif show_all:
                echo(f"{row.cls:10} {row.kind} {row.name}")
        s = result.summary()
        info = ", ".join(f"{s[c]} {c}" for c in audit.INFORMATIONAL if s[c])
        act = ", ".join(f"{s[c]} {c}" for c in audit.ACTIONABLE if s[c])
        click.echo(f"{len(result.rows)} artifacts: {s['exact']} exact; {s['actionable']} actionable"
                   f"{f' ({act})' if act else ''}; {len(result.rows) - s['exact'] - s['actionable']} informational"
                   f"{f' ({info})' if info else ''}; {s['commits']} commits in {s['seconds']}s")
        if fixes is not None:
            for p in fixes.written:
                echo(f"Fixing {p}")
            for p, why in fixes.left:
                echo(f"Left {p}: {why}", err=True)
    if fixes is not None and fixes.failed:
        return EXIT_ERROR
    return 1 if any(r.actionable and r.path not in fixed for r in result.rows) else 0
