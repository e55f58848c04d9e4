"""Reading Codex CLI's and Gemini CLI's JSON streams, and the run-scoped Gemini home.

The stream lines are shaped by hand after real sessions of codex-cli 0.171.0 (``exec --json``)
and gemini-cli 0.61.0 (``--output-format stream-json``); the real CLIs run in
test_orch_agent_clis.py.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ve_hooks.orch import codex, delivery, gemini

THREAD = "01a23b3b-7fb2-73b0-ac09-a7599dcc050e"


def _log(tmp_path: Path, events: list[dict]) -> Path:
    path = tmp_path / "run.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "not json\n")
    return path


def _mcp(item_id: str, server: str, tool: str, done: bool, error: str | None = None) -> dict:
    item = {"id": item_id, "type": "mcp_tool_call", "server": server, "tool": tool, "arguments": {},
            "result": None if error else {"content": []}, "error": {"message": error} if error else None,
            "status": ("failed" if error else "completed") if done else "in_progress"}
    return {"type": "item.completed" if done else "item.started", "item": item}


def test_codex_ask_then_end_of_turn(tmp_path: Path) -> None:
    turns = codex.read_stream(_log(tmp_path, [
        {"type": "thread.started", "thread_id": THREAD}, {"type": "turn.started"},
        _mcp("item_1", "ve-orch", "AskOperator", False), _mcp("item_1", "ve-orch", "AskOperator", True),
        {"type": "item.completed", "item": {"id": "item_2", "type": "agent_message", "text": "blocked"}},
        {"type": "turn.completed", "usage": {}}]))
    assert turns.session_id == THREAD and turns.asked() and turns.ended
    assert turns.problems() == [] and turns.fields()["stop_reason"] == "ended_after_ask"
    assert turns.model_turns == 2 and turns.turns == 1


def test_codex_going_on_after_asking_and_a_refused_call(tmp_path: Path) -> None:
    turns = codex.read_stream(_log(tmp_path, [
        {"type": "thread.started", "thread_id": THREAD}, {"type": "turn.started"},
        _mcp("item_1", "ve-orch", "AskOperator", True),
        _mcp("item_2", "docs", "Search", True, "MCP tool call requires approval, but approval policy is never"),
        {"type": "turn.completed", "usage": {}}]))
    problems = " / ".join(turns.problems())
    assert "permission denied: mcp__docs__Search (1 call(s))" in problems
    assert "went on working after AskOperator" in problems
    assert turns.fields()["stop_reason"] == "continued_after_ask"


def test_codex_failed_turn_is_an_error(tmp_path: Path) -> None:
    turns = codex.read_stream(_log(tmp_path, [
        {"type": "thread.started", "thread_id": THREAD}, {"type": "turn.started"},
        {"type": "turn.failed", "error": {"message": "stream disconnected"}}]))
    assert not turns.ended and turns.fields()["is_error"] is True
    assert turns.problems() == ["the agent reported an error: stream disconnected"]


def test_gemini_ask_then_result(tmp_path: Path) -> None:
    turns = gemini.read_stream(_log(tmp_path, [
        {"type": "init", "session_id": "7780654a-a83b-4f1e-9f5b-2c71618631cc", "model": "gemini-2.5-flash"},
        {"type": "message", "role": "user", "content": "ask me"},
        {"type": "tool_use", "tool_name": "mcp_ve-orch_AskOperator", "tool_id": "t1", "parameters": {}},
        {"type": "tool_result", "tool_id": "t1", "status": "success", "output": "recorded"},
        {"type": "message", "role": "assistant", "content": "bl", "delta": True},
        {"type": "message", "role": "assistant", "content": "ocked", "delta": True},
        {"type": "result", "status": "success", "stats": {"tool_calls": 1}}]))
    assert turns.session_id.startswith("7780654a") and turns.asked() and turns.ended
    assert turns.model_turns == 2 and turns.problems() == []


def test_gemini_unknown_tool_is_a_denial_and_an_api_error_is_reported(tmp_path: Path) -> None:
    turns = gemini.read_stream(_log(tmp_path, [
        {"type": "init", "session_id": "s"},
        {"type": "tool_use", "tool_name": "write_file", "tool_id": "t1", "parameters": {}},
        {"type": "tool_result", "tool_id": "t1", "status": "error",
         "error": {"type": "tool_not_registered", "message": "Tool \"write_file\" not found."}},
        {"type": "tool_use", "tool_name": "read_file", "tool_id": "t2", "parameters": {}},
        {"type": "tool_result", "tool_id": "t2", "status": "error",
         "error": {"type": "file_not_found", "message": "no such file"}},
        {"type": "result", "status": "error", "error": {"type": "FatalTurnLimitedError", "message": "max turns"}}]))
    assert turns.denials == ["write_file"]
    assert turns.fields()["subtype"] == "FatalTurnLimitedError"
    assert any("max turns" in p for p in turns.problems())


def test_codex_overrides_grant_askoperator_and_map_the_permission_mode() -> None:
    args = codex.overrides("/venv/bin/ve-hooks", ["orch", "mcp", "--unit", "u"], {"VE_ORCH_RUN_ID": "run-1"}, 0,
                           "acceptEdits", ["mcp__docs__Search", "Bash(pytest:*)"])
    pairs = dict(a.split("=", 1) for a in args[1::2])
    assert pairs["mcp_servers.ve-orch.command"] == '"/venv/bin/ve-hooks"'
    assert pairs["mcp_servers.ve-orch.args"] == '["orch", "mcp", "--unit", "u"]'
    assert pairs["mcp_servers.ve-orch.env"] == '{"VE_ORCH_RUN_ID" = "run-1"}'
    assert pairs["mcp_servers.ve-orch.default_tools_approval_mode"] == '"approve"'
    assert pairs["sandbox_mode"] == '"workspace-write"' and pairs["approval_policy"] == '"never"'
    assert pairs["mcp_servers.docs.tools.Search.approval_mode"] == '"approve"'
    assert not any("pytest" in a for a in args)  # Claude Code's Bash patterns have no Codex equivalent
    assert 'sandbox_mode="read-only"' in codex.overrides("x", [], {}, 0, "default")


def test_gemini_home_layers_the_users_settings_and_leaves_them_alone(tmp_path: Path) -> None:
    user = tmp_path / "home" / ".gemini"
    user.mkdir(parents=True)
    original = b'{"model": {"name": "gemini-2.5-pro"}, "mcpServers": {"docs": {"command": "d"}},\n "mcp": {"allowed": ["docs"]}}\n'
    (user / "settings.json").write_bytes(original)
    (user / "oauth_creds.json").write_text("{}")
    entry = gemini.server_entry("ve-hooks", ["orch", "mcp"], {"VE_ORCH_RUN_ID": "r"}, 0)
    home = gemini.layered_home(tmp_path / "run-home", {"HOME": str(tmp_path / "home")}, entry, 7)
    settings = json.loads((home / ".gemini" / "settings.json").read_text())
    assert settings["mcpServers"] == {"docs": {"command": "d"}, "ve-orch-run": entry}
    assert settings["mcp"]["allowed"] == ["docs", "ve-orch-run"] and settings["model"]["maxSessionTurns"] == 7
    assert settings["mcp"]["excluded"] == ["ve-orch"]  # a project's ve-orch entry would be a second AskOperator
    assert os.readlink(home / ".gemini" / "oauth_creds.json") == str(user / "oauth_creds.json")
    assert os.readlink(home / ".gemini" / "tmp") == str(user / "tmp")  # sessions stay the user's
    assert (user / "settings.json").read_bytes() == original


def test_gemini_settings_that_are_not_json_are_reported(tmp_path: Path) -> None:
    user = tmp_path / ".gemini"
    user.mkdir()
    (user / "settings.json").write_text('{ // mine\n "a": 1 }')
    with pytest.raises(gemini.GeminiSetupError, match="not plain JSON"):
        gemini.layered_home(tmp_path / "run", {"GEMINI_CLI_HOME": str(tmp_path)}, {}, None)


def test_an_agent_missing_from_path_is_named_with_its_install(orepo: Path, tmp_path: Path) -> None:
    import subprocess

    from support.cli import script

    prompt = tmp_path / "p.md"
    prompt.write_text("hi\n")
    git_dir = os.path.dirname(shutil.which("git") or "/usr/bin/git")  # git, but no codex
    env = {**os.environ, "PATH": git_dir}
    got = subprocess.run([script("ve-hooks"), "orch", "run", "u1", "--agent", "codex", "--prompt-file", str(prompt)],
                         cwd=orepo, capture_output=True, text=True, env=env)
    assert got.returncode == 2, got.stdout + got.stderr
    assert "codex is not on PATH" in got.stderr and "npm install -g @openai/codex" in got.stderr
    assert "Traceback" not in got.stderr


def test_gemini_stop_hook_ends_the_loop_only_on_an_unanswered_question() -> None:
    from ve_hooks.orch.protocol import answer_message, stop_message

    recorded = {"tool_name": gemini.TOOL, "tool_response": {"llmContent": [{"text": stop_message("q-1", "u")}]}}
    assert gemini.after_tool_decision(recorded)["continue"] is False
    answered = {"tool_name": gemini.TOOL, "tool_response": {"llmContent": answer_message("q-1", "yes")}}
    assert gemini.after_tool_decision(answered) == {}  # a --wait call returned the answer: go on
    other = {"tool_name": "read_file", "tool_response": {"llmContent": stop_message("q-1", "u")}}
    assert gemini.after_tool_decision(other) == {}


def test_gemini_run_settings_carry_the_stop_hook_beside_the_users_hooks(tmp_path: Path) -> None:
    user = tmp_path / ".gemini"
    user.mkdir()
    mine = {"matcher": "write_file", "hooks": [{"type": "command", "command": "lint"}]}
    (user / "settings.json").write_text(json.dumps({"hooks": {"AfterTool": [mine]}}))
    home = gemini.layered_home(tmp_path / "run", {"GEMINI_CLI_HOME": str(tmp_path)}, {}, None, "ve-hooks orch stop-hook")
    after = json.loads((home / ".gemini" / "settings.json").read_text())["hooks"]["AfterTool"]
    assert after[0] == mine and after[1]["hooks"][0]["command"] == "ve-hooks orch stop-hook"
    assert after[1]["matcher"] == "^mcp_ve-orch-run_AskOperator$"


@pytest.mark.parametrize("reader", [codex.read_stream, gemini.read_stream, delivery.read_stream],
                         ids=["codex", "gemini", "claude"])
def test_no_stream_line_stops_a_reader(tmp_path: Path, reader) -> None:
    """A deeply nested line (RecursionError in json), a 5,000-digit number, invalid UTF-8 and a
    JSON value that is not an object are skipped; the session id after them is still read."""
    path = tmp_path / "run.jsonl"
    session = {"type": "thread.started", "thread_id": THREAD, "session_id": THREAD}
    init = {"type": "init", "session_id": THREAD}
    claude = {"type": "system", "subtype": "init", "session_id": THREAD}
    path.write_bytes(b"[" * 100_000 + b"\n" + b"1" * 5000 + b"\n\xff\xfe\n[1, 2]\n"
                     + b"".join(json.dumps(e).encode() + b"\n" for e in (session, init, claude)))
    assert reader(path).session_id == THREAD
