"""Named limits: wherever the size of an input drives the work, the work is
bounded here, and a message that says a limit was hit names the constant and
its value (issue 14). Each constant says what it bounds and why that value.
Each area keeps its own block, headed by a comment naming the area."""

from __future__ import annotations

# --------------------------------------------------------------------------- MCP server: `litsok mcp` (mcp_server.py)

# passages `siter` returns per call (its `k`); the CLI's `siter -k` allows the same 20, and each one is sentence-scored
MCP_MAX_SUPPORTS = 20
