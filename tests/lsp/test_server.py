"""The language server end to end over stdio (pytest-lsp drives a real server subprocess):
open, change, diagnostics, hover, completion, definition, code actions."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the [lsp] extra (pygls) is not installed")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed")

from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from .lsp_support import goal, make_repo  # noqa: E402

NEW = "docs/chunks/gamma/GOAL.md"


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "repo")
    r.write(NEW, goal("FUTURE", ["beta"]))
    return r.path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "ve_hooks.lsp"]))
async def client(lsp_client: LanguageClient, repo_dir: Path):
    await lsp_client.initialize_session(t.InitializeParams(
        capabilities=client_capabilities("neovim"), root_uri=repo_dir.as_uri(),
        workspace_folders=[t.WorkspaceFolder(uri=repo_dir.as_uri(), name="repo")]))
    yield
    await lsp_client.shutdown_session()


def uri(repo: Path, rel: str = NEW) -> str:
    return (repo / rel).as_uri()


async def open_doc(client: LanguageClient, repo: Path, text: str, rel: str = NEW) -> list[t.Diagnostic]:
    client.diagnostics.pop(uri(repo, rel), None)
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri=uri(repo, rel), language_id="markdown", version=1, text=text)))
    return await diagnostics_for(client, uri(repo, rel))


async def diagnostics_for(client: LanguageClient, u: str) -> list[t.Diagnostic]:
    """The next diagnostics published for ``u`` (callers forget the previous ones first).
    pytest-lsp's client stores every publication, so none is missed between two waits."""
    async def poll() -> list[t.Diagnostic]:
        while u not in client.diagnostics:
            await asyncio.sleep(0.02)
        return list(client.diagnostics[u])

    return await asyncio.wait_for(poll(), 30)  # a missing publication fails instead of hanging


async def change(client: LanguageClient, u: str, text: str, version: int) -> list[t.Diagnostic]:
    client.diagnostics.pop(u, None)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=u, version=version),
        [t.TextDocumentContentChangeWholeDocument(text=text)]))
    return await diagnostics_for(client, u)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.mark.asyncio
async def test_diagnostics_follow_the_unsaved_buffer(client: LanguageClient, repo_dir: Path) -> None:
    text = goal("FUTURE", ["beta"])
    assert await open_doc(client, repo_dir, text) == []
    bad = text.replace("status: FUTURE", "status: FUTRE")
    found = await change(client, uri(repo_dir), bad, 2)
    assert [d.code for d in found] == ["VE201"]
    d = found[0]
    assert d.range.start.line == line_of(bad, "status:")
    assert d.code_description is not None and d.code_description.href.endswith("VE201.md")
    assert "did you mean 'FUTURE'" in d.message
    # The file on disk was never touched: ve-validate still reads FUTURE there.
    assert "status: FUTURE" in (repo_dir / NEW).read_text()
    assert await change(client, uri(repo_dir), text, 3) == []


@pytest.mark.asyncio
async def test_whole_repository_findings_refresh_when_another_artifact_changes(
        client: LanguageClient, repo_dir: Path) -> None:
    gamma = goal("FUTURE", ["beta"], depends_on=["delta"])
    found = await open_doc(client, repo_dir, gamma)
    assert [d.code for d in found] == ["VE401"]  # delta does not exist yet
    client.diagnostics.pop(uri(repo_dir), None)
    # Opening delta (unsaved, not on disk) republishes gamma without the missing reference.
    assert await open_doc(client, repo_dir, goal("FUTURE", ["beta"]), "docs/chunks/delta/GOAL.md") == []
    assert await diagnostics_for(client, uri(repo_dir)) == []


