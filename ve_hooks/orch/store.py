"""The orchestrator's record: events appended to per-unit git notes, and the state read back.

Every write is one compare-and-swap notes commit (:func:`ve_hooks.orch.notes.append`); every read is
three git processes whatever the number of units (:func:`ve_hooks.orch.notes.read_snapshot`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ve_hooks.orch import model, notes

DEFAULT_REF = "refs/notes/ve/orch"


class OrchError(Exception):
    """A problem the operator must fix (bad input, unknown question...): exit 2, one line."""


class AnswerRefused(OrchError):
    """The question already has an answer (or got one while ours was being written): exit 1.

    ``lost`` says it was open when we looked and another answer won the compare-and-swap.
    """

    def __init__(self, question_id: str, winner: model.Event, lost: bool) -> None:
        who = model.one_line(str(winner.get("who") or "?"), 60)
        if lost:
            msg = (f"question {question_id} was answered meanwhile by {winner.id} ({who}); your answer was "
                   "not recorded; use --force to replace it")
        else:
            msg = f"question {question_id} is already answered by {winner.id} ({who}); use --force to replace it"
        super().__init__(msg)
        self.question_id, self.winner_id, self.lost = question_id, winner.id, lost


def validate_ref(ref: str) -> str:
    """Our ref must live under refs/notes/ so plain ``git notes --ref`` can read it."""
    if not ref.startswith("refs/notes/") or ref.endswith((".lock", "/")) or ".." in ref:
        raise OrchError(f"notes ref must be a ref under refs/notes/: {ref!r}")
    if notes.git(".", "check-ref-format", ref, check=False).returncode != 0:
        raise OrchError(f"invalid notes ref name: {ref!r}")
    return ref


@dataclass
class Ledger:
    """All units read from one notes commit, with the warnings found on the way."""

    commit: str | None
    units: dict[str, model.Unit] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    snapshot: notes.NotesSnapshot | None = None  # what was read: a first compare-and-swap can build on it

    def unit(self, name: str) -> model.Unit:
        return self.units.get(name) or model.Unit(name)


class Store:
    """Read and append orchestrator events in one repository's notes ref."""

    def __init__(self, repo: str | Path, ref: str = DEFAULT_REF) -> None:
        try:
            self.repo = notes.NotesRepo.open(repo)
        except notes.NotesError as e:
            raise OrchError(str(e)) from None
        self.ref = validate_ref(ref)

    @property
    def state_dir(self) -> Path:
        """Local, unshared files (agent logs, MCP configs) live in the git dir, not the work tree."""
        return self.repo.common_dir / "ve-orch"

    def head(self) -> str | None:
        return notes.resolve_ref(self.repo.path, self.ref)

    def load(self, names: Iterable[str] | None = None, commit: str | None = None) -> Ledger:
        """Read every unit (or ``names``) in bulk and fold their events."""
        snap = notes.read_snapshot(self.repo.path, self.ref, names=names, commit=commit)
        ledger = Ledger(snap.commit, warnings=list(snap.warnings), snapshot=snap)
        lock = self.repo.stale_lock(self.ref)
        if lock is not None:
            ledger.warnings.append(f"stale lock file {lock}: writes will fail until it is removed")
        for name, data in sorted(snap.records().items()):
            try:
                model.validate_unit(name)
            except model.InvalidUnit as e:
                ledger.warnings.append(f"{self.ref}: {e}; ignored")
                continue
            events, warnings = model.parse_note(name, data)
            ledger.warnings.extend(warnings)
            for e in events:
                if e.get("unit") not in (None, name):
                    ledger.warnings.append(f"unit {name}: event {model.one_line(e.id, 40)} names another unit; kept here")
            ledger.units[name] = model.fold(name, events)
        return ledger

    def append(self, events: Sequence[dict[str, Any]], message: str) -> None:
        """Append events (grouped by unit) in one compare-and-swap commit."""
        additions: dict[str, bytes] = {}
        for e in events:
            unit = model.validate_unit(str(e["unit"]))
            additions[unit] = additions.get(unit, b"") + model.encode(e)
        notes.append(self.repo, self.ref, additions, message)

    def append_if(self, unit_name: str, build: Callable[[model.Unit], Sequence[dict[str, Any]]], message: str,
                  *, first: Ledger | None = None) -> list[dict[str, Any]]:
        """Append ``build(unit)`` in one compare-and-swap commit, ``unit`` read at the commit replaced.

        ``build`` decides on the state the new commit will follow (it runs again on every retry) and
        returns no events, or raises, when its condition fails: nothing is written then. ``first``
        (a ledger just loaded, holding the unit) spares the first attempt a read of its own. The
        compare-and-swap loop is :func:`ve_hooks.orch.notes.append`'s.
        """
        model.validate_unit(unit_name)
        written: list[dict[str, Any]] = []
        snap0 = first.snapshot if first is not None else None
        path = snap0.note_path(unit_name) if snap0 is not None else None
        usable = snap0 is not None and (path is None or snap0.entries[path][1] in snap0.blobs)

        def additions(snap: notes.NotesSnapshot) -> dict[str, bytes]:
            events, _warnings = model.parse_note(unit_name, snap.records().get(unit_name, b""))
            written[:] = list(build(model.fold(unit_name, events)))
            return {unit_name: b"".join(model.encode(e) for e in written)} if written else {}

        notes.append(self.repo, self.ref, additions, message, names=[unit_name], first=snap0 if usable else None)
        return written

    # -- the verbs -------------------------------------------------------------------------

    def ask(self, unit: str, text: str, options: Sequence[str] = (), context: str | None = None,
            session_id: str | None = None, asker: str | None = None, run_id: str | None = None,
            tool_use_id: str | None = None, deferred: bool = False, waits_until: str | None = None,
            parallel_calls: bool = False) -> str:
        """Record a question; returns its id.

        ``tool_use_id``: the agent's AskOperator call; the question of a call is recorded once (a
        retried request, or a deferred call read again, returns the id already there).
        ``deferred``: that call was deferred and resuming the session runs it;
        ``parallel_calls``: it shared its model turn with other tool calls;
        ``waits_until``: a tool call waits for the answer until then.
        """
        model.validate_unit(unit)
        if not text.strip():
            raise OrchError("the question text is empty")
        event = model.make("question", unit=unit, text=text, options=list(options) or None, context=context,
                           session_id=session_id, asker=asker or default_who(self.repo.path), run_id=run_id,
                           tool_use_id=tool_use_id, deferred=True if deferred else None,
                           parallel_calls=True if parallel_calls else None, waits_until=waits_until)
        if not tool_use_id:
            self.append([event], f"ve-orch: question {event['id']} for {unit}")
            return str(event["id"])
        found: list[str] = []

        def build(u: model.Unit) -> list[dict[str, Any]]:
            found[:] = [q.id for q in u.questions.values() if q.event.get("tool_use_id") == tool_use_id]
            return [] if found else [event]

        self.append_if(unit, build, f"ve-orch: question {event['id']} for {unit}")
        return found[0] if found else str(event["id"])

    def find_question(self, unit: model.Unit, question_id: str | None, *, statuses: Sequence[str]) -> model.Question:
        """The question ``question_id`` (a unique prefix is enough), or the only one in ``statuses``."""
        if question_id is None:
            candidates = [q for q in unit.questions.values() if q.status in statuses]
            if len(candidates) == 1:
                return candidates[0]
            if not candidates:
                raise OrchError(f"unit {unit.name} has no {' or '.join(s.lower() for s in statuses)} question")
            ids = ", ".join(q.id for q in candidates)
            raise OrchError(f"unit {unit.name} has {len(candidates)} such questions ({ids}): name one")
        matches = [q for q in unit.questions.values() if q.id.startswith(question_id)]
        if len(matches) != 1:
            what = "no" if not matches else "an ambiguous"
            raise OrchError(f"unit {unit.name} has {what} question {model.one_line(question_id, 40)}")
        return matches[0]

    def answer(self, unit_name: str, question_id: str | None, *, text: str | None = None,
               option: int | None = None, force: bool = False, who: str | None = None,
               ledger: Ledger | None = None) -> dict[str, Any]:
        """Record an answer, exactly once per question unless ``force`` (which supersedes the winner).

        The check and the write are one compare-and-swap: of many concurrent answers one is
        written, every other raises :class:`AnswerRefused` naming the winner. ``ledger``: the
        caller's fresh read of the unit (``ve orch answer`` reads the notes once).
        """
        model.validate_unit(unit_name)
        if ledger is None or unit_name not in ledger.units:
            ledger = self.load([unit_name])
        q = self.answer_target(ledger.unit(unit_name), question_id, force=force)
        if option is not None:
            if not q.options:
                raise OrchError(f"question {q.id} has no options; answer with --text")
            if not 1 <= option <= len(q.options):
                raise OrchError(f"question {q.id} has options 1..{len(q.options)}, not {option}")
        elif text is None or not text.strip():
            raise OrchError("the answer is empty")
        was_open = q.status == model.OPEN
        event = model.make("answer", unit=unit_name, question_id=q.id, text=text if option is None else None,
                           option=option, who=who or default_who(self.repo.path))

        def build(now: model.Unit) -> list[dict[str, Any]]:
            current = now.questions.get(q.id, q)
            winner = current.winner
            if not force:
                if current.status in (model.ANSWERED, model.DELIVERED) and winner is not None:
                    raise AnswerRefused(q.id, winner, lost=was_open)
                if current.status != model.OPEN:
                    raise OrchError(f"question {q.id} is {current.status.lower()}; use --force to answer it again")
            event.pop("supersedes", None)
            if force and winner is not None:
                event["supersedes"] = winner.id
            return [event]

        self.append_if(unit_name, build, f"ve-orch: answer {event['id']} to {q.id}", first=ledger)
        return event

    def answer_target(self, unit: model.Unit, question_id: str | None, *, force: bool = False) -> model.Question:
        """The question an answer is for: the one named (a unique id prefix), else the unit's only
        open one; with ``force`` an answered or cancelled one too. Without ``force``, a unit whose
        only undelivered question is answered yields that question, so the refusal can name its
        winner instead of saying "no open question"."""
        statuses = [model.OPEN] if not force else [model.OPEN, model.ANSWERED, model.CANCELLED]
        try:
            return self.find_question(unit, question_id, statuses=statuses)
        except OrchError:
            if force or question_id is not None:
                raise
            answered = unit.answered_questions()
            if len(answered) != 1 or answered[0].winner is None:
                raise
            return answered[0]

    def cancel(self, unit_name: str, question_id: str | None, reason: str | None = None) -> str:
        model.validate_unit(unit_name)
        unit = self.load([unit_name]).unit(unit_name)
        q = self.find_question(unit, question_id, statuses=[model.OPEN, model.ANSWERED])
        event = model.make("cancelled", unit=unit_name, question_id=q.id, who=default_who(self.repo.path),
                           reason=reason)
        self.append([event], f"ve-orch: cancel {q.id}")
        return q.id

    def delivered(self, unit_name: str, pairs: Sequence[tuple[model.Question, model.Event]], via: str,
                  session_id: str | None) -> None:
        """Record that these answers reached the agent (so the unit stops being ANSWERED)."""
        events = [model.make("delivered", unit=unit_name, question_id=q.id, answer_id=a.id, via=via,
                             session_id=session_id) for q, a in pairs]
        if events:
            self.append(events, f"ve-orch: delivered {len(events)} answer(s) for {unit_name}")

    def record_run(self, unit_name: str, **fields: Any) -> dict[str, Any]:
        event = model.make("run", unit=unit_name, **fields)
        self.append([event], f"ve-orch: run of {unit_name}: {fields.get('state')}")
        return event


