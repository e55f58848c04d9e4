"""A client for vibe-engineer's orchestrator daemon, spoken over its Unix socket.

vibe-engineer's ``ve orch start`` serves a Starlette app on ``<project>/.ve/orchestrator.sock``.
We use three of its endpoints, with the JSON it returns:

* ``GET /attention`` -> ``{"attention_items": [unit + blocks_count, time_waiting, goal_summary], "count"}``
* ``GET /work-units/{chunk}`` -> one unit (``chunk``, ``phase``, ``status``, ``attention_reason``...)
* ``POST /work-units/{chunk}/answer`` with ``{"answer": text}`` -> the updated unit; errors are
  ``{"error": message}`` with a 4xx status.

Only the standard library is used (``http.client`` over ``AF_UNIX``): vibe-engineer's own client
needs httpx, which ve-hooks does not depend on. A missing socket, or one nobody listens on, means
"the daemon is not running" and is not an error for readers: the notes alone are then the queue.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

SOCKET = Path(".ve") / "orchestrator.sock"
TIMEOUT_SECONDS = 10.0
NEEDS_ATTENTION = "NEEDS_ATTENTION"


class DaemonError(Exception):
    """The daemon answered with an error, or spoke something we cannot read."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def project_dirs(start: str | Path, common_dir: str | Path | None = None) -> list[Path]:
    """Where a daemon of this repository would live, without starting a process.

    Like vibe-engineer: up from ``start`` to the top of its worktree (the first directory holding
    ``.git``); then the main worktree (the parent of the common ``.git`` directory), because the
    daemon runs in the main checkout while its agents and operators may stand in a worktree under
    ``.ve/chunks/<chunk>/worktree``.
    """
    out: list[Path] = []
    here = Path(start).resolve()
    for d in (here, *here.parents):
        out.append(d)
        if (d / ".git").exists():
            break
    else:
        out = [here]
    if common_dir is not None and Path(common_dir).name == ".git":
        main = Path(common_dir).resolve().parent
        if main not in out:
            out.append(main)
    return out


@dataclass
class Daemon:
    """One daemon's socket; ``running`` says whether something accepts connections on it."""

    socket_path: Path
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def find(cls, start: str | Path, project_dir: str | Path | None = None,
             common_dir: str | Path | None = None) -> Daemon | None:
        """The running daemon for the repository at ``start`` (or ``project_dir``), else None."""
        candidates = [Path(project_dir)] if project_dir is not None else project_dirs(start, common_dir)
        for d in candidates:
            daemon = cls(d / SOCKET)
            if daemon.running():
                return daemon
        return None

    def running(self) -> bool:
        if not self.socket_path.exists():
            return False
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(1.0)
        try:
            sock.connect(str(self.socket_path))
            return True
        except OSError:
            return False
        finally:
            sock.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        conn = _UnixConnection(self.socket_path, self.timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except OSError as e:
            raise DaemonError(f"vibe-engineer's daemon at {self.socket_path} did not answer: {e}") from None
        finally:
            conn.close()
        try:
            data = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DaemonError(f"vibe-engineer's daemon sent a non-JSON reply to {method} {path} "
                              f"(HTTP {resp.status})") from None
        return resp.status, data

    def _ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, data = self.request(method, path, body)
        if status >= 400:
            msg = data.get("error") if isinstance(data, dict) else None
            raise DaemonError(f"vibe-engineer's daemon: {msg or f'HTTP {status}'}")
        return data

    def attention(self) -> list[dict[str, Any]]:
        """The daemon's NEEDS_ATTENTION units, in its own priority order."""
        data = self._ok("GET", "/attention")
        items = data.get("attention_items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise DaemonError("vibe-engineer's daemon: /attention has no attention_items list")
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("chunk"), str)]

    def work_unit(self, chunk: str) -> dict[str, Any] | None:
        status, data = self.request("GET", f"/work-units/{quote(chunk, safe='')}")
        if status == 404:
            return None
        if status >= 400 or not isinstance(data, dict):
            msg = data.get("error") if isinstance(data, dict) else None
            raise DaemonError(f"vibe-engineer's daemon: {msg or f'HTTP {status}'}")
        return data

    def answer(self, chunk: str, text: str) -> dict[str, Any]:
        """Hand the answer to the daemon, exactly as ``ve orch answer CHUNK TEXT`` of vibe-engineer."""
        data = self._ok("POST", f"/work-units/{quote(chunk, safe='')}/answer", {"answer": text})
        return data if isinstance(data, dict) else {}
