"""Orchestrator events and the state machine folded from them.

A work unit's note is a list of JSON lines (events). Nothing else decides a unit's state: in
particular an agent's final text is never read for questions. Only a ``question`` event (written
by the AskOperator tool or ``ve orch ask``) makes a unit NEEDS_ATTENTION.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ve_hooks.sanitize import one_line

SCHEMA_VERSION = 1
MAX_UNIT_LENGTH = 100

# Per event type: the timestamp field and the required string fields.
TIME_FIELD = {
    "question": "asked_at",
    "answer": "answered_at",
    "delivered": "delivered_at",
    "cancelled": "cancelled_at",
    "run": "finished_at",
    "claim": "claimed_at",
}
REQUIRED = {
    "question": ("id", "unit", "text"),
    "answer": ("id", "question_id"),
    "delivered": ("id", "question_id"),
    "cancelled": ("id", "question_id"),
    "run": ("id", "state"),
    "claim": ("id", "question_id", "run_id"),
}

# Question statuses and unit states.
OPEN, ANSWERED, DELIVERED, CANCELLED = "OPEN", "ANSWERED", "DELIVERED", "CANCELLED"
NEEDS_ATTENTION, DONE, FAILED, IDLE = "NEEDS_ATTENTION", "DONE", "FAILED", "IDLE"


class InvalidUnit(ValueError):
    """A work-unit name that could escape the notes layout or a terminal."""


def validate_unit(name: str) -> str:
    """Return ``name`` if it is a safe work-unit name (it becomes a tree path and is printed)."""
    if not name:
        raise InvalidUnit("work unit name is empty")
    shown = one_line(name, 60)
    if len(name) > MAX_UNIT_LENGTH:
        raise InvalidUnit(f"work unit name is longer than {MAX_UNIT_LENGTH} characters: {shown}")
    if "/" in name or "\\" in name:
        raise InvalidUnit(f"work unit name contains a path separator: {shown}")
    if ".." in name:
        raise InvalidUnit(f"work unit name contains '..': {shown}")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name):
        raise InvalidUnit(f"work unit name contains control characters: {shown}")
    if name[0] in ".-" or name != name.strip():
        raise InvalidUnit(f"work unit name must not start with '.' or '-' or have outer spaces: {shown}")
    return name


def now() -> str:
    """UTC, microseconds, fixed width: sorts as text and as time."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def later(seconds: float) -> str:
    """The UTC time ``seconds`` from now, in :func:`now`'s form."""
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def time_key(value: object) -> str:
    """A sortable form of a timestamp written by us or another tool (unparseable: as given)."""
    if not isinstance(value, str):
        return ""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Event:
    """One parsed, validated line of a note."""

    type: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def at(self) -> str:
        return time_key(self.data.get(TIME_FIELD[self.type]))

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.at, self.id)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def to_line(self) -> bytes:
        return encode(self.data)


def encode(data: dict[str, Any]) -> bytes:
    """One canonical JSON line (sorted keys, ASCII) so identical events dedupe across clones."""
    return json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"


def make(type_: str, **fields: Any) -> dict[str, Any]:
    """A new event dict of ``type_`` with version, id and timestamp filled in."""
    prefix = {"question": "q", "answer": "a", "delivered": "d", "cancelled": "c", "run": "r",
              "claim": "k"}[type_]
    data: dict[str, Any] = {"v": SCHEMA_VERSION, "type": type_, "id": new_id(prefix), TIME_FIELD[type_]: now()}
    data.update({k: v for k, v in fields.items() if v is not None})
    return data


def _load_line(text: str) -> object:
    """``json.loads`` that turns every way a line can fail into ValueError.

    Deep nesting raises RecursionError and a huge number a ValueError subclass; neither may stop
    a reader (one bad line in any unit's note would otherwise stop every command for every unit).
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def json_objects(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines log (an agent's event stream), in order. A missing file
    is empty; a line that is not a JSON object (a stray print, a deeply nested or huge value) is
    skipped: nothing an agent writes can stop the run's judgement."""
    try:
        raw = path.read_bytes()
    except OSError:
        return
    for line in raw.splitlines():
        try:
            obj = _load_line(line.decode("utf-8", errors="replace"))
        except ValueError:
            continue
        if isinstance(obj, dict):
            yield obj


