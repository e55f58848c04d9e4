"""A local stand-in for the Anthropic Messages API that the real ``claude`` CLI can talk to.

Serves ``POST /v1/messages`` on 127.0.0.1 (streaming SSE exactly as the API does, or one JSON
message), so ``ANTHROPIC_BASE_URL=http://127.0.0.1:PORT`` with a dummy ``ANTHROPIC_API_KEY`` runs
Claude Code with no network and no login. The model's turns are scripted: a request that offers
the agent's tools (the main loop) gets the script's step number *k*, where *k* is the number of
assistant turns already in the conversation, so retries and resumed sessions replay the same
script deterministically. Side requests (titles, quota probes, anything without tools) get a short
text. Every request is recorded (``requests``, and as JSON lines in ``log_path`` when given) so a
test can see exactly what the model was sent, e.g. the operator's answer in a tool result.

Steps: ``{"tool": NAME, "input": {...}}`` (a tool call; ``NAME`` may be a suffix such as
``"AskOperator"`` of the offered tool's full name), ``{"calls": [call, ...]}`` (several tool
calls in one turn) or ``{"text": "..."}`` (a final answer).
Past the end of the script the model says ``"(script ended)"``. A script may also be a mapping
of marker -> steps: a conversation whose first user message contains the marker follows those
steps (the key ``""`` is the fallback), so one mock can serve several sessions.

Run as a script (``python mock_anthropic.py SCRIPT.json``) it prints ``http://127.0.0.1:PORT`` and
serves until killed.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Step = dict[str, Any]


def _assistant_turns(messages: Sequence[dict[str, Any]]) -> int:
    return sum(1 for m in messages if m.get("role") == "assistant")


def tool_results(body: dict[str, Any]) -> list[str]:
    """The text of every tool_result block in a request's conversation."""
    out: list[str] = []
    for m in body.get("messages", []):
        content = m.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                inner = block.get("content")
                if isinstance(inner, str):
                    out.append(inner)
                elif isinstance(inner, list):
                    out.append("".join(b.get("text", "") for b in inner if isinstance(b, dict)))
    return out


class MockAnthropic:
    """The scripted model behind an HTTP server on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self, script: Sequence[Step] | dict[str, Sequence[Step]], log_path: Path | None = None) -> None:
        self.scripts = {k: list(v) for k, v in script.items()} if isinstance(script, dict) else {"": list(script)}
        self.log_path = log_path
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                self._json(200, {})

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                path = self.path.split("?", 1)[0]
                if path.endswith("/count_tokens"):
                    self._json(200, {"input_tokens": 100})
                    return
                if not path.endswith("/v1/messages"):
                    self._json(200, {})
                    return
                content, stop = mock.respond(body)
                if body.get("stream"):
                    self._sse(body, content, stop)
                else:
                    self._json(200, mock.message(body, content, stop))

            def _json(self, status: int, obj: Any) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, body: dict[str, Any], content: list[dict[str, Any]], stop: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for event in mock.events(body, content, stop):
                    self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # -- the model ---------------------------------------------------------------------------

    @staticmethod
    def is_agent_turn(body: dict[str, Any]) -> bool:
        return bool(body.get("tools")) and body.get("max_tokens", 0) > 1

    def agent_requests(self) -> list[dict[str, Any]]:
        return [b for b in self.requests if self.is_agent_turn(b)]

    def script_for(self, body: dict[str, Any]) -> list[Step]:
        messages = body.get("messages") or [{}]
        first = json.dumps(messages[0].get("content", ""))
        for marker, steps in self.scripts.items():
            if marker and marker in first:
                return steps
        return self.scripts.get("", [])

    def respond(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        with self._lock:
            self.requests.append(body)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(body) + "\n")
        if not self.is_agent_turn(body):
            return [{"type": "text", "text": "ok"}], "end_turn"
        k = _assistant_turns(body.get("messages", []))
        script = self.script_for(body)
        step = script[k] if k < len(script) else {"text": "(script ended)"}
        calls = step.get("calls") or ([step] if "tool" in step else [])
        if calls:
            offered = [t.get("name", "") for t in body.get("tools", []) if isinstance(t, dict)]
            blocks = []
            for call in calls:
                name = next((n for n in offered if n == call["tool"] or n.endswith("__" + call["tool"])),
                            call["tool"])
                blocks.append({"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:24]}", "name": name,
                               "input": call.get("input", {})})
            return blocks, "tool_use"
        return [{"type": "text", "text": str(step.get("text", ""))}], "end_turn"

    @staticmethod
    def message(body: dict[str, Any], content: list[dict[str, Any]], stop: str) -> dict[str, Any]:
        return {"id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant",
                "model": body.get("model", "mock"), "content": content, "stop_reason": stop,
                "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 20}}

    def events(self, body: dict[str, Any], content: list[dict[str, Any]], stop: str) -> Iterator[dict[str, Any]]:
        """The SSE events of one streamed message, shaped as the Messages API sends them."""
        start = self.message(body, [], None)  # type: ignore[arg-type]
        start["usage"] = {"input_tokens": 100, "output_tokens": 1}
        yield {"type": "message_start", "message": start}
        for i, block in enumerate(content):
            if block["type"] == "text":
                yield {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}}
                yield {"type": "content_block_delta", "index": i,
                       "delta": {"type": "text_delta", "text": block["text"]}}
            else:
                yield {"type": "content_block_start", "index": i,
                       "content_block": {**block, "input": {}}}
                yield {"type": "content_block_delta", "index": i,
                       "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}}
            yield {"type": "content_block_stop", "index": i}
        yield {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
               "usage": {"output_tokens": 20}}
        yield {"type": "message_stop"}

    # -- lifetime ----------------------------------------------------------------------------

    def start(self) -> MockAnthropic:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> MockAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Sequence[str]) -> int:
    script = json.loads(Path(argv[0]).read_text()) if argv else []
    mock = MockAnthropic(script)
    print(mock.url, flush=True)
    mock.server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
