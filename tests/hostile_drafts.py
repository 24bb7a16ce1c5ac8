"""Hostile drafts for `sjekk` and `referanser --fra` (issue 14, items 8, 10, 11, 12).

Each `make_<case>(folder, scale)` writes one hostile draft into `folder` and returns its
path. `scale=1.0` is the full-size input from the issue (a 2.1 GB zip bomb, a 3M-paragraph
.docx, ...); the tests call them with a small scale and lower the limit instead.
`CASES` names them for bench/robustness.py, which runs each at full size through the CLI.
"""

from __future__ import annotations

import random
import struct
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOC_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
DOC_TAIL = "</w:body></w:document>"

# Sentences the demo corpus (corpus/) supports, with their source and page.
CLAIMS = [
    ("Relasjonen er sjelen i sosialt arbeid", "Biestek, 1972, s. 22"),
    ("Aksept betyr at sosialarbeideren tar imot klienten slik hun er", "Biestek, 1972, s. 29"),
    ("Empati er evnen til å sette seg inn i klientens opplevelse", "Røkenes & Hanssen, 2012, s. 181"),
    ("Væremåte handler om hvordan hjelperen fremstår", "Røkenes & Hanssen, 2012, s. 180"),
    ("Unge mottakere opplevde aktivitetsplikten som meningsløs", "Leseth et al., 2020, s. 133"),
    ("Relasjonen mellom veileder og bruker har betydning for resultatene", "Kane et al., 2017"),
    ("Prinsippene henger sammen og kan ikke skilles fra hverandre", "Biestek, 1972, s. 21"),
    ("Klienten har rett til å bestemme over sitt eget liv", "Biestek, 1972"),
]
WORDS = "veileder klient relasjon Nav tillit makt samtale hjelp oppfølging arbeid erfaring møte".split()


def paragraph(text: str) -> str:
    """One Word paragraph (`w:p`) holding `text` in one run."""
    body = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<w:p><w:r><w:t xml:space="preserve">{body}</w:t></w:r></w:p>'


