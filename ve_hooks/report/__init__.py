"""Output formats. ``REPORTER_BY_NAME`` supplies the ``--format`` choices; a new format is one
module with one :class:`Reporter` subclass and one entry here.

Call sites use :func:`render`; every format receives the same filtered diagnostics and sorts
them the same way.
"""

from __future__ import annotations

from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Summary, UsageError
from ve_hooks.report.base import Reporter, ordered, use_color
from ve_hooks.report.github import GithubReporter
from ve_hooks.report.json import JsonReporter
from ve_hooks.report.junit import JunitReporter
from ve_hooks.report.sarif import SarifReporter
from ve_hooks.report.text import TextReporter

REPORTER_BY_NAME: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "sarif": SarifReporter,
    "junit": JunitReporter,
}
FORMATS: list[str] = list(REPORTER_BY_NAME)


def render(name: str, diagnostics: list[Diagnostic], summary: Summary, *, stream: TextIO,
           color: bool | None = None) -> None:
    """Write ``diagnostics`` to ``stream`` in format ``name`` (``color=None``: auto-detect)."""
    try:
        reporter_cls = REPORTER_BY_NAME[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None
    reporter_cls(color=color).report(list(diagnostics), summary, stream)


__all__ = ["FORMATS", "REPORTER_BY_NAME", "Reporter", "ordered", "render", "use_color"]
