"""pre-commit entry points: one module per hook, each ``main(argv) -> int``.

Shared here, and kept to the standard library plus :mod:`ve_hooks.git`: finding out what a
commit changes under the artifact root with ONE ``git diff``, so a commit that touches no
artifact exits before yaml, the parser, the cache or any rule is imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ve_hooks import git
from ve_hooks.documents import artifacts as art

if TYPE_CHECKING:
    from ve_hooks.diagnostic import Diagnostic

# The status-transition rule: reported by ve-status-transitions, not ve-validate.
TRANSITIONS = "VE501"


@dataclass(frozen=True)
class Change:
    """One path of ``git diff --name-status --no-renames``: status letter (A/M/D/T) and path."""

    status: str
    path: str


@dataclass
class Changes:
    """What a commit (the index, or the range FROM..TO) changes under the artifact root."""

    toplevel: Path
    artifact_root: str
    rev: str | None  # None: the index
    base: str | None  # what rev/index is compared with (None: HEAD or nothing yet)
    changes: list[Change] = field(default_factory=list)

    @property
    def present(self) -> list[art.ArtifactPath]:
        """Validated artifact files added or modified (they exist in the checked snapshot)."""
        out = []
        for c in self.changes:
            a = art.classify(c.path, self.artifact_root)
            if c.status != "D" and a is not None and a.validated:
                out.append(a)
        return out

    @property
    def removed(self) -> list[art.ArtifactPath]:
        """Artifacts whose main document or external.yaml was deleted (or renamed away)."""
        still = {(a.kind, a.name) for a in self.present}
        out = []
        for c in self.changes:
            a = art.classify(c.path, self.artifact_root)
            if c.status == "D" and a is not None and a.role in ("main", "external", "friction") \
                    and (a.kind, a.name) not in still:
                out.append(a)
        return out

    @property
    def friction_changed(self) -> bool:
        return f"{self.artifact_root}/{art.FRICTION}" in {c.path for c in self.changes}

    @property
    def relevant(self) -> bool:
        return bool(self.present or self.removed or self.friction_changed)


def refs_from_env() -> tuple[str | None, str | None]:
    """The range pre-commit hands a pre-push hook (or ``run --from-ref/--to-ref``)."""
    f, t = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    return (f, t) if f and t else (None, None)


def find_toplevel(cwd: Path | None = None) -> Path:
    """The work tree root; pre-commit runs hooks there, but a user may run them from a subdirectory."""
    out = git.run_text(["rev-parse", "--show-toplevel"], cwd or Path.cwd()).strip()
    if not out:
        raise git.GitError("not inside a git work tree")
    return Path(out)


def artifact_root(top: Path) -> str:
    from ve_hooks.config import load

    return load(top).artifact_root.strip("/")


def changes(top: Path, root: str, from_ref: str | None = None, to_ref: str | None = None) -> Changes:
    """Paths under ``root`` changed in the index (against HEAD, or everything before the first
    commit), or between two commits. One git process."""
    args = ["diff", "--name-status", "--no-renames", "--no-ext-diff", "-z"]
    if to_ref:
        base = from_ref if from_ref and set(from_ref) != {"0"} else None
        base = base or _empty_tree(top)
        args += [base, to_ref]
    else:
        base = None
        args.append("--cached")
    out = git.zsplit(git.run([*args, "--", f"{root}/"], top))
    found = [Change(out[i][0], out[i + 1]) for i in range(0, len(out) - 1, 2)]
    return Changes(top, root, to_ref, base, found)


def _empty_tree(top: Path) -> str:
    return git.run_text(["hash-object", "-t", "tree", "--stdin"], top, input=b"").strip()


def print_diagnostics(diagnostics: Sequence[Diagnostic], files: int, fmt: str = "text",
                      checked: Sequence[str] = (), suppressed: int = 0) -> None:
    """Render through the shared reporters (imported only when there is something to say).

    Text stays silent for a clean hook (pre-commit shows a hook's output only when it matters);
    a structured format always writes a whole document, listing every file ``checked`` (JUnit's
    one testcase per file), so a tool reading it never gets an empty file."""
    if not diagnostics and fmt == "text":
        return
    from ve_hooks import report
    from ve_hooks.diagnostic import Summary

    summary = Summary.of(list(diagnostics), max(files, len(checked)), tuple(checked), suppressed)
    report.render(fmt, list(diagnostics), summary, stream=sys.stdout)
    sys.stdout.flush()


def guarded(name: str, work: Callable[[], int]) -> int:
    """Run a hook's work. A usage, git or internal error exits 2 with one line: a broken tool
    must neither look like a finding nor hide as a pass, and never shows a traceback."""
    from ve_hooks.errors import debugging, guard

    return guard(name, work, debug=debugging())


def report(found: Sequence[Diagnostic], fmt: str, checked: Sequence[str] = ()) -> int:
    """Print findings (see :func:`print_diagnostics`) and return the exit code they call for."""
    from ve_hooks.diagnostic import EXIT_FINDINGS, EXIT_OK

    files = sorted({*checked, *(d.path for d in found)})
    print_diagnostics(found, len(files), fmt, files)
    return EXIT_FINDINGS if has_errors(found) else EXIT_OK


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    from ve_hooks.diagnostic import Severity

    return any(d.severity is Severity.ERROR for d in diagnostics)


def codes(values: Sequence[str] | None) -> list[str]:
    """``--select VE2,VE401 --select VE3`` -> ``["VE2", "VE401", "VE3"]``."""
    out: list[str] = []
    for v in values or ():
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return out
