"""On-disk cache of parse results, keyed by blob id.

A blob id names content, so an entry never goes stale: unchanged documents are never parsed
twice, whether read from the worktree, the index or any commit. SQLite (stdlib) gives atomic
writes and safe concurrent writers for free; the file lives under the git dir and is safe to
delete. Anything unreadable -- a corrupt or truncated file, a row that does not decode -- is
treated as a miss, never trusted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Bump when the parser or the stored shape changes: old rows are simply never looked up.
VERSION = "6"  # 6: documents record where YAML reads a date (Doc.timestamps)
_BATCH = 900  # below SQLite's default limit of host parameters
_BUSY_SECONDS = 10  # SQLite's own wait for a lock, per attempt
_ATTEMPTS = 5

# json.dumps(value, separators=...) builds an encoder per call; a cold run puts 10,000+ rows.
_encode = json.JSONEncoder(separators=(",", ":")).encode


class Cache:
    """Namespaced key -> JSON value store. All errors degrade to "no cache"."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple[str, str]] = []
        self._dropped: set[str] = set()  # namespaces whose rows the next flush deletes
        # Values put or read in this process: the base snapshot of a run shares most blobs with
        # the checked one, and must not parse them again before the flush.
        self._memo: dict[str, Any] = {}
        self._disabled = directory is None
        # Keys put inside ephemeral(): memoised for the moment, never persisted.
        self._ephemeral: list[str] | None = None

    @classmethod
    def for_git_dir(cls, common_dir: Path | None) -> Cache:
        env = os.environ.get("VE_HOOKS_CACHE_DIR")
        if env == "":
            return cls(None)
        if env:
            return cls(Path(env))
        return cls(common_dir / "ve-hooks" / "cache" if common_dir else None)

    @property
    def path(self) -> Path | None:
        return self.directory / "parse.sqlite3" if self.directory else None

    def _connect(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._db is not None:
            return self._db
        assert self.path is not None
        discarded = False
        for attempt in range(_ATTEMPTS):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS entries (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
                self._db = db
                return db
            except sqlite3.OperationalError:
                # Locked or busy: another process is creating or writing it. Never a reason to
                # delete it; wait a little and try again.
                time.sleep(0.05 * (attempt + 1))
                continue
            except sqlite3.DatabaseError:
                # Corrupt or half-written file: move it out of the way once, then give up quietly.
                if not discarded:
                    discarded = True
                    self._discard()
                    continue
            except OSError:
                pass
            break
        self._disabled = True
        return None

    def _discard(self) -> None:
        assert self.path is not None
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(str(self.path) + suffix)
            except OSError:
                pass

    @staticmethod
    def _key(ns: str, key: str) -> str:
        return f"{VERSION}:{ns}:{key}"

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        found: dict[str, Any] = {}
        full: dict[str, str] = {}
        for k in keys:
            fk = self._key(ns, k)
            if fk in self._memo:
                found[k] = self._memo[fk]
            else:
                full[fk] = k
        db = self._connect() if full else None
        if db is None:
            self.hits += len(found)
            self.misses += len(keys) - len(found)
            return found
        names = list(full)
        try:
            for i in range(0, len(names), _BATCH):
                part = names[i:i + _BATCH]
                q = f"SELECT k, v FROM entries WHERE k IN ({','.join('?' * len(part))})"
                for k, v in db.execute(q, part):
                    try:
                        found[full[k]] = self._memo[k] = json.loads(v)
                    except (ValueError, TypeError):
                        pass  # a damaged row is a miss
        except sqlite3.OperationalError:
            pass  # busy: whatever was not read is a miss
        except sqlite3.DatabaseError:
            self._db = None
            self._discard()
            self._disabled = True
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put(self, ns: str, key: str, value: Any) -> None:
        fk = self._key(ns, key)
        self._memo[fk] = value
        if self._ephemeral is not None:
            self._ephemeral.append(fk)
        elif not self._disabled:
            self._pending.append((fk, _encode(value)))

    def drop(self, ns: str) -> None:
        """Delete every row of ``ns`` at the next flush (a namespace the code no longer reads:
        its rows would otherwise stay on disk for good). A no-op once they are gone."""
        self._dropped.add(ns)

    @contextmanager
    def ephemeral(self) -> Iterator[None]:
        """Entries put inside are forgotten on exit instead of written.

        An editor's unsaved buffer is a one-off content: caching each keystroke's parse would grow
        memory and the database by one entry per keystroke for a whole session.
        """
        outer, self._ephemeral = self._ephemeral, []
        try:
            yield
        finally:
            for fk in self._ephemeral:
                self._memo.pop(fk, None)
            self._ephemeral = outer

    def flush(self) -> None:
        """Write pending entries in one transaction; a busy or broken database just drops them."""
        pending, self._pending = self._pending, []
        dropped, self._dropped = self._dropped, set()
        db = self._connect()
        if db is None or not pending:
            return
        for attempt in range(_ATTEMPTS):
            try:
                db.execute("BEGIN IMMEDIATE")
                for ns in dropped:  # a range of the primary key: two index seeks when empty
                    db.execute("DELETE FROM entries WHERE k >= ? AND k < ?", (self._key(ns, ""), self._key(ns, "\uffff")))
                db.executemany("INSERT OR REPLACE INTO entries (k, v) VALUES (?, ?)", pending)
                db.execute("COMMIT")
                return
            except sqlite3.Error as e:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if not isinstance(e, sqlite3.OperationalError):
                    return  # a broken database: the entries are only a cache
                time.sleep(0.05 * (attempt + 1))  # busy: another writer holds the lock

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None
