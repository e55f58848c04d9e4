"""The blob-id cache: a miss is always safe, a damaged file is never trusted, writers may race."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ve_hooks.cache import Cache


def test_round_trip_and_namespaces(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    c.put("md", "abc", {"x": [1, 2]})
    c.close()
    c = Cache(tmp_path)
    assert c.get_many("md", ["abc", "nope"]) == {"abc": {"x": [1, 2]}}
    assert c.get_many("yaml", ["abc"]) == {}
    assert (c.hits, c.misses) == (1, 2)


def test_many_keys_beyond_the_sqlite_parameter_limit(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    for i in range(5000):
        c.put("facts", f"k{i}", i)
    c.close()
    got = Cache(tmp_path).get_many("facts", [f"k{i}" for i in range(5000)])
    assert len(got) == 5000 and got["k4999"] == 4999


def test_corrupt_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    c.put("md", "a", 1)
    c.close()
    assert c.path is not None
    c.path.write_bytes(b"this is not a database" * 100)
    fresh = Cache(tmp_path)
    assert fresh.get_many("md", ["a"]) == {}
    fresh.put("md", "a", 2)
    fresh.close()
    assert Cache(tmp_path).get_many("md", ["a"]) == {"a": 2}


def test_truncated_file_is_ignored(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    for i in range(200):
        c.put("md", f"k{i}", "x" * 500)
    c.close()
    assert c.path is not None
    data = c.path.read_bytes()
    c.path.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(str(c.path) + suffix).unlink(missing_ok=True)
    got = Cache(tmp_path).get_many("md", [f"k{i}" for i in range(200)])
    assert all(v == "x" * 500 for v in got.values())  # whatever survives is intact, nothing is garbage


def test_damaged_row_is_a_miss(tmp_path: Path) -> None:
    import sqlite3

    c = Cache(tmp_path)
    c.put("md", "a", {"ok": True})
    c.close()
    assert c.path is not None
    db = sqlite3.connect(c.path)
    db.execute("UPDATE entries SET v = '{not json'")
    db.commit()
    db.close()
    assert Cache(tmp_path).get_many("md", ["a"]) == {}


def test_unwritable_directory_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    c = Cache(blocker / "sub")  # cannot create a directory under a file
    c.put("md", "a", 1)
    c.close()
    assert c.get_many("md", ["a"]) == {"a": 1}  # this process still remembers
    assert Cache(blocker / "sub").get_many("md", ["a"]) == {}  # but nothing persisted, nothing broke


_WRITER = """
import sys
from pathlib import Path
from ve_hooks.cache import Cache
c = Cache(Path(sys.argv[1]))
n = int(sys.argv[2])
for i in range(200):
    c.put("md", f"{n}-{i}", [n, i])
c.close()
"""


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(n)]) for n in range(8)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    got = Cache(tmp_path).get_many("md", [f"{n}-{i}" for n in range(8) for i in range(200)])
    assert len(got) == 1600


def test_ephemeral_entries_are_neither_written_nor_kept(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    c.put("md", "kept", 1)
    with c.ephemeral():
        c.put("md", "buffer", 2)
        assert c.get_many("md", ["buffer"]) == {"buffer": 2}  # usable while it lasts
    assert c.get_many("md", ["buffer"]) == {}
    c.close()
    assert Cache(tmp_path).get_many("md", ["kept", "buffer"]) == {"kept": 1}


def test_a_dropped_namespace_is_deleted_at_the_next_flush_and_only_it(tmp_path: Path) -> None:
    c = Cache(tmp_path)
    c.put("run", "a", 1)
    c.put("runs", "b", 2)
    c.put("rung", "c", 3)
    c.close()
    c = Cache(tmp_path)
    c.drop("run")
    c.put("other", "d", 4)
    c.close()
    c = Cache(tmp_path)
    assert c.get_many("run", ["a"]) == {}
    assert c.get_many("runs", ["b"]) == {"b": 2} and c.get_many("rung", ["c"]) == {"c": 3}
    assert c.get_many("other", ["d"]) == {"d": 4}
