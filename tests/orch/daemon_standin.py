"""A stand-in for vibe-engineer's orchestrator daemon: its socket, endpoints and JSON, in a thread.

Same place (``<project>/.ve/orchestrator.sock``), same endpoints (``GET /attention``,
``GET /work-units``, ``GET /work-units/{chunk}``, ``POST /work-units/{chunk}/answer``) and the same
shapes as vibe-engineer 0.10's Starlette app (``orchestrator/api/attention.py``,
``WorkUnit.model_dump_json_serializable``), including its error bodies and status codes.
"""

from __future__ import annotations

import json
import socketserver
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def work_unit(chunk: str, status: str = "NEEDS_ATTENTION", phase: str = "PLAN",
              attention_reason: str | None = None) -> dict[str, Any]:
    now = datetime.now(timezone.utc).isoformat()
    return {"chunk": chunk, "phase": phase, "status": status, "blocked_by": [], "worktree": None, "priority": 0,
            "session_id": None, "completion_retries": 0, "attention_reason": attention_reason,
            "displaced_chunk": None, "pending_answer": None, "conflict_verdicts": {}, "conflict_override": None,
            "explicit_deps": False, "review_iterations": 0, "review_nudge_count": 0, "retain_worktree": False,
            "api_retry_count": 0, "next_retry_at": None, "merge_conflict_retries": 0, "implement_iterations": 0,
            "reentry_context": None, "baseline_implementing": [], "created_at": now, "updated_at": now}


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    units: dict[str, dict[str, Any]]
    requests_seen: list[tuple[str, str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def address_string(self) -> str:
        return "unix"

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _parts(self) -> list[str]:
        return [unquote(p) for p in urlsplit(self.path).path.strip("/").split("/")]

    def do_GET(self) -> None:
        parts = self._parts()
        self.server.requests_seen.append(("GET", self.path, None))
        units = self.server.units
        if parts == ["attention"]:
            now = datetime.now(timezone.utc)
            items = []
            for u in units.values():
                if u["status"] == "NEEDS_ATTENTION":
                    waited = (now - datetime.fromisoformat(u["updated_at"])).total_seconds()
                    items.append({**u, "blocks_count": 0, "time_waiting": waited, "goal_summary": None})
            self._send(200, {"attention_items": items, "count": len(items)})
        elif parts == ["work-units"]:
            self._send(200, {"work_units": list(units.values()), "count": len(units)})
        elif len(parts) == 2 and parts[0] == "work-units":
            u = units.get(parts[1])
            if u is None:
                self._send(404, {"error": f"Work unit '{parts[1]}' not found"})
            else:
                self._send(200, u)
        elif parts == ["status"]:
            self._send(200, {"running": True, "pid": 0, "work_unit_counts": {}})
        else:
            self._send(404, {"error": "Not found"})

    def do_POST(self) -> None:
        parts = self._parts()
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        self.server.requests_seen.append(("POST", self.path, raw))
        if len(parts) == 3 and parts[0] == "work-units" and parts[2] == "answer":
            u = self.server.units.get(parts[1])
            if u is None:
                self._send(404, {"error": f"Work unit '{parts[1]}' not found"})
                return
            if u["status"] != "NEEDS_ATTENTION":
                self._send(400, {"error": f"Work unit '{parts[1]}' is not in NEEDS_ATTENTION state "
                                          f"(current: {u['status']})"})
                return
            try:
                answer = json.loads(raw).get("answer")
            except json.JSONDecodeError:
                self._send(400, {"error": "Invalid JSON body"})
                return
            if not answer:
                self._send(400, {"error": "Missing required field: answer"})
                return
            if not isinstance(answer, str):
                self._send(400, {"error": "answer must be a string"})
                return
            u.update(pending_answer=answer, attention_reason=None, status="READY",
                     updated_at=datetime.now(timezone.utc).isoformat())
            self._send(200, u)
        else:
            self._send(404, {"error": "Not found"})


class StandInDaemon:
    """``with StandInDaemon(project) as d: d.units[...] = work_unit(...)``."""

    def __init__(self, project: Path) -> None:
        self.socket_path = project / ".ve" / "orchestrator.sock"
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.server = _Server(str(self.socket_path), _Handler)
        self.server.units = {}
        self.server.requests_seen = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def units(self) -> dict[str, dict[str, Any]]:
        return self.server.units

    @property
    def requests_seen(self) -> list[tuple[str, str, Any]]:
        return self.server.requests_seen

    def __enter__(self) -> StandInDaemon:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.socket_path.unlink(missing_ok=True)
