"""`sjekk --kommentarer`: a copy of a .docx draft with a Word comment on each citation.

The copy is written at the zip/XML level, not through python-docx's save: every part
of the package is copied unchanged except `word/document.xml` (comment markers around
each citation, see `docx_anchor`), the comments part (new, or the draft's own with the
new comments after its existing ones, whose ids are kept), and — only when the draft
had no comments part — `[Content_Types].xml` and the document's relationships. The
copy is written to a temporary file in the target's folder and renamed into place;
the draft itself is only read.

A comment names the status («Støttet», «Feil side: kilden sier s. 181», «Mangler
side», «Fant ikke støtte», «Ukjent kilde»), the suggested citation, the supporting
sentence and its page, and the note; author «litsok», initials «LS».

Footnotes and endnotes: `sjekk` reads the body of a .docx only (check.py's reader), so
a citation in a footnote is not checked and gets no comment; the result counts them
(`note_citations`) so the user is told. The footnote parts are copied unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import limits
from .docx_package import RESAVE, Package, write_zip
from .errors import LitsokError, UnreadableFileError

if TYPE_CHECKING:  # pragma: no cover

    from .check import CitationCheck, DraftReport
    from .docx_anchor import Paragraph, Span

COMMENT_AUTHOR = "litsok"
COMMENT_INITIALS = "LS"


CROSSES_PARAGRAPHS = "henvisningen går over flere avsnitt i Word-filen"
TEXT_DIFFERS = "avsnittet i Word-filen stemmer ikke med teksten som ble sjekket"


@dataclass(frozen=True)
class CitationComment:
    """The comment written for one citation of the report, or why none was."""

    comment_id: int | None
    anchor: str  # the text of the document the comment is anchored on
    reason: str = ""  # why no comment was written ("" when one was)

    @property
    def written(self) -> bool:
        return self.comment_id is not None

    def to_json(self) -> dict[str, Any]:
        return {"skrevet": self.written, "id": self.comment_id, "anker": self.anchor, "grunn": self.reason}


@dataclass(frozen=True)
class CommentedDraft:
    """The commented copy: where it is and what was written, per citation of the report."""

    draft: Path
    output: Path
    comments: tuple[CitationComment, ...]  # one per check of the report, in its order
    note_citations: int = 0  # citations in footnotes and endnotes: not checked, no comment

    @property
    def written(self) -> int:
        return sum(c.written for c in self.comments)

    @property
    def skipped(self) -> int:
        return len(self.comments) - self.written

    def to_json(self) -> dict[str, Any]:
        return {
            "fil": str(self.output),
            "skrevet": self.written,
            "ikke_skrevet": self.skipped,
            "henvisninger_i_fotnoter": self.note_citations,
        }

    def summary(self, report: DraftReport) -> list[str]:
        """What the CLI says after the report: where the copy is, and what got no comment."""
        word = "kommentar" if self.written == 1 else "kommentarer"
        lines = [f"Skrev {self.written} {word} i «{self.output}» (originalen «{self.draft}» er uendret)."]
        for check, c in zip(report.checks, self.comments, strict=True):
            if not c.written:
                lines.append(f"Ikke kommentert: {check.location} {check.citation.text}: {c.reason}.")
        if self.note_citations:
            n = self.note_citations
            lines.append(
                f"{n} {'henvisning' if n == 1 else 'henvisninger'} i fotnoter eller sluttnoter er ikke sjekket og har "
                "ikke fått kommentar: `sjekk` leser bare brødteksten."
            )
        return lines


def report_json(report: DraftReport, commented: CommentedDraft) -> dict[str, Any]:
    """`sjekk --json` with `--kommentarer`: the report, the copy's path and counts under
    «kommentarer», and under each citation its «kommentar»."""
    data = report.to_json()
    data["kommentarer"] = commented.to_json()
    for item, c in zip(data["henvisninger"], commented.comments, strict=True):
        item["kommentar"] = c.to_json()
    return data


# --------------------------------------------------------------------------- the target


def comment_target(draft: Path, out: Path, overwrite: bool = False) -> Path:
    """Check, before any work, that the commented copy can be written to `out`: the draft
    is a .docx, `out` is a .docx in an existing folder, not the draft itself, and not an
    existing file unless `overwrite`."""
    if draft.suffix.lower() != ".docx":
        raise LitsokError(
            f"--kommentarer virker bare på Word-dokumenter (.docx), og «{draft}» er ikke det. "
            "Lagre utkastet som .docx i Word, eller kjør `litsok sjekk` uten --kommentarer."
        )
    if out.suffix.lower() != ".docx":
        raise LitsokError(f"Kommentarfilen «{out}» må slutte på .docx. Velg for eksempel «{out.with_suffix('.docx').name}».")
    if not out.parent.is_dir():
        raise LitsokError(f"Mappen «{out.parent}» for kommentarfilen finnes ikke. Opprett den, eller velg en annen sti.")
    if _same_file(draft, out):
        raise LitsokError(
            f"Kommentarfilen «{out}» er selve utkastet; litsok endrer aldri originalen. "
            f"Velg et annet navn, for eksempel «{draft.stem}-kommentert.docx»."
        )
    if out.is_dir():
        raise LitsokError(f"«{out}» er en mappe. Oppgi et filnavn som slutter på .docx.")
    if out.exists() and not overwrite:
        raise LitsokError(f"«{out}» finnes fra før. Velg et annet navn, eller legg til --overskriv for å erstatte den.")
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        if b.exists() and a.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


# --------------------------------------------------------------------------- writing


def write_comments(
    report: DraftReport, out: Path, *, overwrite: bool = False, when: datetime | None = None
) -> CommentedDraft:
    """Write a copy of the report's .docx draft to `out` with a comment on each citation."""
    import zipfile

    from .check import read_draft

    target = comment_target(report.file, out, overwrite)
    draft = read_draft(report.file)  # the same text, limits and checks as the report had
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        zf = zipfile.ZipFile(report.file)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UnreadableFileError(str(report.file), f"filen kan ikke åpnes som zip-arkiv ({exc}).", RESAVE) from None
    with zf:
        package = Package(report.file, zf)
        comments = _annotate(report, draft.text, package, stamp)
        notes = package.note_citations()
        write_zip(report.file, zf, target, package.changed())
    return CommentedDraft(report.file, target, comments, notes)


