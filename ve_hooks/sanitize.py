"""Neutralise terminal control characters in text that came from a document or a git note.

Agents paste odd bytes; a question text must not be able to move the cursor, recolour the
terminal or rewrite the window title of the operator who reads it.
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


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Return ``text`` with escape sequences removed and other controls shown as ``\\xNN``."""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n")
    text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if not keep_newlines:
        text = text.replace("\n", "\\n")
    return text


def one_line(text: str, limit: int = 200) -> str:
    """A single clean line, cut to ``limit`` characters, for messages that quote a value."""
    text = clean(text, keep_newlines=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
