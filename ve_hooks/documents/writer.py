"""Rewrite one frontmatter list field without touching any other byte, and write files atomically.

Artifacts are hand-edited and reviewed in diffs, so a fixer must not reformat YAML: a dump
and reload would drop comments, reorder keys and change quoting. :func:`set_list_field`
instead locates the value's exact span with the YAML composer's marks, replaces that span,
and re-parses the result to prove nothing else changed; when it cannot prove that, it
refuses (returns None) rather than guess.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import yaml

from ve_hooks.diagnostic import UsageError
from ve_hooks.documents import frontmatter

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_BOM = b"\xef\xbb\xbf"


def format_list(values: list[str], ascii_only: bool = False) -> str:
    """The template style: ``["a", "b"]``.

    JSON strings are valid YAML double-quoted scalars; characters YAML would read as line
    breaks or refuses (NEL, LS, PS, BOM, other non-printables) are escaped as ``\\uXXXX``.
    """
    def one(v: str) -> str:
        s = json.dumps(v, ensure_ascii=ascii_only)
        return s if ascii_only else "".join(_escape(c) for c in s)

    return "[" + ", ".join(one(v) for v in values) + "]"


def _escape(c: str) -> str:
    if c.isprintable() and c not in "\u0085\u2028\u2029\ufeff":
        return c
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


def set_list_field(raw: bytes, key: str, values: list[str]) -> bytes | None:
    """``raw`` with top-level ``key`` set to ``values`` as an inline list; every other byte kept.

    An absent key is inserted as the last frontmatter line. Returns ``raw`` itself when the
    field already holds ``values``, and None when the file does not parse, the key is
    duplicated, or the edit cannot be shown to change that one field only.
    """
    doc = frontmatter.parse(raw)
    if not isinstance(doc, frontmatter.Doc):
        return None
    if any(p.rule == "VE105" for p in doc.problems):  # duplicate keys: which one would we edit?
        return None
    if key in doc.data and doc.data[key] == values:
        return raw
    bom = raw.startswith(_BOM)
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    lines = [m.group() for m in _LINE.finditer(text) if m.group()]
    close = doc.fm_end - 1  # index of the closing fence line
    head = len(lines[0])
    fm_text = "".join(lines[1:close])
    tail_start = head + len(fm_text)
    expected = {**doc.data, key: values}
    for ascii_only in (False, True):
        rendered = format_list(values, ascii_only)
        new_fm = _replace(fm_text, key, rendered, lines[close - 1] if close > 1 else lines[0])
        if new_fm is None:
            return None
        new_text = text[:head] + new_fm + text[tail_start:]
        out = (_BOM if bom else b"") + new_text.encode("utf-8")
        check = frontmatter.parse(out)
        if (isinstance(check, frontmatter.Doc) and check.data == expected and check.body == doc.body
                and not any(p.rule == "VE105" for p in check.problems)):
            return out
    return None


def _replace(fm: str, key: str, rendered: str, last_line: str) -> str | None:
    """The frontmatter text with the value of top-level ``key`` replaced (or the key appended)."""
    try:
        root = yaml.compose(fm, Loader=yaml.SafeLoader)  # pure loader: marks index characters
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    found = next(((k, v) for k, v in root.value
                  if isinstance(k, yaml.ScalarNode) and k.value == key and not k.tag.endswith(":merge")), None)
    if found is None:
        newline = _ending(last_line) or "\n"
        sep = "" if fm.endswith(("\n", "\r")) or not fm else newline
        return f"{fm}{sep}{key}: {rendered}{newline}"
    knode, vnode = found
    colon = fm.find(":", knode.end_mark.index)
    if colon == -1:
        return None
    start = colon + 1
    empty = isinstance(vnode, yaml.ScalarNode) and vnode.value == "" and vnode.style is None
    if empty:
        end = start  # `key:` with nothing: insert right after the colon, keep any comment
        rest = fm[start:_line_end(fm, start)]
        if rest.strip() and not rest.strip().startswith("#"):
            return None
    else:
        end = _content_end(vnode)
        while end > start and fm[end - 1] in "\r\n":  # block scalars swallow their line breaks
            end -= 1
    return fm[:start] + " " + rendered + fm[end:]


def _is_block_collection(node: yaml.Node) -> bool:
    return isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style


def _content_end(node: yaml.Node) -> int:
    """Index just past the last character of ``node``'s own text (not the following tokens)."""
    if _is_block_collection(node) and node.value:
        last = node.value[-1]
        return _content_end(last[1] if isinstance(last, tuple) else last)
    return int(node.end_mark.index)


