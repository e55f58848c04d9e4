"""Read ``status`` and ``created_after`` of a markdown artifact without a YAML parser -- when certain.

``ve tips`` and the created_after graph need two keys of every chunk, yet composing 10,000
frontmatters costs seconds. :func:`facts` answers from the text with a few C-level regex passes,
but only when it can vouch for the answer: the frontmatter must be in a plain block-YAML subset
(``key: value``, ``- item``, ``- key: value``, nested blocks, one-line quoted strings and flow
lists) whose every line and every indentation step it has checked, so the real parser would
accept the document and read the same two values. Anything else -- anchors, tags, block scalars,
multi-line strings, tabs, CR line breaks, duplicate keys, odd scalars -- returns None, and the
caller parses the document for real. The property tests hold it to that: whenever it answers,
the answer equals the full parse.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

_KEY = r"[A-Za-z_][A-Za-z0-9_-]{0,200}"
# Characters the YAML reader rejects or reads as line breaks, and tabs and CRs: never certain.
# Checked once per document (ASCII text, nearly all of it, by the short class), so the line
# patterns below can use the small classes that the regex engine runs fastest.
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BAD = re.compile("[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# A plain scalar that resolves to a string, a number, a bool or null, never to an error: it
# starts with a safe character, never holds ": " nor ends in ":", and is not 0x/0b (``0x_``
# makes PyYAML's int constructor fail). Written unrolled: one fast loop per run of characters.
_PLAIN = r"(?![0-9]*0[xXbB])[A-Za-z0-9_/][^\n:]*(?::+[^ \n:][^\n:]*)*"
_DQ = r'"[^"\\\n]*"'
_SQ = r"'[^'\n]*(?:''[^'\n]*)*'"
_FITEM = rf"(?:{_DQ}|(?![0-9]*0[xXbB])[A-Za-z0-9_/][A-Za-z0-9_./-]*)"
_FLOW = rf"\[ *(?:{_FITEM}(?: *, *{_FITEM})*)? *\]|\{{ *\}}"
_SCALAR = rf"(?:{_PLAIN}|(?:{_DQ}|{_SQ}|{_FLOW}) *(?: #[^\n]*)?)"
_EMPTY = r"(?: +#[^\n]*| *)"

_CLOSE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\n|$)")
_KV = rf"{_KEY}(:)(?:( ){_SCALAR}|{_EMPTY})"
# Every line in one findall: its groups, joined, are its indentation plus a token -- ": " key
# with a value, ":" key whose value nests (or is empty), "- " scalar item, "- : " / "- :" item
# opening a mapping, "-" empty item, "#" comment, "" blank -- and the last group holds a line
# outside the subset. Each match ends at its line break, where the next one starts.
_LINE = re.compile(rf"( *)(?:(- )(?:{_KV}|{_SCALAR})|(-)|{_KV}|(#)[^\n]*||([^\n]+))\n")
_OUTSIDE = itemgetter(8)
_REPEATS = re.compile(r"(?m)^([^\n]*\n)\1+")
# After a top-level key: the rest of its line, then every following line that is not the next key.
_TOP = re.compile(r"([^\n]*)\n((?:(?:[ #-][^\n]*)?\n)*)")
_ITEM = re.compile(rf"( *)- ({_SCALAR})")

# Fast paths for the common shapes: a plain name, a list of plain names, a list of quoted strings.
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_INLINE_NAME = re.compile(rf" ({_NAME})")
_NAME_BLOCK = re.compile(rf"( *)- {_NAME}\n(?:\1- {_NAME}\n)*")
_NAME_ITEMS = re.compile(r"- ([^\n]*)\n")
_QUOTED_LIST = re.compile(r' \[((?:"[^"\\\n]*", )*"[^"\\\n]*")?\]')
_QUOTED = re.compile(r'"([^"]*)"')

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = frozenset(w for b in ("yes", "no", "true", "false", "on", "off") for w in (b, b.title(), b.upper()))
_NUMBERISH = re.compile(r"[0-9+\-.][0-9_:.xXbBa-fA-F+\-]*")
_SPECIAL = _NULLS | _BOOLS

_shapes: dict[str, bool] = {}
_UNSURE: Any = object()


def facts(raw: bytes) -> tuple[Any, Any] | None:
    """``(status, created_after)`` exactly as the full parse reads them, or None when not certain."""
    if not raw.startswith(b"---\n"):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    close = _CLOSE.search(text, 3)
    if close is None or close.start() == 3:
        return None
    fm = text[4:close.start() + 1]
    if _CTRL.search(fm) if fm.isascii() else _BAD.search(fm):
        return None
    lines = _LINE.findall(fm)
    if any(map(_OUTSIDE, lines)):
        return None
    # n identical lines nest as two do: folding them lets one check serve many documents.
    shape = _REPEATS.sub(r"\1\1", "\n".join(map("".join, lines)) + "\n")
    ok = _shapes.get(shape)
    if ok is None:
        if len(_shapes) > 8192:
            _shapes.clear()
        ok = _shapes[shape] = _nesting_ok(shape)
    if not ok:
        return None
    status = _top_value(fm, "status", list_ok=False)
    if status is _UNSURE:
        return None
    created_after = _top_value(fm, "created_after", list_ok=True)
    if created_after is _UNSURE:
        return None
    return status, created_after


def _nesting_ok(shape: str) -> bool:
    """Block-YAML indentation rules over the token lines of :func:`facts`."""
    stack: list[tuple[int, bool]] = []  # (indent, is_sequence)
    pending: tuple[int, bool] | None = None  # a value nests below (owner indent, owner is a key)
    for line in shape[:-1].split("\n"):
        token = line.lstrip(" ")
        n = len(line) - len(token)
        if token in ("", "#"):
            continue
        item = token.startswith("-")
        if len(stack) > 40:
            return False
        if not stack:
            if n or item:
                return False
            stack.append((0, False))
        elif pending is not None:
            p, owner_is_key = pending
            pending = None
            if item and (n > p or (n == p and owner_is_key)):
                stack.append((n, True))
            elif not item and n > p:
                stack.append((n, False))
        while stack[-1][0] > n:
            stack.pop()
            if not stack:
                return False
        if stack[-1][0] != n:
            return False
        if item and not stack[-1][1]:
            return False
        if not item and stack[-1][1]:
            stack.pop()  # a sequence at its key's indentation ends at the next key
            if not stack or stack[-1] != (n, False):
                return False
        if token == "-":
            pending = (n, False)
        elif token in ("- :", "- : "):
            stack.append((n + 2, False))
            if token == "- :":
                pending = (n + 2, True)
        elif token == ":":
            pending = (n, True)
    return bool(stack)


def _top_value(fm: str, key: str, *, list_ok: bool) -> Any:
    """The value of top-level ``key`` in an already validated frontmatter (None when absent)."""
    head = key + ":"
    at = [0] if fm.startswith(head) else []
    i = fm.find("\n" + head)
    while i != -1:
        at.append(i + 1)
        i = fm.find("\n" + head, i + 1)
    if not at:
        return None
    if len(at) > 1:
        return _UNSURE  # a duplicate key: the parser keeps the last and reports it
    m = _TOP.match(fm, at[0] + len(head))
    assert m is not None  # the line was validated
    inline, block = m.groups()
    if block:
        if not inline and _NAME_BLOCK.fullmatch(block):
            names = _NAME_ITEMS.findall(block)
            if not _SPECIAL.intersection(names):
                return names
    else:
        fast = _INLINE_NAME.fullmatch(inline)
        if fast and fast.group(1) not in _SPECIAL:
            return fast.group(1)
        fast = _QUOTED_LIST.fullmatch(inline)
        if fast:
            return _QUOTED.findall(fast.group(1) or "")
    lines = [ln for ln in block.split("\n") if ln.strip(" ") and not ln.lstrip(" ").startswith("#")]
    if lines:
        if not list_ok or inline.strip(" ") and not inline.lstrip(" ").startswith("#"):
            return _UNSURE
        items = [_ITEM.fullmatch(ln) for ln in lines]
        if any(it is None for it in items) or len({it.group(1) for it in items if it}) != 1:
            return _UNSURE  # anything but one flat list of scalars
        values = [_scalar(it.group(2)) for it in items if it]
        return _UNSURE if any(v is _UNSURE for v in values) else values
    value = _scalar(inline)
    if isinstance(value, list) and not list_ok:
        return _UNSURE
    return value


def _scalar(text: str) -> Any:
    """The value of one already validated scalar: str, None, a flat list of those, or unsure."""
    text = text.strip(" ")
    if text.startswith("#"):
        return None  # `key: # comment` (the shape check saw nothing nested)
    if text.startswith('"'):
        return text[1:text.index('"', 1)]
    if text.startswith("'"):
        m = re.match(r"'((?:[^']|'')*)'", text)
        return m.group(1).replace("''", "'") if m else _UNSURE
    if text.startswith("["):
        inner = text[1:text.rindex("]")].strip(" ")
        if not inner:
            return []
        items = [_scalar(part) for part in re.findall(rf"{_FITEM}", inner)]
        return _UNSURE if any(v is _UNSURE or isinstance(v, list) for v in items) else items
    if text.startswith("{"):
        return _UNSURE
    cut = text.find(" #")
    if cut != -1:
        text = text[:cut].rstrip(" ")
    if text in _NULLS:
        return None
    if text in _BOOLS or _NUMBERISH.fullmatch(text):
        return _UNSURE  # a bool, a number or a date: the parser's business
    return text
