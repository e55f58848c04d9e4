"""The event reader takes anything a note can hold: no line stops the orchestrator (issue 23 item 2).

A note is written by any clone, any version, any tool (plain ``git notes``), and ``ve orch sync``
pulls it from any remote. Whatever it holds, every unit stays readable and every verb keeps
working; a line that cannot be an event is skipped with a warning naming the unit and the line.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from orch_support import Ve, clone_through_remote, git, run_ve
from support.cli import invoke

from ve_hooks.cli import main
from ve_hooks.orch import delivery, model

REF = "refs/notes/ve/orch"
DEEP = b"[" * 100_000 + b"]" * 100_000 + b"\n"  # json.loads: RecursionError
HUGE_NUMBER = b'{"v":1,"type":"question","id":"q-1","unit":"u","text":"x","asked_at":' + b"9" * 5000 + b"}\n"

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_ids = st.sampled_from(["q-1", "q-2", "a-1", "a-2", "r-1", "k-1", "d-1", "c-1"]) | _json
_keys = st.sampled_from(["id", "question_id", "answer_id", "supersedes", "run_id", "session_id", "text", "option",
                         "options", "context", "asker", "who", "via", "reason", "state", "kind", "log", "host",
                         "pid", "deferred", "parallel_calls", "tool_use_id", "waits_until", "exit_code", "unit",
                         *model.TIME_FIELD.values()])


@st.composite
def _event(draw: st.DrawFn) -> bytes:
    """An event-shaped line (type, v, ids from a small pool so answers meet their questions) whose
    every other field may hold any JSON value; or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=40)).replace(b"\n", b"")
    def mostly(good: st.SearchStrategy[object], bad: st.SearchStrategy[object]) -> object:
        return draw(good) if draw(st.integers(0, 4)) else draw(bad)

    obj: dict[str, object] = {"v": mostly(st.just(1), st.sampled_from([2, 0, True, "1"])),
                              "type": mostly(st.sampled_from(list(model.TIME_FIELD)), st.just("teleport"))}
    pool = st.sampled_from(["q-1", "q-2"])  # mostly ids that meet: answers reach their questions
    obj["id"] = mostly(pool if obj["type"] == "question" else _ids, _json)
    obj["question_id"] = mostly(pool, _ids)
    obj["run_id"] = mostly(st.sampled_from(["r-1", "r-2"]), _json)
    obj["unit"] = "u"
    obj["text"] = mostly(st.text(min_size=1, max_size=10), _json)
    obj["state"] = mostly(st.sampled_from(["DONE", "FAILED"]), _json)
    for key in draw(st.lists(_keys, max_size=5)):
        obj[key] = draw(_json | _ids)
    for key in ("supersedes", "answer_id", "run_id", "session_id", "option", "pid"):  # folded or matched
        if draw(st.integers(0, 2)) == 0:
            obj[key] = draw(_json | _ids)
    return json.dumps(obj).encode()


def _exercise(unit: model.Unit) -> None:
    """Everything the verbs compute from a unit (attention, status, log, answer, resume, take)."""
    assert unit.state
    unit.session_for()
    for q in unit.questions.values():
        assert q.status in (model.OPEN, model.ANSWERED, model.DELIVERED, model.CANCELLED)
        unit.session_for(q)
        for a in q.answers:
            assert isinstance(model.answer_text(q, a), str)
        str(q.text), list(q.options), q.deferred
    unit.open_questions(), unit.answered_questions()
    delivery.deliverable(unit)
    for e in unit.events:
        e.sort_key, e.to_line()


