"""`sjekk --kommentarer`: the commented copy of a .docx draft. Drafts are built in the
test (python-docx for the body; tracked changes, a footnote and an existing comment
added to the XML), the copy is opened with python-docx and zipfile, and every part
but the document and its comments must be the draft's, byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import SMALL_DRAFT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree
from typer.testing import CliRunner

from litsok.check import STATUSES, read_draft
from litsok.cli import app
from litsok.docx_comments import comment_lines, write_comments
from litsok.library import index_corpus
from litsok.writer import check_draft

runner = CliRunner()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEADS = {  # how each status opens its comment
    "støttet": "Støttet",
    "annen_side": "Feil side: kilden sier s. ",
    "uten_side": "Mangler side",
    "ikke_støttet": "Fant ikke støtte",
    "ukjent_kilde": "Ukjent kilde",
}


@pytest.fixture
def indexed(settings):
    index_corpus(settings)
    return settings


def _args(settings, *extra):
    return [*extra, "--korpus", str(settings.corpus), "--indeks", str(settings.index)]


def _plain_draft(path: Path, text: str = SMALL_DRAFT) -> Path:
    document = docx.Document()
    for para in text.split("\n\n"):
        document.add_paragraph(para.strip().lstrip("# "))
    document.save(str(path))
    return path


def anchors(path: Path) -> dict[str, str]:
    """Comment id -> the text of the document between its range start and end."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    open_: dict[str, list[str]] = {}
    done: dict[str, str] = {}
    for el in root.iter():
        if el.tag == f"{{{W}}}commentRangeStart":
            open_[el.get(f"{{{W}}}id")] = []
        elif el.tag == f"{{{W}}}commentRangeEnd":
            cid = el.get(f"{{{W}}}id")
            done[cid] = "".join(open_.pop(cid))
        elif el.tag == f"{{{W}}}t":
            for parts in open_.values():
                parts.append(el.text or "")
    return done


