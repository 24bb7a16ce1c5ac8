"""User-facing Norwegian strings of the CLI, in one place."""

APP_HELP = (
    "litsok: søk i pensumlitteraturen din etter mening, og få tilbake avsnittet med nøyaktig "
    "kildehenvisning (APA 7, norsk)."
)
INDEKSER_HELP = "Bygg eller oppdater indeksen av korpusmappen (notater og PDF-er)."
SPOR_HELP = "Still et spørsmål og få rangerte avsnitt med kildehenvisning. Uten spørsmål: interaktiv modus."
KILDER_HELP = (
    "Vis kildene i indeksen med sider, antall biter og manglende metadata, og hvilke PDF-er "
    "som mangler i korpuset eller ikke har en oppføring i kilder.bib."
)

OPT_KORPUS = "Korpusmappen med notater, PDF-er og kilder.bib."
OPT_INDEKS = "Indeksmappen."
OPT_MODELL = "Innebyggingsmodell: e5-small (standard) eller st:<navn eller mappe>."
OPT_JSON = "Skriv maskinlesbar JSON."
OPT_K = "Antall treff."
OPT_KILDE = "Søk bare i denne kilden (nøkkel, kan gjentas)."
OPT_ALT = "Bygg hele indeksen på nytt i stedet for bare det som er endret."
OPT_FUSJON = "Rangering: hybrid (standard), rrf, dense eller lexical."

PROMPT = "spørsmål (tom linje avslutter)> "
NO_HITS = "Ingen treff. Prøv andre ord, eller sjekk at kilden er indeksert (`litsok kilder`)."
STAGES = {"les": "Leser filer", "bygg inn": "Bygger inn tekst", "skriv": "Skriver indeks"}
VIS_HELP = "Vis hele teksten på én side av en kilde, for å lese sammenhengen rundt et treff."
STATUS_HELP = "Vis korpus, indeks, modell, antall, når det sist ble indeksert, hva som er utdatert og om OCR virker."
OVERVAK_HELP = "Overvåk korpusmappen og oppdater indeksen når noe endres."
OPT_FRA = "Les spørsmål fra en fil (ett per linje, `-` for standard inn) og skriv JSON-linjer."

SITER_HELP = (
    "Finn kilden og siden som støtter en påstand, med den beste setningen og henvisningen å lime inn; "
    "sier fra når ordlyden er så lik kilden at den må stå som sitat, og når ingen kilde støtter påstanden."
)
SJEKK_HELP = (
    "Sjekk kildehenvisningene i et utkast (.docx, .md eller .txt): finnes kilden, og står det på den "
    "siterte siden det setningen sier?"
)
REFERANSER_HELP = "Skriv litteraturlisten (APA 7) for kildene i indeksen, eller bare for dem et utkast siterer."
OPT_FRA_UTKAST = "Bare kildene dette utkastet (.docx, .md, .txt) siterer."
OPT_FORMAT = "Format: tekst (standard), markdown, bibtex eller csl-json."
OPT_FRA_PASTAND = "Les påstander fra en fil (én per linje, `-` for standard inn) og skriv JSON-linjer."
