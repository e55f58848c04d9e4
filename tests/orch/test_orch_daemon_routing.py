"""One attention queue and one answer command over the notes and vibe-engineer's daemon.

The daemon is a stand-in with vibe-engineer 0.10's socket, endpoints and JSON (daemon_standin.py);
`ve orch` runs as a real subprocess against it and a real repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from daemon_standin import StandInDaemon, work_unit
from orch_support import Ve, git, run_ve


@pytest.fixture
def daemon(orepo: Path):
    with StandInDaemon(orepo) as d:
        yield d


def _ask(ve: Ve, unit: str, text: str = "Which DB?") -> str:
    r = ve("ask", unit, "--question", text, "--option", "sqlite", "--option", "postgres")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_attention_lists_both_sources_marked(ve: Ve, daemon: StandInDaemon) -> None:
    qid = _ask(ve, "notes_unit")
    daemon.units["daemon_unit"] = work_unit("daemon_unit", attention_reason="Plan needs a decision: A or B?")
    daemon.units["busy_unit"] = work_unit("busy_unit", status="RUNNING")
    r = ve("attention", "--format", "json")
    assert r.returncode == 1, r.stderr
    entries = json.loads(r.stdout)
    assert [(e["source"], e["unit"]) for e in entries] == [("notes", "notes_unit"), ("daemon", "daemon_unit")]
    assert entries[0]["id"] == qid
    assert entries[1]["phase"] == "PLAN" and entries[1]["text"] == "Plan needs a decision: A or B?"
    text = ve("attention").stdout
    assert f"notes_unit  [notes]  {qid}" in text
    assert "daemon_unit  [daemon]  PLAN" in text and "Plan needs a decision" in text
    assert "busy_unit" not in text
    # vibe-engineer's own JSON shape, with the notes question in it too.
    vibe = json.loads(ve("attention", "--json").stdout)
    assert vibe["count"] == 2
    assert {(i["chunk"], i["source"]) for i in vibe["attention_items"]} == {("notes_unit", "notes"),
                                                                         ("daemon_unit", "daemon")}


def test_attention_without_a_daemon_is_the_notes_alone(ve: Ve, orepo: Path) -> None:
    _ask(ve, "notes_unit")
    (orepo / ".ve").mkdir()
    (orepo / ".ve" / "orchestrator.sock").write_text("")  # a stale file nobody listens on
    entries = json.loads(ve("attention", "--format", "json").stdout)
    assert [e["source"] for e in entries] == ["notes"]
    r = ve("attention")
    assert r.returncode == 1 and r.stderr == ""


def test_positional_answer_goes_to_the_notes_question_when_one_is_open(ve: Ve, daemon: StandInDaemon) -> None:
    qid = _ask(ve, "both")
    daemon.units["both"] = work_unit("both")
    r = ve("answer", "both", "use sqlite")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{qid}: answered")
    assert "use sqlite" in ve("log", "both").stdout
    assert not [x for x in daemon.requests_seen if x[0] == "POST"]  # the daemon was not touched
    assert daemon.units["both"]["status"] == "NEEDS_ATTENTION"


def test_positional_answer_goes_to_the_daemon_when_the_notes_have_none(ve: Ve, daemon: StandInDaemon) -> None:
    daemon.units["my_unit"] = work_unit("my_unit", attention_reason="A or B?")
    r = ve("answer", "my_unit", "use option a")
    assert r.returncode == 0, r.stderr
    assert "vibe-engineer's daemon" in r.stdout
    posts = [x for x in daemon.requests_seen if x[0] == "POST"]
    assert posts == [("POST", "/work-units/my_unit/answer", b'{"answer": "use option a"}')]
    assert daemon.units["my_unit"]["status"] == "READY"
    assert daemon.units["my_unit"]["pending_answer"] == "use option a"
    # --text reaches the daemon the same way; --json prints its unit, marked.
    daemon.units["other"] = work_unit("other")
    out = json.loads(ve("answer", "other", "--text", "go", "--json").stdout)
    assert out["source"] == "daemon" and out["status"] == "READY" and out["pending_answer"] == "go"


def test_answer_from_stdin_reaches_the_daemon(ve: Ve, daemon: StandInDaemon) -> None:
    daemon.units["piped"] = work_unit("piped")
    assert ve("answer", "piped", input="from stdin\n").returncode == 0
    assert daemon.units["piped"]["pending_answer"] == "from stdin\n"


def test_no_question_anywhere_names_both_places(ve: Ve, orepo: Path, daemon: StandInDaemon) -> None:
    daemon.units["running"] = work_unit("running", status="RUNNING")
    r = ve("answer", "running", "hello")
    assert r.returncode == 2
    assert "none in the notes (refs/notes/ve/orch)" in r.stderr
    assert "has running in RUNNING, not NEEDS_ATTENTION" in r.stderr and "Traceback" not in r.stderr
    r = ve("answer", "unknown_unit", "hello")
    assert r.returncode == 2 and "has no work unit unknown_unit" in r.stderr
    r = ve("answer", "unknown_unit", "--option", "1")
    assert r.returncode == 2 and "no open question in the notes" in r.stderr


def test_no_question_and_no_daemon_says_it_is_not_running(ve: Ve) -> None:
    r = ve("answer", "my_unit", "use option a")
    assert r.returncode == 2
    assert "none in the notes" in r.stderr and "daemon is not running" in r.stderr


def test_question_id_positional_keeps_its_meaning(ve: Ve, daemon: StandInDaemon) -> None:
    q1 = _ask(ve, "two", "First?")
    q2 = _ask(ve, "two", "Second?")
    assert ve("answer", "two", "ambiguous text").returncode == 2  # two open: name one
    assert ve("answer", "two", q2, "--option", "2").returncode == 0
    assert ve("answer", "two", q1[:8], input="by prefix\n").returncode == 0
    log = ve("log", "two").stdout
    assert "(option 2)" in log and "by prefix" in log


def test_daemon_errors_are_one_line(ve: Ve, orepo: Path, tmp_path: Path) -> None:
    """A socket that speaks something else: a diagnostic naming it, exit 2, no traceback."""
    import socket
    import threading

    path = orepo / ".ve" / "orchestrator.sock"
    path.parent.mkdir()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(8)
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nnot json!")
                except OSError:
                    pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        r = ve("attention")
        assert r.returncode == 0 and "non-JSON reply" in r.stderr  # a warning; the notes still listed
        r = ve("answer", "x_unit", "text")
        assert r.returncode == 2 and "non-JSON reply" in r.stderr and "Traceback" not in r.stderr
    finally:
        stop.set()
        t.join()
        srv.close()


def test_attention_from_a_worktree_finds_the_main_checkouts_daemon(orepo: Path, daemon: StandInDaemon) -> None:
    """Agents and operators may stand in .ve/chunks/<chunk>/worktree; the daemon lives in the main checkout."""
    daemon.units["from_wt"] = work_unit("from_wt")
    wt = orepo / ".ve" / "chunks" / "from_wt" / "worktree"
    git(orepo, "worktree", "add", "-q", "-b", "orch/from_wt", str(wt))
    entries = json.loads(run_ve(wt, "attention", "--format", "json").stdout)
    assert [(e["source"], e["unit"]) for e in entries] == [("daemon", "from_wt")]
    assert run_ve(wt, "answer", "from_wt", "done here").returncode == 0
    assert daemon.units["from_wt"]["status"] == "READY"
