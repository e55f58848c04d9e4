"""A user's own MCP server (stdio) for the real-CLI tests: one tool, ``Echo``.

The tests configure it in the agent's *user* configuration to show that the orchestrator's run
keeps it available beside AskOperator (and, not being granted, refused when called headless).
"""

from __future__ import annotations

import anyio
from mcp.server import MCPServer


def main() -> None:
    server = MCPServer("user-tools", log_level="WARNING")

    def echo(text: str) -> str:
        return f"echo: {text}"

    server.add_tool(echo, name="Echo", description="Echo the text back.", structured_output=False)
    anyio.run(server.run_stdio_async)


if __name__ == "__main__":
    main()