def write_docx(path: Path, document_xml: Iterator[str] | str) -> Path:
    """A minimal .docx whose word/document.xml is `document_xml` (streamed in pieces, so
    a multi-GB part is deflated without ever being in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            for piece in [document_xml] if isinstance(document_xml, str) else document_xml:
                part.write(piece.encode("utf-8"))
    return path


def _bomb_xml(total: int) -> Iterator[str]:
    """A document.xml of `total` bytes: one paragraph whose text is mostly the letter a."""
    yield DOC_HEAD + '<w:p><w:r><w:t xml:space="preserve">'
    block = "a" * (1 << 20)
    left = max(total - 200, 0)
    while left > 0:
        yield block[: min(left, len(block))]
        left -= len(block)
    yield "</w:t></w:r></w:p>" + DOC_TAIL


def make_docx_bomb(folder: Path, scale: float = 1.0) -> Path:
    """A zip bomb: a ~2 MB .docx whose word/document.xml inflates to 2.1 GB (issue 11)."""
    return write_docx(folder / "bombe.docx", _bomb_xml(int(2_100_000_000 * scale)))


def make_docx_lying_size(folder: Path, scale: float = 1.0) -> Path:
    """A zip bomb with a lying zip directory: word/document.xml inflates to 2.1 GB, but the
    directory (and the local header) say it is 1000 bytes."""
    path = write_docx(folder / "lyver.docx", _bomb_xml(int(2_100_000_000 * scale)))
    data = bytearray(path.read_bytes())
    # (signature, offset of the uncompressed size, of the name length, of the name)
    for sig, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        pos = data.find(sig)
        while pos != -1:
            n, extra_len = struct.unpack_from("<HH", data, pos + name_len_at)
            if data[pos + name_at : pos + name_at + n] == b"word/document.xml":
                _patch_size(data, pos + size_at, pos + name_at + n, extra_len)
            pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))
    return path


def _patch_size(data: bytearray, size_at: int, extra_at: int, extra_len: int) -> None:
    """Write 1000 as the uncompressed size of one zip header (or of its zip64 extra field)."""
    if struct.unpack_from("<I", data, size_at)[0] != 0xFFFFFFFF:
        struct.pack_into("<I", data, size_at, 1000)
        return
    i = extra_at
    while i + 4 <= extra_at + extra_len:
        tag, size = struct.unpack_from("<HH", data, i)
        if tag == 0x0001:  # zip64: the uncompressed size comes first
            struct.pack_into("<Q", data, i + 4, 1000)
            return
        i += 4 + size


def make_docx_many_paragraphs(folder: Path, scale: float = 1.0) -> Path:
    """3,000,000 short paragraphs (one citation every 100th) in a .docx (issue 11: > 5 min)."""
    count = max(int(3_000_000 * scale), 1)

    def xml() -> Iterator[str]:
        yield DOC_HEAD
        batch: list[str] = []
        for i in range(count):
            text = f"Avsnitt {i} om relasjonen." if i % 100 else f"Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. {i % 300 + 1})."
            batch.append(paragraph(text))
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + DOC_TAIL

    return write_docx(folder / "avsnitt.docx", xml())


def make_docx_empty_paragraphs(folder: Path, scale: float = 1.0) -> Path:
    """3,000,000 empty paragraphs (`<w:p/>`, 18 MB of XML in a 60 kB .docx): under the
    part-size limit, so only the paragraph count stops it."""
    count = max(int(3_000_000 * scale), 1)

    def xml() -> Iterator[str]:
        yield DOC_HEAD
        for _ in range(count // 10_000):
            yield "<w:p/>" * 10_000
        yield "<w:p/>" * (count % 10_000) + paragraph("Relasjonen er sjelen (Biestek, 1972, s. 22).") + DOC_TAIL

    return write_docx(folder / "tomme-avsnitt.docx", xml())


def make_docx_entities(folder: Path, scale: float = 1.0) -> Path:
    """Billion laughs: internal entities that expand to 10^9 × «lol» (3 GB) if resolved."""
    levels = max(2, round(9 * scale))
    decl = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:document [{"".join(decl)}]>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol{levels};</w:t></w:r></w:p>{DOC_TAIL}'
    )
    return write_docx(folder / "latter.docx", xml)


def make_docx_big_media(folder: Path, scale: float = 1.0) -> Path:
    """A one-paragraph draft with a 1 GB image (zeros, 1 MB zipped) that the document links
    to: a draft may carry big figures; only word/document.xml is ever inflated."""
    path = write_docx(folder / "bilde.docx", DOC_HEAD + paragraph("Relasjonen er sjelen (Biestek, 1972, s. 22).") + DOC_TAIL)
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="media/image1.png"/></Relationships>'
    )
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/_rels/document.xml.rels", rels)
        with zf.open("word/media/image1.png", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(max(int(1024 * scale), 1)):
                part.write(block)
    return path


def make_docx_many_entries(folder: Path, scale: float = 1.0) -> Path:
    """A .docx with 1,000,000 empty zip entries besides its document (a ~100 MB zip
    directory, which Python's zipfile would read whole, one object an entry)."""
    path = write_docx(folder / "oppføringer.docx", DOC_HEAD + paragraph("Relasjonen (Biestek, 1972, s. 22).") + DOC_TAIL)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        for i in range(max(int(1_000_000 * scale), 1)):
            zf.writestr(f"word/media/tom-{i:07d}.bin", b"")
    return path


def _filler(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."


def make_large_draft(folder: Path, scale: float = 1.0) -> Path:
    """A 2 MB Markdown draft (ten bachelor theses) in long hard-wrapped paragraphs with
    2,500 citations: what made `sjekk` quadratic (issue 10). The cited sentences come
    from a pool of eight, so the time is the draft's parsing, not the searches (each
    sentence and page is searched once). Under every limit: it is checked."""
    rng = random.Random(14)
    target = int(2_000_000 * scale)
    parts, size, i = ["# Utkast\n\n"], 0, 0
    while size < target:
        sentences = []
        for k in range(20):
            claim, cite = CLAIMS[(i + k) % len(CLAIMS)]
            sentences.append(f"{claim} ({cite})." if (i + k) % 15 == 0 else _filler(rng))
        para = " ".join(sentences)
        wrapped = "\n".join(textwrap.wrap(para, 80, break_long_words=False, break_on_hyphens=False))
        parts.append(f"## {i // 20 + 1}. Kapittel\n\n{wrapped}\n\n")
        size += len(para) + 40
        i += 20
    path = folder / "stort-utkast.md"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def make_thesis_draft(folder: Path, scale: float = 1.0) -> Path:
    """Not hostile: a bachelor thesis's size (~200 kB, 300 citations, every cited sentence
    different), to measure what one citation costs to check."""
    rng = random.Random(15)
    count = max(int(300 * scale), 1)
    paras = ["# Utkast\n"]
    for i in range(count):
        claim, cite = CLAIMS[i % len(CLAIMS)]
        extra = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 10)))
        paras.append(" ".join(_filler(rng) for _ in range(4)) + f" {claim}, og det gjelder {extra} ({cite}).")
    path = folder / "oppgave.md"
    path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return path


