"""ve-hooks: keep vibe-engineer chunks, narratives, investigations and subsystems honest inside git.

Importing the package is cheap on purpose: every submodule imports its heavy dependencies
(jsonschema, GitPython, jinja2, mcp) lazily, because pre-commit hooks start on every commit.
"""

__version__ = "0.1.0"
