"""One reader over three sources: the worktree, the index (``--staged``) and any commit (``--rev``).

A snapshot lists files with their blob ids and reads many of them at once. Git snapshots use
one listing process and one ``git cat-file --batch`` process however many files are read;
the worktree snapshot also works in a plain directory without git.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ve_hooks import git


@dataclass(frozen=True)
class Unreadable:
    """A file that exists but must not or cannot be read (link out of the repo, I/O error)."""

    reason: str


class Snapshot:
    """Base class: ``label`` is WORKTREE, STAGED or a full commit sha."""

    label: str = ""
    root: Path

    def list(self, prefix: str) -> dict[str, str | None]:
        """Files below ``prefix`` (a repo-relative dir, '' for all) -> blob id (None: not known yet)."""
        raise NotImplementedError

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        raise NotImplementedError

    def read(self, path: str) -> bytes | Unreadable | None:
        return self.read_many([path]).get(path)

    def grep(self, pattern: str, paths: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str] | None:
        """Text files (under ``paths``, None: all; none under ``exclude``) with a line matching the
        POSIX extended regex ``pattern`` (``exclude``: git glob patterns), by one ``git grep``; None when git cannot answer (a plain
        directory, or a project below the git top level whose paths are not git's)."""
        return None

    def _grep_in(self, cwd: Path | None, extra: list[str], pattern: str, paths: Sequence[str] | None,
                 exclude: Sequence[str]) -> list[str] | None:
        if cwd is None or Path(cwd).resolve() != Path(self.root).resolve():
            return None
        where = ["."] if paths is None else [f":(literal){p.rstrip('/')}" if p else "." for p in paths]
        args = ["grep", "-l", "-z", "-I", "-E", "--full-name", "-e", pattern, *extra, "--", *where,
                *(f":(exclude,glob){e}" for e in exclude)]
        return git.zsplit(git.run(args, cwd, check=False))


class WorktreeSnapshot(Snapshot):
    """Files as they are on disk; a file that is a symbolic link is never read (as in git snapshots)."""

    label = "WORKTREE"

    def __init__(self, root: Path, git_cwd: Path | None = None) -> None:
        self.root = Path(root)
        self._real_root = os.path.realpath(self.root)
        self._git_cwd = git_cwd
        self._dirs_inside: dict[str, bool] = {}

    def grep(self, pattern: str, paths: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str] | None:
        return self._grep_in(self._git_cwd, [], pattern, paths, exclude)  # tracked files, as pre-commit sees them

    def _index_ids(self, prefix: str) -> dict[str, str]:
        """Blob ids of files whose worktree content git knows equals the index entry.

        ``git diff-files`` decides from the index's stat data (as ``git status`` does), so
        unchanged files need not be read and hashed; anything it cannot vouch for is hashed.
        """
        if self._git_cwd is None:
            return {}
        paths = [prefix] if prefix else []
        try:
            listing = git.index_listing(self._git_cwd, paths,
                                        toplevel=os.path.exists(os.path.join(self._git_cwd, ".git")))
            dirty = set(git.zsplit(git.run(["diff-files", "--name-only", "-z", "--", *paths], self.root)))
        except git.GitError:
            return {}
        links = {p for p, m in listing.modes.items() if m == "120000"}
        return {p: o for p, o in listing.oids.items() if p not in dirty and p not in links}

    def list(self, prefix: str) -> dict[str, str | None]:
        # String paths and scandir: pathlib costs more than the disk on 10,000 chunk folders.
        top = str(self.root)
        base = os.path.join(top, prefix) if prefix else top
        cut = len(top) + 1
        out: dict[str, str | None] = {}
        if not os.path.isdir(base):
            return out
        # git reads the index and stats the files while the folders are walked (10,000 chunks:
        # about 60 ms saved); anything that went wrong gives no blob ids, and files are hashed.
        known = git.meanwhile(lambda: self._index_ids(prefix))
        stack = [base]
        while stack:
            d = stack.pop()
            try:
                it = os.scandir(d)
            except OSError:
                continue
            with it:
                for e in it:
                    if e.name == ".git":
                        continue
                    try:
                        is_dir = e.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    if is_dir:
                        stack.append(e.path)
                    else:
                        rel = e.path[cut:]
                        out[rel if os.sep == "/" else rel.replace(os.sep, "/")] = None
        if out:
            for rel, oid in (known() or {}).items():
                if rel in out:
                    out[rel] = oid
        return out

    def _inside(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def _dir_inside(self, directory: str) -> bool:
        """:meth:`_inside` for a file's folder, remembered per folder (the file itself is
        checked for being a link on its own). A folder that is not a link is inside exactly
        when its parent is: one ``lstat`` per folder, where a full resolution costs one per
        path component (10,000 chunk folders: 0.3 s)."""
        known = self._dirs_inside.get(directory)
        if known is None:
            top = str(self.root)
            rel = directory[len(top) + 1:] if directory.startswith(top + os.sep) else None
            if directory == top:
                known = self._inside(self.root)
            elif rel is None or any(part in ("", ".", "..") for part in rel.split(os.sep)) or os.path.islink(directory):
                known = self._inside(Path(directory))  # a link, or a path that needs resolving
            else:
                known = self._dir_inside(os.path.dirname(directory))
            self._dirs_inside[directory] = known
        return known

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        out: dict[str, bytes | Unreadable] = {}
        for rel in paths:
            p = self.root / rel
            try:
                if p.is_symlink():  # as in the index and in commits: one file is never two
                    where = "outside the repository" if not self._inside(p) else "inside the repository"
                    out[rel] = Unreadable(f"is a symbolic link pointing {where} (links are never followed)")
                    continue
                if not self._dir_inside(os.path.dirname(p)):  # a linked folder on the way out of the repository
                    out[rel] = Unreadable("is reached through a symbolic link pointing outside the repository")
                    continue
                if not p.is_file():
                    if p.exists():
                        out[rel] = Unreadable("is not a regular file")
                    continue
                out[rel] = p.read_bytes()
            except OSError as e:
                out[rel] = Unreadable(f"cannot be read: {e.strerror or e}")
        return out

    def exists(self, path: str) -> bool:
        """A regular file or a folder, reached without leaving the repository."""
        p = os.path.join(self.root, path)
        try:
            mode = os.stat(p).st_mode
        except (OSError, ValueError):
            return False
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return False
        return self._inside(Path(p)) if os.path.islink(p) else self._dir_inside(os.path.dirname(p))


class _GitSnapshot(Snapshot):
    def __init__(self, root: Path, cwd: Path) -> None:
        self.root = root
        self.cwd = cwd
        self._oids: dict[str, str] = {}
        self._modes: dict[str, str] = {}  # only files whose mode is not 100644
        self._listed: list[str] = []
        self._full: set[str] | None = None
        self._dirs: set[str] | None = None

    def _listing(self, prefix: str) -> git.Listing:
        raise NotImplementedError

    # The index is listed whole at once (its checks need the rest of the tree for code
    # references anyway); a commit is listed by prefix, since as the *base* of a run only its
    # artifacts are read.
    _whole_at_once = True

    def _add(self, listing: git.Listing) -> None:
        if self._oids:
            self._oids.update(listing.oids)
        else:
            self._oids = listing.oids
        self._modes.update(listing.modes)

    def list(self, prefix: str) -> dict[str, str | None]:
        pre = prefix.rstrip("/") + "/" if prefix else ""
        if "" not in self._listed and (self._whole_at_once or not prefix):
            self._add(self._listing(""))
            self._listed.append("")
        elif "" not in self._listed and prefix not in self._listed:
            self._add(self._listing(prefix))
            self._listed.append(prefix)
        if not pre:
            return dict(self._oids)
        return {p: o for p, o in self._oids.items() if p.startswith(pre)}

    def _all(self) -> set[str]:
        if self._full is None:
            self.list("")
            self._full = set(self._oids)
            dirs: set[str] = set()
            for p in self._full:
                i = p.rfind("/")
                while i > 0:
                    d = p[:i]
                    if d in dirs:
                        break
                    dirs.add(d)
                    i = p.rfind("/", 0, i)
            self._dirs = dirs
        return self._full

    def exists(self, path: str) -> bool:
        path = path.strip("/")
        if path in self._oids:
            return True
        full = self._all()
        return path in full or path in (self._dirs or set())

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        out: dict[str, bytes | Unreadable] = {}
        want: dict[str, str] = {}
        for p in paths:
            oid = self._oids.get(p)
            if oid is None and "" not in self._listed:  # outside the prefixes listed so far
                self._all()
                oid = self._oids.get(p)
            if oid is None:
                continue
            if self._modes.get(p) == "120000":
                out[p] = Unreadable("is a symbolic link (links are never followed)")
            else:
                want[p] = oid
        blobs = git.cat_blobs(self.cwd, want.values())
        for p, oid in want.items():
            if oid not in blobs:  # listed but unreadable: a damaged repository, never a missing file
                raise git.missing_object(oid, f"{p} in {self.label if self.label != 'STAGED' else 'the index'}")
            out[p] = blobs[oid]
        return out

    def listed_blob_id(self, path: str) -> str | None:
        """The blob id the listing gives a regular file or executable (None for a symbolic link
        or a missing path): what ``read_many`` would return, identified without reading it."""
        if path not in self._oids and "" not in self._listed:
            self._all()
        if self._modes.get(path) == "120000":
            return None
        return self._oids.get(path)

    def mode(self, path: str) -> str | None:
        if path not in self._oids:
            return None
        return self._modes.get(path, git.REGULAR)


class IndexSnapshot(_GitSnapshot):
    """What ``git commit`` would record now."""

    label = "STAGED"

    def grep(self, pattern: str, paths: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str] | None:
        return self._grep_in(self.cwd, ["--cached"], pattern, paths, exclude)

    def _listing(self, prefix: str) -> git.Listing:
        # A directory holding ``.git`` is a work tree's root: no rev-parse needed to find it.
        return git.index_listing(self.cwd, [prefix] if prefix else [],
                                 toplevel=os.path.exists(os.path.join(self.cwd, ".git")))


class CommitSnapshot(_GitSnapshot):
    """The tree of one commit."""

    _whole_at_once = False

    def __init__(self, root: Path, cwd: Path, sha: str) -> None:
        super().__init__(root, cwd)
        self.label = sha
        self.sha = sha

    def _listing(self, prefix: str) -> git.Listing:
        return git.tree_listing(self.cwd, self.sha, [prefix] if prefix else [])

    def grep(self, pattern: str, paths: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str] | None:
        found = self._grep_in(self.cwd, [self.sha], pattern, paths, exclude)
        return None if found is None else [p.removeprefix(self.sha + ":") for p in found]


class EmptySnapshot(Snapshot):
    """The state before the first commit: nothing exists."""

    label = "EMPTY"

    def __init__(self, root: Path) -> None:
        self.root = root

    def list(self, prefix: str) -> dict[str, str | None]:
        return {}

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | Unreadable]:
        return {}

    def exists(self, path: str) -> bool:
        return False
