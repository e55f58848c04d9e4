"""``ve orch run/resume --agent codex|gemini`` with the real Codex CLI and Gemini CLI.

Each runs against a scripted mock of its model API on 127.0.0.1 (see support/mock_models.py),
with the user's own configuration in a private HOME: it must be byte-identical afterwards, and
the user's own MCP server must stay offered beside AskOperator. Neither agent can defer a call:
AskOperator's result tells the model to end its turn, and the run is judged from the stream.
Slow: each run starts the real CLI.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from agent_clis import ASK_STEP, QUESTION, AgentWorld
from support.mock_models import texts_sent

pytestmark = pytest.mark.slow

BLOCKED = {"text": "I asked the operator and end my turn until the answer comes."}
FINISHED = {"text": "Done with the operator's answer. Should I also refactor? No error remains."}


def _run(world: AgentWorld, *, by_setting: bool = False) -> None:
    choice = [] if by_setting else ["--agent", world.agent]
    run = world.ve("run", "my_chunk", *choice, "--prompt-file", world.prompt())
    assert run.returncode == 1, run.stdout + run.stderr
    assert "my_chunk: NEEDS_ATTENTION" in run.stdout, run.stdout + run.stderr


def _tool_names(world: AgentWorld, body: dict) -> list[str]:
    if world.agent == "codex":
        return list(world.mock.offered(body))  # type: ignore[union-attr]
    return world.mock.declared(body)  # type: ignore[union-attr]


def test_ask_stops_the_turn_and_needs_attention(agent_world: AgentWorld) -> None:
    world = agent_world
    mock = world.start([ASK_STEP, BLOCKED, {"text": "never reached"}])
    _run(world)
    [question] = world.of_type("my_chunk", "question")
    assert question["text"] == QUESTION and question["options"] == ["yes", "no"]
    [run] = world.of_type("my_chunk", "run")
    assert run["state"] == "NEEDS_ATTENTION" and run["agent"] == world.agent
    assert run["session_id"] and question["run_id"] == run["run_id"] and "reason" not in run
    requests = mock.agent_requests()
    if world.agent == "codex":
        # From the stream: AskOperator was the last tool call, then the model ended its turn.
        assert run["stop_reason"] == "ended_after_ask"
        assert len(requests) == 2 and "stop now and end your turn" in texts_sent(requests[1])
    else:
        # Gemini's AfterTool hook ended the agent loop: the model got no further turn.
        assert run["stop_reason"] == "stopped_after_ask"
        assert len(requests) == 1
    names = _tool_names(world, requests[0])
    assert any(n.endswith("AskOperator") for n in names), names
    assert any(n.endswith("Echo") for n in names), names  # the user's own server is still there
    attention = world.ve("attention", "--format", "json")
    assert attention.returncode == 1
    assert [q["text"] for q in json.loads(attention.stdout)] == [QUESTION]
    assert world.user_config_unchanged()


def test_answer_then_resume_delivers_it_to_the_same_session(agent_world: AgentWorld) -> None:
    world = agent_world
    mock = world.start([ASK_STEP, BLOCKED, FINISHED])
    _run(world)
    [first] = world.of_type("my_chunk", "run")
    assert world.ve("answer", "my_chunk", "--option", "1").returncode == 0
    resumed = world.ve("resume", "my_chunk")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "my_chunk: DONE" in resumed.stdout
    last = mock.agent_requests()[-1]
    sent = texts_sent(last)
    assert "answered your AskOperator question" in sent and "yes" in sent
    assert re.search(r'"(mcp_ve-orch-run_)?AskOperator"', sent)  # the same conversation, with the call, went on
    [delivered] = world.of_type("my_chunk", "delivered")
    runs = world.of_type("my_chunk", "run")
    assert [r["state"] for r in runs] == ["NEEDS_ATTENTION", "DONE"]
    assert runs[1]["session_id"] == first["session_id"] == delivered["session_id"]
    assert delivered["via"] == "resume" and runs[1]["agent"] == world.agent
    again = world.ve("resume", "my_chunk")
    assert again.returncode == 1 and "no answered question waits" in again.stdout
    assert world.user_config_unchanged()


def test_a_failed_resume_keeps_the_answer(agent_world: AgentWorld) -> None:
    world = agent_world
    mock = world.start([ASK_STEP, BLOCKED, FINISHED])
    (world.repo / "pyproject.toml").write_text(f'[tool.ve-hooks.orch]\nagent = "{world.agent}"\n')
    _run(world, by_setting=True)  # the project's setting picks the agent
    assert world.of_type("my_chunk", "run")[0]["agent"] == world.agent
    assert world.ve("answer", "my_chunk", "--text", "keep it").returncode == 0
    failed = world.ve("resume", "my_chunk", "--agent-cmd", "false")
    assert failed.returncode == 1 and "my_chunk: FAILED" in failed.stdout, failed.stdout + failed.stderr
    assert world.of_type("my_chunk", "delivered") == []
    attention = world.ve("attention")
    assert "answered, not yet delivered" in attention.stdout
    resumed = world.ve("resume", "my_chunk")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(world.of_type("my_chunk", "delivered")) == 1
    assert "keep it" in texts_sent(mock.agent_requests()[-1])
    assert world.user_config_unchanged()


def test_codex_going_on_after_asking_is_recorded_never_done(codex_bin: Path, orepo: Path, tmp_path: Path) -> None:
    """Codex only: in Gemini runs the AfterTool hook ends the loop, so the model cannot go on."""
    world = AgentWorld("codex", orepo, codex_bin, tmp_path / "home")
    world.start([ASK_STEP, {"tool": "exec_command", "input": {"cmd": "ls"}}, {"text": "I guessed and went on."}])
    try:
        _run(world)
    finally:
        world.mock.stop()  # type: ignore[union-attr]
    [run] = world.of_type("my_chunk", "run")
    assert run["state"] == "NEEDS_ATTENTION" and run["stop_reason"] == "continued_after_ask"
    assert "went on working after AskOperator" in run["reason"] and "exec_command" not in run.get("permission_denials", [])
    assert world.user_config_unchanged()


def test_a_refused_tool_is_reported_and_not_done(agent_world: AgentWorld) -> None:
    """Codex: the user's own MCP tool is not granted (approval needed, none possible headless).
    Gemini with permission-mode "default": no edits, so write_file is not offered; the call fails."""
    world = agent_world
    if world.agent == "codex":
        refused, name = {"tool": "Echo", "input": {"text": "hi"}}, "mcp__user-tools__Echo"
    else:
        (world.repo / "pyproject.toml").write_text('[tool.ve-hooks.orch]\npermission-mode = "default"\n')
        refused, name = {"tool": "write_file", "input": {"file_path": str(world.repo / "docs" / "result.md"),
                                                          "content": "done\n"}}, "write_file"
    world.start([refused, FINISHED])
    run = world.ve("run", "my_chunk", "--agent", world.agent, "--prompt-file", world.prompt("Write docs/result.md.\n"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "my_chunk: FAILED" in run.stdout and f"permission denied: {name}" in run.stdout
    [event] = world.of_type("my_chunk", "run")
    assert event["permission_denials"] == [name] and event["state"] == "FAILED"
    assert not (world.repo / "docs" / "result.md").exists()
    assert world.user_config_unchanged()


def test_the_real_cli_reads_the_server_ve_orch_init_wrote(agent_world: AgentWorld) -> None:
    """`ve orch init` writes .codex/config.toml / .gemini/settings.json; the CLI itself lists ve-orch."""
    import subprocess

    world = agent_world
    world.start([])
    if world.agent == "codex":  # Codex reads a project's .codex/ only once the user trusts the project
        with world.config_file.open("a") as f:
            f.write(f'\n[projects.{json.dumps(str(world.repo))}]\ntrust_level = "trusted"\n')
    init = world.ve("init")
    assert init.returncode == 0, init.stderr
    listed = subprocess.run([str(world.binary), "mcp", "list"], cwd=world.repo, capture_output=True, text=True,
                            env=world.env, timeout=120)
    out = listed.stdout + listed.stderr
    assert listed.returncode == 0, out
    line = next((x for x in out.splitlines() if "ve-orch" in x), "")
    assert "orch mcp --wait 1800" in line, out
    if world.agent == "gemini":
        assert "Connected" in line and "Disconnected" not in line, out  # Gemini started the server


def test_a_project_set_up_by_init_still_gets_the_runs_own_server(agent_world: AgentWorld) -> None:
    """After `ve orch init` the project config declares ve-orch too (for the daemon's worktrees,
    unit inferred, waiting); a run still offers exactly one AskOperator, its own, for its unit."""
    world = agent_world
    mock = world.start([ASK_STEP, BLOCKED])
    assert world.ve("init").returncode == 0
    _run(world)
    [question] = world.of_type("my_chunk", "question")
    assert question["text"] == QUESTION
    asks = [n for n in _tool_names(world, mock.agent_requests()[0]) if n.endswith("AskOperator")]
    assert len(asks) == 1, asks
