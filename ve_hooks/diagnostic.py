"""The one diagnostic model every rule produces and every reporter consumes.

Shape follows ruff: a rule code grouped by family, a severity, a 1-based position,
a message that says what is wrong and a hint that says what to do next.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .documents.fixes import Fix

# Exit codes (ruff's contract): findings never share a code with "the tool broke".
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:  # click and f-strings print the bare value
        return self.value


@dataclass(frozen=True)
class Diagnostic:
    """One finding at one place.

    ``path`` is relative to the repository root with POSIX separators. ``line`` and
    ``column`` are 1-based; a finding about a whole file uses 1:1.
    """

    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    generation: str | None = None
    fixable: bool = False
    # Machine-readable extras for --format json (e.g. {"checked": false} for code refs).
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # What the rule proposes to change (ve-validate --fix, editor code actions); implies fixable.
    fix: Fix | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.fix is not None and not self.fixable:
            object.__setattr__(self, "fixable", True)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }
        if self.generation is not None:
            out["generation"] = self.generation
        if self.fixable:
            out["fixable"] = True
        if self.fix is not None:
            out["fix"] = {"title": self.fix.title, "applicability": self.fix.applicability}
        if self.data:
            out["data"] = self.data
        return out


@dataclass
class Summary:
    files: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    # The files checked, when the caller knows them: reports that list every file (JUnit's one
    # testcase per file) need the clean ones too.
    paths: tuple[str, ...] = ()
    # Errors left out because ve-hooks-suppressions.json records them (see ve_hooks.validation.suppressions).
    suppressed: int = 0

    @classmethod
    def of(cls, diagnostics: list[Diagnostic], files: int, paths: tuple[str, ...] = (),
           suppressed: int = 0) -> Summary:
        s = cls(files=files, paths=tuple(paths), suppressed=suppressed)
        for d in diagnostics:
            if d.severity is Severity.ERROR:
                s.errors += 1
            elif d.severity is Severity.WARNING:
                s.warnings += 1
            else:
                s.infos += 1
        return s

    def to_json(self) -> dict[str, int]:
        return {"files": self.files, "errors": self.errors, "warnings": self.warnings}


class UsageError(Exception):
    """Bad invocation or configuration: exit 2 with a one-line message, never a traceback."""