def _annotate(report: DraftReport, text: str, package: Package, stamp: str) -> tuple[CitationComment, ...]:
    """Put a comment on each citation of the report into the package's trees."""
    from .docx_anchor import Span, paragraphs, place

    paras = paragraphs(package.document)
    lines = text.split("\n")
    if len(paras) != len(lines):
        raise UnreadableFileError(
            str(report.file),
            f"litsok finner ikke igjen avsnittene i word/document.xml ({len(paras)} mot {len(lines)} i teksten som ble "
            "sjekket), så kommentarene kan ikke plasseres.",
            "Lagre dokumentet på nytt i Word og kjør `litsok sjekk --kommentarer` igjen.",
        )
    next_id = package.next_comment_id()
    located = _locate(report, text, paras)
    spans: list[Span] = []
    ids: list[int | None] = []
    for where in located:
        if isinstance(where, str):
            ids.append(None)
            continue
        spans.append(Span(where[0], where[1], where[2], next_id))
        ids.append(next_id)
        next_id += 1
    anchors = [paras[s.paragraph].text[s.start : s.end] for s in spans]
    failed = place(paras, spans)
    out, k = [], 0
    for check, where, cid in zip(report.checks, located, ids, strict=True):
        if cid is None:
            out.append(CitationComment(None, "", str(where)))
            continue
        anchor, k = anchors[k], k + 1
        if cid in failed:
            out.append(CitationComment(None, anchor, failed[cid]))
            continue
        package.add_comment(cid, comment_lines(check), stamp, COMMENT_AUTHOR, COMMENT_INITIALS)
        out.append(CitationComment(cid, anchor))
    return tuple(out)


def _locate(report: DraftReport, text: str, paras: list[Paragraph]) -> list[tuple[int, int, int] | str]:
    """(paragraph, start, end) in that paragraph's text of each citation's anchor, or why
    it has none. A citation in a parenthesis with several («(Kane et al., 2017; Leseth et
    al., 2020)») is anchored on its own part of it."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    used: dict[tuple[int, int], int] = {}
    out: list[tuple[int, int, int] | str] = []
    for check in report.checks:
        a, b = _anchor_span(text, check.citation, used)
        line = bisect_right(starts, a) - 1
        if line != bisect_right(starts, b - 1) - 1:
            out.append(CROSSES_PARAGRAPHS)
        elif paras[line].text != text[starts[line] : starts[line + 1] - 1 if line + 1 < len(starts) else len(text)]:
            out.append(TEXT_DIFFERS)
        else:
            out.append((line, a - starts[line], b - starts[line]))
    return out


def _anchor_span(text: str, citation: Any, used: dict[tuple[int, int], int]) -> tuple[int, int]:
    """The span of the draft text a citation's comment is anchored on."""
    a, b = citation.start, citation.end
    whole = text[a:b]
    if " ".join(whole.split()) == citation.text:
        return a, b
    part = citation.text[1:-1] if citation.text.startswith("(") and citation.text.endswith(")") else citation.text
    at = whole.find(part, used.get((a, b), 0))
    if at < 0:
        at = whole.find(part)
    if at < 0 or not part:
        return a, b
    used[(a, b)] = at + len(part)
    return a + at, a + at + len(part)


def comment_lines(check: CitationCheck) -> list[str]:
    """The paragraphs of the comment on one citation, in Norwegian."""
    from .check import ANNEN_SIDE, IKKE_STOTTET, STOTTET, UKJENT_KILDE, UTEN_SIDE

    best = check.best
    page = (best.hit.chunk.pages or "uten side") if best else ""
    cited = check.citation.pages
    head = {
        STOTTET: f"Støttet: s. {cited} støtter setningen." if cited else "Støttet.",
        ANNEN_SIDE: f"Feil side: kilden sier s. {page}.",
        UTEN_SIDE: f"Mangler side: kilden sier s. {page}." if check.suggestion else "Mangler side.",
        IKKE_STOTTET: "Fant ikke støtte i kilden.",
        UKJENT_KILDE: "Ukjent kilde.",
    }.get(check.status, check.status)
    lines = [head]
    if check.suggestion:
        lines.append(f"Forslag: {check.suggestion}")
    if best is not None:
        strong = check.status in (STOTTET, ANNEN_SIDE) or (check.status == UTEN_SIDE and bool(check.suggestion))
        label = "Støttende setning" if strong else "Nærmeste setning"
        sentence = " ".join(best.sentence_text.split())
        if len(sentence) > limits.MAX_COMMENT_SENTENCE_CHARS:
            sentence = sentence[: limits.MAX_COMMENT_SENTENCE_CHARS].rsplit(" ", 1)[0] + " …"
        where = page if page == "uten side" else f"s. {page}"
        lines.append(f"{label} ({where}, støtte {best.score:.2f}): «{sentence}»")
    if check.note:
        lines.append(check.note)
    return lines
