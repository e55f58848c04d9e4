"""``.ve-workspace.yaml``: the members of a vibe-engineer workspace (a repository holding several
project trees), which ``member::docs/...`` references resolve against.

On disk the manifest maps member names to tree paths relative to the workspace root::

    members:
      pybusiness: packages/libs/pybusiness

vibe-engineer 0.10.0 also accepts a list of ``{name, path}`` items. Only the manifest at the
snapshot's root is read; a project below it sees no workspace and resolves no member.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

MANIFEST = ".ve-workspace.yaml"
MEMBER_NAME = re.compile(r"^[a-z0-9_-]+$")


def parse(data: Any) -> tuple[dict[str, str], list[str]]:
    """Member name -> normalised path, and what is wrong with the manifest (as 0.10.0 words it)."""
    problems: list[str] = []
    members: dict[str, str] = {}
    if data is None:
        return members, problems
    if not isinstance(data, dict):
        return members, ["the manifest must be a mapping with a 'members' key"]
    raw = data.get("members")
    items: list[tuple[Any, Any]] = []
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                items.append((item.get("name"), item.get("path")))
            else:
                problems.append(f"member {item!r} must be a mapping with 'name' and 'path'")
    elif raw is not None:
        problems.append("'members' must be a mapping of name: path")
    for name, path in items:
        if not isinstance(name, str) or not MEMBER_NAME.match(name):
            problems.append(f"member name {name!r} must match [a-z0-9_-]+")
            continue
        if not isinstance(path, str) or not path.strip():
            problems.append(f"member {name!r} needs a path")
            continue
        norm = posixpath.normpath(path.strip().replace("\\", "/"))
        if path.strip().startswith("/") or norm == ".." or norm.startswith("../"):
            problems.append(f"member {name!r}: path {path!r} must stay inside the workspace root")
            continue
        if name in members:
            problems.append(f"member name {name!r} is declared twice")
        members[name] = norm
    return members, problems


def members(repo: Repo) -> dict[str, str] | None:
    """The workspace members of the snapshot's manifest (read once per run); None when there is
    none, or it is not YAML (its own check reports that)."""
    key = f"{__name__}.members"
    if key in repo.memo:
        return repo.memo[key]  # type: ignore[no-any-return]
    out: dict[str, str] | None = None
    raw = repo.snapshot.read(MANIFEST)
    if isinstance(raw, bytes):
        import yaml

        try:
            out = parse(yaml.safe_load(raw))[0]
        except yaml.YAMLError:
            out = None
    repo.memo[key] = out
    return out
