"""``ve-hooks lsp``: the language server, over stdio, on pygls.

Protocol only: buffers go into the :class:`~ve_hooks.lsp.workspace.Workspace`, findings come
back from the engine and are converted to LSP types here (1-based code-point columns to
0-based UTF-16 ones), with a link to each rule's page. Fixes become code actions; a
``source.fixAll.ve-hooks`` action applies every safe one, as ``ve-validate --fix`` would.
"""

from __future__ import annotations

import gc
import logging
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import fixes as fx
from ve_hooks.lsp import cursor, features
from ve_hooks.lsp.workspace import Workspace
from ve_hooks.rules import registry

log = logging.getLogger(__name__)

SOURCE = "ve-hooks"
FIX_ALL = "source.fixAll.ve-hooks"
_SEVERITY = {Severity.ERROR: t.DiagnosticSeverity.Error, Severity.WARNING: t.DiagnosticSeverity.Warning,
             Severity.INFO: t.DiagnosticSeverity.Information}
_ITEM_KIND = {"key": t.CompletionItemKind.Property, "value": t.CompletionItemKind.EnumMember,
              "reference": t.CompletionItemKind.Reference, "file": t.CompletionItemKind.File,
              "symbol": t.CompletionItemKind.Function}


def path_of(uri: str) -> str | None:
    u = urlparse(uri)
    return unquote(u.path) if u.scheme == "file" else None


def uri_of(path: str) -> str:
    from pathlib import Path

    return Path(path).as_uri()


def utf16(line: str, col: int) -> int:
    """Code-point column -> UTF-16 code units (LSP's default position encoding)."""
    head = line[:col]
    return col + sum(1 for ch in head if ord(ch) > 0xFFFF)


def from_utf16(line: str, units: int) -> int:
    n = 0
    for i, ch in enumerate(line):
        if n >= units:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def _range(lines: list[str], d: Diagnostic) -> t.Range:
    row = max(d.line - 1, 0)
    line = lines[row] if row < len(lines) else ""
    col = min(max(d.column - 1, 0), len(line))
    end = col
    while end < len(line) and line[end] not in " \t,[]{}\"':#":
        end += 1
    if end == col:
        end = len(line.rstrip()) if len(line.rstrip()) > col else col
    return t.Range(t.Position(row, utf16(line, col)), t.Position(row, utf16(line, end)))


def to_lsp(d: Diagnostic, lines: list[str]) -> t.Diagnostic:
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return t.Diagnostic(
        range=_range(lines, d), message=message,
        severity=t.DiagnosticSeverity.Hint if d.data.get("suppressed")
        else _SEVERITY.get(d.severity, t.DiagnosticSeverity.Error),
        code=d.rule, code_description=t.CodeDescription(href=registry.help_uri(d.rule)), source=SOURCE,
    )


