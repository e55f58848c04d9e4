"""Opening a project for a run: locate it, read its configuration, pick the snapshot, open the
cache, and close it all again. The engine, the hooks and every command open projects here.

The project is vibe-engineer's project directory: the nearest folder, from where the command
starts (the working directory, or ``--repo DIR``) up to the git top level, that holds the
artifact root (``docs/``). A project below the top level (an example shipped inside a
repository, a vendored docs tree) is checked as a plain directory: its paths, code references
and configuration are its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.config import load as load_config
from ve_hooks.diagnostic import UsageError
from ve_hooks.snapshot import CommitSnapshot, EmptySnapshot, IndexSnapshot, Snapshot, WorktreeSnapshot


@dataclass
class Location:
    """Where ve-hooks runs: the project root, the repository info (None for a plain directory),
    and the folders searched for the artifact root."""

    root: Path
    info: git.RepoInfo | None
    searched: list[Path] = field(default_factory=list, compare=False)

    @property
    def git_cwd(self) -> Path:
        assert self.info is not None
        return self.info.toplevel or self.info.git_dir


def _artifact_root_name(top: Path) -> str:
    try:
        return load_config(top).artifact_root
    except UsageError:
        return "docs"  # a broken config is reported when the run loads it, not while locating


def locate(path: Path | str | None, *, explicit: bool = False) -> Location:
    """The project that ``path`` (default: the working directory) is in; see the module docstring.

    ``explicit`` is kept for callers that say the directory was named by the user (``--repo``):
    both find the project the same way, so ``cd DIR && ve ...`` and ``ve ... --repo DIR`` agree.
    """
    p = Path(path or ".").resolve()
    try:
        info = git.discover(p)
    except git.GitError as e:
        raise UsageError(str(e)) from None
    if info is None:
        if not p.is_dir():
            raise UsageError(f"{p}: not a directory")
        return Location(p, None, [p])
    if info.toplevel is None:  # bare: only commits to read
        return Location(info.git_dir, info, [])
    top = info.toplevel.resolve()
    name = _artifact_root_name(top)
    searched: list[Path] = []
    d = p if p.is_dir() else p.parent
    while True:
        searched.append(d)
        if d == top or top not in d.parents:
            break
        if (d / name).is_dir():
            return Location(d, None, searched)  # a project below the top level: its own directory
        d = d.parent
    return Location(info.toplevel, info, searched)


def snapshot_for(loc: Location, *, staged: bool = False, rev: str | None = None) -> Snapshot:
    """The snapshot a command asked for; a bare repository has no worktree or index."""
    if staged and rev:
        raise UsageError("--staged and --rev are exclusive")
    if loc.info is None:
        if staged or rev:
            raise UsageError(f"{loc.root} is not a git repository: --staged and --rev need one")
        return WorktreeSnapshot(loc.root)
    bare = loc.info.toplevel is None
    if rev:
        try:
            sha = git.resolve_commit(loc.git_cwd, rev)
        except git.GitError as e:
            raise UsageError(str(e)) from None
        return CommitSnapshot(loc.root, loc.git_cwd, sha)
    if bare:
        if not loc.info.has_head:
            return EmptySnapshot(loc.root)
        return CommitSnapshot(loc.root, loc.git_cwd, loc.info.head or git.resolve_commit(loc.git_cwd, "HEAD"))
    if staged:
        return IndexSnapshot(loc.root, loc.git_cwd)
    return WorktreeSnapshot(loc.root, loc.git_cwd)


def head_snapshot(loc: Location) -> Snapshot:
    """HEAD, or the empty state of a repository with no commits yet."""
    if loc.info is None or not loc.info.has_head:
        return EmptySnapshot(loc.root)
    return CommitSnapshot(loc.root, loc.git_cwd, loc.info.head or git.resolve_commit(loc.git_cwd, "HEAD"))


def parent_snapshot(loc: Location, snap: Snapshot) -> Snapshot:
    """What ``snap`` is compared with for lifecycle rules: HEAD for the index and the worktree,
    the first parent for a commit."""
    if isinstance(snap, CommitSnapshot):
        out = git.run(["rev-parse", "-q", "--verify", f"{snap.sha}^1"], loc.git_cwd, check=False).decode().strip()
        return CommitSnapshot(loc.root, loc.git_cwd, out) if out else EmptySnapshot(loc.root)
    return head_snapshot(loc)


def repo_paths(root: Path, args: Iterable[str | Path], cwd: Path | None = None) -> list[str]:
    """Path arguments as POSIX paths relative to the project ``root`` ("" for the root itself).

    Relative arguments are relative to ``cwd`` (the working directory, as users expect; the
    hooks run at the top level, so their repository paths pass through unchanged). A path
    outside the project is a usage error.
    """
    base = Path.cwd() if cwd is None else cwd
    real_root = Path(os.path.realpath(root))
    out = []
    for raw in args:
        p = Path(raw)
        full = Path(os.path.normpath(p if p.is_absolute() else base / p))
        rel = None
        for candidate, top in ((full, Path(os.path.normpath(root))), (Path(os.path.realpath(full)), real_root)):
            try:
                rel = candidate.relative_to(top).as_posix()
                break
            except ValueError:
                continue
        if rel is None:
            raise UsageError(f"{raw}: not inside the project {root}")
        out.append("" if rel == "." else rel)
    return out


@dataclass
class Project:
    """An opened project: its location, configuration and cache. Close it (or use ``with``)."""

    loc: Location
    config: Config
    cache: Cache
    _repos: list[Any] = field(default_factory=list, repr=False)

    @property
    def root(self) -> Path:
        return self.loc.root

    @property
    def artifact_dir(self) -> Path:
        return self.loc.root / self.config.artifact_root

    def require_artifact_root(self) -> None:
        """A usage error naming where it looked when the project has no artifact root: a run that
        checks nothing must not look like a clean one."""
        if self.artifact_dir.is_dir() or (self.loc.info is not None and self.loc.info.toplevel is None):
            return
        where = ", ".join(str(p) for p in self.loc.searched) or str(self.loc.root)
        raise UsageError(f"no artifact root: looked for {self.config.artifact_root}/ in {where} "
                         "(run inside a vibe-engineer project, or pass --repo DIR)")

    def snapshot(self, *, staged: bool = False, rev: str | None = None) -> Snapshot:
        return snapshot_for(self.loc, staged=staged, rev=rev)

    def repo(self, snap: Snapshot) -> Any:
        """The artifacts of ``snap`` (a :class:`~ve_hooks.repo.Repo`), closed with the project."""
        from ve_hooks.repo import Repo

        r = Repo(snap, self.config, self.cache)
        self._repos.append(r)
        return r

    def base(self, snap: Snapshot) -> Any:
        """What ``snap`` is compared with (None for a plain directory)."""
        return self.repo(parent_snapshot(self.loc, snap)) if self.loc.info else None

    def paths(self, args: Iterable[str | Path], cwd: Path | None = None) -> list[str]:
        return repo_paths(self.loc.root, args, cwd)

    def close(self) -> None:
        for r in self._repos:
            r.close()
        self._repos.clear()
        self.cache.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_project(path: Path | str | None = None) -> Project:
    """Locate the project at ``path`` (default: the working directory) and open it for a run."""
    return open_location(locate(path))


def open_location(loc: Location) -> Project:
    """Open an already located project: its configuration and its cache."""
    config = load_config(loc.info.toplevel if loc.info and loc.info.toplevel else loc.root)
    cache = Cache.for_git_dir(loc.info.common_dir if loc.info else None)
    return Project(loc, config, cache)
