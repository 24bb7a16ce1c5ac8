"""`litsok mcp`: the library as an MCP server on stdio (the official `mcp` SDK, 2.x).

Six tools, each one facade call, each answering with the keys of the CLI's `--json`
as structured content plus a short text rendering as content:

    sok         library.ask           question -> passages with citation and printed page
    siter       writer.cite_claim     claim -> best source and page, quotation warning
    sjekk       writer.check_draft    draft text -> status of every in-text citation
    referanser  cite.reference_list   keys (none = all) -> reference list, APA 7
    vis         library.show_page     source key + printed page -> the page's text
    kilder      library.list_sources  the indexed sources

A `LitsokError` in a tool becomes an error result (isError) carrying its Norwegian
message; the server goes on answering.

Tool names are ASCII (`sok`, not `søk`): the MCP spec's tool-name rule (SEP-986, in
the SDK as `mcp.shared.tool_name_validation`) allows only A-Z a-z 0-9 _ - ., the SDK
logs a warning for `søk`, and the Claude and OpenAI APIs refuse tool names outside
[a-zA-Z0-9_-], so an assistant behind them could not call it. The title says «søk».

Loading: the server keeps one loaded index and one query embedder for its lifetime
(`library.open_index`, `embed.get_embedder`); `open_index` reads CURRENT on every
call (one small file) and loads the new generation when `litsok indekser` has
switched it. A background warm-up at start loads the index and the model, runs one
search, lists the sources and renders one reference, so the first call does not pay
for loading. Calls run one at a
time (a lock): the model and the caches are not made for threads.

stdout carries nothing but protocol: the SDK's stdio transport serves the wire from a
private copy of fd 1 and points fd 1 at stderr while it runs, so a stray print (ours
or a library's) lands on stderr; logging goes to stderr too.

This module imports the SDK at the top; `cli.py` imports it only inside `litsok mcp`.
"""

import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field
from typing_extensions import TypedDict

from . import limits
from .config import MAX_K, Settings
from .display import strip_controls
from .errors import LitsokError

log = logging.getLogger("litsok.mcp")

SERVER_NAME = "litsok"
DRAFT_NAME = "utkast.md"  # what `sjekk` calls the draft text in its report and messages
WARM_QUESTION = "Hva er en god relasjon mellom hjelper og klient?"
TOOL_NAMES = ("sok", "siter", "sjekk", "referanser", "vis", "kilder")

INSTRUCTIONS = """\
English: litsok searches one student's indexed course literature (PDFs, reading notes and \
their kilder.bib) and gives every passage with its APA 7 citation in Norwegian and the \
printed page number. Cite only what a tool returned, paste citations exactly as given, \
and check a draft's citations with `sjekk` before handing it in.

Norsk: litsok søker i studentens indekserte pensumlitteratur (PDF-er, lesenotater og \
kilder.bib) og gir hvert avsnitt med APA 7-henvisning på norsk og trykt sidetall. Siter \
bare det et verktøy har gitt, lim inn henvisningene slik de står, og sjekk henvisningene \
i et utkast med `sjekk` før det leveres."""


# --------------------------------------------------------------------------- tool descriptions


def _both(english: str, norsk: str) -> str:
    return f"English: {english}\n\nNorsk: {norsk}"


