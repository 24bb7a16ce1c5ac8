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

Every pattern here runs in linear time (possessive quantifiers, str methods
for headings), and the text read is bounded by the limits in `litsok.limits`:
a file by MAX_FILE_CHARS and MAX_FILE_PAGES, a page section by MAX_PAGE_CHARS, a page number by
MAX_PAGE_DIGITS / MAX_ROMAN_CHARS. A hit limit is a warning that names it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .. import limits
from ..errors import UnreadableFileError
from ..model import ORIGIN_NONE, ORIGIN_NOTE, Page

# Possessive quantifiers (`*+`, `++`): no run of spaces or digits is ever tried two ways,
# so `## s. 12` + 200,000 spaces + `x` fails in one pass (it took minutes with `\s*...\s*$`).
_PAGE_MARKER = re.compile(
    r"#{1,6}\s*+(?:s\.?|side|sidene|sider|p\.|pp\.|page)\s*+"
    r"(?P<first>[0-9]++|[ivxlcdm]++)"
    r"(?:\s*+[-\u2013\u2014]\s*+(?P<last>[0-9]++|[ivxlcdm]++))?"
    r"(?P<rest>(?:\s*+[-\u2013\u2014:]\s.*)?)",
    re.IGNORECASE,
)
# Sources without page numbers (e-books, web pages): chapter and paragraph instead
# (APA 7, 8.28), `## kap. 3`, `## avsn. 2` (under the last `## kap.`), `## kap. 3, avsn. 2`;
# the label is the locator the citation prints: "(Dalland, 2020, kap. 3, avsn. 2)".
_SECTION_MARKER = re.compile(
    r"#{1,6}\s*+(?:(?:kap\.|kapittel)\s*+(?P<chapter>\d{1,4}))?+\s*+,?\s*+"
    r"(?:(?:avsn\.|avsnitt)\s*+(?P<paragraph>\d{1,4}))?+"
    r"(?P<rest>(?:\s*+[-\u2013\u2014:]\s.*)?)",
    re.IGNORECASE,
)
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$", re.MULTILINE)
_SHOWN_LINE = 60  # characters of a line quoted in a warning

BINARY_REASON = "ser ut som en binærfil, ikke tekst (for eksempel et Word-dokument, en PDF eller et bilde med feil filendelse)."
BINARY_NEXT = "Lagre notatet som ren tekst (.md eller .txt, UTF-8), eller flytt filen ut av korpuset."
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"7z\xbc\xaf")
_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 8192  # bytes/characters looked at to tell text from binary
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on


@dataclass(frozen=True)
class Note:
    """A parsed notes file: its source key (None for own notes), title and pages."""

    source_key: str | None
    title: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()


def _shown(line: str) -> str:
    line = line.strip()
    return line if len(line) <= _SHOWN_LINE else line[:_SHOWN_LINE] + "…"


