"""``ve orch init`` writes AskOperator into Codex CLI's and Gemini CLI's project configuration,
byte-preserving and idempotent like the ``.mcp.json`` merge; files it cannot parse stay untouched."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from orch_support import Ve

from ve_hooks.orch import agent_configs
from ve_hooks.orch.agent_configs import ConfigError, add_codex_server
from ve_hooks.orch.init import add_server

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

USER_TOML = '''# team settings, keep this comment
model = "o3"   # trailing comment

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "0"]

[profiles.fast]
model_reasoning_effort = "low"'''  # no final newline


def test_codex_table_is_appended_and_every_other_byte_kept() -> None:
    new, changed = add_codex_server(USER_TOML, 1800, "ve-hooks")
    assert changed and new.startswith(USER_TOML + "\n")
    doc = tomllib.loads(new)
    assert doc["mcp_servers"]["docs"] == {"command": "docs-server", "args": ["--port", "0"]}
    assert doc["mcp_servers"]["ve-orch"] == {"command": "ve-hooks", "args": ["orch", "mcp", "--wait", "1800"],
                                             "default_tools_approval_mode": "approve", "tool_timeout_sec": 1920}
    assert doc["profiles"] == {"fast": {"model_reasoning_effort": "low"}}
    again, changed_again = add_codex_server(new, 1800, "ve-hooks")
    assert (again, changed_again) == (new, False)


def test_codex_entry_already_there_is_left_alone() -> None:
    text = '[mcp_servers.ve-orch]\ncommand = "my-ve"\n'
    assert add_codex_server(text, 1800, "ve-hooks") == (text, False)
    dotted = 'mcp_servers.ve-orch.command = "my-ve"\n'
    assert add_codex_server(dotted, 1800, "ve-hooks") == (dotted, False)


@pytest.mark.parametrize("text", ['model = "o3\n', 'mcp_servers = { docs = { command = "d" } }\n'])
def test_codex_file_that_cannot_be_extended_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"\.codex/config\.toml"):
        add_codex_server(text, 1800, "ve-hooks")


def test_gemini_server_is_inserted_as_text() -> None:
    text = '{\n    "theme": "Dracula",\n    "mcpServers": {\n        "docs": {"command": "d"}\n    }\n}\n'
    new, changed = agent_configs.add_gemini_server(text, 60, "ve-hooks", add_server)
    assert changed
    doc = json.loads(new)
    assert doc["theme"] == "Dracula" and doc["mcpServers"]["docs"] == {"command": "d"}
    assert doc["mcpServers"]["ve-orch"] == {"command": "ve-hooks", "args": ["orch", "mcp", "--wait", "60"],
                                            "trust": True, "timeout": 180000}
    assert '"theme": "Dracula"' in new and '        "docs": {"command": "d"}' in new
    assert agent_configs.add_gemini_server(new, 60, "ve-hooks", add_server) == (new, False)


def test_gemini_file_with_comments_is_refused_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"\.gemini/settings\.json"):
        agent_configs.add_gemini_server('{\n  // mine\n  "theme": "x"\n}\n', 60, "ve-hooks", add_server)


def test_init_writes_all_three_and_check_passes(orepo: Path, ve: Ve) -> None:
    (orepo / ".codex").mkdir()
    (orepo / ".codex" / "config.toml").write_text(USER_TOML)
    first = ve("init")
    assert first.returncode == 0, first.stderr
    assert ".codex/config.toml: added" in first.stdout and ".gemini/settings.json: added" in first.stdout
    codex_bytes = (orepo / ".codex" / "config.toml").read_bytes()
    gemini_bytes = (orepo / ".gemini" / "settings.json").read_bytes()
    assert codex_bytes.startswith(USER_TOML.encode())
    second = ve("init")
    assert second.returncode == 0 and "added" not in second.stdout
    assert (orepo / ".codex" / "config.toml").read_bytes() == codex_bytes
    assert (orepo / ".gemini" / "settings.json").read_bytes() == gemini_bytes
    check = ve("init", "--check")
    assert ".codex/config.toml declares the ve-orch server" in check.stdout + check.stderr


def test_init_refuses_a_broken_codex_file_and_changes_nothing(orepo: Path, ve: Ve) -> None:
    (orepo / ".codex").mkdir()
    (orepo / ".codex" / "config.toml").write_text('model = "o3\n')
    got = ve("init")
    assert got.returncode == 2 and ".codex/config.toml" in got.stderr and "Traceback" not in got.stderr
    assert (orepo / ".codex" / "config.toml").read_text() == 'model = "o3\n'
    assert not (orepo / ".gemini" / "settings.json").exists()