_BREAK = re.compile(r"\r|\n")


def _line_end(text: str, i: int) -> int:
    m = _BREAK.search(text, i)
    return m.start() if m else len(text)


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\r", "\n")):
        return line[-1]
    return ""


# ---------------------------------------------------------------------------------------------
# atomic write


class UnsafePath(UsageError, OSError):
    """The path leaves the repository, passes through a symbolic link, or is not a regular file.

    A UsageError (the guard prints one line and exits 2) and an OSError (a fixer that reports
    "not written" per file and goes on catches it with the other write failures).
    """


def safe_target(path: Path | str, root: Path | str) -> Path:
    """``path`` checked for writing: inside ``root`` and reached without any symbolic link.

    The one guard of every writer (fixers, ``ve orch init``). A cloned repository can ship a
    link; writing through it would put one artifact's fix into another (``chunks/b/GOAL.md ->
    ../a/GOAL.md``) or change a file outside the repository (``.mcp.json -> ~/.claude.json``).
    So no component below ``root`` may be a link, wherever it points; ``root`` itself may be
    (a checkout under a linked home directory). Returns the path to write (``root`` joined with
    the relative part). Raises :class:`UnsafePath`.
    """
    root_p = Path(root)
    p = Path(path)
    if not p.is_absolute():
        p = root_p / p
    rel_s = os.path.normpath(os.path.relpath(os.path.abspath(p), os.path.abspath(root_p)))
    if rel_s == os.curdir or rel_s == os.pardir or rel_s.startswith(os.pardir + os.sep) or os.path.isabs(rel_s):
        raise UnsafePath(f"{path}: outside the repository {root}; not written")
    cur = root_p
    for part in Path(rel_s).parts:
        cur = cur / part
        if cur.is_symlink():
            shown = cur.relative_to(root_p).as_posix()
            raise UnsafePath(f"{path}: {shown} is a symbolic link (to {os.readlink(cur)}); ve-hooks never writes "
                             "through a link: edit the file it points to, or replace the link by a regular file; "
                             "not written")
    if cur.exists() and not cur.is_file():
        raise UnsafePath(f"{path}: not a regular file; not written")
    return cur


def atomic_write(path: Path | str, data: bytes, root: Path | str | None = None, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so readers see the old bytes or the new, never a mix.

    The target goes through :func:`safe_target` first (inside ``root``, no link on the way;
    without ``root``, the file's own directory: the file itself must not be a link).
    A temporary file in the same directory is written, fsynced and ``os.replace``-d over the
    target (same filesystem, so the rename is atomic), keeping the file's mode (or ``mode``).
    Temporary files a killed writer left beside the target are removed (see :func:`sweep`).
    """
    real = safe_target(path, Path(path).absolute().parent if root is None else root)
    sweep(real.parent, real.name)
    if mode is None:
        try:
            mode = real.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=_TMP_SUFFIX, dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable; not every platform lets us open a directory
        dfd = os.open(real.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# A writer's temporary files are ``.<name>.<random>.ve-tmp``: distinct enough that removing one
# can never remove a user's file. A writer killed between mkstemp and rename leaves one behind.
_TMP_SUFFIX = ".ve-tmp"
_STALE_SECONDS = 60.0  # older than any write takes: a live writer's file is never swept


def sweep(directory: Path | str, names: str | Iterable[str]) -> list[str]:
    """Remove the temporary files a killed writer left in ``directory`` for the files ``names``;
    the names removed.

    Only regular files matching this writer's pattern and older than a minute (a concurrent
    writer's file is seconds old at most) are removed.
    """
    removed: list[str] = []
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        return removed
    # mkstemp's random part is 8 characters; `.tmp` was the suffix before `.ve-tmp`.
    mine = re.compile(rf"\.(?:{'|'.join(re.escape(n) for n in names)})\.[A-Za-z0-9_]{{8}}(?:\.ve-tmp|\.tmp)")
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    now = time.time()
    for e in entries:
        if not mine.fullmatch(e.name):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > _STALE_SECONDS:
                os.unlink(e.path)
                removed.append(e.name)
        except OSError:
            continue
    return removed
