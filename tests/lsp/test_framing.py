"""Issue 23 item 7: the language server's framing. A bad Content-Length (``abc``, ``-5``) is
skipped and the next header found; a huge one is refused without allocating it; a request with
invalid params gets a JSON-RPC error; shutdown + exit ends with exit code 0. The framing is
property-tested with hypothesis over arbitrary chunkings and interleaved bad frames."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pygls", reason="the [lsp] extra (pygls) is not installed")

from support.cli import script  # noqa: E402

from ve_hooks.lsp.framing import BadFrame, Framer, frame  # noqa: E402

from .lsp_support import make_repo  # noqa: E402


def _msg(**kw: object) -> bytes:
    return frame({"jsonrpc": "2.0", **kw})


def _bad(value: bytes, body: bytes = b'{"jsonrpc":"2.0","id":99,"method":"shutdown"}') -> bytes:
    return b"Content-Length: " + value + b"\r\n\r\n" + body


def _responses(stdout: bytes) -> dict[object, dict[str, object]]:
    out = {}
    for body in Framer().feed(stdout):
        assert isinstance(body, bytes), body  # the server's own output is always well framed
        msg = json.loads(body)
        if "id" in msg and "method" not in msg:
            out[msg["id"]] = msg
    return out


def test_the_server_recovers_answers_invalid_params_and_exits_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    stream = b"".join([
        _msg(id=1, method="initialize", params={"capabilities": {}, "rootUri": repo.path.as_uri()}),
        _msg(method="initialized", params={}),
        _bad(b"abc"),  # main: deaf from here on
        _msg(id=2, method="textDocument/hover", params={"textDocument": {"uri": "file:///x.md"}}),  # no position
        _bad(b"-5"),
        _bad(b"999999999999", b"{}"),  # main: MemoryError
        _msg(id=3, method="textDocument/hover",
             params={"textDocument": {"uri": (repo.path / "docs/chunks/alpha/GOAL.md").as_uri()},
                     "position": {"line": 0, "character": 0}}),
        _msg(id=4, method="shutdown"),
        _msg(method="exit"),
    ])
    p = subprocess.run([script("ve-hooks"), "lsp"], input=stream, capture_output=True, timeout=120, cwd=repo.path)
    got = _responses(p.stdout)
    assert 1 in got and "result" in got[1], p.stderr.decode()[-2000:]
    assert got[2]["error"]["code"] == -32602, got  # type: ignore[index]
    assert 3 in got and "error" not in got[3], got  # answered after three bad frames
    assert 4 in got and got[4].get("result") is None
    assert 99 not in got  # the bodies of bad frames are never run
    assert p.returncode == 0, (p.returncode, p.stderr.decode()[-2000:])  # main: 2, closed stdout
    assert b"Traceback" not in p.stderr and b"internal error" not in p.stderr


def test_exit_without_shutdown_is_1(tmp_path: Path) -> None:
    stream = _msg(id=1, method="initialize", params={"capabilities": {}}) + _msg(method="exit")
    p = subprocess.run([script("ve-hooks"), "lsp"], input=stream, capture_output=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode()[-2000:]


def test_a_huge_length_is_refused_without_allocating() -> None:
    f = Framer(max_body=1000)
    out = f.feed(_bad(b"999999999999", b"x" * 10) + _msg(id=1, method="m"))
    assert isinstance(out[0], BadFrame) and json.loads(out[-1]) == {"jsonrpc": "2.0", "id": 1, "method": "m"}  # type: ignore[arg-type]
    assert len(f.buf) == 0


# -- properties --------------------------------------------------------------------------

_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                       max_leaves=10)
_messages = st.lists(st.builds(lambda i, v: {"jsonrpc": "2.0", "id": i, "method": "m", "params": v},
                               st.integers(0, 10**6), _values), min_size=1, max_size=8)
_bad_values = st.sampled_from([b"abc", b"-5", b"", b"1e3", b" ", b"99999999999999999999999", b"\xd9\xa3", b"0x10"])
_garbage = st.binary(max_size=60).filter(lambda b: b"content-length" not in b.lower() and b"\r\n\r\n" not in b)


@settings(max_examples=300, deadline=None)
@given(_messages, st.lists(st.tuples(_bad_values, _garbage), max_size=8), st.data())
def test_every_good_message_comes_out_in_order_whatever_the_bad_frames_and_chunking(
        messages: list[dict[str, object]], bad: list[tuple[bytes, bytes]], data: st.DataObject) -> None:
    pieces: list[bytes] = []
    for i, m in enumerate(messages):
        if i < len(bad):
            pieces.append(_bad(bad[i][0], bad[i][1]))
        pieces.append(frame(m))
    stream = b"".join(pieces)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    f = Framer(max_body=10_000)
    got: list[bytes | BadFrame] = []
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got.extend(f.feed(stream[a:b]))
    bodies = [json.loads(x) for x in got if isinstance(x, bytes)]
    assert bodies == messages
    assert sum(isinstance(x, BadFrame) for x in got) >= min(len(bad), len(messages))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20))
def test_arbitrary_bytes_never_raise_and_the_buffer_stays_bounded(chunks: list[bytes]) -> None:
    f = Framer(max_body=100, max_header=50)
    for c in chunks:
        f.feed(c)
        assert len(f.buf) <= 100 + 50 + len(c) + 4
