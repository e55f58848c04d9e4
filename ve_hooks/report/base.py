"""The reporter interface and the helpers every output format shares.

A reporter turns the final, filtered diagnostics into one output format. All formats get the
same input and the same ordering, so switching ``--format`` never changes *what* is reported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import ClassVar, TextIO

from ve_hooks.diagnostic import Diagnostic, Summary


class Reporter:
    """One output format. Subclasses set ``name`` and implement :meth:`report`."""

    name: ClassVar[str] = ""

    def __init__(self, *, color: bool | None = None, unsafe_fixes: bool = False) -> None:
        # None = decide from the stream and the environment (only the text format colours).
        self.color = color
        self.unsafe_fixes = unsafe_fixes  # whether unsafe fixes count as fixable ([*])

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        raise NotImplementedError


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in path/line/column order: stable output for diffs, reviews and tests."""
    return sorted(diagnostics, key=lambda d: d.sort_key)


def use_color(stream: TextIO, color: bool | None) -> bool:
    """Explicit choice first, then NO_COLOR, FORCE_COLOR, TERM=dumb, then "is it a terminal?".

    Same precedence as CPython's own colouring: NO_COLOR (a user's standing preference) beats
    FORCE_COLOR (usually set by a CI system for everything it runs).
    """
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed or detached stream
        return False


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def unicode_safe(text: str) -> str:
    """Replace lone surrogates (from surrogateescape-decoded paths) with U+FFFD.

    They are legal in a Python str but not in UTF-8, so JSON/SARIF consumers and XML writers
    would reject or mangle the whole document because of one odd file name.
    """
    return _SURROGATES.sub("\ufffd", text)
