"""The AskOperator protocol: names and messages every side of ``ve orch`` agrees on.

The MCP server offers the tool under these names, the agent runners grant and recognise it, the
Claude Code defer hook matches it, and ``ve orch init`` writes the server under
:data:`SERVER_NAME`. Kept apart (no imports) so none of them has to import another to learn them.
"""

from __future__ import annotations

SERVER_NAME = "ve-orch"
TOOL_NAME = "AskOperator"
# The tool's full name as Claude Code grants it (``--allowedTools``) and reports it in streams.
ALLOWED_TOOL = f"mcp__{SERVER_NAME}__{TOOL_NAME}"
# How long a call waits when the unit is inferred (``ve orch init`` writes it into the configs).
DEFAULT_WAIT_SECONDS = 1800.0

TOOL_DESCRIPTION = (
    "Ask the human operator a question and record it. Use this tool - and only this tool - when you "
    "cannot continue without a decision or information from the operator. Call it on its own, not "
    "beside other tool calls in the same turn. Do not ask questions in "
    "your final message: the orchestrator never reads it for questions. If the result says the "
    "question was recorded without an answer, stop and end your turn; the answer will arrive when "
    "the session is resumed."
)


# In every stop message: an agent's hook can tell "recorded, no answer" from an answer by it.
STOP_MARKER = "No answer yet: stop now and end your turn"


def stop_message(qid: str, unit: str) -> str:
    """The tool result of a question recorded without an answer: the agent must end its turn."""
    return (f"Your question was recorded as {qid} for work unit {unit}. {STOP_MARKER} without guessing. "
            "The operator's answer will be delivered when this session is resumed.")


def answer_message(qid: str, answer: str) -> str:
    """The tool result that hands the operator's answer to the agent."""
    return f"The operator answered your question {qid}: {answer}"
