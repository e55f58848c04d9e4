"""``.ve-config.yaml``: vibe-engineer's own project configuration, as 0.10.0 reads it.

ve-hooks reads one part of it: ``validation.ignore_backreferences``, the paths whose
reference-shaped text is declared not to be a reference (a fixture, an example, a quoted
archive). Each entry needs a ``path`` (a glob matched as :meth:`pathlib.PurePath.match` does,
so ``*`` stays inside one folder) and a non-empty ``reason``; vibe-engineer refuses to run
with a malformed entry, so ve-hooks reports it (VE801) and ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

PATH = ".ve-config.yaml"


@dataclass(frozen=True)
class Ignored:
    """One ``validation.ignore_backreferences`` entry."""

    path: str
    reason: str
    index: int

    def matches(self, relative_path: str) -> bool:
        return PurePosixPath(relative_path).match(self.path)


@dataclass(frozen=True)
class VeConfig:
    ignore_backreferences: tuple[Ignored, ...] = ()
    problems: tuple[tuple[tuple[Any, ...], str], ...] = ()  # (JSON path, message): what 0.10.0 rejects
    text: str = ""
    present: bool = False


def parse(text: str) -> VeConfig:
    """The allow-list of a ``.ve-config.yaml`` text, and what 0.10.0 would refuse in it."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        return VeConfig(problems=(((), f"not valid YAML: {str(e).splitlines()[0]}"),), text=text, present=True)
    if not isinstance(data, dict):
        return VeConfig(problems=(((), "must be a mapping"),), text=text, present=True)
    problems: list[tuple[tuple[Any, ...], str]] = []
    threshold = data.get("cluster_subsystem_threshold")
    if threshold is not None and (not isinstance(threshold, int) or isinstance(threshold, bool)):
        problems.append((("cluster_subsystem_threshold",), "'cluster_subsystem_threshold' must be an integer"))
    validation = data.get("validation") or {}
    if not isinstance(validation, dict):
        return VeConfig(problems=(*problems, (("validation",), "'validation' must be a mapping")),
                        text=text, present=True)
    raw = validation.get("ignore_backreferences") or []
    if not isinstance(raw, list):
        return VeConfig(problems=(*problems, (("validation", "ignore_backreferences"),
                                              "'validation.ignore_backreferences' must be a list")),
                        text=text, present=True)
    entries: list[Ignored] = []
    for i, item in enumerate(raw):
        where = ("validation", "ignore_backreferences", i)
        if not isinstance(item, dict):
            problems.append((where, "an entry must be a mapping with 'path' and 'reason'"))
            continue
        path, reason = item.get("path"), item.get("reason")
        if not path or not isinstance(path, str):
            problems.append((where, "an entry needs a non-empty 'path'"))
            continue
        if not reason or not isinstance(reason, str) or not reason.strip():
            problems.append((where, "an entry needs a non-empty 'reason': a suppression that does not say "
                                    "why it exists cannot be reviewed later"))
            continue
        entries.append(Ignored(path, reason.strip(), i))
    return VeConfig(tuple(entries), tuple(problems), text, True)


def load(repo: Repo) -> VeConfig:
    """The snapshot's ``.ve-config.yaml`` (read once per run)."""
    key = f"{__name__}.config"
    if key not in repo.memo:
        raw = repo.snapshot.read(PATH)
        repo.memo[key] = parse(raw.decode("utf-8", "replace")) if isinstance(raw, bytes) else VeConfig()
    return repo.memo[key]  # type: ignore[no-any-return]
