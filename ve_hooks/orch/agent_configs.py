"""``ve orch init`` for Codex CLI and Gemini CLI: AskOperator in their project configuration.

Beside ``.mcp.json`` (Claude Code), the server goes where the other agents read project MCP
servers: ``.codex/config.toml`` (a ``[mcp_servers.ve-orch]`` table; Codex reads a project's
``.codex/`` once the project is trusted) and ``.gemini/settings.json`` (``mcpServers.ve-orch``).
Both edits are textual, like the ``.mcp.json`` one, and go through the same door
(:mod:`ve_hooks.orch.config_file`: no links, no special files, endings, BOM and mode kept): every
other byte stays, an existing ``ve-orch`` entry is left alone, a second run changes nothing, and a
file that does not parse is reported and never touched.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ve_hooks.orch import codex, config_file, gemini
from ve_hooks.orch.protocol import SERVER_NAME

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - declared for older Pythons
    import tomli as tomllib

CODEX_FILE = ".codex/config.toml"
GEMINI_FILE = ".gemini/settings.json"


# A project config file that cannot be edited safely: the same refusal as every config file's.
ConfigError = config_file.ConfigRefused


def _args(wait: float) -> list[str]:
    return ["orch", "mcp", "--wait", f"{wait:g}"]


def codex_table_text(table: dict[str, Any], newline: str = "\n") -> str:
    lines = [f"[mcp_servers.{SERVER_NAME}]"]
    lines += [f"{key} = {codex.toml_value(value)}" for key, value in table.items()]
    return newline.join(lines) + newline


def add_codex_server(text: str | None, wait: float, command: str, newline: str = "\n") -> tuple[str, bool]:
    """``.codex/config.toml`` text with our table appended, and whether anything changed.

    ``newline``: the file's line ending (a CRLF file stays CRLF).
    """
    table = codex.server_table(command, _args(wait), None, wait)
    block = codex_table_text(table, newline)
    if text is None or not text.strip():
        return block, True
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{CODEX_FILE}: not valid TOML ({e}); fix it, then run `ve orch init` again "
                          "(nothing was changed)") from None
    except RecursionError:
        raise ConfigError(f"{CODEX_FILE}: nested too deeply to merge into safely (nothing was changed)") from None
    servers = doc.get("mcp_servers")
    if isinstance(servers, dict) and SERVER_NAME in servers:
        return text, False
    new = text + ("" if text.endswith("\n") else newline) + newline + block
    try:
        check = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        check = {}
    expected = {**doc, "mcp_servers": {**(servers if isinstance(servers, dict) else {}), SERVER_NAME: table}}
    if check != expected:  # e.g. mcp_servers written as an inline table, which cannot be extended
        raise ConfigError(f"{CODEX_FILE}: cannot append [mcp_servers.{SERVER_NAME}] without changing other "
                          "content; add it by hand (nothing was changed)")
    return new, True


def add_gemini_server(text: str | None, wait: float, command: str,
                      add_json_member: Callable[[str | None, dict[str, Any]], tuple[str, bool]]) -> tuple[str, bool]:
    """``.gemini/settings.json`` text with ``mcpServers.ve-orch``, and whether anything changed.

    ``add_json_member`` is the ``.mcp.json`` text edit (the same ``mcpServers`` shape).
    """
    entry = gemini.server_entry(command, _args(wait), None, wait)
    try:
        return add_json_member(text, entry)
    except config_file.ConfigRefused as e:  # its messages name .mcp.json: say which file it was
        raise ConfigError(str(e).replace(".mcp.json", GEMINI_FILE)) from None


def _text(top: Path, name: str) -> str | None:
    try:
        return config_file.read(top / name, top, for_write=False).text
    except config_file.ConfigRefused:
        return None


def declared(top: Path) -> list[tuple[str, bool]]:
    """(file, declares our server) for each agent's project config."""
    out = []
    text = _text(top, CODEX_FILE)
    try:
        servers = tomllib.loads(text).get("mcp_servers") if text else None
    except tomllib.TOMLDecodeError:
        servers = None
    out.append((CODEX_FILE, isinstance(servers, dict) and isinstance(servers.get(SERVER_NAME), dict)))
    text = _text(top, GEMINI_FILE)
    try:
        doc = json.loads(text) if text else None
    except (ValueError, RecursionError):
        doc = None
    servers = doc.get("mcpServers") if isinstance(doc, dict) else None
    out.append((GEMINI_FILE, isinstance(servers, dict) and isinstance(servers.get(SERVER_NAME), dict)))
    return out


def write(top: Path, wait: float, command: str,
          add_json_member: Callable[[str | None, dict[str, Any]], tuple[str, bool]]) -> list[str]:
    """Add the server to both files where missing; returns what was done, one line each.

    Both files are read and edited before either is written: a refusal changes nothing.
    """
    edits = [(CODEX_FILE, lambda cfg: add_codex_server(cfg.text, wait, command, cfg.newline)),
             (GEMINI_FILE, lambda cfg: add_gemini_server(cfg.text, wait, command, add_json_member))]
    planned: list[tuple[config_file.ConfigText, str]] = []
    for name, edit in edits:
        cfg = config_file.read(top / name, top)
        new, changed = edit(cfg)
        if changed:
            planned.append((cfg, new))
    done = []
    for cfg, new in planned:
        config_file.write(cfg, new, top)
        done.append(f"{cfg.shown}: added the {SERVER_NAME} server (AskOperator)"
                    + ("" if cfg.text is None else ", the rest kept"))
    return done