def line_sort_key(line: bytes) -> tuple[object, ...]:
    """Merge order of a raw line: valid events by (time, id); anything else after them."""
    try:
        data = _load_line(line.decode("utf-8"))
        t = data.get("type")  # type: ignore[union-attr]
        return (0, time_key(data.get(TIME_FIELD.get(t, "at"))), str(data.get("id", "")))  # type: ignore[union-attr]
    except (ValueError, AttributeError, TypeError):
        return (1, "", "")


# Fields the orchestrator reads, and the JSON types each may hold (None: absent or null). An event
# whose field has another type is skipped: folding it would put a list in a set, print a dict...
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
ID_FIELDS = ("id", "question_id", "answer_id", "supersedes")  # printed and matched: a safe alphabet
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    **{f: (str,) for f in ("unit", "text", "run_id", "session_id", "tool_use_id", "waits_until", "context",
                           "asker", "who", "via", "reason", "state", "kind", "log", "host", "started_at",
                           *TIME_FIELD.values())},
    "option": (int,), "pid": (int,), "exit_code": (int,), "deferred": (bool,), "parallel_calls": (bool,),
}


def _bad_field(obj: dict[str, Any]) -> str | None:
    """Why ``obj`` cannot be folded (a field of the wrong type or an unsafe id), else None."""
    for key in ID_FIELDS:
        value = obj.get(key)
        if value is not None and not (isinstance(value, str) and _ID.fullmatch(value)):
            return f"{key} is not an id ([A-Za-z0-9._:-], at most 100 characters)"
    for key, types in FIELD_TYPES.items():
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return f"field {key!r} is a {type(value).__name__}, not a {' or '.join(t.__name__ for t in types)}"
    return None


def parse_note(unit: str, data: bytes) -> tuple[list[Event], list[str]]:
    """Events of one note; malformed, undecodable or unknown lines are skipped with a warning.

    No content can make this raise: every line either becomes an :class:`Event` whose fields have
    the types the rest of the orchestrator relies on, or is skipped (and kept in the note).
    """
    events: list[Event] = []
    warnings: list[str] = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        where = f"unit {one_line(unit, 60)} line {n}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append(f"{where}: not UTF-8, skipped (kept in the note)")
            continue
        try:
            obj = _load_line(text)
        except ValueError as e:
            warnings.append(f"{where}: not JSON ({one_line(str(e), 60)}), skipped (kept in the note): "
                            f"{one_line(text, 80)}")
            continue
        if not isinstance(obj, dict):
            warnings.append(f"{where}: not a JSON object, skipped")
            continue
        type_ = obj.get("type")
        if type_ not in TIME_FIELD:
            warnings.append(f"{where}: unknown event type {one_line(str(type_), 40)}, skipped")
            continue
        if not isinstance(obj.get("v"), int) or isinstance(obj["v"], bool) or obj["v"] < 1:
            warnings.append(f"{where}: missing or bad version 'v', skipped")
            continue
        missing = [k for k in REQUIRED[type_] if not isinstance(obj.get(k), str) or not obj[k]]
        if missing:
            warnings.append(f"{where}: {type_} event without {', '.join(missing)}, skipped")
            continue
        if type_ == "question" and obj.get("options") is not None and (
                not isinstance(obj["options"], list) or not all(isinstance(o, str) for o in obj["options"])):
            warnings.append(f"{where}: question options are not a list of strings, skipped")
            continue
        bad = _bad_field(obj)
        if bad is not None:
            warnings.append(f"{where}: {type_} event whose {bad}, skipped (kept in the note)")
            continue
        if obj["v"] > SCHEMA_VERSION:
            warnings.append(f"{where}: written by a newer format (v={obj['v']}); reading the fields we know")
        events.append(Event(type_, obj))
    return events, warnings