def body_text(data: bytes) -> str:
    root = etree.fromstring(data)
    return "".join(t.text or "" for t in root.iter(f"{{{W}}}t"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


# --------------------------------------------------------------------------- the comments


def test_each_citation_gets_a_comment_with_its_status_page_and_sentence(indexed, tmp_path):
    draft = _plain_draft(tmp_path / "utkast.docx")
    report = check_draft(indexed, draft)
    out = write_comments(report, tmp_path / "kommentert.docx")
    assert out.written == len(report.checks) == 5 and out.skipped == 0

    document = docx.Document(str(out.output))
    comments = {str(c.comment_id): c for c in document.comments}
    where = anchors(out.output)
    assert set(comments) == set(where)
    for check, written in zip(report.checks, out.comments, strict=True):
        comment = comments[str(written.comment_id)]
        assert where[str(written.comment_id)] == check.citation.text == written.anchor
        assert (comment.author, comment.initials) == ("litsok", "LS")
        assert comment.text.startswith(HEADS[check.status]), (check.status, comment.text)
        if check.suggestion:
            assert f"Forslag: {check.suggestion}" in comment.text
    by_status = {c.status: comments[str(w.comment_id)].text for c, w in zip(report.checks, out.comments, strict=True)}
    wrong_page = by_status["annen_side"]  # (Røkenes & Hanssen, 2012, s. 180): the source says it on s. 181
    assert wrong_page.startswith("Feil side: kilden sier s. 181.")
    assert "Støttende setning (s. 181, støtte" in wrong_page
    assert "«Empati er evnen til å sette seg inn i klientens opplevelse og formidle forståelse tilbake.»" in wrong_page
    assert by_status["støttet"].startswith("Støttet: s. 22 støtter setningen.")
    assert "Kilden finnes ikke i indeksen" in by_status["ukjent_kilde"]


def test_comment_lines_name_every_status(indexed, tmp_path):
    report = check_draft(indexed, _plain_draft(tmp_path / "utkast.docx"))
    assert {c.status for c in report.checks} == set(STATUSES)
    for check in report.checks:
        lines = comment_lines(check)
        assert lines[0].startswith(HEADS[check.status]) and all(line.strip() for line in lines)


def test_a_citation_split_over_three_runs_gets_one_comment_and_keeps_the_formatting(indexed, tmp_path):
    document = docx.Document()
    p = document.add_paragraph("Aksept betyr at sosialarbeideren tar imot klienten slik hun er ")
    p.add_run("(Bies").bold = True
    p.add_run("tek, 1972, ")
    p.add_run("s. 29) – med styrker og svakheter.").italic = True
    draft = tmp_path / "utkast.docx"
    document.save(str(draft))

    out = write_comments(check_draft(indexed, draft), tmp_path / "ut.docx")
    assert list(anchors(out.output).values()) == ["(Biestek, 1972, s. 29)"]
    copy = docx.Document(str(out.output))
    assert len(list(copy.comments)) == 1
    runs = [(r.text, bool(r.bold), bool(r.italic)) for r in copy.paragraphs[0].runs if r.text]
    assert runs == [
        ("Aksept betyr at sosialarbeideren tar imot klienten slik hun er ", False, False),
        ("(Bies", True, False),
        ("tek, 1972, ", False, False),
        ("s. 29)", False, True),  # the italic run, cut where the citation ends: both halves italic
        (" – med styrker og svakheter.", False, True),
    ]


def test_each_citation_of_one_parenthesis_gets_its_own_anchor(indexed, tmp_path):
    draft = _plain_draft(tmp_path / "utkast.docx", "Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22; Røkenes & Hanssen, 2012, s. 181).")
    report = check_draft(indexed, draft)
    out = write_comments(report, tmp_path / "ut.docx")
    assert sorted(anchors(out.output).values()) == ["Biestek, 1972, s. 22", "Røkenes & Hanssen, 2012, s. 181"]
    assert sorted(c.anchor for c in out.comments) == ["Biestek, 1972, s. 22", "Røkenes & Hanssen, 2012, s. 181"]


# --------------------------------------------------------------------------- the rest survives


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Se også (Biestek, 1972, s. 28).</w:t></w:r></w:p></w:footnote>
</w:footnotes>""".encode()


def _tracked(paragraph, inserted: str, deleted: str) -> None:
    """A tracked deletion and insertion at the end of the paragraph, as Word writes them."""
    dele = OxmlElement("w:del")
    dele.set(qn("w:id"), "901")
    dele.set(qn("w:author"), "Student")
    run = OxmlElement("w:r")
    text = OxmlElement("w:delText")
    text.text = deleted
    run.append(text)
    dele.append(run)
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "902")
    ins.set(qn("w:author"), "Student")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = inserted
    run.append(text)
    ins.append(run)
    paragraph._p.append(dele)
    paragraph._p.append(ins)


def _rich_draft(path: Path, tmp_path: Path) -> Path:
    """Header, an existing comment, a table, a tracked change inside a citation, a
    footnote with a citation, and an image."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Bacheloroppgave – topptekst (Biestek, 1972, s. 1)"
    first = document.add_paragraph("Relasjonen er sjelen i sosialt arbeid ")
    document.add_comment(first.runs[0], text="Veileder: utdyp dette.", author="Veileder", initials="VE")
    first.add_run("(Biestek, 1972, s. 22).")
    ref = OxmlElement("w:r")
    fn = OxmlElement("w:footnoteReference")
    fn.set(qn("w:id"), "1")
    ref.append(fn)
    first._p.append(ref)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Empati"
    table.cell(0, 1).text = "Empati er evnen til å sette seg inn i klientens opplevelse (Røkenes & Hanssen, 2012, s. 181)."
    tracked = document.add_paragraph("Unge mottakere opplevde aktivitetsplikten som meningsløs (Leseth et al., 2020, s. ")
    _tracked(tracked, "133).", "99).")
    linked = document.add_paragraph("Fotosyntesen skjer i kloroplastene ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), document.part.relate_to("https://example.org/hansen", RT.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "(Hansen, 2021, s. 4)"
    run.append(text)
    link.append(run)
    linked._p.append(link)
    linked.add_run(".")
    image = tmp_path / "figur.png"
    image.write_bytes(_png())
    document.add_picture(str(image))
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        FOOTNOTES,
        document.part.package,
    )
    document.part.relate_to(part, RT.FOOTNOTES)
    document.save(str(path))
    return path


def test_a_rich_draft_survives_unchanged_apart_from_the_comments(indexed, tmp_path):
    draft = _rich_draft(tmp_path / "utkast.docx", tmp_path)
    before = hashlib.sha256(draft.read_bytes()).hexdigest()
    report = check_draft(indexed, draft)
    assert [c.citation.text for c in report.checks] == [
        "(Biestek, 1972, s. 22)", "(Røkenes & Hanssen, 2012, s. 181)", "(Leseth et al., 2020, s. 133)",
        "(Hansen, 2021, s. 4)",
    ]
    out = write_comments(report, tmp_path / "ut.docx")

    assert hashlib.sha256(draft.read_bytes()).hexdigest() == before  # the original is only read
    old, new = parts(draft), parts(out.output)
    assert list(new)[: len(old)] == list(old)  # same members, same order
    changed = {name for name in old if old[name] != new[name]}
    assert changed == {"word/document.xml", "word/comments.xml"}
    assert any(n.startswith("word/media/") for n in old) and any(n.startswith("word/header") for n in old)
    assert "word/footnotes.xml" in old
    assert body_text(new["word/document.xml"]) == body_text(old["word/document.xml"])
    assert out.note_citations == 1  # the footnote's citation: not checked, and said so
    # the citations in the table, ending in a tracked insertion and in a hyperlink are anchored whole
    assert sorted(anchors(out.output).values()) == sorted(
        ["Relasjonen er sjelen i sosialt arbeid ", *(c.citation.text for c in report.checks)]
    )
    root = etree.fromstring(new["word/document.xml"])
    for ref in root.iter(f"{{{W}}}commentReference"):  # the comment marks are not part of the tracked change
        assert all(a.tag != f"{{{W}}}ins" for a in ref.iterancestors())
    ins = next(root.iter(f"{{{W}}}ins"))
    assert "".join(t.text for t in ins.iter(f"{{{W}}}t")) == "133)."
    copy = docx.Document(str(out.output))
    kept = [c for c in copy.comments if c.author == "Veileder"]
    assert [(c.comment_id, c.text, c.initials) for c in kept] == [(0, "Veileder: utdyp dette.", "VE")]
    assert sorted(c.comment_id for c in copy.comments) == [0, 1, 2, 3, 4]
    link = next(root.iter(f"{{{W}}}hyperlink"))
    assert [el.tag.split("}")[1] for el in link] == ["commentRangeStart", "r", "commentRangeEnd"]
    assert read_draft(out.output).text == read_draft(draft).text  # `sjekk` reads the copy as it read the draft


def test_a_citation_over_two_paragraphs_is_reported_not_commented(indexed, tmp_path):
    draft = _plain_draft(
        tmp_path / "utkast.docx",
        "Relasjonen er sjelen i sosialt arbeid (Biestek,\n\n1972, s. 22). Empati er evnen til å sette seg inn i "
        "klientens opplevelse (Røkenes & Hanssen, 2012, s. 181).",
    )
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--kommentarer", str(tmp_path / "ut.docx")))
    assert res.exit_code == 2, res.output  # partial: one citation has no comment
    assert "Skrev 1 kommentar i" in res.stdout
    assert "Ikke kommentert: avsnitt 1 (Biestek, 1972, s. 22): henvisningen går over flere avsnitt" in res.stdout
    assert list(anchors(tmp_path / "ut.docx").values()) == ["(Røkenes & Hanssen, 2012, s. 181)"]


# --------------------------------------------------------------------------- the command


def test_sjekk_kommentarer_json_on_the_demo_index(demo_index, tmp_path):
    draft = _plain_draft(
        tmp_path / "utkast.docx",
        "Biestek kaller relasjonen sjelen i det sosiale arbeidet (Biestek, 1972, s. 22).\n\n"
        "Aksept betyr ikke å godta alt klienten gjør (Biestek, 1972, s. 61).\n\n"
        "Studentene skrev om barnevernet (Dalland, 2020, s. 54).",
    )
    out = tmp_path / "ut.docx"
    res = runner.invoke(app, _args(demo_index, "sjekk", str(draft), "--kommentarer", str(out), "--json"))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["kommentarer"] == {"fil": str(out), "skrevet": 3, "ikke_skrevet": 0, "henvisninger_i_fotnoter": 0}
    comments = {c.comment_id: c.text for c in docx.Document(str(out)).comments}
    where = anchors(out)
    for item in data["henvisninger"]:
        mark = item["kommentar"]
        assert mark["skrevet"] is True and mark["grunn"] == ""
        assert where[str(mark["id"])] == mark["anker"] == item["henvisning"]["tekst"]
        assert comments[mark["id"]].startswith(HEADS[item["status"]])
    assert data["henvisninger"][2]["status"] == "ukjent_kilde"


def test_an_existing_file_is_kept_without_overskriv(indexed, tmp_path):
    draft = _plain_draft(tmp_path / "utkast.docx")
    out = tmp_path / "ut.docx"
    out.write_bytes(b"mitt eget dokument")
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--kommentarer", str(out)))
    assert res.exit_code == 1
    assert "finnes fra før" in res.stderr and "--overskriv" in res.stderr
    assert out.read_bytes() == b"mitt eget dokument"
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--kommentarer", str(out), "--overskriv"))
    assert res.exit_code == 0, res.output
    assert len(list(docx.Document(str(out)).comments)) == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left


@pytest.mark.parametrize(
    "draft_name,out_name,message",
    [
        ("utkast.md", "ut.docx", "--kommentarer virker bare på Word-dokumenter (.docx)"),
        ("utkast.docx", "utkast.docx", "er selve utkastet; litsok endrer aldri originalen"),
        ("utkast.docx", "ut.txt", "må slutte på .docx"),
        ("utkast.docx", "mangler/ut.docx", "finnes ikke. Opprett den"),
    ],
)
def test_bad_targets_are_refused_before_the_check(indexed, tmp_path, draft_name, out_name, message):
    draft = tmp_path / draft_name
    if draft.suffix == ".docx":
        _plain_draft(draft)
    else:
        draft.write_text(SMALL_DRAFT, encoding="utf-8")
    before = draft.read_bytes()
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--kommentarer", str(tmp_path / out_name)))
    assert res.exit_code == 1
    assert message in res.stderr and "Traceback" not in res.output
    assert res.stdout == ""  # nothing checked, nothing printed
    assert draft.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [draft_name]


# --------------------------------------------------------------------------- packages Word did not write


STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def test_a_package_without_relationships_gets_a_comments_part_it_can_be_opened_with(indexed, tmp_path):
    from hostile_drafts import paragraph, write_docx

    body = paragraph("Relasjonen er sjelen i sosialt arbeid (Biestek, 1972, s. 22).")
    draft = write_docx(tmp_path / "minimal.docx", f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    out = write_comments(check_draft(indexed, draft), tmp_path / "ut.docx")
    new = parts(out.output)
    assert set(new) == set(parts(draft)) | {"word/comments.xml", "word/_rels/document.xml.rels"}
    assert b'PartName="/word/comments.xml"' in new["[Content_Types].xml"]
    assert b"relationships/comments" in new["word/_rels/document.xml.rels"]
    (comment,) = docx.Document(str(out.output)).comments
    assert comment.text.startswith("Støttet: s. 22") and anchors(out.output) == {"0": "(Biestek, 1972, s. 22)"}


def test_strict_namespace_and_a_text_box_are_anchored_where_the_reader_read_them(indexed, tmp_path):
    from hostile_drafts import write_docx

    box = '<w:p><w:r><w:t>Aksept betyr at sosialarbeideren tar imot klienten slik hun er (Biestek, 1972, s. 29).</w:t></w:r></w:p>'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{STRICT}" xmlns:mc="{MC}"><w:body><w:p>'
        "<w:r><w:t xml:space=\"preserve\">Figur:  </w:t></w:r><w:r><mc:AlternateContent>"
        f"<mc:Choice Requires=\"wps\"><w:drawing><w:txbxContent>{box}</w:txbxContent></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><w:txbxContent>{box}</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p></w:body></w:document>"
    )
    draft = write_docx(tmp_path / "strikt.docx", xml)
    report = check_draft(indexed, draft)
    assert [c.citation.text for c in report.checks] == ["(Biestek, 1972, s. 29)"]
    out = write_comments(report, tmp_path / "ut.docx")
    root = etree.fromstring(parts(out.output)["word/document.xml"])
    (start,) = root.iter(f"{{{STRICT}}}commentRangeStart")
    assert next(start.iterancestors(f"{{{MC}}}Choice", f"{{{MC}}}Fallback")).tag == f"{{{MC}}}Choice"
    fallback = next(root.iter(f"{{{MC}}}Fallback"))
    assert etree.tostring(fallback) == etree.tostring(etree.fromstring(xml.encode()).find(f".//{{{MC}}}Fallback"))
    assert b"http://purl.oclc.org/ooxml/officeDocument/relationships/comments" in parts(out.output)["word/_rels/document.xml.rels"]
    comments = etree.fromstring(parts(out.output)["word/comments.xml"])
    assert comments.tag == f"{{{STRICT}}}comments" and len(comments) == 1


def test_a_link_to_the_draft_is_the_draft_even_with_overskriv(indexed, tmp_path):
    draft = _plain_draft(tmp_path / "utkast.docx")
    before = draft.read_bytes()
    link = tmp_path / "lenke.docx"
    link.symlink_to(draft)
    res = runner.invoke(app, _args(indexed, "sjekk", str(draft), "--kommentarer", str(link), "--overskriv"))
    assert res.exit_code == 1 and "er selve utkastet" in res.stderr
    assert draft.read_bytes() == before and link.is_symlink()


def _field_run(paragraph, kind: str | None = None, instr: str | None = None, text: str | None = None) -> None:
    run = OxmlElement("w:r")
    if kind:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run.append(char)
    if instr:
        el = OxmlElement("w:instrText")
        el.text = instr
        run.append(el)
    if text:
        el = OxmlElement("w:t")
        el.text = text
        run.append(el)
    paragraph._p.append(run)


def test_a_zotero_field_citation_keeps_its_field_and_the_mark_goes_after_it(indexed, tmp_path):
    document = docx.Document()
    p = document.add_paragraph("Relasjonen er sjelen i sosialt arbeid ")
    _field_run(p, "begin")
    _field_run(p, instr=' ADDIN ZOTERO_ITEM CSL_CITATION {"citationID":"a1"} ')
    _field_run(p, "separate")
    _field_run(p, text="(Biestek, 1972, s. 22)")
    _field_run(p, "end")
    p.add_run(".")
    draft = tmp_path / "zotero.docx"
    document.save(str(draft))
    out = write_comments(check_draft(indexed, draft), tmp_path / "ut.docx")
    assert list(anchors(out.output).values()) == ["(Biestek, 1972, s. 22)"]
    root = etree.fromstring(parts(out.output)["word/document.xml"])
    body = root.find(f"{{{W}}}body/{{{W}}}p")
    kinds = []
    for el in body:
        name = el.tag.split("}")[1]
        char = el.find(f"{{{W}}}fldChar")
        ref = el.find(f"{{{W}}}commentReference")
        kinds.append(char.get(qn("w:fldCharType")) if char is not None else "ref" if ref is not None else name)
    assert kinds == ["r", "begin", "r", "separate", "commentRangeStart", "r", "commentRangeEnd", "end", "ref", "r"]
