"""The issue's agent scenarios, end to end: `ve orch run` -> fake Claude Code -> real MCP session."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from orch_support import AGENT_CMD, Ve, answer_while_waiting, ve_cmd


def _prompt(tmp_path: Path, scenario: str, **fields: str) -> Path:
    p = tmp_path / f"{scenario}.prompt"
    p.write_text(f"scenario: {scenario}\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()))
    return p


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_asking_needs_attention_then_answer_and_resume_reach_the_same_session(
        ve: Ve, orepo: Path, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    env = {"FAKE_AGENT_RECORD": str(record)}
    prompt = _prompt(tmp_path, "ask", question="Tabs or spaces?", options="tabs,spaces")
    r = ve("run", "unit-a", "--prompt-file", str(prompt), "--agent-cmd", AGENT_CMD, env=env)
    assert r.returncode == 1, r.stderr
    assert "unit-a: NEEDS_ATTENTION" in r.stdout
    session = _records(record)[0]["session_id"]
    assert "recorded as q-" in str(_records(record)[1]["tool_result"])

    att = ve("attention", "--format", "json")
    assert att.returncode == 1
    [q] = json.loads(att.stdout)
    assert (q["unit"], q["text"], q["options"]) == ("unit-a", "Tabs or spaces?", ["tabs", "spaces"])
    assert "NEEDS_ATTENTION" in ve("status").stdout

    # The stream was logged under the git dir, with the session id the stream announced.
    logs = list((orepo / ".git" / "ve-orch" / "logs" / "unit-a").glob("*.jsonl"))
    assert len(logs) == 1 and session in logs[0].read_text()

    assert ve("answer", "unit-a", "--option", "2").returncode == 0
    assert "ANSWERED" in ve("status").stdout
    r = ve("resume", "unit-a", "--agent-cmd", AGENT_CMD, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unit-a: DONE" in r.stdout
    resumed = _records(record)[-1]
    assert resumed["resumed"] is True and resumed["session_id"] == session
    assert "spaces" in str(resumed["prompt"]) and q["id"] in str(resumed["prompt"])

    log = ve("log", "unit-a").stdout
    assert "delivered" in log and "via resume" in log and "[DELIVERED]" in log
    assert ve("attention").returncode == 0
    # Nothing left to deliver: resume says so (exit 1) and starts no agent.
    assert ve("resume", "unit-a", "--agent-cmd", AGENT_CMD, env=env).returncode == 1


def test_verbose_summary_full_of_questions_is_done(ve: Ve, tmp_path: Path) -> None:
    r = ve("run", "unit-v", "--prompt-file", str(_prompt(tmp_path, "verbose")), "--agent-cmd", AGENT_CMD)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unit-v: DONE" in r.stdout
    assert ve("attention").returncode == 0
    assert "DONE" in ve("status").stdout


def test_failed_agent_is_failed_not_attention(ve: Ve, tmp_path: Path) -> None:
    r = ve("run", "unit-f", "--prompt-file", str(_prompt(tmp_path, "fail")), "--agent-cmd", AGENT_CMD)
    assert r.returncode == 1 and "unit-f: FAILED (exit 3" in r.stdout
    assert ve("attention").returncode == 0


def test_wait_returns_the_answer_to_the_waiting_tool_call(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    prompt = _prompt(tmp_path, "ask-wait", question="Deploy now?", options="yes,no")
    proc = subprocess.Popen(ve_cmd("run", "unit-w", "--prompt-file", str(prompt), "--agent-cmd", AGENT_CMD,
                                   "--wait", "40"), cwd=orepo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "FAKE_AGENT_RECORD": str(record)})
    # Another process answers while the tool call is waiting.
    out, err = answer_while_waiting(ve, proc, "unit-w", "--text", "yes, ship it", seconds=40)
    assert proc.returncode == 0, out + err
    assert "unit-w: DONE" in out
    tool_result = str(_records(record)[1]["tool_result"])
    assert "The operator answered" in tool_result and "yes, ship it" in tool_result
    log = ve("log", "unit-w").stdout
    assert "via wait" in log
    assert ve("resume", "unit-w", "--agent-cmd", AGENT_CMD).returncode == 1  # already delivered


def test_mcp_config_names_the_server_and_tool(ve: Ve, orepo: Path) -> None:
    r = ve("mcp-config", "--unit", "unit-a", "--wait", "5")
    cfg = json.loads(r.stdout)["mcpServers"]["ve-orch"]
    assert cfg["args"][-5:] == ["mcp", "--unit", "unit-a", "--wait", "5"]
    assert "orch" in cfg["args"] and str(orepo) in cfg["args"]
    assert "mcp__ve-orch__AskOperator" in r.stderr
    assert ve("mcp", "--unit", "../escape").returncode == 2  # an invalid unit (none: inferred, see test_orch_init)
