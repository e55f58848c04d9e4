"""``ve-validate --new-from-rev REV``: only the findings the checked snapshot has and REV had not.

A finding is old when REV has one with the same rule, the same artifact and the same subject,
never by line: lines shift with every edit above them. The artifact is followed through renames
by the identity policy (:mod:`ve_hooks.created_after.identity`: the trusted renames of the
commits in between, then the snapshot pairing), so renaming a chunk does not make its old
findings new. A finding is matched as a whole, wherever it is: one that appears in a file the
change did not touch (a narrative naming a chunk the change deleted) is new, which is what a
line-based "new issues" filter misses.

Lifecycle and created_after findings are about a change, not a state, so they are judged on every
commit of the range against its parent (an ACTIVE chunk set back to FUTURE and then restored in a
pull request is still reported, named by the commit that did it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ve_hooks import git
from ve_hooks.diagnostic import Diagnostic, UsageError
from ve_hooks.documents import artifacts as art

if TYPE_CHECKING:
    from ve_hooks.repo import Repo
    from ve_hooks.validation.engine import Options, Outcome

_LINE_WORDS = re.compile(r"\b(line|lines|column) \d+(-\d+)?\b")

TRANSITION_FAMILIES = ("lifecycle", "created-after")
"""Rule families judged on every commit of a range: they are about a change, not a state."""


@dataclass
class New:
    """The checked run with only its new findings, and how many old ones were left out."""

    outcome: Outcome
    old: int
    commits: int


def subject(d: Diagnostic, old_name: str | None = None, new_name: str | None = None) -> str:
    """What a finding is about, without where: its message with line numbers dropped and the
    artifact's new name spelled as its old one (a rename does not change the subject)."""
    text = d.data.get("subject") if isinstance(d.data.get("subject"), str) else d.message
    text = _LINE_WORDS.sub(r"\1 #", text)
    if old_name and new_name and old_name != new_name:
        text = text.replace(new_name, old_name)
    return text


def renamed_paths(root: Path, artifact_root: str, since: str, to: str | None, repo: Repo,
                  old: Repo) -> dict[str, str]:
    """Artifact directory now -> its directory at ``since`` for the artifacts renamed in between:
    the trusted renames of each commit (followed in order), then the snapshot pairing."""
    from ve_hooks.created_after import gitlog, identity
    from ve_hooks.project import locate

    back: dict[str, str] = {}  # directory now -> directory at since
    for c in gitlog.log(locate(root), artifact_root, f"{since}..{to or 'HEAD'}"):
        for st, a, b, _, _ in c.changes:
            if st == "R" and a and b:
                od, nd = a.rsplit("/", 1)[0], b.rsplit("/", 1)[0]
                if od != nd:
                    back[nd] = back.pop(od, od)
    for kind in art.KINDS:
        for new, was in identity.renamed(repo, old, kind).items():
            nd = f"{repo.root}/{art.DIR_OF[kind]}/{new}"
            back.setdefault(nd, f"{repo.root}/{art.DIR_OF[kind]}/{was}")
    return back


def _identity(d: Diagnostic, root: str, back: dict[str, str]) -> tuple[str, str, str]:
    a = art.classify(d.path, root)
    if a is None:
        return d.rule, d.path, subject(d)
    here = d.path.rsplit("/", 1)[0] if a.role != "friction" else d.path
    was = back.get(here)
    if was is None:
        return d.rule, d.path, subject(d)
    return d.rule, was + d.path[len(here):], subject(d, was.rsplit("/", 1)[-1], a.name)


def only_new(now: Sequence[Diagnostic], then: Iterable[Diagnostic], root: str,
             back: dict[str, str]) -> tuple[list[Diagnostic], int]:
    """The findings of ``now`` with no match in ``then`` (as many times as they occur there)."""
    left = Counter((d.rule, d.path, subject(d)) for d in then)
    out: list[Diagnostic] = []
    old = 0
    for d in now:
        key = _identity(d, root, back)
        if left[key] > 0:
            left[key] -= 1
            old += 1
        else:
            out.append(d)
    return out, old


def _transition_codes() -> list[str]:
    from ve_hooks.rules import registry

    return sorted(r.code for r in registry.load_all().values() if r.family in TRANSITION_FAMILIES)


def _range_commits(cwd: Path, since: str, to: str | None, artifact_root: str) -> list[str]:
    out = git.run_text(["rev-list", "--reverse", "--no-merges", f"{since}..{to or 'HEAD'}", "--",
                        f"{artifact_root}/"], cwd)
    return out.split()


def _changed(cwd: Path, sha: str, artifact_root: str) -> list[str]:
    out = git.run(["diff-tree", "--no-commit-id", "-r", "--name-only", "--diff-filter=d", "-z", "--root", sha, "--",
                   f"{artifact_root}/"], cwd)
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def new_since(opts: Options, since: str) -> New:
    """Run ``opts`` (the snapshot checked: ``--rev``/``--to-ref``, ``--staged`` or the worktree)
    and keep only what did not exist at ``since``, plus the transition findings of each commit."""
    from ve_hooks.project import open_project
    from ve_hooks.validation import engine

    with open_project(Path(opts.repo) if opts.repo else opts.cwd) as project:
        loc = project.loc
        if loc.info is None:
            raise UsageError("--new-from-rev compares with a revision: run inside a git repository")
        top = loc.git_cwd
        try:
            sha = git.resolve_commit(top, since)
            last = git.resolve_commit(top, opts.rev) if opts.rev else None
        except git.GitError as e:
            raise UsageError(f"--new-from-rev: {e} (in CI, fetch enough history: actions/checkout "
                             f"with fetch-depth: 0)") from None
        root = project.config.artifact_root
        to = opts.rev
        snap = project.snapshot(staged=opts.staged, rev=to)
        repo, old_repo = project.repo(snap), project.repo(project.snapshot(rev=sha))
        back = renamed_paths(project.root, root, sha, to, repo, old_repo)
        commits = _range_commits(top, sha, to, root)
    now = engine.run(opts)
    then = engine.run(replace(opts, rev=sha, staged=False, paths=(), require_root=False, suppress=False))
    fresh, old = only_new(now.diagnostics, then.diagnostics, root, back)
    # The transition rules, commit by commit (the snapshot checked is already in ``now``).
    from ve_hooks.rules import registry

    enabled = registry.select(list(opts.select) or None, list(opts.ignore))
    codes = [c for c in _transition_codes() if enabled(c)]
    seen = {(d.rule, d.path, subject(d)) for d in fresh}
    for c in commits if codes else ():
        if c == last:
            continue
        paths = [str(project.root / p) for p in _changed(top, c, root)
                 if (a := art.classify(p, root)) is not None and a.validated]
        if not paths:
            continue
        got = engine.run(replace(opts, rev=c, staged=False, paths=paths, select=codes, require_root=False,
                                 suppress=False))
        for d in only_new(got.diagnostics, then.diagnostics, root, back)[0]:
            if (d.rule, d.path, subject(d)) not in seen:
                seen.add((d.rule, d.path, subject(d)))
                fresh.append(replace(d, message=f"in commit {c[:10]}: {d.message}"))
    fresh.sort(key=lambda d: d.sort_key)
    return New(replace(now, diagnostics=fresh), old, len(commits))
