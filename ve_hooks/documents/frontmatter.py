"""Split ``---`` fenced YAML frontmatter from a markdown body and parse it, keeping positions.

Every artifact is read through :func:`parse`. It never raises for bad input: it returns a
:class:`Doc` (possibly with non-fatal :class:`Problem` s such as a duplicate key) or a
:class:`ParseError` value carrying a rule code and the position of the fault.

Positions map every key and list item to its 1-based line and column *in the file*, so a
schema error on ``code_references[2].ref`` points at that line. This module decodes the bytes
and splits the fences; :mod:`.yaml_compose` composes the YAML with positions and
:mod:`.parsed` holds the values a parse returns.
"""

from __future__ import annotations

import re

from ve_hooks.documents.parsed import (
    Doc,
    ParseError,
    Problem,
    Result,
    result_from_json,
    result_to_json,
)
from ve_hooks.documents.yaml_compose import parse_yaml

# What a parse returns lives in ``parsed``, the positional YAML composer in ``yaml_compose``;
# both are re-exported here because callers read a document through this module.
__all__ = ["MAX_FRONTMATTER_BYTES", "Doc", "ParseError", "Problem", "Result", "decode", "parse", "parse_yaml",
           "parse_yaml_file", "result_from_json", "result_to_json"]

# A real frontmatter is a few kB.
MAX_FRONTMATTER_BYTES = 4 * 1024 * 1024

_FENCE = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_FIRST_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")
# A closing fence line: preceded by a line break, ending at a line break or the end of text.
_CLOSING = re.compile(r"(\r\n|\r|\n)(?:---|\.\.\.)[ \t]*(?:\r\n|\r(?!\n)|\n|$)")




def decode(raw: bytes) -> tuple[str, bool, list[Problem]] | ParseError:
    """Bytes to text. UTF-8 only (with or without BOM); anything else is VE101 at its position."""
    problems: list[Problem] = []
    bom = False
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ParseError(Problem("VE101", 1, 1, "file is UTF-16 encoded; artifacts must be UTF-8",
                                  "re-save the file as UTF-8 (without BOM)"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        bom = True
        problems.append(Problem("VE110", 1, 1, "file starts with a UTF-8 byte order mark",
                                "remove the BOM; some tools then fail to see the `---` fence"))
    nul = raw.find(b"\x00")
    if nul != -1:
        line, col = _byte_position(raw, nul)
        return ParseError(Problem("VE101", line, col, "file contains a NUL byte (binary data?)",
                                  "artifacts are UTF-8 text; restore the file from git"), problems)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _byte_position(raw, e.start)
        return ParseError(Problem("VE101", line, col,
                                  f"invalid UTF-8 byte 0x{raw[e.start]:02x}",
                                  "re-save the file as UTF-8; the byte is shown by `git diff`"), problems)
    return text, bom, problems


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    head = raw[:offset]
    line = len(re.findall(rb"\r\n|\r|\n", head)) + 1
    start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    col = len(head[start:].decode("utf-8", "replace")) + 1
    return line, col


# ---------------------------------------------------------------------------------------------
# splitting


def parse(raw: bytes) -> Result:
    """Parse a markdown artifact with ``---`` fenced YAML frontmatter."""
    decoded = decode(raw)
    if isinstance(decoded, ParseError):
        return decoded
    text, bom, problems = decoded
    first = _FIRST_LINE.match(text)
    if not text or first is None or not _FENCE.fullmatch(first.group(1)):
        return ParseError(Problem("VE102", 1, 1, "no frontmatter: the file must start with a `---` line",
                                  "add the YAML frontmatter block of the template between `---` lines"),
                          problems)
    newline = first.group(2) or "\n"
    start = first.end()
    # Search for the closing fence instead of splitting the whole file into lines: bodies are
    # often far longer than frontmatter, and a 50 MB body must cost one regex scan at most.
    close = _CLOSING.search(text, start - len(first.group(2)))
    if close is None:
        if len(text) - start > MAX_FRONTMATTER_BYTES:
            return ParseError(Problem("VE109", 1, 1, "frontmatter is larger than 4 MiB",
                                      "frontmatter holds metadata only; move prose into the body"), problems)
        return ParseError(Problem("VE103", 1, 1, "the frontmatter opened on line 1 is never closed",
                                  "add a `---` line after the last frontmatter key"), problems)
    fm_end_offset = close.start() + len(close.group(1))  # just after the last frontmatter line break
    if fm_end_offset - start > MAX_FRONTMATTER_BYTES:
        return ParseError(Problem("VE109", 1, 1, "frontmatter is larger than 4 MiB",
                                  "frontmatter holds metadata only; move prose into the body"), problems)
    fm_text = text[start:fm_end_offset] if fm_end_offset > start else ""
    body = text[close.end():]
    close_line = 2 + _count_breaks(fm_text)
    result = parse_yaml(fm_text, line_offset=1, problems=problems)
    if isinstance(result, ParseError):
        return result
    data, positions, timestamps = result
    return Doc(data, positions, 1, close_line, body, problems, newline, bom, timestamps)


def _count_breaks(text: str) -> int:
    """Line breaks as the fence splitter counts them: CRLF, lone CR and LF."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def parse_yaml_file(raw: bytes) -> Result:
    """Parse a pure YAML artifact such as ``external.yaml`` (no fences)."""
    decoded = decode(raw)
    if isinstance(decoded, ParseError):
        return decoded
    text, bom, problems = decoded
    if len(text) > MAX_FRONTMATTER_BYTES:
        return ParseError(Problem("VE109", 1, 1, "YAML file is larger than 4 MiB",
                                  "an external reference is a few lines of YAML"), problems)
    result = parse_yaml(text, line_offset=0, problems=problems)
    if isinstance(result, ParseError):
        return result
    data, positions, timestamps = result
    return Doc(data, positions, 1, 0, "", problems, _newline_of(text), bom, timestamps)


def _newline_of(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\r"):
        return "\r"
