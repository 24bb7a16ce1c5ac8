"""Typeset the demo article corpus/artikler/hansen2021-relasjon.pdf.

A two-page journal article (fictional author, our own text) with the running
header "Sosialfaglig tidsskrift" and the printed page numbers 45 and 46 in the
footer, so `litsok` can show a citation like (Hansen, 2021, s. 46).

    .venv/bin/python tests/make_demo_pdf.py [output.pdf]

The output is byte-for-byte reproducible (reportlab's invariant mode).
"""

from __future__ import annotations

import sys
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdfmaker import font_path  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "corpus" / "artikler" / "hansen2021-relasjon.pdf"
JOURNAL = "Sosialfaglig tidsskrift"
FIRST_PAGE = 45

TITLE = "Relasjonsbygging og tillit i Nav-veiledning"
AUTHOR = "Kari Hansen"
ABSTRACT = (
    "Sammendrag: Artikkelen drøfter hvordan veiledere i Nav bygger relasjoner som brukerne kan stole på. "
    "Den bygger på en tenkt casestudie og på faglitteratur om kommunikasjon og makt. (Demotekst skrevet for litsok.)"
)

PAGE_45 = [
    ("Innledning", ""),
    (
        "",
        "Møtet mellom en veileder og en bruker i Nav er sjelden et møte mellom likeverdige parter. "
        "Brukeren kommer ofte i en sårbar livssituasjon, med økonomiske bekymringer, helseplager eller "
        "et langt fravær fra arbeidslivet bak seg. Veilederen forvalter på sin side regelverk, ytelser og "
        "tiltak som har stor betydning for brukerens hverdag. I et slikt møte blir relasjonen selve "
        "arbeidsverktøyet: uten en relasjon preget av respekt og forutsigbarhet blir det vanskelig å "
        "samarbeide om mål, planer og aktiviteter.",
    ),
    ("Hva er tillit?", ""),
    (
        "",
        "Tillit kan forstås som en forventning om at den andre vil handle til ens beste, også når man selv "
        "ikke har full oversikt. For brukeren betyr det å tro på at veilederen lytter, tar opplysningene "
        "på alvor og bruker skjønnet sitt til brukerens fordel. Tillit kan ikke kreves. Den vokser fram "
        "gjennom mange små erfaringer: at avtaler blir holdt, at telefonen blir besvart, og at brukeren får "
        "en forklaring når et vedtak ikke blir som ventet.",
    ),
    (
        "",
        "Relasjonsbygging handler derfor mindre om enkeltstående teknikker enn om en holdning. Veilederen "
        "viser interesse for brukerens egen forståelse av situasjonen, stiller åpne spørsmål og oppsummerer "
        "det som er sagt, slik at brukeren kan rette opp misforståelser. Slike enkle grep gjør samtalen "
        "mer gjensidig og gir brukeren en opplevelse av å bli sett som en person og ikke som en sak.",
    ),
]
PAGE_46 = [
    ("Makt og åpenhet", ""),
    (
        "",
        "Asymmetrien i relasjonen forsvinner ikke fordi veilederen er vennlig. Nav-veilederen har makt til å "
        "stille krav, innvilge og avslå. Tillit forutsetter at denne makten gjøres synlig. Når veilederen "
        "forklarer hvilke regler som gjelder, hva som skal skje videre og hvilke valg brukeren faktisk har, "
        "blir det lettere for brukeren å delta på like fot i planleggingen av egen oppfølging.",
    ),
    ("Tid og kontinuitet", ""),
    (
        "",
        "Mange brukere forteller om hyppige bytter av veileder. Hver gang må historien fortelles på nytt, og "
        "relasjonen må bygges fra grunnen. Kontinuitet i oppfølgingen er derfor et organisatorisk spørsmål "
        "like mye som et spørsmål om den enkelte veileders ferdigheter. Et kontor som lar samme veileder "
        "følge brukeren over tid, gir bedre vilkår for tillit enn et kontor der saken flyttes mellom mange.",
    ),
    ("Avslutning", ""),
    (
        "",
        "Relasjonsbygging og tillit i Nav-veiledning krever både en lyttende holdning, åpenhet om makt og "
        "rammer som gir rom for kontinuitet. Når disse forholdene er til stede, kan samtalen bli et sted der "
        "brukeren får hjelp til å finne sin egen vei tilbake til arbeid og aktivitet.",
    ),
]

MARGIN = 64.0
BODY = 10.5
LEADING = 14.5


def _header_footer(c: canvas.Canvas, number: int) -> None:
    w, h = A4
    c.setFont("DemoSans", 8.5)
    c.drawString(MARGIN, h - 38, JOURNAL)
    c.drawRightString(w - MARGIN, h - 38, "Årgang 4, nr. 1, 2021")
    c.setLineWidth(0.4)
    c.line(MARGIN, h - 43, w - MARGIN, h - 43)
    c.setFont("DemoSans", 9)
    c.drawCentredString(w / 2, 34, str(number))


def _blocks(c: canvas.Canvas, blocks: list[tuple[str, str]], y: float) -> float:
    w, _ = A4
    width = w - 2 * MARGIN
    for heading, text in blocks:
        if heading:
            y -= 6
            c.setFont("DemoSans-Bold", 11)
            c.drawString(MARGIN, y, heading)
            y -= LEADING + 2
        if text:
            c.setFont("DemoSans", BODY)
            for line in simpleSplit(text, "DemoSans", BODY, width):
                c.drawString(MARGIN, y, line)
                y -= LEADING
            y -= 4
    return y


def make_demo(out: Path = OUT) -> Path:
    regular = font_path()
    bold = regular.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf").replace("Vera.ttf", "VeraBd.ttf")
    pdfmetrics.registerFont(TTFont("DemoSans", regular))
    pdfmetrics.registerFont(TTFont("DemoSans-Bold", bold if Path(bold).exists() else regular))
    out.parent.mkdir(parents=True, exist_ok=True)
    w, h = A4
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(TITLE)
    c.setAuthor(AUTHOR)
    c.setSubject(f"{JOURNAL} 4(1), s. 45–46. Demotekst for litsok.")

    _header_footer(c, FIRST_PAGE)
    c.setFont("DemoSans-Bold", 17)
    c.drawString(MARGIN, h - 92, TITLE)
    c.setFont("DemoSans", 11)
    c.drawString(MARGIN, h - 112, AUTHOR)
    c.setFont("DemoSans", 9)
    y = h - 136
    for line in simpleSplit(ABSTRACT, "DemoSans", 9, w - 2 * MARGIN):
        c.drawString(MARGIN, y, line)
        y -= 12
    _blocks(c, PAGE_45, y - 10)
    c.showPage()

    _header_footer(c, FIRST_PAGE + 1)
    _blocks(c, PAGE_46, h - 80)
    c.showPage()
    c.save()
    return out


if __name__ == "__main__":
    target = make_demo(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"{target} ({target.stat().st_size} byte)")  # noqa: T201 - a script, not the library