@dataclass
class Question:
    """A question and everything that happened to it."""

    event: Event
    answers: list[Event] = field(default_factory=list)
    delivered: list[Event] = field(default_factory=list)
    cancelled: list[Event] = field(default_factory=list)
    claims: list[Event] = field(default_factory=list)  # delivery attempts (see orch.delivery)

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def deferred(self) -> bool:
        """Asked by a deferred Claude Code tool call: resuming the session runs that very call."""
        return self.event.get("deferred") is True and bool(self.event.get("tool_use_id"))

    @property
    def text(self) -> str:
        return str(self.event.get("text", ""))

    @property
    def options(self) -> list[str]:
        return list(self.event.get("options") or [])

    @property
    def winner(self) -> Event | None:
        """The earliest (answered_at, id) answer not explicitly superseded by a forced one."""
        if not self.answers:
            return None
        superseded = {a.get("supersedes") for a in self.answers}
        live = [a for a in self.answers if a.id not in superseded] or self.answers
        return min(live, key=lambda a: a.sort_key)

    @property
    def status(self) -> str:
        winner = self.winner
        if winner is not None and any(d.get("answer_id") in (None, winner.id) for d in self.delivered):
            return DELIVERED
        if self.cancelled:
            return CANCELLED
        return ANSWERED if winner is not None else OPEN


def answer_text(question: Question, answer: Event) -> str:
    """What the agent receives: the free text, or the chosen option's text."""
    if isinstance(answer.get("text"), str):
        return str(answer.get("text"))
    option = answer.get("option")
    if isinstance(option, int) and 1 <= option <= len(question.options):
        return question.options[option - 1]
    return "" if option is None else str(option)


@dataclass
class Unit:
    """Everything recorded about one work unit."""

    name: str
    questions: dict[str, Question] = field(default_factory=dict)
    runs: list[Event] = field(default_factory=list)
    orphans: list[Event] = field(default_factory=list)  # answers etc. to unknown questions
    events: list[Event] = field(default_factory=list)

    @property
    def state(self) -> str:
        statuses = {q.status for q in self.questions.values()}
        if OPEN in statuses:
            return NEEDS_ATTENTION
        if ANSWERED in statuses:
            return ANSWERED
        if self.runs:
            return str(self.runs[-1].get("state"))
        return IDLE

    def open_questions(self) -> list[Question]:
        return [q for q in self.questions.values() if q.status == OPEN]

    def answered_questions(self) -> list[Question]:
        return [q for q in self.questions.values() if q.status == ANSWERED]

    def session_for(self, question: Question | None = None) -> str | None:
        """The agent session to resume: the question's own, its run's, or the latest run's."""
        if question is not None:
            if question.event.get("session_id"):
                return str(question.event.get("session_id"))
            run_id = question.event.get("run_id")
            for run in reversed(self.runs):
                if run_id and run.get("run_id") == run_id and run.get("session_id"):
                    return str(run.get("session_id"))
        for run in reversed(self.runs):
            if run.get("session_id"):
                return str(run.get("session_id"))
        return None


def fold(name: str, events: list[Event]) -> Unit:
    """Build a unit's state from its events, in (time, id) order so every clone agrees."""
    unit = Unit(name)
    ordered = sorted(events, key=lambda e: e.sort_key)
    seen: set[tuple[str, str]] = set()
    for e in ordered:
        if (e.type, e.id) in seen:
            continue
        seen.add((e.type, e.id))
        unit.events.append(e)
        if e.type == "question":
            unit.questions.setdefault(e.id, Question(e))
        elif e.type == "run":
            unit.runs.append(e)
    for e in unit.events:
        if e.type in ("answer", "delivered", "cancelled", "claim"):
            q = unit.questions.get(str(e.get("question_id")))
            if q is None:
                unit.orphans.append(e)
            else:
                {"answer": q.answers, "delivered": q.delivered, "cancelled": q.cancelled,
                 "claim": q.claims}[e.type].append(e)
    return unit
