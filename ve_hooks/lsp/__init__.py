"""The editor language server (``ve-hooks lsp``): diagnostics as you type, hover, completion,
go to definition and fixes, for every vibe-engineer artifact. Needs the ``[lsp]`` extra."""