# --------------------------------------------------------------------------- bytes -> text


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be"/"utf-32-le"/"utf-32-be" when the NUL bytes fall where
    UTF-16/32 puts them for Latin text (every other byte, or three of four); else None."""
    sample = raw[:_SAMPLE]
    if len(sample) < 4 or b"\x00" not in sample:
        return None

    def nul_share(width: int, offset: int) -> float:
        part = sample[offset::width]
        return part.count(0) / max(len(part), 1)

    if nul_share(4, 0) < 0.1 and min(nul_share(4, k) for k in (1, 2, 3)) > 0.7:
        return "utf-32-le"
    if nul_share(4, 3) < 0.1 and min(nul_share(4, k) for k in (0, 1, 2)) > 0.7:
        return "utf-32-be"
    if nul_share(2, 0) < 0.1 and nul_share(2, 1) > 0.7:
        return "utf-16-le"
    if nul_share(2, 1) < 0.1 and nul_share(2, 0) > 0.7:
        return "utf-16-be"
    return None


def looks_binary(raw: bytes, text: str) -> bool:
    """A file that is not text: a known binary format's signature, NUL characters,
    or more than a tenth control characters in its first `_SAMPLE` characters."""
    if raw.startswith(_BINARY_MAGIC):
        return True
    sample = text[:_SAMPLE]
    if not sample:
        return False
    odd = sum(1 for ch in sample if (ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc") or ch == "\ufffd")
    return "\x00" in sample or odd > 0.1 * len(sample)


def decode(raw: bytes, file: str, *, complete: bool = True) -> tuple[str, tuple[str, ...]]:
    """Text of a notes file: UTF-8 (with or without BOM), UTF-16/UTF-32 by their BOM
    or, for UTF-16/32 without one, by where the NUL bytes fall; else Windows-1252
    with a warning. `complete=False`: `raw` is the start of a longer file (a character
    cut at its end is dropped). Raises UnreadableFileError for an empty or binary file."""
    if not raw.strip():
        raise UnreadableFileError(file, "filen er tom.", "Skriv notater i den, eller flytt den ut av korpuset.")
    if raw.startswith(_BINARY_MAGIC):
        raise UnreadableFileError(file, BINARY_REASON, BINARY_NEXT)
    warnings: tuple[str, ...] = ()
    bom, encoding = next(((b, enc) for b, enc in _BOMS if raw.startswith(b)), (b"", None))
    if encoding is None and (encoding := _utf16_without_bom(raw)):
        warnings = (f"{file}: har ingen BOM, men ser ut som {encoding.upper()} og er lest slik. Lagre filen som UTF-8.",)
    if encoding is None and b"\x00" in raw[:_SAMPLE]:
        raise UnreadableFileError(file, BINARY_REASON, BINARY_NEXT)
    try:
        text = codecs.getincrementaldecoder(encoding or "utf-8")().decode(raw[len(bom) :], final=complete)
    except UnicodeDecodeError:
        if encoding not in (None, "utf-8"):  # a BOM or NUL pattern that lies: not text in that encoding
            raise UnreadableFileError(file, BINARY_REASON, BINARY_NEXT) from None
        text = raw[len(bom) :].decode("cp1252", errors="replace")
        warnings = (
            f"{file}: ikke UTF-8; lest som Windows-1252 (Latin-1). Lagre filen som UTF-8 for å være sikker på æ, ø og å.",
        )
    if looks_binary(raw, text):
        raise UnreadableFileError(file, BINARY_REASON, BINARY_NEXT)
    if not text.strip():
        raise UnreadableFileError(file, "filen er tom.", "Skriv notater i den, eller flytt den ut av korpuset.")
    return text, warnings


# --------------------------------------------------------------------------- text -> pages


def split_front_matter(text: str, file: str) -> tuple[dict[str, str], str, int, tuple[str, ...]]:
    """Returns (front matter, body, offset of body in text, warnings)."""
    if not text.startswith("---"):
        return {}, text, 0, ()
    end = _FRONT_MATTER_END.search(text[3:])  # linear: one `---` line, then one run of whitespace
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
            warnings.append(f"{file}: linjen «{_shown(line)}» i front matter mangler «:» og ble hoppet over.")
            continue
        meta[key.strip().lower()] = value.split(" #")[0].strip().strip("'\"")
    return meta, text[body_start:], body_start, tuple(warnings)


def source_key_of(meta: dict[str, str]) -> str | None:
    for name in ("kilde", "source", "key", "nøkkel", "citekey"):
        if meta.get(name):
            return meta[name].lstrip("@")
    return None


def h1_title(line: str) -> str | None:
    """The title of a level-1 heading (`# Tittel`, `# Tittel ##`), else None.
    `line` is stripped. String methods, not a regex: `# a` + 4,000 spaces + `b`
    took 98 s with `^#\\s+(.+?)\\s*#*\\s*$`; this gives the same title in one pass."""
    if len(line) < 2 or line[0] != "#" or not line[1].isspace():
        return None
    rest = line[1:].strip()
    if not rest:
        return None
    title = rest.rstrip("#").rstrip()
    return title or rest[0]  # `# ##`: the shortest title the old pattern allowed


def _marker(line: str) -> re.Match[str] | None:
    return _PAGE_MARKER.fullmatch(line) if line.startswith("#") else None


def _section_label(line: str, chapter: str) -> tuple[str, str, str] | None:
    """(label, chapter, topic) of a `## kap. 3` / `## avsn. 2` marker line, or None.
    A paragraph marker takes the chapter of the last chapter marker."""
    m = _SECTION_MARKER.fullmatch(line) if line.startswith("#") else None
    if m is None or not (m.group("chapter") or m.group("paragraph")):
        return None
    chapter = m.group("chapter") or chapter
    parts = [f"kap. {chapter}" if chapter else "", f"avsn. {m.group('paragraph')}" if m.group("paragraph") else ""]
    rest = m.group("rest").strip()
    return ", ".join(p for p in parts if p), chapter, rest[1:].strip() if rest else ""


def _too_long(number: str | None) -> bool:
    if not number:
        return False
    limit = limits.MAX_PAGE_DIGITS if number[0].isdigit() else limits.MAX_ROMAN_CHARS
    return len(number) > limit


def _first_line_number(text: str, offset: int) -> int:
    """1-based number of the line `text[offset:]` starts on (as `splitlines` counts)."""
    prefix = text[:offset]
    if not prefix:
        return 1
    n = len(prefix.splitlines())
    return n + 1 if prefix[-1] in _LINE_BREAKS else n


def _cut_file(text: str, file: str) -> tuple[str, tuple[str, ...]]:
    if len(text) <= limits.MAX_FILE_CHARS:
        return text, ()
    return text[: limits.MAX_FILE_CHARS], (
        f"{file}: teksten er {limits.over_limit('MAX_FILE_CHARS', 'tegn')}; bare begynnelsen er indeksert. "
        "Del notatene i flere filer for å få med resten.",
    )


def parse_note(text: str, file: str, fallback_key: str) -> Note:
    """Parse a notes file into pages. Pure: text in, pages out."""
    text, cut_warnings = _cut_file(text, file)
    meta, body, body_start, fm_warnings = split_front_matter(text, file)
    warnings = list(cut_warnings + fm_warnings)
    key = source_key_of(meta)
    title = meta.get("tittel") or meta.get("title") or ""
    lines = body.splitlines()
    if not title:
        title = next((t for t in map(h1_title, map(str.strip, lines)) if t is not None), "")
    title = title or Path(file).stem

    # (label, topic, line number of the marker, lines): the text before the first marker has no page
    sections: list[tuple[str, str, int, list[str]]] = [("", "", 0, [])]
    has_text = False
    first_line = _first_line_number(text, body_start)
    chapter = ""
    for lineno, line in enumerate(lines, start=first_line):
        stripped = line.strip()
        section = _section_label(stripped, chapter)
        if section:
            label, chapter, topic = section
            sections.append((label, topic, lineno, []))
            has_text = False
            continue
        m = _marker(stripped)
        if m and (_too_long(m.group("first")) or _too_long(m.group("last"))):
            warnings.append(
                f"{file}, linje {lineno}: «{_shown(stripped)}» har et sidetall med flere sifre enn "
                f"{limits.limit_text('MAX_PAGE_DIGITS')} (romertall: flere bokstaver enn {limits.limit_text('MAX_ROMAN_CHARS')}) "
                "og regnes ikke som en sidemarkør; teksten under hører til siden før. Rett sidetallet."
            )
            m = None
        if m and len(sections) > limits.MAX_FILE_PAGES:
            warnings.append(
                f"{file}, linje {lineno}: notatet har flere sidemarkører enn {limits.over_limit('MAX_FILE_PAGES', 'sider')}; "
                "resten av notatet er ikke indeksert. Del notatet i flere filer."
            )
            break
        if m:
            first, last = m.group("first"), m.group("last")
            label = first if not last or last == first else f"{first}\u2013{last}"
            rest = m.group("rest").strip()
            sections.append((label, rest[1:].strip() if rest else "", lineno, []))
            has_text = False
        elif not has_text and not sections[-1][0] and h1_title(stripped) is not None:
            continue  # the document title is not passage text
        else:
            sections[-1][3].append(line)
            has_text = has_text or bool(stripped)

    pages: list[Page] = []
    previous: int | None = None
    out_of_order = False
    page_key = key or fallback_key
    for label, topic, lineno, section_lines in sections:
        body_text = "\n".join(section_lines).strip()
        if not body_text:
            continue
        if len(body_text) > limits.MAX_PAGE_CHARS:
            body_text = body_text[: limits.MAX_PAGE_CHARS].rstrip()
            where = f"siden «s. {label}» (linje {lineno})" if label else "teksten før første sidemarkør"
            warnings.append(
                f"{file}: {where} er {limits.over_limit('MAX_PAGE_CHARS', 'tegn')}; "
                "resten av den er ikke indeksert. Del teksten med flere sidemarkører (## s. N)."
            )
        first_num = label.split("\u2013")[0]
        if first_num.isdigit():  # at most MAX_PAGE_DIGITS digits: the marker checked it
            number = int(first_num)
            out_of_order = out_of_order or (previous is not None and number < previous)
            previous = number
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
        warnings.append(f"{file}: sidemarkørene står ikke i stigende rekkefølge; hver del beholder sin egen side.")
    return Note(source_key=key, title=title, pages=tuple(pages), warnings=tuple(warnings))


def read_note(path: Path, file: str) -> Note:
    """Read and parse one notes file; raises UnreadableFileError for empty, binary
    or unreadable files. At most MAX_FILE_CHARS characters are read (a UTF-8
    character is at most 4 bytes, so 4 x MAX_FILE_CHARS bytes hold them; a 100 MB
    note costs 40 MB, not 100 MB and a 400 MB string)."""
    most = 4 * limits.MAX_FILE_CHARS + 8  # + a BOM and one character more: a cut file decodes to more than the limit
    try:
        with path.open("rb") as fh:
            raw = fh.read(most)
            complete = not fh.read(1)
    except OSError as exc:
        raise UnreadableFileError(file, f"kan ikke leses ({exc.strerror}).", "Sjekk filrettighetene.") from exc
    text, enc_warnings = decode(raw, file, complete=complete)
    note = parse_note(text, file, fallback_key=note_key(file))
    if not note.pages:
        raise UnreadableFileError(
            file, "inneholder ingen tekst.", "Skriv notater i den, eller flytt den ut av korpuset."
        )
    return Note(note.source_key, note.title, note.pages, enc_warnings + note.warnings)


def note_key(file: str) -> str:
    """Key for a student's own note: `notat:` + file stem (`notat:mine-tanker`)."""
    return "notat:" + Path(file).stem
