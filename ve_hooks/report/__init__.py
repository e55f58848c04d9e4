"""Output formats. :mod:`ve_hooks.report.formats` lists them (the ``--format`` choices); a new
format is one module with one :class:`Reporter` subclass and one line there.

Call sites use :func:`render`; every format receives the same filtered diagnostics and sorts
them the same way.
"""

from __future__ import annotations

from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Summary, UsageError
from ve_hooks.report.base import Reporter, ordered, use_color
from ve_hooks.report.formats import FORMATS, REPORTERS


def reporter(name: str) -> type[Reporter]:
    """The Reporter class of format ``name`` (its module imported on first use)."""
    import importlib

    try:
        module, cls = REPORTERS[name].split(":")
    except KeyError:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None
    found: type[Reporter] = getattr(importlib.import_module(module), cls)
    return found


def __getattr__(name: str) -> object:
    if name == "REPORTER_BY_NAME":  # every format's class, for callers that want them all
        return {n: reporter(n) for n in FORMATS}
    raise AttributeError(name)


def render(name: str, diagnostics: list[Diagnostic], summary: Summary, *, stream: TextIO,
           color: bool | None = None, unsafe_fixes: bool = False) -> None:
    """Write ``diagnostics`` to ``stream`` in format ``name`` (``color=None``: auto-detect)."""
    reporter(name)(color=color, unsafe_fixes=unsafe_fixes).report(list(diagnostics), summary, stream)


__all__ = ["FORMATS", "REPORTER_BY_NAME", "Reporter", "ordered", "render", "reporter", "use_color"]
