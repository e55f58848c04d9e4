"""``ve orch mcp``: a stdio MCP server offering the AskOperator tool (official ``mcp`` SDK v2).

Calling the tool is the *only* way a unit becomes NEEDS_ATTENTION: the question is written to the
notes at once. With ``--wait`` the call blocks until an operator answers (or the wait expires), and
the answer is returned as the tool result and recorded as delivered. Imported only by that command,
so the rest of ``ve orch`` never pays for the SDK.
"""

from __future__ import annotations

import os
import time

from ve_hooks.orch import model
from ve_hooks.orch.store import Store

SERVER_NAME = "ve-orch"
TOOL_NAME = "AskOperator"
POLL_SECONDS = 0.25

TOOL_DESCRIPTION = (
    "Ask the human operator a question and record it. Use this tool - and only this tool - when you "
    "cannot continue without a decision or information from the operator. Call it on its own, not "
    "beside other tool calls in the same turn. Do not ask questions in "
    "your final message: the orchestrator never reads it for questions. If the result says the "
    "question was recorded without an answer, stop and end your turn; the answer will arrive when "
    "the session is resumed."
)


def wait_for_answer(store: Store, unit: str, question_id: str, seconds: float) -> tuple[model.Question, model.Event] | None:
    """Poll the notes (re-reading only when the ref moved) until the question has an answer."""
    deadline = time.monotonic() + seconds
    last: str | None = "unread"
    while True:
        head = store.head()
        if head != last:
            last = head
            q = store.load([unit], commit=head).unit(unit).questions.get(question_id)
            if q is not None and q.winner is not None:
                return q, q.winner
            if q is not None and q.cancelled:
                return None
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def stop_message(qid: str, unit: str) -> str:
    return (f"Your question was recorded as {qid} for work unit {unit}. No answer yet: stop now and "
            "end your turn without guessing. The operator's answer will be delivered when this "
            "session is resumed.")


def build_server(store: Store, unit: str, wait: float = 0.0):  # -> mcp.server.MCPServer
    """The MCP server object (separate from running it, so tests and docs can inspect it)."""
    import anyio
    from mcp.server import MCPServer
    from mcp.server.mcpserver import Context

    from ve_hooks.orch import claude, delivery

    server = MCPServer(SERVER_NAME, instructions=TOOL_DESCRIPTION, log_level="WARNING")
    # Claude Code tells its MCP servers the session they serve, so a --wait delivery names it.
    session_id = os.environ.get("VE_ORCH_SESSION_ID") or os.environ.get("CLAUDE_CODE_SESSION_ID") or None
    run_id = os.environ.get("VE_ORCH_RUN_ID") or None

    async def ask_operator(question: str, ctx: Context, options: list[str] | None = None,
                           context: str | None = None) -> str:
        tool_use_id = claude.tool_use_id(ctx)
        resumed = await anyio.to_thread.run_sync(  # a resumed session running its deferred call
            lambda: claude.answer_deferred_call(store, unit, tool_use_id, session_id, run_id))
        if resumed is not None:
            return resumed
        qid = await anyio.to_thread.run_sync(
            lambda: store.ask(unit, question, options or (), context, session_id=session_id,
                              asker=f"AskOperator (pid {os.getpid()})", run_id=run_id, tool_use_id=tool_use_id,
                              waits_until=model.later(wait) if wait > 0 else None))
        if wait > 0:
            got = await anyio.to_thread.run_sync(lambda: wait_for_answer(store, unit, qid, wait))
            if got is not None:  # recorded once: a resume racing this call cannot hand it out again
                got = await anyio.to_thread.run_sync(
                    lambda: delivery.deliver(store, unit, qid, via="wait", session_id=session_id, run_id=run_id,
                                             tool_use_id=tool_use_id))
            if got is not None:
                q, answer = got
                return f"The operator answered question {qid}: {model.answer_text(q, answer)}"
        return stop_message(qid, unit)

    ask_operator.__annotations__["ctx"] = Context  # resolvable although imported here, lazily
    server.add_tool(ask_operator, name=TOOL_NAME, description=TOOL_DESCRIPTION, structured_output=False)
    return server


def serve(store: Store, unit: str, wait: float = 0.0) -> None:
    """Run the server on stdin/stdout until the client closes it."""
    import anyio

    anyio.run(build_server(store, unit, wait).run_stdio_async)