DESCRIPTIONS = {
    "sok": _both(
        "Search the indexed course literature (PDFs and reading notes) by meaning. Returns the best "
        "passages, each with a ready APA 7 in-text citation in Norwegian with the printed page, e.g. "
        "«(Røkenes & Hanssen, 2012, s. 180)», the source key, title, file, the best sentence and the "
        "whole passage. Use it to find what the literature says; quote or paraphrase only the returned "
        "text and paste the citation as given. `sources` limits the search to some source keys (see `kilder`).",
        "Søk etter mening i den indekserte pensumlitteraturen (PDF-er og lesenotater). Gir de beste "
        "avsnittene, hvert med ferdig kildehenvisning etter APA 7 med trykt sidetall, f.eks. "
        "«(Røkenes & Hanssen, 2012, s. 180)», kildenøkkel, tittel, fil, den beste setningen og hele "
        "avsnittet. Bruk det for å finne hva litteraturen sier; siter eller parafraser bare teksten du "
        "får, og lim inn henvisningen slik den står. `sources` avgrenser søket til noen kildenøkler (se `kilder`).",
    ),
    "siter": _both(
        "Find the source and printed page that support one sentence (a claim) from the student's draft. "
        "Returns whether the claim is supported (`støttet`), the citation to paste (`lim_inn`, null when "
        "nothing supports it: then do not cite anything for it), the supporting passages with their best "
        "sentence and support score, and a quotation warning (`sitat`) when the claim copies the source's "
        "wording, so it must be put in «» with the page, or rewritten.",
        "Finn kilden og den trykte siden som støtter én setning (en påstand) fra studentens utkast. Gir om "
        "påstanden er støttet (`støttet`), henvisningen å lime inn (`lim_inn`, null når ingen kilde støtter "
        "den: sett da ikke inn noen henvisning), avsnittene som støtter den med beste setning og støtte, og "
        "en advarsel (`sitat`) når påstanden gjengir kildens ordlyd og må stå i «» med sidetall eller skrives om.",
    ),
    "sjekk": _both(
        "Check every in-text citation in a draft text (plain text or Markdown, the whole draft or a part). "
        "For each citation: where it stands, the claim it backs, and a status: `støttet` (the cited page "
        "supports it), `annen_side` (another page supports it better: see `forslag`), `uten_side` (no page "
        "given: the best page is in `forslag`), `ikke_støttet` (the source does not say it), `ukjent_kilde` "
        "(no such source in the index), with an explanation in `merknad` and a summary.",
        "Sjekk alle kildehenvisningene i en utkasttekst (ren tekst eller Markdown, hele utkastet eller en "
        "del). For hver henvisning: hvor den står, påstanden den skal støtte og en status: `støttet` (den "
        "siterte siden støtter den), `annen_side` (en annen side støtter den bedre: se `forslag`), `uten_side` "
        "(ingen side oppgitt: beste side i `forslag`), `ikke_støttet` (kilden sier ikke dette), `ukjent_kilde` "
        "(kilden finnes ikke i indeksen), med forklaring i `merknad` og en oppsummering.",
    ),
    "referanser": _both(
        "The reference list (APA 7, Norwegian) of the given source keys, or of all sources in the index "
        "when `keys` is empty, in APA order, as plain text or Markdown (*italics*). Each entry also comes "
        "with its key and CSL-JSON. Own notes without author and year are not references.",
        "Referanselisten (APA 7, norsk) for de oppgitte kildenøklene, eller for alle kildene i indeksen når "
        "`keys` er tom, i APA-rekkefølge, som ren tekst eller Markdown (*kursiv*). Hver oppføring kommer også "
        "med nøkkel og CSL-JSON. Egne notater uten forfatter og år er ikke referanser.",
    ),
    "vis": _both(
        "The whole text of one printed page of a source (e.g. key `biestek1972`, page `22` or `28-29`), "
        "with the citation for that page: read the context around a search hit before citing it.",
        "Hele teksten på én trykt side av en kilde (f.eks. nøkkel `biestek1972`, side `22` eller `28-29`), "
        "med henvisningen for den siden: les sammenhengen rundt et treff før du siterer det.",
    ),
    "kilder": _both(
        "The sources in the index: key, in-text citation, title, type, files, printed page span, number of "
        "passages, missing bibliographic fields, and warnings (a PDF without a bibliography entry, an entry "
        "whose PDF is missing). Use the keys in `sok`, `referanser` and `vis`.",
        "Kildene i indeksen: nøkkel, henvisning, tittel, type, filer, trykte sider, antall tekstbiter, "
        "manglende bibliografiske felt og advarsler (en PDF uten oppføring i kilder.bib, en oppføring der "
        "PDF-en mangler). Bruk nøklene i `sok`, `referanser` og `vis`.",
    ),
}
TITLES = {
    "sok": "søk",
    "siter": "siter",
    "sjekk": "sjekk",
    "referanser": "referanser",
    "vis": "vis",
    "kilder": "kilder",
}


