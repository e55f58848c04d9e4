"""The one door for editing an agent's configuration file in the repository (``.mcp.json``,
``.gemini/settings.json``, ``.codex/config.toml``...): read, merge as text, write back safely.

A cloned repository can ship any file under these names: a symbolic link to a file outside the
repository (``.mcp.json -> ~/.claude.json``), a FIFO (opening it for reading blocks forever), a
directory, bytes that are not UTF-8, JSON nested a hundred thousand deep or a 5,000-digit number
(Python's parser raises RecursionError / ValueError on those), a read-only file. The policy:

- a link (wherever it points) is refused: we never write through one, and never read one either,
  since what we would merge is not the repository's file;
- anything but a regular file is refused without being opened (``lstat`` first, then
  ``O_NOFOLLOW | O_NONBLOCK`` and ``fstat`` in case it was swapped meanwhile);
- a file that is not UTF-8, or whose content the caller cannot parse, is refused;
- a read-only file is refused (its mode says the operator does not want it changed);
- what is merged keeps its line endings (CRLF stays CRLF), a UTF-8 BOM, and its mode; the write is
  atomic (:func:`ve_hooks.documents.writer.atomic_write`, confined to the repository).

Every refusal is :class:`ConfigRefused`, whose message names the file, says why and that nothing
was changed (the command exits 2).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BOM = b"\xef\xbb\xbf"
MAX_BYTES = 16 * 1024 * 1024  # a configuration file; anything larger is not one we merge into


class ConfigRefused(Exception):
    """A configuration file we cannot safely merge into; the message says why (exit 2)."""


@dataclass
class ConfigText:
    """A configuration file as read: its text (None when absent) and what a write must keep."""

    path: Path
    shown: str  # the name used in messages (relative to the repository)
    text: str | None
    bom: bool = False
    newline: str = "\n"

    def render(self, text: str) -> bytes:
        """``text`` as the file's bytes, its BOM kept. Line endings are the caller's: text is read
        without newline translation, so an edit that inserts with :attr:`newline` keeps them."""
        return (_BOM if self.bom else b"") + text.encode("utf-8")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def _refuse(shown: str, why: str) -> ConfigRefused:
    return ConfigRefused(f"{shown}: {why}; nothing was changed")


def read(path: Path, root: Path, *, for_write: bool = True) -> ConfigText:
    """Read the configuration file ``path`` (inside ``root``) or refuse it; never blocks.

    ``for_write``: also refuse a read-only file (``ve orch init --check`` reads without writing).
    """
    shown = os.path.relpath(path, root) if path.is_absolute() else str(path)
    _inside(path, root, shown)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ConfigText(path, shown, None)
    except OSError as e:
        raise _refuse(shown, f"cannot be read ({e.strerror or e})") from None
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(shown, f"is a symbolic link (to {os.readlink(path)}); ve-hooks never writes through a "
                             "link: replace it by a regular file, or add the entry to the file it points to by hand")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(shown, f"is {_kind(st.st_mode)}, not a regular file")
    if for_write and not st.st_mode & stat.S_IWUSR:
        raise _refuse(shown, f"is read-only (mode {stat.filemode(st.st_mode)}); make it writable "
                             f"(chmod u+w {shown}) or add the entry by hand")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _refuse(shown, "became a symbolic link while being read") from None
        raise _refuse(shown, f"cannot be read ({e.strerror or e})") from None
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):  # swapped between lstat and open
            raise _refuse(shown, f"is {_kind(fst.st_mode)}, not a regular file")
        if fst.st_size > MAX_BYTES:
            raise _refuse(shown, f"is {fst.st_size} bytes, more than a configuration file ({MAX_BYTES})")
        with os.fdopen(os.dup(fd), "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    bom = raw.startswith(_BOM)
    try:
        text = raw[len(_BOM) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _refuse(shown, f"line {line}: not UTF-8 (byte {raw[e.start]:#04x} at offset {e.start})") from None
    return ConfigText(path, shown, text, bom=bom, newline="\r\n" if "\r\n" in text else "\n")


def _inside(path: Path, root: Path, shown: str) -> None:
    """``path`` must be below ``root`` with no symbolic link on the way (its folders included)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel == os.curdir or rel.startswith(os.pardir) or os.path.isabs(rel):
        raise _refuse(shown, f"is outside the repository {root}")
    cur = Path(root)
    for part in Path(rel).parts[:-1]:
        cur = cur / part
        if cur.is_symlink():
            raise _refuse(shown, f"{cur.relative_to(root).as_posix()} is a symbolic link; ve-hooks never writes "
                                 "through a link")


def write(cfg: ConfigText, text: str, root: Path) -> None:
    """Write ``text`` over ``cfg``'s file atomically, keeping its endings, BOM and mode."""
    from ve_hooks.documents.writer import atomic_write

    try:
        cfg.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cfg.path, cfg.render(text), root=root)
    except OSError as e:
        raise _refuse(cfg.shown, f"cannot be written ({e.strerror or e})") from None


def load_json(cfg: ConfigText) -> Any:
    """The JSON document of ``cfg`` (which exists), or :class:`ConfigRefused` naming line and column."""
    assert cfg.text is not None
    try:
        return json.loads(cfg.text)
    except json.JSONDecodeError as e:
        raise _refuse(cfg.shown, f"line {e.lineno} column {e.colno}: not valid JSON ({e.msg}); fix it, then run "
                                 "the command again") from None
    except RecursionError:
        raise _refuse(cfg.shown, "JSON nested too deeply to merge into safely") from None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise _refuse(cfg.shown, f"a value cannot be read ({str(e).splitlines()[0]})") from None


def merge(path: Path, root: Path, edit: Callable[[ConfigText], str | None]) -> bool:
    """Read ``path``, let ``edit`` return its new text (None: nothing to change), write it back.

    ``edit`` receives the file as read (``text`` None when absent, else exactly the file's
    characters, CRLF included) and may raise :class:`ConfigRefused`; new lines it inserts should
    end with ``cfg.newline``. Returns whether the file was written.
    """
    cfg = read(path, root)
    new = edit(cfg)
    if new is None or new == cfg.text:
        return False
    write(cfg, new, root)
    return True
