"""The .docx package (a zip of XML parts) as `sjekk --kommentarer` reads and writes it.

`Package` parses only the parts the commented copy changes — the main document, its
relationships, the comments part and, for a new comments part, `[Content_Types].xml` —
each at most MAX_DOCX_PART_BYTES inflated, with no DOCTYPE and no entity expanded.
`write_zip` copies every other member's bytes unchanged (streamed), in the original
order, to a temporary file in the target's folder and renames it into place.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import limits
from .errors import LitsokError, UnreadableFileError

if TYPE_CHECKING:  # pragma: no cover
    import zipfile

_COMMENTS_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_TYPE_BASE = {  # by the document's namespace: transitional (what Word saves) and strict
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
    "http://purl.oclc.org/ooxml/wordprocessingml/main": "http://purl.oclc.org/ooxml/officeDocument/relationships/",
}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # characters XML 1.0 cannot hold
RESAVE = "Åpne den i Word og lagre den på nytt som .docx."


class Package:
    """The parts of the draft's package that the copy changes, parsed: the main
    document, its relationships, the content types and the comments part (the draft's
    own, or a new one)."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path, self.zf = path, zf
        self.names = set(zf.namelist())
        self.main = self._main_part()
        self.document = self.parse(self.main)
        self.ns = str(self.document.tag)[1:].partition("}")[0]
        self.rels_name = posixpath.join(posixpath.dirname(self.main), "_rels", posixpath.basename(self.main) + ".rels")
        self.rels = self.parse(self.rels_name) if self.rels_name in self.names else _element(f"{{{_RELS_NS}}}Relationships", {None: _RELS_NS})
        self.rels_changed = False
        self.comments_name, self.comments, self.new_part = self._comments_part()

    def parse(self, name: str) -> Any:
        """A part as an lxml tree: at most MAX_DOCX_PART_BYTES inflated, no DOCTYPE,
        no entity expanded, nothing fetched."""
        from lxml import etree

        info = self.zf.getinfo(name)
        if info.file_size > limits.MAX_DOCX_PART_BYTES:
            raise _too_big(self.path, name)
        try:
            with self.zf.open(info) as stream:
                data = stream.read(limits.MAX_DOCX_PART_BYTES + 1)
        except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib errors, encryption: a damaged part
            raise UnreadableFileError(str(self.path), f"{name} kan ikke pakkes ut ({type(exc).__name__}).", RESAVE) from None
        if len(data) > limits.MAX_DOCX_PART_BYTES:
            raise _too_big(self.path, name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise UnreadableFileError(str(self.path), f"{name} er ikke gyldig XML ({exc}).", RESAVE) from None
        if root.getroottree().docinfo.doctype:
            raise UnreadableFileError(str(self.path), f"{name} har en DOCTYPE-erklæring; Word skriver aldri det.", RESAVE)
        return root

    def _main_part(self) -> str:
        if "word/document.xml" in self.names:
            return "word/document.xml"
        if "_rels/.rels" in self.names:
            for rel in self.parse("_rels/.rels"):
                if str(rel.get("Type", "")).endswith("/officeDocument"):
                    target = str(rel.get("Target", "")).lstrip("/")
                    if target in self.names:
                        return target
        raise UnreadableFileError(str(self.path), "filen er ikke et Word-dokument (den mangler word/document.xml).", RESAVE)

    def _target(self, kind: str) -> str | None:
        """The part a relationship of the document of this type points at."""
        for rel in self.rels:
            if str(rel.get("Type", "")).endswith("/" + kind) and rel.get("TargetMode") != "External":
                target = str(rel.get("Target", ""))
                base = "" if target.startswith("/") else posixpath.dirname(self.main)
                return posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        return None

    def _comments_part(self) -> tuple[str, Any, bool]:
        name = self._target("comments")
        if name is not None and name in self.names:
            return name, self.parse(name), False
        if name is None:
            name, n = posixpath.join(posixpath.dirname(self.main), "comments.xml"), 1
            while name in self.names:
                n += 1
                name = posixpath.join(posixpath.dirname(self.main), f"comments{n}.xml")
            self._add_relationship(posixpath.relpath(name, posixpath.dirname(self.main) or "."))
        return name, _element(f"{{{self.ns}}}comments", {"w": self.ns}), True

    def _add_relationship(self, target: str) -> None:
        ids = {rel.get("Id") for rel in self.rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        base = _REL_TYPE_BASE.get(self.ns, _REL_TYPE_BASE[next(iter(_REL_TYPE_BASE))])
        rel = self.rels.makeelement(f"{{{_RELS_NS}}}Relationship", {"Id": f"rId{n}", "Type": base + "comments", "Target": target})
        self.rels.append(rel)
        self.rels_changed = True

    def next_comment_id(self) -> int:
        """One more than the highest comment id in the comments part and the document."""
        ids = [-1]
        for el in self.comments.iter(f"{{{self.ns}}}comment", *_marker_tags(self.ns)):
            value = str(el.get(f"{{{self.ns}}}id", ""))
            ids.append(int(value) if value.isdigit() else -1)
        for el in self.document.iter(*_marker_tags(self.ns)):
            value = str(el.get(f"{{{self.ns}}}id", ""))
            ids.append(int(value) if value.isdigit() else -1)
        return max(ids) + 1

    def add_comment(self, cid: int, lines: list[str], stamp: str, author: str, initials: str) -> None:
        """A `w:comment` with one paragraph a line, after the comments already there."""
        w = f"{{{self.ns}}}"
        make = self.comments.makeelement
        comment = make(f"{w}comment", {f"{w}id": str(cid), f"{w}author": author, f"{w}date": stamp, f"{w}initials": initials})
        for i, line in enumerate(lines):
            p = make(f"{w}p", {})
            ppr = make(f"{w}pPr", {})
            ppr.append(make(f"{w}pStyle", {f"{w}val": "CommentText"}))
            p.append(ppr)
            if i == 0:  # Word's mark for the comment, first in its first paragraph
                ref = make(f"{w}r", {})
                rpr = make(f"{w}rPr", {})
                rpr.append(make(f"{w}rStyle", {f"{w}val": "CommentReference"}))
                ref.extend([rpr, make(f"{w}annotationRef", {})])
                p.append(ref)
            run, t = make(f"{w}r", {}), make(f"{w}t", {_XML_SPACE: "preserve"})
            t.text = _NOT_XML.sub("", line)
            run.append(t)
            p.append(run)
            comment.append(p)
        self.comments.append(comment)

    def note_citations(self) -> int:
        """In-text citations in the footnotes and endnotes (which `sjekk` does not read)."""
        from .check import flatten, parse_citations
        from .docx_anchor import paragraphs

        n = 0
        for kind in ("footnotes", "endnotes"):
            name = self._target(kind)
            if name in self.names:
                text = "\n".join(p.text for p in paragraphs(self.parse(str(name))))
                n += len(parse_citations(flatten(text)))
        return n

    def changed(self) -> dict[str, bytes]:
        """The parts the copy gets instead of the draft's (or in addition), as bytes."""
        parts = {self.main: _xml(self.document), self.comments_name: _xml(self.comments)}
        if self.rels_changed:
            parts[self.rels_name] = _xml(self.rels)
        if self.new_part:
            types = self.parse("[Content_Types].xml")
            wanted = "/" + self.comments_name
            if not any(o.get("PartName") == wanted for o in types.iter(f"{{{_CT_NS}}}Override")):
                types.append(types.makeelement(f"{{{_CT_NS}}}Override", {"PartName": wanted, "ContentType": _COMMENTS_CONTENT_TYPE}))
            parts["[Content_Types].xml"] = _xml(types)
        return parts


def _marker_tags(ns: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{n}" for n in ("commentRangeStart", "commentRangeEnd", "commentReference"))


def _element(tag: str, nsmap: dict[str | None, str]) -> Any:
    from lxml import etree

    return etree.Element(tag, nsmap=nsmap)


def _xml(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _too_big(path: Path, part: str) -> UnreadableFileError:
    return UnreadableFileError(
        str(path),
        f"{part} er over grensen MAX_DOCX_PART_BYTES = {limits.MAX_DOCX_PART_BYTES // 1_000_000} MB utpakket.",
        "Åpne den i Word og lagre den på nytt som .docx.",
    )


def write_zip(path: Path, zf: zipfile.ZipFile, target: Path, parts: dict[str, bytes]) -> None:
    """Every member of `zf` into a new zip at `target`, in order, the ones in `parts`
    replaced (and those not in `zf` added at the end): written to a temporary file in
    the target's folder, then renamed, so `target` is never half-written."""
    import os
    import tempfile
    import zipfile

    total = sum(i.file_size for i in zf.infolist())
    if total > limits.MAX_DOCX_COPY_BYTES:
        raise UnreadableFileError(
            str(path), f"dokumentet er {total // 1_000_000} MB utpakket, over grensen MAX_DOCX_COPY_BYTES = "
            f"{limits.MAX_DOCX_COPY_BYTES // 1_000_000} MB.", "Komprimer bildene i Word og prøv igjen.",
        )
    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as out:
                for info in zf.infolist():
                    if info.filename in parts:
                        out.writestr(_copy_info(info), parts[info.filename])
                    else:
                        _copy_member(path, zf, info, out)
                for name in sorted(set(parts) - set(zf.namelist())):
                    out.writestr(zipfile.ZipInfo(name, datetime.now().timetuple()[:6]), parts[name], zipfile.ZIP_DEFLATED)
                out.comment = zf.comment
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LitsokError(f"Kan ikke skrive «{target}» ({exc.strerror or exc}). Sjekk at mappen er skrivbar og at det er plass på disken.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    import os

    umask = os.umask(0o22)
    os.umask(umask)
    return 0o666 & ~umask


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    import zipfile

    new = zipfile.ZipInfo(info.filename, max(info.date_time, (1980, 1, 1, 0, 0, 0)))
    new.compress_type = info.compress_type if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
    new.external_attr, new.create_system, new.comment = info.external_attr, info.create_system, info.comment
    return new


def _copy_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """One member copied unchanged (its bytes streamed, never all in memory)."""
    import shutil

    try:
        with zf.open(info) as src, out.open(_copy_info(info), "w", force_zip64=info.file_size > 1 << 30) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib errors, encryption: a damaged member
        raise UnreadableFileError(
            str(path), f"{info.filename} i zip-arkivet kan ikke pakkes ut ({type(exc).__name__}: {exc}).", RESAVE
        ) from None
