"""Norwegian for the words click prints around our own help texts
("Usage:", "Options", "Show this message and exit.", error prefixes).

click translates through `gettext`; its modules get a gettext that looks the
phrase up here first. Unknown phrases stay as they are."""

from __future__ import annotations

import gettext as _gettext
import sys

PHRASES = {
    "Usage:": "Bruk:",
    "Options": "Valg",
    "Arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' for hjelp.",
    "Error: {message}": "Feil: {message}",
    "No such command {name!r}.": "Ukjent kommando {name!r}.",
    "No such option: {name}": "Ukjent valg: {name}",
    "No such option {name!r}.": "Ukjent valg {name!r}.",
    "Did you mean {possibility}?": "Mente du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Mente du en av: {possibilities}?)",
    "Missing argument": "Mangler argumentet",
    "Missing option": "Mangler valget",
    "Missing parameter": "Mangler verdien",
    "Missing argument {param_hint}.": "Mangler argumentet {param_hint}.",
    "Missing option {param_hint}.": "Mangler valget {param_hint}.",
    "Invalid value for {param_hint}: {message}": "Ugyldig verdi for {param_hint}: {message}",
    "Got unexpected extra argument ({args})": "Uventet ekstra argument ({args})",
    "Got unexpected extra arguments ({args})": "Uventede ekstra argumenter ({args})",
    "Option {name!r} requires an argument.": "Valget {name!r} trenger en verdi.",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldig tall.",
    "default": "standard",
    "required": "påkrevd",
    "{value} is not in the range {range}.": "{value} er utenfor området {range}.",
}


def translate(message: str) -> str:
    return PHRASES.get(message) or _gettext.gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Point click's (and typer's) module-level `_` and `ngettext` at `translate`."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("click", "typer"):
            continue
        if getattr(module, "_", None) is _gettext.gettext:
            module._ = translate  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is _gettext.ngettext:
            module.ngettext = translate_plural  # type: ignore[attr-defined]
