"""``ve orch mcp``: a stdio MCP server offering the AskOperator tool (official ``mcp`` SDK v2).

Calling the tool is the *only* way a unit becomes NEEDS_ATTENTION: the question is written to the
notes at once. With ``--wait`` the call blocks until an operator answers (or the wait expires), and
the answer is returned as the tool result and recorded as delivered. Imported only by that command,
so the rest of ``ve orch`` never pays for the SDK.

Started without a unit (from ``.mcp.json``, inside an agent of vibe-engineer's daemon) the server
takes the unit from the agent's worktree at each call (:mod:`ve_hooks.orch.worktree_unit`) and
refuses, as a tool error, to record a question it cannot place. There the wait is the only way the
answer reaches the agent (the daemon knows nothing of our notes), so a wait that runs out is a tool
error too, not a silent "recorded"; the question stays open for the operator.
"""

from __future__ import annotations

import os
import time

from ve_hooks.orch import model
from ve_hooks.orch.protocol import (  # noqa: F401  (re-exported: the server's names)
    DEFAULT_WAIT_SECONDS,
    SERVER_NAME,
    TOOL_DESCRIPTION,
    TOOL_NAME,
    stop_message,
)
from ve_hooks.orch.store import Store

POLL_SECONDS = 0.25
# Progress notifications this often keep a client's idle timer from cutting a long wait short.
PROGRESS_SECONDS = 15.0


def watch(store: Store, unit: str, question_id: str, seconds: float) -> model.Question | None:
    """Poll the notes until the question is answered or cancelled, or ``seconds`` ran out.

    Reads the unit once on entry and then only when the ref moved; returns the question as last
    read (None if it is not there).
    """
    deadline = time.monotonic() + seconds
    last: str | None = "unread"
    q: model.Question | None = None
    while True:
        head = store.head()
        if head != last:
            last = head
            q = store.load([unit], commit=head).unit(unit).questions.get(question_id)
            if q is not None and (q.winner is not None or q.cancelled):
                return q
        if time.monotonic() >= deadline:
            return q
        time.sleep(POLL_SECONDS)


def wait_for_answer(store: Store, unit: str, question_id: str, seconds: float) -> tuple[model.Question, model.Event] | None:
    """Poll the notes (re-reading only when the ref moved) until the question has an answer."""
    q = watch(store, unit, question_id, seconds)
    return (q, q.winner) if q is not None and q.winner is not None else None


def _unit_for_call(unit: str | None, cwd: str) -> str:
    """The configured unit, else the one of the worktree the agent runs in; never a guess."""
    if unit is not None:
        return unit
    from mcp.server.mcpserver.exceptions import ToolError

    from ve_hooks.orch.worktree_unit import infer

    found = infer(cwd)
    if found.unit is None:
        raise ToolError(f"{TOOL_NAME} cannot tell which work unit this session belongs to: {found.how}. "
                        "Nothing was recorded. Run inside a worktree of vibe-engineer's orchestrator "
                        "(branch orch/<chunk>), or start the server with --unit UNIT.")
    return found.unit


def _sync_remote(store: Store) -> str | None:
    """The remote an inferred-unit server exchanges notes with: $VE_ORCH_REMOTE, else origin if any."""
    from ve_hooks.orch import notes

    wanted = os.environ.get("VE_ORCH_REMOTE", "origin")
    remotes = notes.git(store.repo.path, "remote", check=False).stdout.decode("utf-8", "replace").split()
    return wanted if wanted in remotes else None


def _try_sync(store: Store, remote: str | None) -> None:
    """Exchange notes so an answer given in another clone (then `ve orch sync`) arrives; offline is fine."""
    if remote is None:
        return
    from ve_hooks.orch.sync import sync

    try:
        sync(store, remote)
    except Exception:  # a network or remote problem must not end the wait; the next tick retries
        pass


def _poll_seconds() -> float:
    try:
        return max(0.05, min(PROGRESS_SECONDS, float(os.environ.get("VE_ORCH_REMOTE_POLL", PROGRESS_SECONDS))))
    except ValueError:
        return PROGRESS_SECONDS


