"""LSP base protocol framing (``Content-Length: N\\r\\n\\r\\n`` + N bytes), robust to bad frames.

pygls's own reader matches the header line by line and, after one frame whose length it cannot
read (``abc``, ``-5``), reads the unframed body into the next header line and never finds a
header again: the server keeps running and never answers. It also allocates whatever length a
header claims (``999999999999``: MemoryError). :class:`Framer` is a pure, incremental parser
that reports a bad frame and finds its way back to the next ``Content-Length`` header, with
bounded header and body sizes; :func:`serve` runs a pygls server on it, answers a request whose
params do not fit the method with a JSON-RPC error, and returns the exit code the client
asked for (0 after shutdown + exit).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # a whole document of 10,000 lines is ~1 MB; more is not an editor
MAX_HEADER = 8 * 1024
_START = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$")
_END = b"\r\n\r\n"
_KEEP = len(b"content-length:") - 1  # a header split between two reads

# JSON-RPC error codes
PARSE_ERROR = -32700
INVALID_PARAMS = -32602


@dataclass(frozen=True)
class BadFrame:
    """A frame that was skipped, and why (for the log)."""

    reason: str


class Framer:
    """Feed bytes, get message bodies (bytes) and :class:`BadFrame` reports, in stream order.

    The buffer never holds more than one header plus one body within the limits plus the
    bytes of one read.
    """

    def __init__(self, max_body: int = MAX_BODY, max_header: int = MAX_HEADER) -> None:
        self.max_body = max_body
        self.max_header = max_header
        self.buf = bytearray()
        self.skipping = False  # after a bad header: what follows is its body, not news

    def feed(self, data: bytes) -> list[bytes | BadFrame]:
        self.buf += data
        out: list[bytes | BadFrame] = []
        while True:
            m = _START.search(self.buf)
            if m is None:  # no header in sight: keep only what could start one
                if self.buf.strip() and not self.skipping:
                    out.append(BadFrame(f"{len(self.buf)} bytes outside any frame"))
                    self.skipping = True
                del self.buf[:max(0, len(self.buf) - _KEEP)]
                return out
            if m.start() > 0:
                if self.buf[:m.start()].strip() and not self.skipping:
                    out.append(BadFrame(f"{m.start()} bytes outside any frame"))
                del self.buf[:m.start()]
            end = self.buf.find(_END)
            if end < 0:
                if len(self.buf) > self.max_header:
                    out.append(BadFrame(f"no end of header within {self.max_header} bytes"))
                    del self.buf[:1]  # look for the next header
                    continue
                return out
            header = bytes(self.buf[:end])
            got = _LENGTH.search(header)
            value = got.group(1) if got else b""
            if not (value.isdigit() and len(value) <= 20):  # ASCII digits only: not "-5", "abc", "٣"
                out.append(BadFrame(f"invalid Content-Length {value[:40]!r}; skipped to the next header"))
                del self.buf[:end + len(_END)]
                self.skipping = True
                continue
            n = int(value)
            if n > self.max_body:
                out.append(BadFrame(f"Content-Length {n} exceeds {self.max_body} bytes; skipped to the next header"))
                del self.buf[:end + len(_END)]
                self.skipping = True
                continue
            start = end + len(_END)
            if len(self.buf) < start + n:
                return out
            out.append(bytes(self.buf[start:start + n]))
            del self.buf[:start + n]
            self.skipping = False


def frame(message: dict[str, Any]) -> bytes:
    """One message in base-protocol framing (the length counts bytes, not characters)."""
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def error_response(msg_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}


def dispatch(server: Any, body: bytes) -> None:
    """Hand one body to pygls; answer a request it cannot even decode with a JSON-RPC error."""
    protocol = server.protocol
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except Exception as e:  # noqa: BLE001 - whatever the decoder raises, the client gets an answer
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError):
            log.warning("skipped a frame that is not JSON")
            _write(protocol, error_response(None, PARSE_ERROR, "the message is not JSON"))
            return
        if isinstance(raw, dict) and "id" in raw and "method" in raw:
            log.warning("answered %s with invalid params: %s", str(raw["method"])[:100], type(e).__name__)
            _write(protocol, error_response(raw["id"], INVALID_PARAMS,
                                            f"invalid params for {str(raw['method'])[:100]}: {type(e).__name__}"))
        else:
            log.warning("skipped a message that does not decode: %s", type(e).__name__)
        return
    protocol.handle_message(message)


def _write(protocol: Any, message: dict[str, Any]) -> None:
    writer = protocol.writer
    if writer is not None:
        writer.write(frame(message))


async def _loop(server: Any, stdin: BinaryIO, stop: threading.Event) -> int:
    framer = Framer()
    loop = asyncio.get_running_loop()
    read = getattr(stdin, "read1", None) or stdin.read
    while not stop.is_set():
        data = await loop.run_in_executor(server.thread_pool, read, 65536)
        if not data:
            return 1  # the client went away without shutdown + exit
        for item in framer.feed(data):
            if isinstance(item, BadFrame):
                log.warning("bad frame: %s", item.reason)
                continue
            try:
                dispatch(server, item)
            except SystemExit as e:  # pygls's exit handler: 0 after shutdown, else 1
                return e.code if isinstance(e.code, int) else 1
            except Exception:  # noqa: BLE001 - one message must not stop the server
                log.exception("unable to handle a message")
    return 0


def _not_pygls_decode_traceback(record: logging.LogRecord) -> bool:
    """pygls logs a whole traceback for a message it cannot decode; :func:`dispatch` answers it
    and logs one line instead (a traceback in the editor's log reads as a crash)."""
    return not str(record.msg).startswith("Unable to deserialize message")


def serve(server: Any, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Run ``server`` (a pygls LanguageServer) over stdio until exit; the process's exit code."""
    from pygls.io_ import StdoutWriter

    logging.getLogger("pygls.protocol.json_rpc").addFilter(_not_pygls_decode_traceback)

    stdin = stdin or sys.stdin.buffer
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    stop = threading.Event()
    try:
        return asyncio.run(_loop(server, stdin, stop))
    except BrokenPipeError:
        log.error("the client closed the connection")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        stop.set()
        server.shutdown()
