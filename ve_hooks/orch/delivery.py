"""Delivering an operator's answer: claimed before, recorded only once the agent consumed it.

An answer is DELIVERED only when the agent's stream shows the turn that carried it (a resumed
session answered the prompt holding it, or returned the deferred AskOperator call with it) or a
waiting tool call returned it. Until then it stays ANSWERED, visible, and the next ``resume``
delivers it: an agent that fails to start loses nothing.

Deliveries are idempotent because every write here is *conditional*: inside the notes'
compare-and-swap loop the unit is re-read at the commit being replaced and the events are written
only if the condition still holds there (the question is still undelivered and no other live
attempt claimed it). Two racing resumes, or a resume racing a waiting tool call, cannot both hand
the same answer to an agent: exactly one CAS wins, the other sees the winner's events.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.store import Store

# A claim by a process on another machine cannot be checked for life; it expires after this.
FOREIGN_CLAIM_SECONDS = 3600.0

Pair = tuple[model.Question, model.Event]


# -- claims -------------------------------------------------------------------------------------


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age_seconds(stamp: object) -> float:
    try:
        at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (datetime.now(timezone.utc) - at).total_seconds()


def live_claim(unit: model.Unit, question: model.Question) -> model.Event | None:
    """The claim of an attempt still delivering ``question`` (its run not recorded, its process alive)."""
    finished = {r.get("run_id") for r in unit.runs}
    for claim in reversed(question.claims):
        if claim.get("run_id") in finished:
            continue
        if claim.get("host") == socket.gethostname():
            if _pid_alive(claim.get("pid")):
                return claim
        elif _age_seconds(claim.get("claimed_at")) < FOREIGN_CLAIM_SECONDS:
            return claim
    return None


def deliverable(unit: model.Unit) -> tuple[list[Pair], list[tuple[model.Question, model.Event]]]:
    """(answered questions free to deliver, answered questions another attempt is delivering)."""
    free: list[Pair] = []
    busy: list[tuple[model.Question, model.Event]] = []
    for q in unit.answered_questions():
        claim = live_claim(unit, q)
        if claim is not None:
            busy.append((q, claim))
        elif q.winner is not None:
            free.append((q, q.winner))
    return free, busy


def claim(store: Store, unit_name: str, question_ids: Iterable[str], run_id: str,
          session_id: str | None) -> list[Pair]:
    """Claim the still-undelivered answers of ``question_ids`` for run ``run_id``; [] if none is free."""
    wanted = set(question_ids)
    pairs: list[Pair] = []

    def build(unit: model.Unit) -> list[dict[str, Any]]:
        free, _busy = deliverable(unit)
        pairs[:] = [(q, a) for q, a in free if q.id in wanted]
        return [model.make("claim", unit=unit_name, question_id=q.id, answer_id=a.id, run_id=run_id,
                           session_id=session_id, host=socket.gethostname(), pid=os.getpid())
                for q, a in pairs]

    store.append_if(unit_name, build, f"ve-orch: claim answers for {unit_name} (run {run_id})")
    return pairs


def deliver(store: Store, unit_name: str, question_id: str, *, via: str, session_id: str | None,
            run_id: str | None = None, tool_use_id: str | None = None,
            allow_claimed_by: str | None = None) -> tuple[model.Question, model.Event] | None:
    """Record that the winning answer of ``question_id`` reached the agent, exactly once.

    Returns (question, answer) if this call recorded it, None if the question has no answer, was
    already delivered, or another live attempt holds a claim on it (unless that attempt is
    ``allow_claimed_by``, the run the caller belongs to).
    """
    got: list[Pair] = []

    def build(unit: model.Unit) -> list[dict[str, Any]]:
        got.clear()
        q = unit.questions.get(question_id)
        if q is None or q.winner is None or q.status != model.ANSWERED:
            return []
        holder = live_claim(unit, q)
        if holder is not None and holder.get("run_id") != allow_claimed_by:
            return []
        got.append((q, q.winner))
        return [model.make("delivered", unit=unit_name, question_id=q.id, answer_id=q.winner.id, via=via,
                           session_id=session_id, run_id=run_id, tool_use_id=tool_use_id)]

    store.append_if(unit_name, build, f"ve-orch: delivered the answer to {question_id} ({via})")
    return got[0] if got else None


# -- reading the agent's stream ------------------------------------------------------------------


@dataclass
class StreamFacts:
    """What an agent's stream-json log says about a run (never its prose)."""

    session_id: str | None = None
    result: dict[str, Any] | None = None
    results: int = 0
    assistant_turns: int = 0
    tool_results: set[str] = field(default_factory=set)  # tool_use_ids answered in the stream
    turn_calls: dict[str, list[str]] = field(default_factory=dict)  # model message id -> its tool_use ids

    def consumed(self, question: model.Question, deferred: bool) -> bool:
        """Did the agent take in the turn carrying this question's answer?"""
        if deferred and question.event.get("parallel_calls"):
            # Claude Code drops the result of a deferred call made beside others from the model's
            # view; the answer goes again as the prompt, taken in by the second turn of the resume.
            return str(question.event.get("tool_use_id")) in self.tool_results and self.results >= 2
        if deferred:
            return str(question.event.get("tool_use_id")) in self.tool_results
        return self.assistant_turns > 0

    def parallel_to(self, tool_use_id: str) -> bool:
        """Was ``tool_use_id`` called in the same model turn as other tool calls?"""
        return any(tool_use_id in ids and len(ids) > 1 for ids in self.turn_calls.values())


def read_stream(path: Path) -> StreamFacts:
    """Parse a stream-json log line by line; lines that are not JSON objects are ignored."""
    facts = StreamFacts()
    for msg in model.json_objects(path):
        kind = msg.get("type")
        if isinstance(msg.get("session_id"), str) and (
                kind == "result" or (kind == "system" and msg.get("subtype") == "init")):
            facts.session_id = msg["session_id"]
        if kind == "result":
            facts.result = msg
            facts.results += 1
        elif kind == "assistant":
            facts.assistant_turns += 1
            message = msg.get("message") if isinstance(msg.get("message"), dict) else {}
            blocks = message.get("content") if isinstance(message.get("content"), list) else []
            calls = [str(b.get("id")) for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"]
            if calls:
                facts.turn_calls.setdefault(str(message.get("id", len(facts.turn_calls))), []).extend(calls)
        elif kind == "user":
            content = (msg.get("message") or {}).get("content") if isinstance(msg.get("message"), dict) else None
            for block in content if isinstance(content, list) else []:
                if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("tool_use_id"):
                    facts.tool_results.add(str(block["tool_use_id"]))
    return facts