def build_server(store: Store, unit: str | None, wait: float = 0.0, cwd: str | None = None):  # -> mcp.server.MCPServer
    """The MCP server object (separate from running it, so tests and docs can inspect it).

    ``unit=None``: the unit comes from the worktree at ``cwd`` and an unanswered wait is a tool error.
    """
    import anyio
    from mcp.server import MCPServer
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver.exceptions import ToolError

    from ve_hooks.orch import claude, delivery

    server = MCPServer(SERVER_NAME, instructions=TOOL_DESCRIPTION, log_level="WARNING")
    # Claude Code tells its MCP servers the session they serve, so a --wait delivery names it.
    session_id = os.environ.get("VE_ORCH_SESSION_ID") or os.environ.get("CLAUDE_CODE_SESSION_ID") or None
    run_id = os.environ.get("VE_ORCH_RUN_ID") or None
    where = cwd or os.getcwd()
    remote = _sync_remote(store) if unit is None else None
    step_seconds = _poll_seconds()

    async def ask_operator(question: str, ctx: Context, options: list[str] | None = None,
                           context: str | None = None) -> str:
        tool_use_id = claude.tool_use_id(ctx)
        target = await anyio.to_thread.run_sync(lambda: _unit_for_call(unit, where))
        resumed = await anyio.to_thread.run_sync(  # a resumed session running its deferred call
            lambda: claude.answer_deferred_call(store, target, tool_use_id, session_id, run_id))
        if resumed is not None:
            return resumed
        qid = await anyio.to_thread.run_sync(
            lambda: store.ask(target, question, options or (), context, session_id=session_id,
                              asker=f"AskOperator (pid {os.getpid()})", run_id=run_id, tool_use_id=tool_use_id,
                              waits_until=model.later(wait) if wait > 0 else None))
        if wait <= 0:
            return stop_message(qid, target)
        deadline = time.monotonic() + wait
        await anyio.to_thread.run_sync(lambda: _try_sync(store, remote))  # the question, to the remote
        while True:  # one read of the unit per tick (watch re-reads only when the ref moved)
            step = min(step_seconds, max(0.0, deadline - time.monotonic()))
            seen = await anyio.to_thread.run_sync(lambda s=step: watch(store, target, qid, s))
            if seen is not None and (seen.winner is not None or seen.cancelled):
                break
            if time.monotonic() >= deadline:
                break
            await anyio.to_thread.run_sync(lambda: _try_sync(store, remote))  # seen by the next watch
            await ctx.report_progress(wait - max(0.0, deadline - time.monotonic()), wait,
                                      f"waiting for the operator to answer {qid}")
        got = None
        if seen is not None and seen.winner is not None:
            got = (seen, seen.winner)
        if got is not None:  # recorded once: a resume racing this call cannot hand it out again
            got = await anyio.to_thread.run_sync(
                lambda: delivery.deliver(store, target, qid, via="wait", session_id=session_id, run_id=run_id,
                                         tool_use_id=tool_use_id))
            if got is not None:
                q, answer = got
                return f"The operator answered question {qid}: {model.answer_text(q, answer)}"
            return stop_message(qid, target)  # delivered meanwhile by a resume
        if unit is None:  # inside the daemon's agents nothing else would ever deliver it: say so
            if seen is not None and seen.cancelled:
                raise ToolError(f"The operator withdrew question {qid} (work unit {target}) without "
                                "answering it. Do not guess: end your turn, saying what you needed.")
            raise ToolError(f"No answer from the operator to question {qid} (work unit {target}) within "
                            f"{wait:g} s. The question stays open in `ve orch attention`. Do not guess: "
                            f"end your turn now, saying that you are blocked on {qid}.")
        return stop_message(qid, target)

    ask_operator.__annotations__["ctx"] = Context  # resolvable although imported here, lazily
    server.add_tool(ask_operator, name=TOOL_NAME, description=TOOL_DESCRIPTION, structured_output=False)
    return server


def serve(store: Store, unit: str | None, wait: float = 0.0) -> None:
    """Run the server on stdin/stdout until the client closes it."""
    import anyio

    anyio.run(build_server(store, unit, wait).run_stdio_async)