def build() -> LanguageServer:
    server = LanguageServer("ve-hooks", "0.1.0")
    state: dict[str, Any] = {"ws": None, "open": {}}

    def ws() -> Workspace | None:
        return state["ws"]

    def rel_of(uri: str) -> str | None:
        w = ws()
        p = path_of(uri)
        return w.relpath(p) if w is not None and p is not None else None

    def publish(uri: str) -> None:
        w = ws()
        rel = state["open"].get(uri)
        if w is None or rel is None:
            return
        text = w.text(rel) or ""
        lines = cursor.lines_of(text)
        try:
            found = w.check(rel)
        except Exception as e:  # a bug must not take the editor's server down
            log.exception("check failed")
            server.window_log_message(t.LogMessageParams(t.MessageType.Error, f"ve-hooks: {type(e).__name__}: {e}"))
            return
        server.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
            uri=uri, diagnostics=[to_lsp(d, lines) for d in found]))

    def refresh(changed_uri: str | None) -> None:
        """The edited document first, then every other open one (references, tips, backlinks)."""
        if changed_uri is not None:
            publish(changed_uri)
        for uri in list(state["open"]):
            if uri != changed_uri:
                publish(uri)

    @server.feature(t.INITIALIZED)
    def initialized(ls: LanguageServer, params: t.InitializedParams) -> None:
        root = None
        folders = ls.workspace.folders
        if folders:
            root = path_of(next(iter(folders.values())).uri)
        elif ls.workspace.root_path:
            root = ls.workspace.root_path
        if root is None:
            return
        try:
            state["ws"] = Workspace(root)
            state["ws"].load()
            # The loaded repository is long-lived: keep the collector from rescanning it on
            # keystrokes (full collections of ~10^6 objects showed up as 50-90 ms pauses).
            gc.freeze()
        except Exception as e:
            state["ws"] = None
            ls.window_show_message(t.ShowMessageParams(t.MessageType.Error, f"ve-hooks: cannot open {root}: {e}"))
            return
        # Saves, checkouts and files created outside the editor change what the rest of the
        # repository says: ask to be told, where the client can watch files for us.
        watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watch and watch.dynamic_registration:
            ls.client_register_capability(t.RegistrationParams([t.Registration(
                id="ve-hooks-watch", method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=t.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    t.FileSystemWatcher(glob_pattern="**/*.md"), t.FileSystemWatcher(glob_pattern="**/*.yaml"),
                    t.FileSystemWatcher(glob_pattern="**/.ve-local-skills.json"),
                    t.FileSystemWatcher(glob_pattern="**/.git/HEAD")]))]))

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: t.DidOpenTextDocumentParams) -> None:
        rel = rel_of(params.text_document.uri)
        w = ws()
        if rel is None or w is None or not w.watches(rel):
            return
        state["open"][params.text_document.uri] = rel
        w.set_buffer(rel, params.text_document.text)
        refresh(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: t.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        rel = state["open"].get(uri)
        w = ws()
        if rel is None or w is None:
            return
        doc = ls.workspace.get_text_document(uri)  # pygls applied the (incremental) changes
        w.set_buffer(rel, doc.source)
        refresh(uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: t.DidSaveTextDocumentParams) -> None:
        w = ws()
        if w is not None:
            w.disk_changed([])  # HEAD may have moved (a commit from the editor)
            refresh(None)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: t.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        rel = state["open"].pop(uri, None)
        w = ws()
        if rel is not None and w is not None:
            w.close_buffer(rel)
            ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            refresh(None)

    @server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: LanguageServer, params: t.DidChangeWatchedFilesParams) -> None:
        w = ws()
        if w is None:
            return
        rels = [r for ch in params.changes if (r := rel_of(ch.uri)) is not None]
        w.disk_changed(rels)
        refresh(None)

    def context(uri: str) -> tuple[Workspace, Any, str, list[str]] | None:
        w = ws()
        rel = rel_of(uri)
        if w is None or rel is None:
            return None
        a = w.classify(rel)
        if a is None:
            return None
        text = w.text(rel) or ""
        return w, a, text, cursor.lines_of(text)

    def place(params: t.TextDocumentPositionParams) -> tuple[Workspace, Any, str, int, str, int] | None:
        """(workspace, artifact, text, row, that line, code-point column) of a cursor."""
        got = context(params.text_document.uri)
        if got is None:
            return None
        w, a, text, lines = got
        row = params.position.line
        line = lines[row] if row < len(lines) else ""
        return w, a, text, row, line, from_utf16(line, params.position.character)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def hover(ls: LanguageServer, params: t.HoverParams) -> t.Hover | None:
        got = place(params)
        answer = features.hover(*got[:4], got[5]) if got is not None else None
        if got is None or answer is None:
            return None
        md, c = answer
        line = got[4]
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=md),
                       range=t.Range(t.Position(c.line, utf16(line, c.start)), t.Position(c.line, utf16(line, c.end))))

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", "#", "/", "-", '"']))
    def completion(ls: LanguageServer, params: t.CompletionParams) -> t.CompletionList | None:
        got = place(params)
        answer = features.completions(*got[:4], got[5]) if got is not None else None
        if got is None or answer is None:
            return None
        row, line = got[3], got[4]
        items, c = answer
        rng = t.Range(t.Position(row, utf16(line, c.start)), t.Position(row, utf16(line, c.end)))
        out = []
        for it in items:
            new_text = it.insert if it.insert is not None else it.label
            out.append(t.CompletionItem(
                label=it.label, kind=_ITEM_KIND.get(it.kind), detail=it.detail or None,
                documentation=t.MarkupContent(kind=t.MarkupKind.Markdown, value=it.doc) if it.doc else None,
                sort_text=it.sort or None, filter_text=it.label,
                text_edit=t.TextEdit(range=rng, new_text=new_text)))
        return t.CompletionList(is_incomplete=False, items=out)

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: LanguageServer, params: t.DefinitionParams) -> t.Location | None:
        got = place(params)
        answer = features.definition(*got[:4], got[5]) if got is not None else None
        if got is None or answer is None:
            return None
        rel, first, last = answer
        return t.Location(uri=uri_of(str(got[0].root / rel)),
                          range=t.Range(t.Position(first, 0), t.Position(last, 0)))

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: LanguageServer, params: t.CodeActionParams) -> list[t.CodeAction] | None:
        uri = params.text_document.uri
        got = context(uri)
        if got is None:
            return None
        w, a, text, lines = got
        rel = a.path
        raw = text.encode("utf-8", "surrogateescape")
        yaml_file = a.role == "external"
        found = [(d, d.fix) for d in w.check(rel) if d.fix is not None]
        only = params.context.only
        out: list[t.CodeAction] = []
        first, last = params.range.start.line, params.range.end.line
        if not only or t.CodeActionKind.QuickFix in only:
            for d, fix in found:
                if not first <= d.line - 1 <= last:
                    continue
                edits = fx.edits_for(raw, fix, yaml_file=yaml_file)
                if not edits:
                    continue
                out.append(t.CodeAction(
                    title=f"{fix.title} ({d.rule})", kind=t.CodeActionKind.QuickFix,
                    diagnostics=[to_lsp(d, lines)], is_preferred=fix.safe,
                    edit=t.WorkspaceEdit(changes={uri: [_text_edit(text, e) for e in edits]})))
        if not only or FIX_ALL in only or t.CodeActionKind.Source in only:
            safe = [fix for _, fix in found if fix.safe]
            new, applied = fx.apply(raw, safe, yaml_file=yaml_file)
            if applied:
                edit = fx.whole_edit(raw, new)
                out.append(t.CodeAction(
                    title=f"Fix all safe ve-hooks findings ({len(applied)})", kind=FIX_ALL,
                    edit=t.WorkspaceEdit(changes={uri: [_text_edit(text, edit)]})))
        return out

    return server


def _position(text: str, offset: int) -> t.Position:
    """LSP position of a fix offset (fix offsets leave a BOM out; editor text keeps it)."""
    if text.startswith("\ufeff"):
        offset += 1
    lines = cursor.lines_of(text[:offset])
    return t.Position(len(lines) - 1, utf16(lines[-1], len(lines[-1])))


def _text_edit(text: str, e: fx.TextEdit) -> t.TextEdit:
    return t.TextEdit(range=t.Range(_position(text, e.start), _position(text, e.end)), new_text=e.new)


def main() -> int:
    """Serve over stdio until the client says exit; the exit code (0 after shutdown + exit).

    pygls closed stdout on exit: a fresh ``sys.stdout`` on /dev/null lets the entry point's
    guard and the interpreter flush it without "I/O operation on closed file".
    """
    import os
    import sys

    from ve_hooks.lsp.framing import serve

    logging.basicConfig(level=logging.WARNING)
    code = serve(build())
    if sys.stdout.closed or sys.stdout.buffer.closed:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    return code
