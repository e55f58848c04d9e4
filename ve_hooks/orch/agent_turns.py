"""What an agent's JSON event stream says about a run, for agents that cannot defer a call.

Codex CLI (``codex exec --json``) and Gemini CLI (``--output-format stream-json``) run AskOperator
like any tool: it records the question and its result tells the model to end its turn. Whether the
agent did is read from its stream, never from its prose: after the AskOperator call there must be
no further tool call, and the turn must have ended. Each agent module turns its stream into
:class:`Turns`; :meth:`Turns.problems` is the one judgement of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ve_hooks.orch import model


@dataclass
class Call:
    """One tool call seen in the stream (its result may still be missing)."""

    name: str
    id: str
    asks: bool = False  # the AskOperator call
    denied: bool = False  # refused by the agent's permissions (not run)
    error: str | None = None


@dataclass
class Turns:
    """Facts of one agent stream (a run or a resume)."""

    session_id: str | None = None
    calls: list[Call] = field(default_factory=list)
    model_turns: int = 0  # model replies seen after the prompt (text or tool calls)
    turns: int = 0  # turns the agent reports as ended
    ended: bool = False  # the last turn ended normally
    error: str | None = None  # the agent reported a failure
    subtype: str | None = None
    stopped_at_ask: bool = False  # the agent itself ended the loop right after AskOperator (a hook)

    def call(self, call_id: str) -> Call | None:
        return next((c for c in self.calls if c.id == call_id), None)

    @property
    def denials(self) -> list[str]:
        return [c.name for c in self.calls if c.denied]

    def after_ask(self) -> list[Call]:
        """Tool calls the agent made after its first AskOperator call."""
        for i, c in enumerate(self.calls):
            if c.asks:
                return self.calls[i + 1:]
        return []

    def asked(self) -> bool:
        return any(c.asks for c in self.calls)

    def problems(self) -> list[str]:
        """Why this run is not DONE (empty: it is, unless a question stays open)."""
        out: list[str] = []
        denied = self.denials
        if denied:
            out.append(f"permission denied: {', '.join(sorted(set(denied)))} ({len(denied)} call(s))")
        if self.error:
            out.append(f"the agent reported an error: {model.one_line(self.error, 200)}")
        went_on = self.after_ask()
        if went_on:
            names = ", ".join(sorted({c.name for c in went_on}))
            out.append(f"the agent went on working after AskOperator instead of ending its turn: "
                       f"{len(went_on)} more tool call(s) ({model.one_line(names, 120)})")
        if not self.ended and not self.error:
            out.append("the agent's turn did not end (no end of turn in its stream)")
        return out

    def fields(self) -> dict[str, Any]:
        """What the ``run`` event records, named as for Claude Code."""
        out: dict[str, Any] = {"num_turns": self.turns, "is_error": bool(self.error),
                               "subtype": self.subtype or ("success" if self.ended and not self.error else "error")}
        if self.denials:
            out["permission_denials"] = self.denials
        went_on = self.after_ask()
        if self.asked():
            out["stop_reason"] = ("continued_after_ask" if went_on or not self.ended else
                                  "stopped_after_ask" if self.stopped_at_ask else "ended_after_ask")
        return out
