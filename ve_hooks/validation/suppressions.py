"""Bulk suppressions: hold a repository to every error it did not already have.

``ve-validate --suppress-all`` records the current errors in ``ve-hooks-suppressions.json`` at
the project root as counts per file and rule (ESLint's bulk suppressions), so line shifts do not
matter. With the file present every run (``ve-validate``, each hook, the language server) passes
its findings through :func:`split`, the one filter: the errors of a (file, rule) whose count is
within the recorded one are suppressed; a rule not recorded for the file, a higher count, or an
error in any other file is reported. Which of several equal findings is the new one cannot be
told from a count, so a (file, rule) over its count reports all of its findings.

An artifact renamed since its entries were recorded keeps them: entries follow the identity
policy of :mod:`ve_hooks.created_after.identity` (a rename in the change being checked, or a
trusted rename in the history), and ``--prune-suppressions`` rewrites them under the new name.

The file is plain JSON, keys sorted, one rule per line, so that two branches adding entries
merge like any other text::

    {
      "suppressions": {
        "docs/chunks/foo/GOAL.md": {
          "VE502": 2
        }
      },
      "version": 1
    }
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ve_hooks.diagnostic import Diagnostic, Severity, UsageError

if TYPE_CHECKING:
    from ve_hooks.repo import Repo
    from ve_hooks.snapshot import Snapshot

FILE_NAME = "ve-hooks-suppressions.json"
VERSION = 1

Table = dict[str, dict[str, int]]
"""path -> rule code -> how many errors of that rule the file may have."""


@dataclass
class Split:
    """The findings to report and those a suppression entry covers (shown as hints in editors)."""

    reported: list[Diagnostic]
    suppressed: list[Diagnostic]


def parse(text: str, where: str = FILE_NAME) -> Table:
    """The table of a suppressions file; a damaged file is a usage error naming line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{where}:{e.lineno}:{e.colno}: not valid JSON ({e.msg}); "
                         f"fix it or recreate it with `ve-validate --suppress-all`") from None
    entries = data.get("suppressions") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(
            isinstance(p, str) and isinstance(rules, dict)
            and all(isinstance(c, str) and isinstance(n, int) and n > 0 for c, n in rules.items())
            for p, rules in entries.items()):
        raise UsageError(f"{where}: expected {{\"suppressions\": {{path: {{rule: count}}}}, \"version\": 1}} "
                         f"with positive counts; recreate it with `ve-validate --suppress-all`")
    return {p: dict(rules) for p, rules in entries.items()}


def dumps(table: Table) -> str:
    """The file's text: sorted, indented, one entry per line, a final newline (stable to diff)."""
    clean = {p: {c: n for c, n in sorted(rules.items()) if n > 0} for p, rules in sorted(table.items())}
    return json.dumps({"suppressions": {p: r for p, r in clean.items() if r}, "version": VERSION},
                      indent=2, sort_keys=True) + "\n"


def load(root: Path, snap: Snapshot | None = None) -> Table | None:
    """The table of the snapshot being checked (the index for a commit, a revision's own file),
    else of the working tree (a file not yet staged still applies to the commit), else None."""
    data: bytes | None = None
    if snap is not None:
        got = snap.read(FILE_NAME)
        data = got if isinstance(got, bytes) else None
    if data is None and (snap is None or snap.label in ("WORKTREE", "STAGED")):
        try:
            data = (root / FILE_NAME).read_bytes()
        except OSError:
            return None
    if data is None:
        return None
    return parse(data.decode("utf-8", "replace"))


def write(root: Path, table: Table) -> Path:
    """Write the table atomically at the project root (the writer's temp file + rename)."""
    from ve_hooks.documents import writer

    path = root / FILE_NAME
    writer.atomic_write(path, dumps(table).encode(), root)
    return path


def count(diagnostics: Iterable[Diagnostic], rules: Sequence[str] = ()) -> Table:
    """The errors of ``diagnostics`` as a table (only the codes or prefixes ``rules``, if given)."""
    out: Table = {}
    for d in diagnostics:
        if d.severity is Severity.ERROR and (not rules or any(d.rule.startswith(r) for r in rules)):
            per = out.setdefault(d.path, {})
            per[d.rule] = per.get(d.rule, 0) + 1
    return out


