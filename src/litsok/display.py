"""Text from files made safe for a terminal.

Anything litsok prints may come from a PDF, a note, a bibliography field or a
file name, and such text can carry terminal control sequences: `ESC[2J`
(clear the screen), OSC 52 (write the clipboard), OSC 8 (fake links), 8-bit
CSI (U+009B). Every printed string passes `strip_controls`, on a terminal and
in a pipe alike; JSON output escapes the same characters as `\\uXXXX`."""

from __future__ import annotations

import json
import re
from typing import Any

# Whole escape sequences first (CSI, OSC/DCS/APC strings, two-character escapes, in
# their 7- and 8-bit forms), so no "[2J" is left behind; then any control left:
# C0 except tab and newline, DEL, and C1 (U+0080–U+009F).
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f]")  # json.dumps escapes C0 itself; not DEL and C1


def marking_where(chunk: Any) -> str:
    """Where an own marking (a `Chunk`, or a `Page` with heading `OWN_MARKING`) was made, for the
    output: "i Zotero" or "i PDF-en"; "" for the source's own text."""
    from .model import OWN_MARKING

    if chunk.heading != OWN_MARKING:
        return ""
    from .zotero import is_annotation_file

    return "i Zotero" if is_annotation_file(chunk.file) else "i PDF-en"


def strip_controls(text: str) -> str:
    """`text` without control characters (newline and tab are kept; CR becomes a newline)."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", _SEQUENCES.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON with every control character escaped, so it is also safe to print."""
    return escape_json_controls(json.dumps(data, ensure_ascii=False, indent=indent))


def escape_json_controls(json_out: str) -> str:
    """Escape the DEL and C1 characters `json.dumps` leaves raw (they can only occur inside strings)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_out)
