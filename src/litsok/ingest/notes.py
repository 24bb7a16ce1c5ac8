"""Markdown reading notes -> pages.

Format (documented in the README):

    ---
    kilde: biestek1972          # key in kilder.bib; leave out for your own notes
    tittel: Lesenotater         # optional
    ---
    # Heading
    ## s. 28–29 – optional topic
    text of the notes about pages 28 to 29 ...

Each `## s. N` or `## s. N–M` heading starts a new printed page (also
`## side N`, `## s N`, `## p. N`). Text before the first marker has no page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableFileError
from ..model import ORIGIN_NONE, ORIGIN_NOTE, Page

_PAGE_MARKER = re.compile(
    r"^#{1,6}\s*(?:s\.?|side|sidene|sider|p\.|pp\.|page)\s*"
    r"(?P<first>[0-9]+|[ivxlcdm]+)"
    r"(?:\s*[-\u2013\u2014]\s*(?P<last>[0-9]+|[ivxlcdm]+))?"
    r"(?P<rest>\s*(?:[-\u2013\u2014:]\s+.*)?)\s*$",
    re.IGNORECASE,
)
_H1 = re.compile(r"^#\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Note:
    """A parsed notes file: its source key (None for own notes), title and pages."""

    source_key: str | None
    title: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()


def decode(raw: bytes, file: str) -> tuple[str, tuple[str, ...]]:
    """UTF-8 (with or without BOM); falls back to Windows-1252 with a warning."""
    if not raw.strip():
        raise UnreadableFileError(file, "filen er tom.", "Skriv notater i den, eller flytt den ut av korpuset.")
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        return text, (
            f"{file}: ikke UTF-8; lest som Windows-1252 (Latin-1). Lagre filen som UTF-8 for å være sikker på æ, ø og å.",
        )


def split_front_matter(text: str, file: str) -> tuple[dict[str, str], str, int, tuple[str, ...]]:
    """Returns (front matter, body, offset of body in text, warnings)."""
    if not text.startswith("---"):
        return {}, text, 0, ()
    end = re.search(r"^(---|\.\.\.)\s*$", text[3:], re.MULTILINE)
    if end is None:
        return (
            {},
            text,
            0,
            (
                f"{file}: front matter (---) er ikke avsluttet med en linje «---»; hele filen leses som tekst uten kildenøkkel.",
            ),
        )
    block = text[3 : 3 + end.start()]
    body_start = 3 + end.end()
    meta: dict[str, str] = {}
    warnings: list[str] = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            warnings.append(f"{file}: linjen «{line.strip()}» i front matter mangler «:» og ble hoppet over.")
            continue
        meta[key.strip().lower()] = value.split(" #")[0].strip().strip("'\"")
    return meta, text[body_start:], body_start, tuple(warnings)


def source_key_of(meta: dict[str, str]) -> str | None:
    for name in ("kilde", "source", "key", "nøkkel", "citekey"):
        if meta.get(name):
            return meta[name].lstrip("@")
    return None


def parse_note(text: str, file: str, fallback_key: str) -> Note:
    """Parse a notes file into pages. Pure: text in, pages out."""
    meta, body, _, warnings = split_front_matter(text, file)
    key = source_key_of(meta)
    title = meta.get("tittel") or meta.get("title") or ""
    if not title:
        for line in body.splitlines():
            m = _H1.match(line.strip())
            if m:
                title = m.group("title")
                break
    title = title or Path(file).stem

    sections: list[tuple[str, str, list[str]]] = [("", "", [])]  # (label, topic, lines)
    for line in body.splitlines():
        m = _PAGE_MARKER.match(line.strip())
        if m:
            first, last = m.group("first"), m.group("last")
            label = first if not last or last == first else f"{first}\u2013{last}"
            topic = re.sub(r"^\s*[-\u2013\u2014:]\s*", "", m.group("rest") or "").strip()
            sections.append((label, topic, []))
        elif _H1.match(line.strip()) and sections[-1][0] == "" and not "".join(sections[-1][2]).strip():
            continue  # the document title is not passage text
        else:
            sections[-1][2].append(line)

    pages: list[Page] = []
    seen_numbers: list[int] = []
    out_of_order = False
    page_key = key or fallback_key
    for label, topic, lines in sections:
        body_text = "\n".join(lines).strip()
        if not body_text:
            continue
        first_num = label.split("\u2013")[0]
        if first_num.isdigit():
            if seen_numbers and int(first_num) < seen_numbers[-1]:
                out_of_order = True
            seen_numbers.append(int(first_num))
        pages.append(
            Page(
                source_key=page_key,
                file=file,
                label=label,
                text=body_text,
                pdf_index=None,
                label_origin=ORIGIN_NOTE if label else ORIGIN_NONE,
                heading=topic or title,
            )
        )
    if out_of_order:
        warnings += (f"{file}: sidemarkørene står ikke i stigende rekkefølge; hver del beholder sin egen side.",)
    return Note(source_key=key, title=title, pages=tuple(pages), warnings=warnings)


def read_note(path: Path, file: str) -> Note:
    """Read and parse one notes file; raises UnreadableFileError for empty/unreadable files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(file, f"kan ikke leses ({exc.strerror}).", "Sjekk filrettighetene.") from exc
    text, enc_warnings = decode(raw, file)
    note = parse_note(text, file, fallback_key=note_key(file))
    if not note.pages:
        raise UnreadableFileError(
            file, "inneholder ingen tekst.", "Skriv notater i den, eller flytt den ut av korpuset."
        )
    return Note(note.source_key, note.title, note.pages, enc_warnings + note.warnings)


def note_key(file: str) -> str:
    """Key for a student's own note: `notat:` + file stem (`notat:mine-tanker`)."""
    return "notat:" + Path(file).stem
