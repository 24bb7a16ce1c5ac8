"""Named limits: wherever the size of an input drives the work, the work is
bounded here, and a message that says a limit was hit names the constant and
its value (issue 14). Each constant says what it bounds and why that value.
Tests lower a limit by monkeypatching the constant in this module; code reads
it as `limits.NAME` at call time so that works."""

from __future__ import annotations

# --------------------------------------------------------------------------- zotero: reading zotero.sqlite (zotero.py)

# bytes of zotero.sqlite copied to a snapshot before reading; 1 GiB is SQLite's lock-byte offset (a file this size
# never holds the bytes Windows locks while Zotero writes), and a 20,000-item library with full-text index is ~400 MB
ZOTERO_COPY_MAX_BYTES = 1 << 30
# tries at copying zotero.sqlite (+ -wal/-journal) while none of them changes; Zotero writes in bursts of < 1 s
ZOTERO_COPY_ATTEMPTS = 5
# seconds waited between two copy tries; 5 tries x 0.5 s outlast a sync burst without keeping `indekser` waiting long
ZOTERO_COPY_RETRY_SECONDS = 0.5
# characters read from one annotation's text or comment; a highlight spanning eight dense pages is ~20k
ZOTERO_MAX_ANNOTATION_CHARS = 20_000
# bytes of prefs.js read to find a moved data folder; a real one is 20-200 KB
ZOTERO_MAX_PREFS_BYTES = 4_000_000

# --------------------------------------------------------------------------- MCP server: `litsok mcp` (mcp_server.py)

# passages `siter` returns per call (its `k`); the CLI's `siter -k` allows the same 20, and each one is sentence-scored
MCP_MAX_SUPPORTS = 20
