"""An example agent that is not Claude Code and asks the operator through MCP.

A template for wiring any agent to ``ve orch``: it starts the AskOperator server named in the
MCP config ``ve orch run`` wrote, calls the tool with the question from its prompt (the line
starting with ``Ask:``), and reports what happened as stream-json lines on stdout (the shape
``ve orch`` reads for the session id and the outcome). Resumed with the operator's answer, it
says what it will do with it and finishes.

    ve orch run my_chunk --prompt-file prompt.md \\
        --agent-cmd "python -m ve_hooks.orch.example_agent --mcp-config {mcp_config} --prompt-file {prompt_file}"
    ve orch resume my_chunk \\
        --agent-cmd "python -m ve_hooks.orch.example_agent --resume {session_id} --answer {answer}"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from typing import Any


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def call_ask_operator(config_path: str, arguments: dict[str, Any]) -> str:
    """Call AskOperator on the stdio server of ``config_path`` exactly as an MCP client does."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    with open(config_path, encoding="utf-8") as f:
        entry = json.load(f)["mcpServers"]["ve-orch"]
    params = StdioServerParameters(command=entry["command"], args=entry["args"],
                                   env={**os.environ, **entry.get("env", {})})
    async with Client(params) as client:
        offered = [t.name for t in (await client.list_tools()).tools]
        if "AskOperator" not in offered:
            raise RuntimeError(f"the MCP server offers no AskOperator tool (only {offered})")
        result = await client.call_tool("AskOperator", arguments)
        return "".join(getattr(c, "text", "") for c in result.content)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mcp-config", help="MCP config written by `ve orch run` ({mcp_config}).")
    ap.add_argument("--prompt-file", help="The prompt ({prompt_file}); its 'Ask:' line is the question.")
    ap.add_argument("--resume", metavar="SESSION", help="Continue SESSION ({session_id}).")
    ap.add_argument("--answer", default="", help="The operator's answer on resume ({answer}).")
    args = ap.parse_args(argv)
    session = args.resume or f"example-{uuid.uuid4().hex[:12]}"
    emit({"type": "system", "subtype": "init", "session_id": session, "tools": ["mcp__ve-orch__AskOperator"]})
    if args.resume:
        text = f"Thanks, continuing with: {args.answer.strip()[:500]}"
    else:
        if not args.mcp_config or not args.prompt_file:
            ap.error("--mcp-config and --prompt-file are required for a new session")
        with open(args.prompt_file, encoding="utf-8") as f:
            prompt = f.read()
        question = next((line.split(":", 1)[1].strip() for line in prompt.splitlines()
                         if line.lower().startswith("ask:")), "May I proceed?")
        call = {"question": question, "options": ["yes", "no"]}
        emit({"type": "assistant", "session_id": session, "message": {"role": "assistant", "content": [
            {"type": "tool_use", "id": "call_1", "name": "mcp__ve-orch__AskOperator", "input": call}]}})
        reply = asyncio.run(call_ask_operator(args.mcp_config, call))
        emit({"type": "user", "session_id": session, "message": {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "call_1", "content": reply}]}})
        text = "I asked the operator and stopped."
    emit({"type": "assistant", "session_id": session,
          "message": {"role": "assistant", "content": [{"type": "text", "text": text}]}})
    emit({"type": "result", "subtype": "success", "is_error": False, "result": text, "session_id": session,
          "num_turns": 1, "permission_denials": []})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