@pytest.mark.asyncio
async def test_hover_on_a_key_and_on_an_artifact_name(client: LanguageClient, repo_dir: Path) -> None:
    text = goal("FUTURE", ["beta"])
    await open_doc(client, repo_dir, text)
    row = line_of(text, "status:")
    h = await client.text_document_hover_async(t.HoverParams(
        t.TextDocumentIdentifier(uri(repo_dir)), t.Position(row, 2)))
    assert h is not None and "Lifecycle status" in h.contents.value
    row = line_of(text, "created_after: [beta]")
    h = await client.text_document_hover_async(t.HoverParams(
        t.TextDocumentIdentifier(uri(repo_dir)), t.Position(row, len("created_after: [b"))))
    assert h is not None and "ACTIVE" in h.contents.value and "Beta: the second chunk" in h.contents.value


@pytest.mark.asyncio
async def test_completion_of_status_names_and_symbols(client: LanguageClient, repo_dir: Path) -> None:
    text = goal("FUTURE", ["beta"]).replace("status: FUTURE", "status: ")
    await open_doc(client, repo_dir, text)
    u = t.TextDocumentIdentifier(uri(repo_dir))
    got = await client.text_document_completion_async(t.CompletionParams(u, t.Position(line_of(text, "status:"), 8)))
    assert {"FUTURE", "IMPLEMENTING", "ACTIVE"} <= {i.label for i in got.items}

    text2 = text.replace("created_after: [beta]", "created_after:\n- ")
    await change(client, u.uri, text2, 2)
    got = await client.text_document_completion_async(
        t.CompletionParams(u, t.Position(line_of(text2, "created_after:") + 1, 2)))
    labels = sorted(got.items, key=lambda i: i.sort_text or i.label)
    assert [i.label for i in labels][:1] == ["beta"]  # the tip first
    assert "alpha" in [i.label for i in labels] and "gamma" not in [i.label for i in labels]

    text3 = text2.replace("code_references: []", "code_references:\n- ref: src/app.py#")
    await change(client, u.uri, text3, 3)
    row = line_of(text3, "ref: src/app.py#")
    got = await client.text_document_completion_async(t.CompletionParams(u, t.Position(row, len("- ref: src/app.py#"))))
    assert {"src/app.py#Engine", "src/app.py#Engine::run", "src/app.py#main"} <= {i.label for i in got.items}


@pytest.mark.asyncio
async def test_definition_of_an_artifact_and_a_symbol(client: LanguageClient, repo_dir: Path) -> None:
    text = goal("FUTURE", ["beta"]).replace("code_references: []",
                                             "code_references:\n- ref: src/app.py#Engine::run\n  implements: x")
    await open_doc(client, repo_dir, text)
    u = t.TextDocumentIdentifier(uri(repo_dir))
    loc = await client.text_document_definition_async(
        t.DefinitionParams(u, t.Position(line_of(text, "created_after: [beta]"), len("created_after: [be"))))
    assert loc.uri == uri(repo_dir, "docs/chunks/beta/GOAL.md")
    loc = await client.text_document_definition_async(
        t.DefinitionParams(u, t.Position(line_of(text, "ref: src/app.py"), 12)))
    assert loc.uri == uri(repo_dir, "src/app.py") and loc.range.start.line == 1


@pytest.mark.asyncio
async def test_code_action_fixes_a_near_miss_status(client: LanguageClient, repo_dir: Path) -> None:
    text = goal("FUTURE", ["beta"]).replace("status: FUTURE", "status: future")
    found = await open_doc(client, repo_dir, text)
    assert [d.code for d in found] == ["VE201"]
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri(repo_dir)), found[0].range, t.CodeActionContext(diagnostics=found)))
    quick = [a for a in actions if a.kind == t.CodeActionKind.QuickFix]
    assert quick and "FUTURE" in quick[0].title
    (edit,) = quick[0].edit.changes[uri(repo_dir)]
    assert edit.new_text == "FUTURE" and edit.range.start.line == found[0].range.start.line
    fix_all = [a for a in actions if a.kind == "source.fixAll.ve-hooks"]
    assert fix_all and fix_all[0].edit.changes[uri(repo_dir)][0].new_text == "FUTURE"
