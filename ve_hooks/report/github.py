"""GitHub Actions workflow commands: one ``::error file=...::message`` annotation per diagnostic.

Escaping follows the runner's rules: in data ``%``, ``\\r`` and ``\\n`` are percent-encoded; in
property values ``:`` and ``,`` are as well. Text is sanitised first, so a document can neither
inject a second workflow command nor write escape sequences into the log.
"""

from __future__ import annotations

from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Severity, Summary
from ve_hooks.report.base import Reporter, ordered
from ve_hooks.rules import registry
from ve_hooks.sanitize import one_line

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_LIMIT = 1000


def escape_data(text: str) -> str:
    """Escape the message part (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a ``key=value`` property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    """The workflow command line for one diagnostic (hint on a second annotation line)."""
    info = registry.get(d.rule)
    code = one_line(d.rule, 20)
    title = f"{code} {info.name}" if info is not None else code
    props = ",".join([
        f"file={escape_property(one_line(d.path, _LIMIT))}",
        f"line={int(d.line)}",
        f"col={int(d.column)}",
        f"title={escape_property(title)}",
    ])
    message = one_line(d.message, _LIMIT)
    if d.hint:
        message += "\nhint: " + one_line(d.hint, _LIMIT)
    return f"::{COMMAND.get(d.severity, 'warning')} {props}::{escape_data(message)}"


class GithubReporter(Reporter):
    name = "github"

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        for d in ordered(diagnostics):
            stream.write(annotation(d) + "\n")
