"""Which work unit a worktree belongs to, as vibe-engineer's daemon lays them out.

The daemon runs each chunk in a worktree at ``<project>/.ve/chunks/<chunk>/worktree`` (or
``.../work/<repo>`` for a task spanning repositories) on the branch ``orch/<chunk>``. An agent it
starts has that worktree as its directory, so the AskOperator server (started from ``.mcp.json``
with no ``--unit``) can tell its unit from there. It never guesses: anything else is "no unit".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ve_hooks import git
from ve_hooks.orch import model

BRANCH_PREFIX = "orch/"


@dataclass(frozen=True)
class Inference:
    unit: str | None
    how: str  # what was found: the branch, the path, or why neither names a unit


def _git(cwd: Path, *args: str) -> str | None:
    try:
        proc = git.process(args, cwd, check=False)  # the one door to git (its environment overrides)
    except git.GitError:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape").strip() if proc.returncode == 0 else None


def _valid(name: str) -> str | None:
    try:
        return model.validate_unit(name)
    except model.InvalidUnit:
        return None


def unit_from_path(top: Path) -> str | None:
    """``.../.ve/chunks/<chunk>/worktree`` or ``.../.ve/chunks/<chunk>/work/<repo>`` -> chunk."""
    parts = top.parts
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == ".ve" and i + 2 < len(parts) and parts[i + 1] == "chunks":
            rest = parts[i + 3:]
            if rest == ("worktree",) or (len(rest) == 2 and rest[0] == "work"):
                return _valid(parts[i + 2])
    return None


def infer(cwd: str | Path) -> Inference:
    """The unit of the worktree containing ``cwd``: its ``orch/<chunk>`` branch, else its path."""
    where = Path(cwd).resolve()
    top = _git(where, "rev-parse", "--show-toplevel")
    if top is None:
        return Inference(None, f"{where} is not inside a git worktree")
    branch = _git(where, "symbolic-ref", "-q", "--short", "HEAD")
    if branch and branch.startswith(BRANCH_PREFIX):
        unit = _valid(branch[len(BRANCH_PREFIX):])
        if unit:
            return Inference(unit, f"branch {branch}")
    unit = unit_from_path(Path(top))
    if unit:
        return Inference(unit, f"worktree {top}")
    on = f"on branch {branch}" if branch else "with a detached HEAD"
    return Inference(None, f"the worktree {top} is {on}, not orch/<chunk>, and is not under .ve/chunks/<chunk>/")
