"""Local stand-ins for the OpenAI Responses API and the Gemini API, for Codex CLI and Gemini CLI.

Like :mod:`support.mock_anthropic` for Claude Code: an HTTP server on 127.0.0.1 (port chosen by
the OS) whose model turns are scripted, so the real CLIs run with a dummy key, no network and no
login. The step a request gets is the number of model turns already in its conversation, so a
resumed session goes on with the script where it stopped. Steps: ``{"tool": NAME, "input":
{...}}`` (``NAME`` may be a suffix such as ``"AskOperator"`` of an offered tool's name),
``{"calls": [call, ...]}`` or ``{"text": "..."}``; past the end the model says
``"(script ended)"``. Every request body is kept in ``requests``.

* :class:`MockResponses`: ``POST /v1/responses`` streamed as server-sent events, as Codex CLI
  reads them. Codex offers an MCP server's tools as a ``namespace`` tool (``mcp__ve_orch``) holding
  ``function`` tools; a call of one names both (``namespace`` and ``name``).
* :class:`MockGemini`: ``POST /v1beta/models/<model>:streamGenerateContent?alt=sse`` (and the
  non-streaming ``:generateContent``), as Gemini CLI reads them.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = dict[str, Any]


class _Mock:
    """The HTTP server and the script; subclasses speak one API."""

    def __init__(self, script: Sequence[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._send(200, "application/json", b"{}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                status, ctype, chunks = mock.handle(self.path, body)
                if ctype != "text/event-stream":
                    self._send(status, ctype, b"".join(chunks))
                    return
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)
                self.wfile.flush()
                self.close_connection = True

            def _send(self, status: int, ctype: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, str, list[bytes]]:
        raise NotImplementedError

    def record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)

    def step(self, turns: int) -> list[Step]:
        """The calls of step ``turns`` (empty: a text step), or the text step itself."""
        step = self.script[turns] if turns < len(self.script) else {"text": "(script ended)"}
        return step.get("calls") or ([step] if "tool" in step else [step])

    @staticmethod
    def pick(offered: Sequence[str], wanted: str) -> str:
        return next((n for n in offered if n == wanted or n.endswith(("_" + wanted, "." + wanted, "/" + wanted))),
                    wanted)

    def start(self) -> _Mock:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _model_turns(items: Sequence[Any], is_model: Any) -> int:
    """Runs of consecutive model items in a conversation (one per model turn)."""
    turns, inside = 0, False
    for item in items:
        mine = isinstance(item, dict) and is_model(item)
        if mine and not inside:
            turns += 1
        inside = mine
    return turns


class MockResponses(_Mock):
    """The OpenAI Responses API, as ``codex exec`` uses it."""

    @staticmethod
    def is_model_item(item: dict[str, Any]) -> bool:
        return item.get("type") in ("function_call", "reasoning") or (
            item.get("type") == "message" and item.get("role") == "assistant")

    def agent_requests(self) -> list[dict[str, Any]]:
        return [b for b in self.requests if b.get("tools")]

    def offered(self, body: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
        """Offered tools by full name (``mcp__ve_orch__AskOperator``) -> (namespace, function name)."""
        out: dict[str, tuple[str | None, str]] = {}
        for tool in body.get("tools") or []:
            if tool.get("type") == "namespace":
                for inner in tool.get("tools") or []:
                    out[f"{tool.get('name')}__{inner.get('name')}"] = (tool.get("name"), str(inner.get("name")))
            elif tool.get("name"):
                out[tool["name"]] = (None, tool["name"])
        return out

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, str, list[bytes]]:
        if not path.split("?", 1)[0].endswith("/responses"):
            return 200, "application/json", [b"{}"]
        self.record(body)
        items = body.get("input") if isinstance(body.get("input"), list) else []
        offered = self.offered(body)
        output: list[dict[str, Any]] = []
        for call in self.step(_model_turns(items, self.is_model_item)):
            if "tool" not in call:
                output.append({"type": "message", "role": "assistant", "id": f"msg_{uuid.uuid4().hex}",
                               "status": "completed",
                               "content": [{"type": "output_text", "text": str(call.get("text", "")),
                                            "annotations": []}]})
                continue
            full = self.pick(list(offered), call["tool"])
            namespace, inner = offered.get(full, (None, full))
            item = {"type": "function_call", "id": f"fc_{uuid.uuid4().hex}", "call_id": f"call_{uuid.uuid4().hex}",
                    "name": inner, "arguments": json.dumps(call.get("input", {})), "status": "completed"}
            if namespace:
                item["namespace"] = namespace
            output.append(item)
        return 200, "text/event-stream", list(self.events(output))

    @staticmethod
    def events(output: list[dict[str, Any]]) -> Iterator[bytes]:
        rid = f"resp_{uuid.uuid4().hex}"
        events: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": rid}}]
        for i, item in enumerate(output):
            events.append({"type": "response.output_item.added", "output_index": i, "item": item})
            events.append({"type": "response.output_item.done", "output_index": i, "item": item})
        events.append({"type": "response.completed", "response": {
            "id": rid, "usage": {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}}})
        for event in events:
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


class MockGemini(_Mock):
    """The Gemini API, as Gemini CLI uses it (``GOOGLE_GEMINI_BASE_URL``)."""

    def agent_requests(self) -> list[dict[str, Any]]:
        return [b for b in self.requests if b.get("tools")]

    @staticmethod
    def declared(body: dict[str, Any]) -> list[str]:
        return [f.get("name", "") for t in body.get("tools") or [] for f in t.get("functionDeclarations") or []]

    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, str, list[bytes]]:
        route = path.split("?", 1)[0]
        if not route.endswith((":streamGenerateContent", ":generateContent")):
            return 200, "application/json", [b"{}"]
        self.record(body)
        contents = body.get("contents") if isinstance(body.get("contents"), list) else []
        if body.get("tools"):
            parts: list[dict[str, Any]] = []
            for call in self.step(_model_turns(contents, lambda c: c.get("role") == "model")):
                if "tool" in call:
                    parts.append({"functionCall": {"name": self.pick(self.declared(body), call["tool"]),
                                                   "args": call.get("input", {})}})
                else:
                    parts.append({"text": str(call.get("text", ""))})
        else:  # side requests (summaries, checks) get a short JSON-ish text
            parts = [{"text": "{}"}]
        response = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
                    "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 20, "totalTokenCount": 120},
                    "modelVersion": "gemini-2.5-flash"}
        if route.endswith(":streamGenerateContent"):
            return 200, "text/event-stream", [f"data: {json.dumps(response)}\r\n\r\n".encode()]
        return 200, "application/json", [json.dumps(response).encode()]


def texts_sent(body: dict[str, Any]) -> str:
    """Everything a request's conversation holds, as one JSON string (to look for an answer in)."""
    return json.dumps(body.get("input") or body.get("contents") or [])
