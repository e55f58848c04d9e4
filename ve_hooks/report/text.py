"""Human output in ruff's shape: ``path:line:col: CODE [*] message`` plus an indented hint.

Everything quoted from a document goes through :func:`ve_hooks.sanitize.one_line` first, so
a hostile value cannot move the cursor, recolour or retitle the reader's terminal.
"""

from __future__ import annotations

from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Severity, Summary
from ve_hooks.report.base import Reporter, ordered, use_color
from ve_hooks.rules import registry
from ve_hooks.sanitize import one_line

_LIMIT = 500
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_CODE = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_DIM = "\x1b[2m"
_CYAN = "\x1b[36m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fixable_now(d: Diagnostic, unsafe_fixes: bool = False) -> bool:
    """Whether ``ve-validate --fix`` (with ``--unsafe-fixes`` when set) would fix ``d``: the
    ``[*]`` mark. A finding fixable only by another command (``fix_command``) counts too."""
    if d.fix is not None:
        return d.fix.safe or unsafe_fixes
    return d.fixable


def summary_line(diagnostics: list[Diagnostic], summary: Summary, unsafe_fixes: bool = False) -> str:
    """ruff's shape: ``Found 2 errors and 1 warning in 3 files. [*] 1 fixable with the `--fix` option.``"""
    files = _plural(summary.files, "file")
    held = f" {_plural(summary.suppressed, 'error')} suppressed (ve-hooks-suppressions.json)." \
        if summary.suppressed else ""
    if not diagnostics:
        return f"All checks passed ({files}).{held}"
    counts = [c for c in (_plural(summary.errors, "error") if summary.errors else "",
                          _plural(summary.warnings, "warning") if summary.warnings else "",
                          _plural(summary.infos, "note") if summary.infos else "") if c]
    found = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
    line = f"Found {found} in {files}."
    by_fix = [d for d in diagnostics if d.fix is not None and fixable_now(d, unsafe_fixes)]
    if by_fix:
        option = "`--fix --unsafe-fixes` options" if unsafe_fixes else "`--fix` option"
        line += f" [*] {len(by_fix)} fixable with the {option}."
    hidden = 0 if unsafe_fixes else sum(1 for d in diagnostics if d.fix is not None and not d.fix.safe)
    if hidden:
        fixes = "1 hidden fix" if hidden == 1 else f"{hidden} hidden fixes"
        line += f" ({fixes} can be enabled with the `--unsafe-fixes` option.)"
    by_command = [d for d in diagnostics if d.fix is None and d.fixable]
    if by_command:
        commands = sorted({info.fix_command for d in by_command
                           if (info := registry.get(d.rule)) is not None and info.fix_command})
        how = f"with `{commands[0]}`" if len(commands) == 1 else "(see `ve rule CODE`)"
        line += f" [*] {len(by_command)} fixable {how}."
    return line + held


class TextReporter(Reporter):
    name = "text"

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        color = use_color(stream, self.color)

        def paint(style: str, text: str) -> str:
            return f"{style}{text}{_RESET}" if color else text

        for d in ordered(diagnostics):
            where = f"{one_line(d.path, _LIMIT)}:{d.line}:{d.column}:"
            code = paint(_CODE.get(d.severity, _BOLD), one_line(d.rule, 20))
            fix = " [*]" if fixable_now(d, self.unsafe_fixes) else ""
            stream.write(f"{paint(_BOLD, where)} {code}{fix} {one_line(d.message, _LIMIT)}\n")
            if d.hint:
                stream.write(f"  {paint(_CYAN, 'hint:')} {one_line(d.hint, _LIMIT)}\n")
        stream.write(paint(_DIM if not diagnostics else _BOLD, summary_line(diagnostics, summary, self.unsafe_fixes)) + "\n")
