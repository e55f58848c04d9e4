"""``python -m ve_hooks.lsp``: the language server over stdio."""

from ve_hooks.lsp.server import main

raise SystemExit(main())