# --------------------------------------------------------------------------- inputs


Question = Annotated[
    str, Field(description="The question, best in Norwegian. / Spørsmålet, helst på norsk.", min_length=1)
]
Hits = Annotated[
    int, Field(ge=1, le=MAX_K, description=f"Number of passages (1-{MAX_K}). / Antall avsnitt (1-{MAX_K}).")
]
Sources = Annotated[
    list[str], Field(description="Only these source keys (empty: all). / Bare disse kildenøklene (tom: alle).")
]
Claim = Annotated[
    str, Field(description="One sentence from the draft. / Én setning fra utkastet.", min_length=1)
]
Supports = Annotated[
    int,
    Field(
        ge=1,
        le=limits.MCP_MAX_SUPPORTS,
        description=f"Passages to return (1-{limits.MCP_MAX_SUPPORTS}). / Antall avsnitt (1-{limits.MCP_MAX_SUPPORTS}).",
    ),
]
DraftText = Annotated[
    str, Field(description="The draft text (Markdown or plain text). / Utkastteksten (Markdown eller ren tekst).")
]
Keys = Annotated[
    list[str],
    Field(description="Source keys, e.g. [\"biestek1972\"]; empty: all sources. / Kildenøkler; tom: alle kildene."),
]
RefFormat = Annotated[
    Literal["tekst", "markdown"], Field(description="tekst (plain) or markdown (*italics*). / tekst eller markdown.")
]
Key = Annotated[str, Field(description="Source key, e.g. biestek1972 (see kilder). / Kildenøkkel (se kilder).")]
PageArg = Annotated[
    str | int, Field(description="Printed page, e.g. 22 or \"28-29\". / Trykt side, f.eks. 22 eller \"28-29\".")
]


# --------------------------------------------------------------------------- outputs (top-level keys of `--json`)

Item = dict[str, Any]


class SokResult(TypedDict):
    """The question and the ranked passages (`litsok spør --fra` gives one such line per question)."""

    spørsmål: str
    treff: list[Item]


class SiterResult(TypedDict):
    """`litsok siter --json`."""

    påstand: str
    støttet: bool
    terskel: float
    lim_inn: str | None
    sitat: bool
    treff: list[Item]


class SjekkResult(TypedDict):
    """`litsok sjekk --json`."""

    fil: str
    terskel: float
    antall: int
    oppsummering: dict[str, int]
    henvisninger: list[Item]


class ReferanserResult(TypedDict):
    """The list as one text in `format`, and its entries as `litsok referanser --json` gives them."""

    format: str
    tekst: str
    referanser: list[Item]


class VisResult(TypedDict):
    """`litsok vis --json`."""

    source_key: str
    source_title: str
    citation: str
    pages: list[Item]


class KilderResult(TypedDict):
    """`litsok kilder --json` under one key."""

    kilder: list[Item]


# --------------------------------------------------------------------------- the session


