"""``ve orch run/resume`` with the real Claude Code CLI against a scripted mock Messages API.

Slow (each run starts Node and the CLI); they skip, saying why, where npm cannot provide the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claude_support import ASK_STEP, QUESTION, ClaudeWorld
from support.cli import module
from support.mock_anthropic import tool_results

pytestmark = pytest.mark.slow

VERBOSE = ("Summary: done. Should I also refactor? Did anything fail? No error remains; what about "
           "the edge cases, should I ask? Any questions? None.")


def _write(world: ClaudeWorld) -> dict[str, object]:
    return {"tool": "Write", "input": {"file_path": str(world.repo / "docs" / "result.md"), "content": "done\n"}}


def _ask_and_answer(world: ClaudeWorld) -> None:
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt())
    assert run.returncode == 1, run.stdout + run.stderr
    assert "my_chunk: NEEDS_ATTENTION" in run.stdout
    answered = world.ve("answer", "my_chunk", "--option", "1")
    assert answered.returncode == 0, answered.stderr


def test_ask_defers_the_call_and_needs_attention(world: ClaudeWorld) -> None:
    mock = world.start([ASK_STEP, {"text": "I guessed and went on."}])
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt())
    assert run.returncode == 1, run.stdout + run.stderr
    assert "my_chunk: NEEDS_ATTENTION" in run.stdout
    # Deferral ends the run before any further model turn: the model was asked exactly once.
    assert len(mock.agent_requests()) == 1
    [question] = world.of_type("my_chunk", "question")
    assert question["text"] == QUESTION and question["options"] == ["yes", "no"]
    assert question["deferred"] is True and question["tool_use_id"].startswith("toolu_")
    [run_event] = world.of_type("my_chunk", "run")
    assert run_event["state"] == "NEEDS_ATTENTION" and run_event["stop_reason"] == "tool_deferred"
    assert run_event["session_id"] == question["session_id"]
    attention = world.ve("attention", "--format", "json")
    assert attention.returncode == 1
    assert [q["text"] for q in json.loads(attention.stdout)] == [QUESTION]


def test_answer_then_resume_runs_the_same_call_and_the_model_gets_the_answer(world: ClaudeWorld) -> None:
    mock = world.start([ASK_STEP, _write(world), {"text": VERBOSE}])
    _ask_and_answer(world)
    [question] = world.of_type("my_chunk", "question")
    resumed = world.ve("resume", "my_chunk")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "my_chunk: DONE" in resumed.stdout
    # The deferred AskOperator call itself returned the answer, as the result of that tool_use id.
    second = mock.agent_requests()[1]
    results = [b for m in second["messages"] if isinstance(m.get("content"), list) for b in m["content"]
               if b.get("type") == "tool_result"]
    assert [r["tool_use_id"] for r in results] == [question["tool_use_id"]]
    assert any("yes" in text for text in tool_results(second))
    assert (world.repo / "docs" / "result.md").read_text() == "done\n"
    [delivered] = world.of_type("my_chunk", "delivered")
    assert delivered["session_id"] == question["session_id"] and delivered["via"] == "tool"
    status = world.ve("status")
    assert "DONE" in status.stdout
    again = world.ve("resume", "my_chunk")
    assert again.returncode == 1 and "no answered question waits" in again.stdout


def test_a_failed_resume_keeps_the_answer_for_the_next(world: ClaudeWorld) -> None:
    mock = world.start([ASK_STEP, {"text": "Continuing with the answer."}])
    _ask_and_answer(world)
    failed = world.ve("resume", "my_chunk", "--agent-cmd", "false")
    assert failed.returncode == 1
    assert "my_chunk: FAILED" in failed.stdout
    assert world.of_type("my_chunk", "delivered") == []
    attention = world.ve("attention")
    assert "answered, not yet delivered" in attention.stdout and "ve orch resume my_chunk" in attention.stdout
    resumed = world.ve("resume", "my_chunk")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(world.of_type("my_chunk", "delivered")) == 1
    # The model saw the answer once: one tool result in the one resumed request.
    assert sum("yes" in t for t in tool_results(mock.agent_requests()[-1])) == 1


def test_a_refused_write_is_not_done(world: ClaudeWorld) -> None:
    (world.repo / "pyproject.toml").write_text('[tool.ve-hooks.orch]\npermission-mode = "default"\n')
    world.start([_write(world), {"text": VERBOSE}])
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt("Write docs/result.md.\n"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "my_chunk: FAILED" in run.stdout and "permission denied: Write" in run.stdout
    assert not (world.repo / "docs" / "result.md").exists()
    [event] = world.of_type("my_chunk", "run")
    assert event["permission_denials"] == ["Write"] and event["state"] == "FAILED"


def test_the_default_permission_mode_lets_the_agent_edit(world: ClaudeWorld) -> None:
    world.start([_write(world), {"text": VERBOSE}])
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt("Write docs/result.md.\n"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "my_chunk: DONE" in run.stdout  # a long summary full of "?" is still DONE
    assert (world.repo / "docs" / "result.md").read_text() == "done\n"


def test_running_out_of_turns_is_not_done(world: ClaudeWorld) -> None:
    (world.repo / "pyproject.toml").write_text("[tool.ve-hooks.orch]\nmax-turns = 1\n")
    world.start([_write(world), _write(world), {"text": "never reached"}])
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt("Write docs/result.md.\n"))
    assert run.returncode == 1
    assert "my_chunk: FAILED" in run.stdout and "error_max_turns" in run.stdout
    [event] = world.of_type("my_chunk", "run")
    assert event["subtype"] == "error_max_turns" and event["is_error"] is True


def test_wait_mode_records_the_session_the_answer_went_to(world: ClaudeWorld, tmp_path: Path) -> None:
    """With --wait the tool call blocks (no deferral); an answer from another process is returned."""
    import subprocess
    import threading
    import time

    mock = world.start([ASK_STEP, {"text": "Got the answer."}])
    env = world.env

    def answer_when_asked() -> None:
        for _ in range(600):
            got = subprocess.run(module("ve_hooks.cli", "orch", "answer", "my_chunk", "--option", "2"),
                                 cwd=world.repo, capture_output=True, text=True, env=env)
            if got.returncode == 0:
                return
            time.sleep(0.2)

    t = threading.Thread(target=answer_when_asked)
    t.start()
    run = world.ve("run", "my_chunk", "--prompt-file", world.prompt(), "--wait", "120")
    t.join()
    assert run.returncode == 0, run.stdout + run.stderr
    [question] = world.of_type("my_chunk", "question")
    [delivered] = world.of_type("my_chunk", "delivered")
    [run_event] = world.of_type("my_chunk", "run")
    assert delivered["via"] == "wait" and delivered["session_id"] == run_event["session_id"]
    assert question["session_id"] == run_event["session_id"]
    assert any("no" in t for t in tool_results(mock.agent_requests()[-1]))


def test_asking_beside_another_call_still_stops_the_run_and_the_answer_arrives(world: ClaudeWorld) -> None:
    """The model asks and writes in one turn: the write runs, the question stops the run.

    Resumed, Claude Code 2.1.x runs the deferred call but shows the model "[Tool result missing
    due to internal error]" for it (plus a synthetic turn), so the answer also goes as the prompt;
    it counts as delivered once the turn carrying that prompt completed.
    """
    mock = world.start([{"calls": [ASK_STEP, _write(world)]}, {"text": "(synthetic)"},
                        {"text": "Waiting for the operator."}, {"text": "Went on with the answer."}])
    _ask_and_answer(world)
    assert len(mock.agent_requests()) == 1
    assert (world.repo / "docs" / "result.md").exists()
    [question] = world.of_type("my_chunk", "question")
    assert question["parallel_calls"] is True
    resumed = world.ve("resume", "my_chunk")
    assert resumed.returncode == 0 and "my_chunk: DONE" in resumed.stdout, resumed.stdout + resumed.stderr
    last = mock.agent_requests()[-1]["messages"][-1]
    assert last["role"] == "user" and "answered your AskOperator question" in json.dumps(last) and "yes" in json.dumps(last)
    [delivered] = world.of_type("my_chunk", "delivered")
    assert delivered["via"] == "tool"
