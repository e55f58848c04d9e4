"""The output guard: text that came from a document, a name or a git note, made safe to print.

Agents paste odd bytes; a question text must not be able to move the cursor, recolour the
terminal or rewrite the window title of the operator who reads it, and a name must not be
able to reorder what a reviewer sees (bidirectional overrides, "Trojan Source") or hide in
plain sight (zero-width characters). Every command prints such text through :func:`clean`,
:func:`one_line` or :func:`echo`; ``tests/test_output_guard.py`` walks the commands.
"""

from __future__ import annotations

import re

# CSI / OSC / other ESC sequences first (so their parameters do not survive), then any C0/C1
# control except tab and newline, then DEL.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC strings
    r"|\x1b[@-Z\\-_]?"  # two-byte escapes and a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible or reordering characters, shown as \uXXXX: bidirectional embeddings, overrides and
# isolates, marks, zero-width spaces and joiners, word joiner, BOM, line/paragraph separators.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Return ``text`` with escape sequences removed, other controls shown as ``\\xNN`` and
    invisible or reordering characters as ``\\uXXXX``."""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    text = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if not keep_newlines:
        text = text.replace("\n", "\\n")
    return text


def one_line(text: str, limit: int = 200) -> str:
    """A single clean line, cut to ``limit`` characters, for messages that quote a value."""
    text = clean(text, keep_newlines=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(text: str = "", *, err: bool = False) -> None:
    """``click.echo`` of a line holding document-derived text, through :func:`clean`."""
    import click

    click.echo(clean(text), err=err)


_UNSAFE_NAME = re.compile(r"[\s\x00-\x1f\x7f-\x9f]|" + _INVISIBLE.pattern)


def unsafe_name(name: str) -> str | None:
    """Why an artifact name cannot be written into a list of names (None: it can).

    Whitespace, control characters and invisible ones: vibe-engineer's names are one word, and
    such a name would read differently from what it is (in created_after, in a terminal, in git).
    """
    m = _UNSAFE_NAME.search(name)
    if m is None:
        return None
    c = m.group()
    return "holds a space" if c == " " else f"holds the character U+{ord(c):04X}"