class Session:
    """What the server holds between calls: the settings and one lock. The loaded
    index and the query embedder are the library's own (one per process, the index
    reopened when CURRENT names a new generation); `generation` is the one in use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.generation = ""
        self._lock = threading.Lock()

    def answer(self, work: Callable[[], tuple[dict[str, Any], str]]) -> CallToolResult:
        """Run one tool body; a LitsokError becomes an error result with its message."""
        with self._lock:
            try:
                self._note_generation()
                data, text = work()
            except LitsokError as exc:
                return CallToolResult(content=[TextContent(type="text", text=strip_controls(exc.message))], is_error=True)
        return CallToolResult(content=[TextContent(type="text", text=strip_controls(text))], structured_content=data)

    def warm(self) -> None:
        """Load the index and the model, run one search, list the sources and render one
        reference (the bibliography parser and citeproc are imported on first use)."""
        from .cite import reference_list
        from .library import ask, list_sources, open_index
        from .writer import index_sources

        with self._lock:
            try:
                self._note_generation()
                ask(self.settings, WARM_QUESTION, k=1)
                list_sources(self.settings)
                reference_list(index_sources(open_index(self.settings))[:1])
            except LitsokError as exc:  # no index yet: every call says so, and works once it is built
                log.warning("litsok mcp: %s", exc.message)

    def _note_generation(self) -> None:
        from .library import open_index

        name = open_index(self.settings).folder.name
        if name != self.generation:
            if self.generation:
                log.info("litsok mcp: ny indeksgenerasjon %s (var %s)", name, self.generation)
            self.generation = name


# --------------------------------------------------------------------------- the tool bodies


def search_passages(settings: Settings, question: str, k: int, sources: list[str]) -> tuple[dict[str, Any], str]:
    from .library import ask

    hits = ask(settings, question, k=k, sources=sources)
    data = {"spørsmål": question, "treff": [h.to_json() for h in hits]}
    lines = [f"{h.rank}. {h.citation} {h.source_title} [{h.chunk.source_key}]\n{h.chunk.text}" for h in hits]
    return data, "\n\n".join(lines) or "Ingen treff. Prøv andre ord, eller se hvilke kilder som er indeksert (kilder)."


def support_claim(settings: Settings, claim: str, k: int) -> tuple[dict[str, Any], str]:
    from .writer import cite_claim

    result = cite_claim(settings, claim, k=k)
    best = result.best
    if best is None:
        head = "Ingen treff i indeksen."
    elif result.supported:
        head = f"Lim inn: {best.citation}"
        if best.quotation:
            head += "\nSitat: påstanden gjengir kildens ordlyd. Sett ordene i «» med sidetall, eller skriv om med egne ord."
    else:
        head = (
            f"Ingen kilde i indeksen støtter påstanden godt nok (beste støtte {best.score:.2f}, terskel "
            f"{result.threshold:.2f}). Ikke sett inn en henvisning for den. Nærmeste treff:"
        )
    lines = [f"{i}. {s.hit.citation} støtte {s.score:.2f}: «{s.sentence_text}»" for i, s in enumerate(result.supports, 1)]
    return result.to_json(), "\n".join([head, *lines])


def check_text(settings: Settings, text: str) -> tuple[dict[str, Any], str]:
    """`writer.check_draft` on the text, written to a temporary .md (so every rule
    and limit of reading a draft file applies); the report and messages name it
    DRAFT_NAME instead of the temporary path."""
    from .writer import check_draft

    with tempfile.TemporaryDirectory(prefix="litsok-mcp-") as folder:
        path = Path(folder) / DRAFT_NAME
        path.write_text(text, encoding="utf-8")
        try:
            report = replace(check_draft(settings, path), file=Path(DRAFT_NAME))
        except LitsokError as exc:
            raise LitsokError(exc.message.replace(str(path), DRAFT_NAME)) from None
    lines = []
    for ch in report.checks:
        line = f"{ch.status} {ch.location}: {ch.citation.text}" + (f" → {ch.suggestion}" if ch.suggestion else "")
        lines.append(line + (f"\n   {ch.note}" if ch.note else ""))
    return report.to_json(), "\n".join([*lines, report.summary()])


def reference_list(settings: Settings, keys: list[str], fmt: str) -> tuple[dict[str, Any], str]:
    """The reference list of `keys` (empty: every source in the index), with the
    items of `referanser --json`."""
    from .cite import public_csl, reference_document, sort_key
    from .cite import reference_list as entries
    from .library import open_index
    from .writer import index_sources

    index = open_index(settings)
    sources = {s.key: s for s in index_sources(index)}
    _check_keys(keys, sources, index.sources)
    chosen = sorted((sources[k] for k in dict.fromkeys(keys)) if keys else sources.values(), key=sort_key)
    plain, markdown = entries(chosen, "tekst"), entries(chosen, "markdown")
    items = [
        {"nøkkel": s.key, "referanse": p, "markdown": m, "csl": public_csl(s)}
        for s, p, m in zip(chosen, plain, markdown, strict=True)
    ]
    text = reference_document(chosen, fmt) if chosen else ""
    return {"format": fmt, "tekst": text, "referanser": items}, text or "Ingen kilder med forfatter og år i indeksen."


def _check_keys(keys: list[str], citable: dict[str, Any], indexed: dict[str, Any]) -> None:
    notes = [k for k in keys if k in indexed and k not in citable]
    if notes:
        raise LitsokError(
            f"{', '.join(f'«{k}»' for k in notes)} er egne notater uten forfatter og år, ikke kilder til "
            "referanselisten. Ta dem ut av listen over nøkler."
        )
    unknown = [k for k in keys if k not in indexed]
    if unknown:
        raise LitsokError(
            f"Ukjent kilde {', '.join(f'«{k}»' for k in unknown)}. Kjente kilder: {', '.join(sorted(citable))} "
            "(se verktøyet kilder)."
        )


def show_page(settings: Settings, key: str, page: str | int) -> tuple[dict[str, Any], str]:
    from .library import show_page as show

    view = show(settings, key, str(page))
    parts = [f"{view.citation} {view.source_title}"]
    for p in view.pages:
        where = f"s. {p.label}" + (f" (PDF-side {p.pdf_index + 1})" if p.pdf_index is not None else "")
        parts.append(f"── {where} · {p.file} ──\n{p.text}")
    return view.to_json(), "\n".join(parts)


def list_sources(settings: Settings) -> tuple[dict[str, Any], str]:
    from .library import list_sources as summaries

    sources = summaries(settings)
    lines = []
    for s in sources:
        where = f"{f's. {s.pages}' if s.pages else 'uten sider'}, {s.chunks} biter" if s.chunks else "ikke i indeksen"
        lines.append(f"{s.key}: {s.citation} {s.title} ({where})" + "".join(f"\n   merk: {w}" for w in s.warnings))
    return {"kilder": [s.to_json() for s in sources]}, "\n".join(lines) or "Indeksen har ingen kilder."


# --------------------------------------------------------------------------- the server


def build_server(settings: Settings) -> MCPServer[Any]:
    """The MCP server with the six tools over one Session."""
    session = Session(settings)

    @asynccontextmanager
    async def warm_up(_: MCPServer[Any]) -> AsyncIterator[None]:
        threading.Thread(target=session.warm, name="litsok-warm", daemon=True).start()
        yield

    server: MCPServer[Any] = MCPServer(
        SERVER_NAME, title="litsok", instructions=INSTRUCTIONS, log_level="INFO", lifespan=warm_up
    )

    def sok(question: Question, k: Hits = 5, sources: Sources = []) -> Annotated[CallToolResult, SokResult]:  # noqa: B006
        return session.answer(lambda: search_passages(session.settings, question, k, sources))

    def siter(claim: Claim, k: Supports = 3) -> Annotated[CallToolResult, SiterResult]:
        return session.answer(lambda: support_claim(session.settings, claim, k))

    def sjekk(text: DraftText) -> Annotated[CallToolResult, SjekkResult]:
        return session.answer(lambda: check_text(session.settings, text))

    def referanser(keys: Keys = [], format: RefFormat = "tekst") -> Annotated[CallToolResult, ReferanserResult]:  # noqa: B006
        return session.answer(lambda: reference_list(session.settings, keys, format))

    def vis(key: Key, page: PageArg) -> Annotated[CallToolResult, VisResult]:
        return session.answer(lambda: show_page(session.settings, key, page))

    def kilder() -> Annotated[CallToolResult, KilderResult]:
        return session.answer(lambda: list_sources(session.settings))

    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
    for fn in (sok, siter, sjekk, referanser, vis, kilder):
        name = fn.__name__
        server.add_tool(
            fn, name=name, title=TITLES[name], description=DESCRIPTIONS[name], annotations=read_only, structured_output=True
        )
    return server


def serve(settings: Settings) -> None:
    """Run the server on stdio until the client closes stdin."""
    build_server(settings).run("stdio")
