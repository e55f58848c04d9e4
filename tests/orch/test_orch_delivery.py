"""An operator's answer is never lost and never handed out twice (fast: the fake agent, real git)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from orch_support import AGENT_CMD, Ve, answer_while_waiting, ve_cmd

from ve_hooks.orch import claude, delivery, model
from ve_hooks.orch.store import Store


def _prompt(tmp_path: Path, scenario: str) -> Path:
    p = tmp_path / f"{scenario}.prompt"
    p.write_text(f"scenario: {scenario}\nquestion: Tabs or spaces?\noptions: tabs,spaces\n")
    return p


def _events(orepo: Path, unit: str, type_: str) -> list[dict[str, object]]:
    store = Store(orepo)
    return [e.data for e in store.load([unit]).unit(unit).events if e.type == type_]


def _asked_and_answered(ve: Ve, tmp_path: Path, env: dict[str, str] | None = None) -> None:
    r = ve("run", "unit-a", "--prompt-file", str(_prompt(tmp_path, "ask")), "--agent-cmd", AGENT_CMD, env=env)
    assert r.returncode == 1 and "NEEDS_ATTENTION" in r.stdout, r.stdout + r.stderr
    assert ve("answer", "unit-a", "--option", "2").returncode == 0


def test_an_agent_that_fails_to_start_leaves_the_answer_pending(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    env = {"FAKE_AGENT_RECORD": str(record)}
    _asked_and_answered(ve, tmp_path, env)
    failed = ve("resume", "unit-a", "--agent-cmd", "false")
    assert failed.returncode == 1 and "unit-a: FAILED" in failed.stdout
    assert "did not reach the agent" in failed.stdout
    assert _events(orepo, "unit-a", "delivered") == []
    assert "ANSWERED" in ve("status").stdout
    assert "answered, not yet delivered: ve orch resume unit-a" in ve("attention").stdout
    # Machine-readable too, and never mixed into vibe-engineer's JSON shape.
    pending = json.loads(ve("attention", "--format", "json").stdout)
    assert [(e["unit"], e["state"], e["source"]) for e in pending] == [("unit-a", "answered", "notes")]
    assert json.loads(ve("attention", "--json").stdout)["count"] == 0
    # The next resume delivers it, once.
    again = ve("resume", "unit-a", "--agent-cmd", AGENT_CMD, env=env)
    assert again.returncode == 0 and "unit-a: DONE" in again.stdout, again.stdout + again.stderr
    [delivered] = _events(orepo, "unit-a", "delivered")
    assert delivered["via"] == "resume" and delivered["session_id"]
    resumed = [r for r in map(json.loads, record.read_text().splitlines()) if r.get("resumed")]
    assert len(resumed) == 1 and "spaces" in resumed[0]["prompt"]
    assert "no answered question waits" in ve("resume", "unit-a", "--agent-cmd", AGENT_CMD).stdout


def test_racing_resumes_hand_the_answer_to_one_agent(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    env = {**os.environ, "FAKE_AGENT_RECORD": str(record)}
    _asked_and_answered(ve, tmp_path, {"FAKE_AGENT_RECORD": str(record)})
    procs = [subprocess.Popen(ve_cmd("resume", "unit-a", "--agent-cmd", AGENT_CMD), cwd=orepo, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stdout.close()  # type: ignore[union-attr]
        p.stderr.close()  # type: ignore[union-attr]
    assert sorted(code for code, _o, _e in results).count(0) == 1, results
    for code, out, err in results:
        if code != 0:  # the losers say why and start no agent
            assert ("no answered question waits" in out or "being delivered" in err
                    or "claimed these answers first" in err), (code, out, err)
    resumed = [r for r in map(json.loads, record.read_text().splitlines()) if r.get("resumed")]
    assert len(resumed) == 1
    assert len(_events(orepo, "unit-a", "delivered")) == 1


def test_deliver_is_conditional_and_idempotent(orepo: Path) -> None:
    store = Store(orepo)
    qid = store.ask("u", "Which?", ["a", "b"])
    assert delivery.deliver(store, "u", qid, via="take", session_id=None) is None  # no answer yet
    store.answer("u", qid, option=1)
    outcomes: list[object] = []
    threads = [threading.Thread(target=lambda: outcomes.append(
        delivery.deliver(store, "u", qid, via="take", session_id=None))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(o is not None for o in outcomes) == 1
    assert len(_events(orepo, "u", "delivered")) == 1


def test_a_live_claim_blocks_other_deliveries_until_its_run_is_recorded(orepo: Path) -> None:
    store = Store(orepo)
    qid = store.ask("u", "Which?", ["a", "b"], session_id="s-1")
    store.answer("u", qid, option=2)
    assert [q.id for q, _a in delivery.claim(store, "u", [qid], "run-1", "s-1")] == [qid]
    assert delivery.claim(store, "u", [qid], "run-2", "s-1") == []  # our own pid is alive: claimed
    assert delivery.deliver(store, "u", qid, via="wait", session_id="s-1") is None
    store.record_run("u", state=model.FAILED, exit_code=1, run_id="run-1", kind="resume")  # attempt over
    assert [q.id for q, _a in delivery.claim(store, "u", [qid], "run-3", "s-1")] == [qid]
    assert delivery.deliver(store, "u", qid, via="resume", session_id="s-1", allow_claimed_by="run-3") is not None


def test_a_dead_process_claim_is_stale(orepo: Path) -> None:
    store = Store(orepo)
    qid = store.ask("u", "Which?", ["a", "b"], session_id="s-1")
    store.answer("u", qid, option=2)
    dead = subprocess.Popen(["true"])
    dead.wait()
    import socket

    store.append([model.make("claim", unit="u", question_id=qid, run_id="run-x", host=socket.gethostname(),
                             pid=dead.pid)], "test: a claim whose process died")
    free, busy = delivery.deliverable(store.load(["u"]).unit("u"))
    assert [q.id for q, _a in free] == [qid] and busy == []


def test_ask_wait_returns_the_answer_and_closes_the_question(ve: Ve, orepo: Path) -> None:
    proc = subprocess.Popen(ve_cmd("ask", "rel", "--question", "Ship?", "--option", "yes", "--option", "no",
                                   "--wait", "60"), cwd=orepo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = answer_while_waiting(ve, proc, "rel", "--option", "1")
    assert proc.returncode == 0, err
    qid, answer = out.split()
    assert qid.startswith("q-") and answer == "yes"
    [delivered] = _events(orepo, "rel", "delivered")
    assert delivered["via"] == "wait"
    assert "DELIVERED" in ve("log", "rel").stdout


def test_a_scripts_question_is_closed_by_take(ve: Ve, orepo: Path) -> None:
    assert ve("ask", "rel", "--question", "Ship?", "--option", "yes", "--option", "no").returncode == 0
    answered = ve("answer", "rel", "--option", "2")
    assert "ve orch take rel" in answered.stdout and "resume" not in answered.stdout
    # No agent session asked it: status and attention point at take first, not at resume alone.
    assert "(ve orch take rel" in ve("status").stdout
    assert "answered, not yet delivered: ve orch take rel" in ve("attention").stdout
    taken = ve("take", "rel")
    assert taken.returncode == 0 and taken.stdout.strip() == "no"
    assert ve("take", "rel").returncode == 2  # nothing answered is left
    assert "DONE" not in ve("status").stdout and "ANSWERED" not in ve("status").stdout


def test_answering_a_waiting_call_does_not_send_the_operator_to_resume(ve: Ve, orepo: Path) -> None:
    later = (datetime.now(timezone.utc) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    Store(orepo).ask("u", "Now?", ["yes", "no"], session_id="s-1", waits_until=later)
    out = ve("answer", "u", "--option", "1").stdout
    assert "is waiting and takes it" in out and "resume" not in out


def test_mcp_config_output_creates_the_folder(ve: Ve, orepo: Path) -> None:
    r = ve("mcp-config", "--unit", "my_chunk", "-o", ".git/ve-orch/my_chunk.mcp.json")
    assert r.returncode == 0, r.stderr
    cfg = json.loads((orepo / ".git" / "ve-orch" / "my_chunk.mcp.json").read_text())
    assert cfg["mcpServers"]["ve-orch"]["alwaysLoad"] is True


def test_the_defer_hook_defers_until_answered_and_ignores_other_tools(ve: Ve, orepo: Path) -> None:
    def hook(payload: dict[str, object]) -> str:
        r = subprocess.run(ve_cmd("defer-hook", "--unit", "u"), cwd=orepo, input=json.dumps(payload),
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] if r.stdout.strip() else "none"

    call = {"tool_name": "mcp__ve-orch__AskOperator", "tool_use_id": "toolu_1", "tool_input": {"question": "?"}}
    assert hook(call) == "defer"
    assert hook({**call, "tool_name": "Write"}) == "none"
    store = Store(orepo)
    qid = store.ask("u", "?", session_id="s", tool_use_id="toolu_1", deferred=True)
    assert hook(call) == "defer"
    store.answer("u", qid, text="go")
    assert hook(call) == "allow"
    assert hook({**call, "tool_use_id": "toolu_2"}) == "defer"


def test_the_result_line_decides_done() -> None:
    ok = claude.outcome({"type": "result", "subtype": "success", "is_error": False, "permission_denials": []}, 0,
                        expect_result=True)
    assert ok.problems == []
    denied = claude.outcome({"subtype": "success", "is_error": False, "permission_denials": [
        {"tool_name": "Write"}, {"tool_name": "Write"}, {"tool_name": "Bash"}]}, 0, expect_result=True)
    assert denied.fields["permission_denials"] == ["Write", "Write", "Bash"]
    assert denied.problems == ["permission denied: Bash, Write (3 call(s))"]
    turns = claude.outcome({"subtype": "error_max_turns", "is_error": True, "stop_reason": "tool_use"}, 1,
                           expect_result=True)
    assert turns.fields["subtype"] == "error_max_turns" and turns.problems
    assert claude.outcome(None, 0, expect_result=True).problems == ["no result line in the agent's stream"]
    assert claude.outcome(None, 0, expect_result=False).problems == []
    deferred = claude.outcome({"subtype": "success", "stop_reason": "tool_deferred", "deferred_tool_use": {
        "id": "toolu_9", "name": "mcp__ve-orch__AskOperator", "input": {"question": "Q?"}}}, 0, expect_result=True)
    assert deferred.deferred is not None and deferred.problems == []
    assert claude.question_from_deferred(deferred.deferred) == ("Q?", [], None)


def test_settings_table_is_checked(orepo: Path) -> None:
    assert claude.ClaudeSettings.from_table({}, "t").permission_mode == "acceptEdits"
    for bad in ({"permission-mode": "yolo"}, {"max-turns": 0}, {"allowed-tools": [1]}, {"defer": "no"},
                {"nope": 1}):
        try:
            claude.ClaudeSettings.from_table(bad, "t")
        except ValueError as e:
            assert "t:" in str(e)
        else:
            raise AssertionError(bad)


def test_a_bad_orch_table_is_a_usage_error(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    (orepo / "pyproject.toml").write_text('[tool.ve-hooks.orch]\npermission-mode = "yolo"\n')
    r = ve("run", "u", "--prompt-file", str(_prompt(tmp_path, "verbose")))
    assert r.returncode == 2 and "permission-mode" in r.stderr and "Traceback" not in r.stderr


def test_an_agent_command_that_does_not_exist_keeps_the_answer(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    _asked_and_answered(ve, tmp_path)
    missing = ve("resume", "unit-a", "--agent-cmd", str(tmp_path / "no-such-agent"))
    assert missing.returncode == 2 and "cannot start the agent" in missing.stderr
    [run] = [r for r in _events(orepo, "unit-a", "run") if r["kind"] == "resume"]
    assert run["state"] == "FAILED" and "cannot start" in str(run["reason"])
    again = ve("resume", "unit-a", "--agent-cmd", AGENT_CMD)  # the failed attempt holds no claim
    assert again.returncode == 0, again.stdout + again.stderr


def test_an_agent_error_carries_the_agents_own_words() -> None:
    """Issue 23 item 9: the reason is what the agent said, not "(success)"."""
    not_logged_in = {"type": "result", "subtype": "success", "is_error": True, "num_turns": 1,
                     "result": "Not logged in · Please run /login", "stop_reason": "stop_sequence"}
    assert claude.outcome(not_logged_in, 1, expect_result=True).problems == [
        "the agent reported an error: Not logged in · Please run /login"]
    listed = claude.outcome({"subtype": "error_during_execution", "is_error": True, "errors": ["boom", "\x1b[2Jbang"]},
                            1, expect_result=True)
    assert listed.problems == ["the agent reported an error (error_during_execution): boom; bang"]
    silent = claude.outcome({"subtype": "error_max_turns", "is_error": True}, 1, expect_result=True)
    assert silent.problems == ["the agent reported an error (error_max_turns)"]
