"""Domain errors. Each message is Norwegian bokmål, names the file or thing
involved, the likely cause and the next step. The CLI prints the message on
one line to stderr and exits with `exit_code`; the library never prints."""

from __future__ import annotations


class LitsokError(Exception):
    """Base class: a user-facing problem with a clear next step."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CorpusError(LitsokError):
    """The corpus folder is missing, empty or unreadable."""


class IndexMissingError(LitsokError):
    """No index (or an incomplete one) where the user pointed."""


class IndexFormatError(LitsokError):
    """The index was written by another format version or is damaged."""


class EmbedderMismatchError(LitsokError):
    """The query embedder is not the one that built the index."""


class EmbedderError(LitsokError):
    """An embedder id is unknown or its model cannot be loaded."""


class UnreadableFileError(LitsokError):
    """One corpus file cannot be read (corrupt, encrypted, empty, bad encoding).

    Raised by readers; the indexer reports it in the summary and goes on."""

    def __init__(self, file: str, reason: str, next_step: str = "") -> None:
        msg = f"{file}: {reason}"
        if next_step:
            msg += f" {next_step}"
        super().__init__(msg)
        self.file = file
        self.reason = reason


class BibliographyError(LitsokError):
    """A bibliography file (BibTeX, RIS, CSL-JSON) cannot be parsed."""


class IndexFolderError(LitsokError):
    """The index folder holds files that are not litsok's: litsok will not write (or delete) there."""


class IndexLockedError(LitsokError):
    """Another `litsok indekser` is writing to the same index."""


class QueryError(LitsokError):
    """The question cannot be asked (empty, only whitespace, ...)."""


class IndexDamagedError(IndexFormatError):
    """A file of the index is missing, extra, of the wrong size or shape, or not what
    the manifest recorded: the index must be rebuilt with `litsok indekser --alt`."""

    def __init__(self, folder: object, what: str) -> None:
        super().__init__(f"Indeksen i «{folder}» er skadet ({what}) — kjør `litsok indekser --alt`.")
        self.folder = folder
        self.what = what
