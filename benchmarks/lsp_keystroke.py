"""A keystroke's diagnostics from the language server: time from ``didChange`` to the
``publishDiagnostics`` it causes, over stdio against ``python -m ve_hooks.lsp``, once the
workspace is loaded. Also times the same edits in-process (the engine's share) and a floor
(PyYAML parsing the edited document's frontmatter: the least any checker must do).

    python benchmarks/lsp_keystroke.py REPO docs/chunks/NAME/GOAL.md [--edits 30]

Prints one JSON object. Used by ``run.py``'s ``lsp_keystroke`` scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def edits(text: str, n: int) -> list[str]:
    """Typing in the body, in ``status``, and in ``created_after`` (which moves the kind's
    created_after graph), in turn: every version is re-checked whole."""
    import re

    out = []
    for i in range(n):
        step = i % 3
        if step == 0:
            out.append(text + "word " * (i + 1))
        elif step == 1:
            keep = max(1, i % 7)  # a status being retyped: "A", "AC", "ACT" ...
            out.append(re.sub(r"(?m)^status: (\w+)", lambda m, keep=keep: "status: " + m.group(1)[:keep], text, count=1))
        else:
            if "created_after: [" in text:
                out.append(text.replace("created_after: [", f"created_after: [typing{i}, ", 1))
            else:  # a block list: one more item, as typed
                out.append(re.sub(r"(?m)^created_after:[ \t]*\n", f"created_after:\n- typing{i}\n", text, count=1))
    return out


async def over_stdio(repo: Path, rel: str, versions: list[str]) -> dict[str, Any]:
    from lsprotocol import types as t
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "1")
    got: asyncio.Queue[Any] = asyncio.Queue()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: t.PublishDiagnosticsParams) -> None:
        got.put_nowait((time.perf_counter(), params))

    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "ve_hooks.lsp")
    await client.initialize_async(t.InitializeParams(
        capabilities=t.ClientCapabilities(), root_uri=repo.as_uri(),
        workspace_folders=[t.WorkspaceFolder(uri=repo.as_uri(), name="bench")]))
    client.initialized(t.InitializedParams())
    uri = (repo / rel).as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=(repo / rel).read_text())))
    await got.get()  # the server answers the open once the workspace is loaded
    loaded = time.perf_counter() - started
    samples = []
    for i, text in enumerate(versions):
        sent = time.perf_counter()
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
            [t.TextDocumentContentChangeWholeDocument(text=text)]))
        while True:
            at, params = await got.get()
            if params.uri == uri:
                break
        samples.append(at - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"load_seconds": loaded, "samples": samples}


def in_process(repo: Path, rel: str, versions: list[str]) -> dict[str, Any]:
    from ve_hooks.lsp.workspace import Workspace

    started = time.perf_counter()
    ws = Workspace(repo)
    ws.load()
    ws.set_buffer(rel, (repo / rel).read_bytes())
    ws.check(rel)
    loaded = time.perf_counter() - started
    samples = []
    for text in versions:
        t0 = time.perf_counter()
        ws.set_buffer(rel, text)
        ws.check(rel)
        samples.append(time.perf_counter() - t0)
    return {"load_seconds": loaded, "samples": samples}


def floor(versions: list[str]) -> list[float]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for text in versions:
        t0 = time.perf_counter()
        end = text.find("\n---", 3)
        yaml.load(text[4:end], Loader=loader)
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("path", help="repository-relative artifact to type into")
    ap.add_argument("--edits", type=int, default=30)
    a = ap.parse_args()
    text = (a.repo / a.path).read_text()
    versions = edits(text, a.edits)
    stdio = asyncio.run(over_stdio(a.repo, a.path, versions))
    local = in_process(a.repo, a.path, versions)
    result = {
        "stdio": {**stdio, "median": statistics.median(stdio["samples"]), "max": max(stdio["samples"])},
        "in_process": {**local, "median": statistics.median(local["samples"]), "max": max(local["samples"])},
        "floor": floor(versions),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
