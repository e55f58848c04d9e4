"""``ve orch init``: give the agents of vibe-engineer's daemon the AskOperator tool.

The daemon starts its agents with ``setting_sources=["project"]``, so every MCP server declared in
the project's ``.mcp.json`` runs inside every agent. We add ours there, leaving every other byte of
the file as it was, and configure git so the notes travel: ``notes.rewriteRef`` (notes follow
rebase and amend) and, per remote, a fetch refspec bringing the remote's ``refs/notes/ve/*`` into
the tracking refs ``ve orch sync`` merges from.

A push refspec is added only to remotes that already list push refspecs: on any other remote it
would replace what a plain ``git push`` pushes (the current branch) with the notes alone.
``ve orch sync`` pushes the notes there.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks import git as git_mod
from ve_hooks.orch import config_file
from ve_hooks.orch.config_file import ConfigRefused
from ve_hooks.orch.mcp_server import DEFAULT_WAIT_SECONDS, SERVER_NAME

MCP_FILE = ".mcp.json"
NOTES_PATTERN = "refs/notes/ve/*"
COMMAND = "ve-hooks"


class InitError(ConfigRefused):
    """Something init cannot fix by itself (an unparsable ``.mcp.json``...): exit 2."""


def server_entry(wait: float = DEFAULT_WAIT_SECONDS, command: str = COMMAND) -> dict[str, Any]:
    """Our ``.mcp.json`` server: no ``--unit`` (inferred from the agent's worktree), a bounded wait."""
    return {"type": "stdio", "command": command, "args": ["orch", "mcp", "--wait", f"{wait:g}"]}


def fetch_refspec(remote: str) -> str:
    """Into the tracking ref of ``ve orch sync`` (``refs/notes/ve/orch-remote/<remote>``), forced:
    a plain ``git fetch`` then never touches our own notes, and sync merges from there."""
    return f"+{NOTES_PATTERN}:refs/notes/ve/*-remote/{remote}"


PUSH_REFSPEC = "refs/notes/ve/orch:refs/notes/ve/orch"


# -- .mcp.json, edited as text ---------------------------------------------------------------

def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """Index just past the JSON string starting at ``text[i] == '"'``."""
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _value_end(text: str, i: int) -> int:
    """Index just past the JSON value starting at ``i`` (the file is known to parse)."""
    _, end = json.JSONDecoder().raw_decode(text, i)
    return end


def _members(text: str, open_brace: int) -> list[tuple[str, int, int]]:
    """(key, key start, value start) of each member of the object opening at ``open_brace``."""
    out: list[tuple[str, int, int]] = []
    i = _skip_ws(text, open_brace + 1)
    while text[i] != "}":
        key_end = _string_end(text, i)
        key = json.loads(text[i:key_end])
        colon = _skip_ws(text, key_end)
        value = _skip_ws(text, colon + 1)
        out.append((key, i, value))
        i = _skip_ws(text, _value_end(text, value))
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return out


def _indent_unit(text: str) -> str:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


def _line_indent(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    line = text[start:pos]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _insert_member(text: str, open_brace: int, key: str, value: Any) -> str:
    """Insert ``"key": value`` as the first member of the object opening at ``open_brace``.

    Nothing already in the file moves but the whitespace inside an empty object.
    """
    members = _members(text, open_brace)
    newline = "\r\n" if "\r\n" in text else "\n"
    if members and "\n" not in text[open_brace:members[0][1]]:  # {"a": 1} on one line: stay inline
        first = members[0][1]
        return text[:first] + f"{json.dumps(key)}: {json.dumps(value)}, " + text[first:]
    unit = _indent_unit(text)
    inner = _line_indent(text, members[0][1]) if members else _line_indent(text, open_brace) + unit
    body = json.dumps(value, indent=unit).replace("\n", newline + inner)
    member = f"{json.dumps(key)}: {body}"
    if members:
        return text[: open_brace + 1] + newline + inner + member + "," + text[open_brace + 1:]
    close = _skip_ws(text, open_brace + 1)
    return (text[: open_brace + 1] + newline + inner + member + newline + _line_indent(text, open_brace)
            + text[close:])


def add_server(text: str | None, entry: dict[str, Any]) -> tuple[str, bool]:
    """``.mcp.json`` text with our server in it, and whether anything changed.

    Every other byte stays: the member is inserted as text (matching the file's indentation),
    never by re-serialising the whole document. An existing ``ve-orch`` entry is left alone.
    """
    if text is None or not text.strip():
        return json.dumps({"mcpServers": {SERVER_NAME: entry}}, indent=2) + "\n", True
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InitError(f"{MCP_FILE}:{e.lineno}:{e.colno}: not valid JSON ({e.msg}); fix it, then run "
                        "`ve orch init` again (nothing was changed)") from None
    except RecursionError:
        raise InitError(f"{MCP_FILE}: JSON nested too deeply to merge into safely; nothing was changed") from None
    except ValueError as e:  # an integer of more digits than Python converts, ...
        raise InitError(f"{MCP_FILE}: a value cannot be read ({str(e).splitlines()[0]}); nothing was changed") from None
    if not isinstance(doc, dict):
        raise InitError(f"{MCP_FILE}: the top level is not a JSON object; nothing was changed")
    servers = doc.get("mcpServers")
    if isinstance(servers, dict) and SERVER_NAME in servers:
        return text, False
    if servers is not None and not isinstance(servers, dict):
        raise InitError(f"{MCP_FILE}: \"mcpServers\" is not an object; nothing was changed")
    top = _skip_ws(text, 0)
    if servers is None:
        new = _insert_member(text, top, "mcpServers", {SERVER_NAME: entry})
    else:
        value_at = next(v for k, _, v in _members(text, top) if k == "mcpServers")
        new = _insert_member(text, value_at, SERVER_NAME, entry)
    expected = dict(doc)
    expected["mcpServers"] = {SERVER_NAME: entry, **(servers or {})}
    if json.loads(new) != expected:  # pragma: no cover - a bug in the text edit, never written
        raise InitError(f"{MCP_FILE}: could not add the server without changing other content; add it by hand")
    return new, True


# -- git configuration -----------------------------------------------------------------------

def _git(top: Path, *args: str) -> tuple[int, str]:
    """(exit code, stdout) of ``git ARGS`` in ``top``, through the one door (:mod:`ve_hooks.git`)."""
    try:
        proc = git_mod.process(args, top, check=False)
    except git_mod.GitError as e:
        raise InitError(str(e)) from None
    return proc.returncode, proc.stdout.decode("utf-8", "surrogateescape")


def _values(top: Path, key: str) -> list[str]:
    return _git(top, "config", "--get-all", key)[1].splitlines()


def _add(top: Path, key: str, value: str) -> None:
    """``git config --add``; a failure (a read-only or locked config) is reported, not ignored."""
    code, _ = _git(top, "config", "--add", key, value)
    if code != 0:
        raise InitError(f"git config --add {key} {value} failed (is .git/config writable or locked?)")


def toplevel(start: str | Path) -> Path:
    code, out = _git(Path(start), "rev-parse", "--show-toplevel")
    if code != 0:
        raise InitError(f"{Path(start).resolve()} is not inside a git repository")
    return Path(out.strip())


@dataclass
class Item:
    what: str
    ok: bool
    fix: str = ""  # what init does (or the operator must do) when not ok
    required: bool = True


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if not i.ok and i.required]


def check(start: str | Path) -> Report:
    """What a repository lacks for AskOperator inside the daemon's agents (changes nothing)."""
    top = toplevel(start)
    report = Report()
    entry = None
    try:
        cfg = config_file.read(top / MCP_FILE, top, for_write=False)
        if cfg.text is not None:
            doc = config_file.load_json(cfg)
            servers = doc.get("mcpServers") if isinstance(doc, dict) else None
            entry = servers.get(SERVER_NAME) if isinstance(servers, dict) else None
    except ConfigRefused as e:
        report.items.append(Item(f"{MCP_FILE} can be read and merged", False, f"{e} (fix it by hand)"))
    report.items.append(Item(f"{MCP_FILE} declares the {SERVER_NAME} server (AskOperator)", isinstance(entry, dict),
                             "ve orch init"))
    if isinstance(entry, dict):
        cmd = str(entry.get("command", ""))
        report.items.append(Item(f"its command `{cmd}` is on PATH", bool(shutil.which(cmd)),
                                 "activate the environment holding ve-hooks before `ve orch start`",
                                 required=False))
        tracked = _git(top, "ls-files", "--error-unmatch", MCP_FILE)[0] == 0
        clean = tracked and _git(top, "diff", "--quiet", "HEAD", "--", MCP_FILE)[0] == 0
        report.items.append(Item(f"{MCP_FILE} is committed (the daemon's worktrees are checked out from commits)",
                                 clean, f"git add {MCP_FILE} && git commit -m 'AskOperator for the orchestrator'"))
    from ve_hooks.orch import agent_configs

    for name, ok in agent_configs.declared(top):  # Codex CLI and Gemini CLI read these
        report.items.append(Item(f"{name} declares the {SERVER_NAME} server (AskOperator)", ok, "ve orch init"))
    report.items.append(Item(f"notes.rewriteRef includes {NOTES_PATTERN}",
                             NOTES_PATTERN in _values(top, "notes.rewriteRef"), "ve orch init"))
    for remote in _git(top, "remote")[1].split():
        report.items.append(Item(f"remote {remote} fetches {NOTES_PATTERN}",
                                 fetch_refspec(remote) in _values(top, f"remote.{remote}.fetch"), "ve orch init"))
        pushes = _values(top, f"remote.{remote}.push")
        if pushes:
            report.items.append(Item(f"remote {remote} pushes the notes", PUSH_REFSPEC in pushes, "ve orch init"))
    return report


def _agent_configs(top: Path, wait: float, command: str) -> list[str]:
    """The server in ``.codex/config.toml`` and ``.gemini/settings.json`` (see agent_configs)."""
    from ve_hooks.orch import agent_configs

    return agent_configs.write(top, wait, command, add_server)


def init(start: str | Path, wait: float = DEFAULT_WAIT_SECONDS, command: str = COMMAND) -> list[str]:
    """Make :func:`check` pass (except committing); returns what was done, one line each."""
    top = toplevel(start)
    done: list[str] = []
    existed: list[bool] = []

    def edit(cfg: config_file.ConfigText) -> str | None:
        existed.append(cfg.text is not None)
        new, changed = add_server(cfg.text, server_entry(wait, command))
        return new if changed else None

    if config_file.merge(top / MCP_FILE, top, edit):
        done.append(f"{MCP_FILE}: added the {SERVER_NAME} server (AskOperator)"
                    + (", other servers kept" if existed[0] else ""))
    done += _agent_configs(top, wait, command)
    if NOTES_PATTERN not in _values(top, "notes.rewriteRef"):
        _add(top, "notes.rewriteRef", NOTES_PATTERN)
        done.append(f"git config notes.rewriteRef {NOTES_PATTERN}")
    for remote in _git(top, "remote")[1].split():
        spec = fetch_refspec(remote)
        if spec not in _values(top, f"remote.{remote}.fetch"):
            _add(top, f"remote.{remote}.fetch", spec)
            done.append(f"git config remote.{remote}.fetch {spec}")
        pushes = _values(top, f"remote.{remote}.push")
        if pushes and PUSH_REFSPEC not in pushes:
            _add(top, f"remote.{remote}.push", PUSH_REFSPEC)
            done.append(f"git config remote.{remote}.push {PUSH_REFSPEC}")
    return done
