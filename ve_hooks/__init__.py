"""ve-hooks: keep vibe-engineer chunks, narratives, investigations and subsystems honest inside git.

Importing the package is cheap on purpose: every submodule imports its heavy dependencies
(jsonschema, sqlite3, the MCP SDK) lazily, because pre-commit hooks start on every commit; git is
read with plain plumbing through ve_hooks.git, never a git library.
"""

__version__ = "0.1.0"