@settings(max_examples=150, deadline=None)
@given(st.lists(_event(), max_size=12))
def test_no_note_content_makes_the_reader_raise(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    events, warnings = model.parse_note("u", data)
    assert len(events) + len(warnings) >= sum(1 for line in lines if line.strip())  # each line accounted for
    _exercise(model.fold("u", events))
    for line in lines:
        model.line_sort_key(line)  # sync's merge order


def test_deep_and_huge_lines_are_skipped_with_a_warning_naming_the_note() -> None:
    good = model.encode(model.make("question", unit="u", text="still here?"))
    events, warnings = model.parse_note("u", DEEP + HUGE_NUMBER + good)
    assert [e.get("text") for e in events] == ["still here?"]
    assert any("unit u line 1: not JSON" in w and "nested" in w for w in warnings)
    assert any("unit u line 2: not JSON" in w for w in warnings)
    assert model.line_sort_key(DEEP.strip()) == (1, "", "")


def _anchor(repo: Path, unit: str) -> str:
    return git(repo, "hash-object", "-w", "--stdin", input=f"ve-orch-unit:{unit}\n".encode())


def _poison(repo: Path, unit: str, tmp_path: Path) -> None:
    note = tmp_path / "poison"
    note.write_bytes(DEEP + b'{"v":1,"type":"answer","id":"a-9","question_id":"q-x","supersedes":{"a":1}}\n')
    git(repo, "notes", "--ref", REF, "append", "-F", str(note), _anchor(repo, unit))


def test_one_bad_note_never_stops_any_verb_for_any_unit(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    for unit in ("good-a", "good-b", "bad"):
        assert ve("ask", unit, "--question", f"{unit}?").returncode == 0
    _poison(orepo, "bad", tmp_path)
    att = ve("attention")
    assert att.returncode == 1, att.stderr
    assert all(f"{u}?" in att.stdout for u in ("good-a", "good-b", "bad"))
    assert "unit bad line" in att.stderr and "nested too deeply" in att.stderr and "Traceback" not in att.stderr
    assert "supersedes is not an id" in att.stderr
    st_ = ve("status")
    assert st_.returncode == 0 and "good-a" in st_.stdout and "bad" in st_.stdout
    assert ve("log", "bad").returncode == 0
    for unit in ("good-a", "bad"):
        r = ve("answer", unit, "--text", "fine")
        assert r.returncode == 0 and "answered" in r.stdout, r.stderr
    assert ve("cancel", "good-b").returncode == 0
    r = ve("resume", "good-a")
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert ve("take", "bad").stdout.strip() == "fine"


def test_sync_pulls_a_bad_line_and_survives(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    assert ve("ask", "shared", "--question", "from here?").returncode == 0
    clone = clone_through_remote(tmp_path, orepo, "clone")
    assert ve("sync").returncode == 0
    # The other clone gets a poisoned note and its own question, and pushes; we diverge and merge.
    assert run_ve(clone, "ask", "shared", "--question", "from there?").returncode == 0
    _poison(clone, "shared", tmp_path)
    assert run_ve(clone, "sync").returncode == 0
    assert ve("ask", "local", "--question", "diverge?").returncode == 0
    r = ve("sync")
    assert r.returncode == 0, r.stderr
    assert "merged" in r.stdout and "Traceback" not in r.stderr
    att = ve("attention")
    assert att.returncode == 1 and "from there?" in att.stdout and "nested too deeply" in att.stderr


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_event(), min_size=1, max_size=6))
def test_the_cli_reads_any_note(orepo: Path, lines: list[bytes]) -> None:
    """The real commands over a real notes ref holding arbitrary lines: never an internal error."""
    git(orepo, "update-ref", "-d", REF)
    note = orepo / ".git" / "note-under-test"
    note.write_bytes(b"\n".join(lines) + b"\n")
    git(orepo, "notes", "--ref", REF, "add", "-f", "-F", str(note), _anchor(orepo, "u"))
    for args in (("attention",), ("status",), ("log", "u"), ("attention", "--format", "json")):
        r = invoke(main, "orch", *args, cwd=orepo)
        assert r.code in (0, 1), (args, r.stderr)
        assert "internal error" not in r.stderr
