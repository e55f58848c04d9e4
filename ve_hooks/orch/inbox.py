"""One attention queue and one answer command over two sources.

* ``notes``: AskOperator questions recorded in the notes ref (any clone, after ``ve orch sync``);
* ``daemon``: NEEDS_ATTENTION work units of vibe-engineer's daemon, when it runs.

An answer goes to the notes when the unit has an open question there (an agent may be waiting on
it right now), else to the daemon's unit; when neither holds a question the error names both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ve_hooks.orch import model
from ve_hooks.orch.daemon import NEEDS_ATTENTION, SOCKET, Daemon, DaemonError
from ve_hooks.orch.store import OrchError, Store


@dataclass
class DaemonQueue:
    daemon: Daemon | None
    items: list[dict[str, Any]]
    warnings: list[str]


def find_daemon(store: Store, project_dir: str | Path | None) -> Daemon | None:
    return Daemon.find(store.repo.path, project_dir, store.repo.common_dir)


def daemon_queue(store: Store, project_dir: str | Path | None = None) -> DaemonQueue:
    """The daemon's attention items; none (and no error) when it does not run."""
    daemon = find_daemon(store, project_dir)
    if daemon is None:
        return DaemonQueue(None, [], [])
    try:
        return DaemonQueue(daemon, daemon.attention(), [])
    except DaemonError as e:
        return DaemonQueue(daemon, [], [str(e)])


def daemon_entry(item: dict[str, Any]) -> dict[str, Any]:
    """A daemon attention item in our JSON shape (its own fields kept, ours added)."""
    return {**item, "source": "daemon", "unit": item.get("chunk"), "text": item.get("attention_reason")}


def format_waiting(seconds: object) -> str:
    try:
        s = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # the daemon's JSON may hold anything
        return "?"
    if s < 60:
        return f"{s:.0f}s"
    if s < 3600:
        return f"{s / 60:.0f}m"
    return f"{s / 3600:.1f}h"


@dataclass
class Routed:
    """Where ``ve orch answer`` sent the answer and what to say about it."""

    source: str  # "notes" | "daemon"
    message: str
    result: dict[str, Any]


def is_question_id(unit: model.Unit, token: str) -> bool:
    """Whether the second positional of ``ve orch answer`` names a question (else it is the text)."""
    return token.startswith("q-") and any(q.id.startswith(token) for q in unit.questions.values())


def nowhere(unit: str, store: Store, queue_note: str) -> OrchError:
    return OrchError(f"unit {unit} has no open question: none in the notes ({store.ref}) and {queue_note}; "
                     "see `ve orch attention`")


def daemon_note(daemon: Daemon | None, unit: str, status: str | None) -> str:
    if daemon is None:
        return f"vibe-engineer's daemon is not running (no {SOCKET} accepts connections)"
    if status is None:
        return f"vibe-engineer's daemon ({daemon.socket_path}) has no work unit {unit}"
    return f"vibe-engineer's daemon ({daemon.socket_path}) has {unit} in {status}, not {NEEDS_ATTENTION}"


def daemon_unit(store: Store, unit: str, project_dir: str | Path | None) -> tuple[Daemon, dict[str, Any]]:
    """The daemon and its NEEDS_ATTENTION ``unit``; else the error naming both places."""
    daemon = find_daemon(store, project_dir)
    if daemon is None:
        raise nowhere(unit, store, daemon_note(None, unit, None))
    try:
        wu = daemon.work_unit(unit)
    except DaemonError as e:
        raise OrchError(str(e)) from None
    status = str(wu.get("status")) if wu is not None else None
    if wu is None or status != NEEDS_ATTENTION:
        raise nowhere(unit, store, daemon_note(daemon, unit, status))
    return daemon, wu


def daemon_question(wu: dict[str, Any]) -> str:
    """What to show the operator in an editor for a daemon unit (its reason, else its phase)."""
    return str(wu.get("attention_reason") or f"{wu.get('chunk')} needs attention ({wu.get('phase')})")


def answer_daemon(daemon: Daemon, unit: str, text: str) -> Routed:
    """Post the answer to the daemon's unit, as vibe-engineer's ``ve orch answer UNIT TEXT`` does."""
    if not text.strip():
        raise OrchError("the answer is empty")
    try:
        result = daemon.answer(unit, text)
    except DaemonError as e:
        raise OrchError(str(e)) from None
    return Routed("daemon", f"Answered {unit} through vibe-engineer's daemon; the work unit is queued for resume",
                  result)