def make_huge_draft(folder: Path, scale: float = 1.0) -> Path:
    """A 100 MB .txt draft: over MAX_DRAFT_CHARS, refused before it is read."""
    path = folder / "enormt.txt"
    line = "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22). " * 15 + "\n"
    count = max(int(100_000_000 * scale) // len(line), 1)
    with path.open("w", encoding="utf-8") as f:
        for _ in range(count // 1000):
            f.write(line * 1000)
        f.write(line * (count % 1000))
    return path


def make_long_line(folder: Path, scale: float = 1.0) -> Path:
    """One 4 MB line without a sentence end, full of what the citation regexes backtracked
    on: name lists, a 26-part hyphenated name (2^26 ways to read it), runs of spaces in
    parentheses, and a 40-digit page in every third stretch (2,000 citations)."""
    unit = (
        "Aaa, Bbb, Ccc og Ddd & Eee "
        "Aa-Bb-Cc-Dd-Ee-Ff-Gg-Hh-Ii-Jj-Kk-Ll-Mm-Nn-Oo-Pp-Qq-Rr-Ss-Tt-Uu-Vv-Ww-Xx-Yy-Zz x "
        "A- A- A- A- A- A- A- A- A- A- (Aaa" + " " * 200 + "x) Aaa (1972" + " " * 200 + "x) "
    )
    cited = unit * 3 + "(Biestek, 1972, s. " + "9" * 40 + ") "
    path = folder / "lang-linje.md"
    path.write_text(cited * max(int(4_000_000 * scale) // len(cited), 1) + "\n", encoding="utf-8")
    return path


def make_names_list(folder: Path, scale: float = 1.0) -> Path:
    """A 2 MB paragraph that is one long list of capitalised names: «Aaa, Bbb, Ccc, …»."""
    rng = random.Random(8)
    names = [rng.choice("ABCDEFGHIJKLMNOPRSTUVØÅ") + "".join(rng.choice("aeiouyæøå") for _ in range(4)) for _ in range(50)]
    count = max(int(2_000_000 * scale) // 7, 1)
    path = folder / "navneliste.md"
    path.write_text(", ".join(names[i % 50] for i in range(count)) + " (2012).\n", encoding="utf-8")
    return path


def make_huge_page_number(folder: Path, scale: float = 1.0) -> Path:
    """«(Biestek, 1972, s. 999…9)» with 5000 digits (over Python's 4,300-digit int limit)."""
    digits = max(int(5000 * scale), 7)
    path = folder / "sidetall.md"
    path.write_text(f"Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. {'9' * digits}).\n", encoding="utf-8")
    return path


def make_utf16_draft(folder: Path, scale: float = 1.0) -> Path:
    """A draft saved as UTF-16 LE with a byte-order mark (Notepad's «Unicode»), 2,000 lines."""
    text = "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22).\n" * max(int(2_000 * scale), 1)
    path = folder / "utf16.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def make_utf16_no_bom(folder: Path, scale: float = 1.0) -> Path:
    """A draft in UTF-16 BE without a byte-order mark (only the NUL pattern tells)."""
    text = "Empati er evnen til å sette seg inn i klientens opplevelse (Røkenes & Hanssen, 2012, s. 181).\n"
    path = folder / "utf16be.md"
    path.write_bytes((text * max(int(10_000 * scale), 1)).encode("utf-16-be"))
    return path


def make_binary_draft(folder: Path, scale: float = 1.0) -> Path:
    """A binary file (random bytes after a PNG signature) saved under a .md name."""
    rng = random.Random(3)
    path = folder / "bilde.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(max(int(10_000_000 * scale), 64))))
    return path


CASES: dict[str, tuple[Callable[[Path, float], Path], str]] = {
    "docx-bomb": (make_docx_bomb, "sjekk FILE"),
    "docx-lying-size": (make_docx_lying_size, "sjekk FILE"),
    "docx-3m-paragraphs": (make_docx_many_paragraphs, "sjekk FILE"),
    "docx-3m-empty-paragraphs": (make_docx_empty_paragraphs, "referanser --fra FILE"),
    "docx-entities": (make_docx_entities, "sjekk FILE"),
    "docx-big-media": (make_docx_big_media, "referanser --fra FILE"),
    "docx-many-entries": (make_docx_many_entries, "sjekk FILE"),
    "large-draft": (make_large_draft, "sjekk FILE"),
    "huge-draft": (make_huge_draft, "sjekk FILE"),
    "long-line": (make_long_line, "sjekk FILE"),
    "names-list": (make_names_list, "referanser --fra FILE"),
    "huge-page-number": (make_huge_page_number, "sjekk FILE"),
    "utf16-draft": (make_utf16_draft, "sjekk FILE"),
    "utf16-no-bom": (make_utf16_no_bom, "referanser --fra FILE"),
    "binary-draft": (make_binary_draft, "sjekk FILE"),
}