def default_who(repo: str | Path) -> str:
    """The operator or agent identity recorded in events (git identity, else $USER)."""
    if os.environ.get("VE_ORCH_WHO"):
        return os.environ["VE_ORCH_WHO"]
    name = os.environ.get("GIT_COMMITTER_NAME") or os.environ.get("GIT_AUTHOR_NAME")
    if not name:
        proc = notes.git(repo, "config", "user.name", check=False)
        name = proc.stdout.decode("utf-8", "replace").strip()
    return name or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def seed_questions(repo: str | Path, n: int, *, ref: str = DEFAULT_REF, units: int | None = None,
                   answered_every: int = 0) -> None:
    """Write ``n`` questions (spread over ``units`` units, default one per question) in one commit.

    For benchmarks (``ve orch attention`` over 1,000 questions): one CAS commit, no process per
    question. With ``answered_every=k`` every k-th question also gets an answer.
    """
    store = Store(repo, ref)
    n_units = units or n
    events: list[dict[str, Any]] = []
    for i in range(n):
        unit = f"unit-{i % n_units:05d}"
        q = model.make("question", unit=unit, text=f"Seeded question {i}?", options=["yes", "no"],
                       asker="seed")
        events.append(q)
        if answered_every and i % answered_every == 0:
            events.append(model.make("answer", unit=unit, question_id=q["id"], option=1, who="seed"))
    store.append(events, f"ve-orch: seed {n} questions")