def merge(old: Table, new: Table) -> Table:
    """``old`` with ``new``'s entries replacing those of the same (file, rule)."""
    out = {p: dict(r) for p, r in old.items()}
    for p, rules in new.items():
        out.setdefault(p, {}).update(rules)
    return out


def prune(table: Table, diagnostics: Iterable[Diagnostic], moved: dict[str, str] | None = None) -> Table:
    """Entries lowered to what still occurs (never raised), under each file's current path."""
    now = count(diagnostics)
    current = {moved.get(p, p) if moved else p: r for p, r in table.items()}
    return {p: {c: min(n, now.get(p, {}).get(c, 0)) for c, n in rules.items()} for p, rules in current.items()}


def split(diagnostics: Sequence[Diagnostic], table: Table | None,
          moved: dict[str, str] | None = None) -> Split:
    """The one filter: which errors are within their (file, rule) count. ``moved`` maps the
    path an entry was recorded under to the artifact file's path now (:func:`moved_paths`)."""
    if not table:
        return Split(list(diagnostics), [])
    if moved:
        table = {moved.get(p, p): r for p, r in table.items()}
    seen: Counter[tuple[str, str]] = Counter(
        (d.path, d.rule) for d in diagnostics if d.severity is Severity.ERROR)
    reported: list[Diagnostic] = []
    suppressed: list[Diagnostic] = []
    for d in diagnostics:
        allowed = table.get(d.path, {}).get(d.rule, 0)
        if d.severity is Severity.ERROR and 0 < seen[(d.path, d.rule)] <= allowed:
            suppressed.append(d)
        else:
            reported.append(d)
    return Split(reported, suppressed)


def as_hints(found: Split) -> list[Diagnostic]:
    """Every finding, the suppressed ones marked (the language server shows them as hints)."""
    marked = [replace(d, severity=Severity.INFO, data={**d.data, "suppressed": True},
                      message=d.message + f" (suppressed in {FILE_NAME})") for d in found.suppressed]
    return sorted([*found.reported, *marked], key=lambda d: d.sort_key)


def moved_paths(table: Table, repo: Repo, base: Repo | None, root: Path | None = None) -> dict[str, str]:
    """Recorded path -> path now, for the artifact files of entries whose path is gone.

    A rename in the change checked (``base`` -> ``repo``) is found by the snapshot policy; an
    older one by following the history's trusted renames of the repository at ``root`` (read
    only when an entry is orphaned).
    """
    from ve_hooks.documents import artifacts as art

    gone = [p for p in table if p not in repo.files and art.classify(p, repo.root) is not None]
    if not gone:
        return {}
    from ve_hooks.created_after import identity

    out: dict[str, str] = {}
    for p in gone:
        a = art.classify(p, repo.root)
        assert a is not None
        new = {old: n for n, old in identity.renamed(repo, base, a.kind).items()}.get(a.name)
        if new is not None:
            out[p] = p.replace(f"/{a.name}/", f"/{new}/", 1)
    left = [p for p in gone if p not in out]
    if left and root is not None:
        out.update(_history_moves(left, repo.root, root))
    return {old: new for old, new in out.items() if new in repo.files}


def _history_moves(paths: list[str], artifact_root: str, root: Path) -> dict[str, str]:
    """Follow each path through the trusted renames of the history of HEAD (oldest first)."""
    from ve_hooks.created_after import gitlog
    from ve_hooks.project import locate

    try:
        commits = gitlog.log(locate(root), artifact_root)
    except Exception:  # noqa: BLE001  (no history to follow: the entries stay orphaned, pruned later)
        return {}
    where = {p: p for p in paths}
    for c in commits:
        for st, old, new, _, _ in c.changes:
            if st != "R" or old is None or new is None:
                continue
            for start, now in where.items():
                if now == old:
                    where[start] = new
    return {p: n for p, n in where.items() if n != p}


def apply(diagnostics: Sequence[Diagnostic], root: Path, snap: Snapshot | None, repo: Repo | None,
          base: Repo | None) -> Split:
    """Load the snapshot's suppressions and split ``diagnostics`` by them (engine and hooks)."""
    table = load(root, snap)
    if not table:
        return Split(list(diagnostics), [])
    moved = moved_paths(table, repo, base, root) if repo is not None else {}
    return split(diagnostics, table, moved)
