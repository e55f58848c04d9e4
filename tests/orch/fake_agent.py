"""A stand-in for ``claude -p --output-format stream-json``: same arguments, same stream shape.

It reads its scenario from the prompt (stdin, or the text after ``--`` when resumed), and when the
scenario asks, it calls AskOperator through a real MCP client session on the server named in
``--mcp-config`` - exactly the path Claude Code takes. Every session start is appended as a JSON
line to ``$FAKE_AGENT_RECORD`` so tests can see what the agent received.

Scenarios (a ``scenario: NAME`` line in the prompt): ``ask``, ``ask-wait``, ``verbose``, ``fail``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from typing import Any

from ve_hooks.orch.example_agent import call_ask_operator

VERBOSE_SUMMARY = "\n".join(
    ["Summary of the work: all done. Should I mention every step? Here they are anyway."]
    + [f"- Step {i}: checked whether the error handling failed? It did not. Should I refactor more? "
       "No error remains; what about edge cases? Covered." for i in range(60)]
    + ["Tests: 120 passed, 0 failed. Error count: 0. Any questions? None. Should I stop here? Yes."]
)


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def field(prompt: str, name: str) -> str | None:
    for line in prompt.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-p", "--print", action="store_true")
    ap.add_argument("--resume")
    ap.add_argument("--output-format")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--mcp-config")
    ap.add_argument("--allowedTools")
    ap.add_argument("--permission-mode")
    ap.add_argument("--settings")
    ap.add_argument("--max-turns")
    ap.add_argument("prompt", nargs="?")
    args = ap.parse_args()
    assert args.print and args.output_format == "stream-json" and args.verbose, sys.argv
    prompt = args.prompt if args.prompt is not None else sys.stdin.read()
    session = args.resume or str(uuid.uuid4())
    record = os.environ.get("FAKE_AGENT_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(json.dumps({"session_id": session, "resumed": bool(args.resume), "prompt": prompt,
                                "allowed": args.allowedTools}) + "\n")
    emit({"type": "system", "subtype": "init", "session_id": session, "cwd": os.getcwd(),
          "tools": ["Read", "Edit", "mcp__ve-orch__AskOperator"],
          "mcp_servers": [{"name": "ve-orch", "status": "connected"}]})
    scenario = "resumed" if args.resume else field(prompt, "scenario")
    final = "Done."
    if scenario in ("ask", "ask-wait"):
        assert args.allowedTools == "mcp__ve-orch__AskOperator", args.allowedTools
        question = {"question": field(prompt, "question") or "Which way?",
                    "options": (field(prompt, "options") or "left,right").split(","),
                    "context": field(prompt, "context")}
        emit({"type": "assistant", "session_id": session, "message": {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "mcp__ve-orch__AskOperator", "input": question}]}})
        reply = asyncio.run(call_ask_operator(args.mcp_config, question))
        emit({"type": "user", "session_id": session, "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": reply}]}})
        if record:
            with open(record, "a", encoding="utf-8") as f:
                f.write(json.dumps({"session_id": session, "tool_result": reply}) + "\n")
        final = "I asked the operator and stopped." if scenario == "ask" else f"Got it: {reply}"
    elif scenario == "verbose":
        final = VERBOSE_SUMMARY
    elif scenario == "resumed":
        final = f"Continuing with the operator's answer. {prompt[:200]}"
    emit({"type": "assistant", "session_id": session,
          "message": {"role": "assistant", "content": [{"type": "text", "text": final}]}})
    failed = scenario == "fail"
    emit({"type": "result", "subtype": "error_during_execution" if failed else "success", "is_error": failed,
          "result": final, "session_id": session, "num_turns": 3})
    return 3 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
