"""Query-side analysis: make an English question meet a Norwegian text on the
lexical side.

The BM25 index knows only the corpus' own (mostly bokmål) word forms. A query word
whose stem the index does not know is rewritten by a few spelling rules into
candidate forms, and the first candidate whose stem the index *does* know is added
to the query (the word itself stays). One rule set, with no word list of the
demo corpus in it:

- **English -> Norwegian cognates** (`relation` -> `relasjon`, `activity` ->
  `aktivitet`, `empathy` -> `empati`, `social` -> `sosial`), after removing English
  function words, which the Norwegian stop-word list does not know.

(Nynorsk -> bokmål ending rules, `brukarane` -> `brukerne`, were measured too and
dropped: they lost on the nynorsk tuning half; see docs/retrieval.md.)

A rewrite is only a candidate; the corpus vocabulary decides. Nothing is
translated that has no near-spelling in the texts (`trust` stays `trust`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from .lexical import STOPWORDS_NO, tokenize, words

# English function words (and question words) that carry no lexical signal. Only
# dropped when the question reads as English (ENGLISH_MIN_HITS of them), so the
# Norwegian `to` (two), `by` (town) and `time` (hour) are safe in a Norwegian question.
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    """a about above after again against all am an and any are aren as at be because been
    before being below between both but by can cannot could did didn do does doesn doing don
    down during each few for from further get gets got had has have having he her here hers
    herself him himself his how i if in into is isn it its itself just let me more most must
    my myself no nor not of off on once only or other ought our ours ourselves out over own
    same she should shouldn so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves s t""".split()
)
ENGLISH_MIN_HITS = 2
# English function words that are also everyday Norwegian words, so never evidence of English.
_NORWEGIAN_TOO = frozenset({"a", "by", "at", "for", "i", "in", "to", "so", "under", "over", "man", "hun", "s", "t"})

# (pattern, replacement) spelling rules; every rule that matches yields a candidate,
# and candidates combine up to MAX_RULES rules deep.
ENGLISH_RULES: tuple[tuple[str, str], ...] = (
    (r"tions?$", "sjon"),
    (r"sions?$", "sjon"),
    (r"ities$", "itet"),
    (r"ity$", "itet"),
    (r"ies$", "i"),
    (r"y$", "i"),
    (r"ical$", "isk"),
    (r"ic$", "isk"),
    (r"ive$", "iv"),
    (r"ous$", "øs"),
    (r"ance$", ""),
    (r"ence$", "ens"),
    (r"ism$", "isme"),
    (r"s$", ""),
    (r"ed$", ""),
    (r"ing$", "e"),
    (r"e$", ""),
    (r"cc", "ks"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"ph", "f"),
    (r"th", "t"),
    (r"sh", "sj"),
    (r"qu", "kv"),
    (r"x", "ks"),
)
MAX_RULES = 3
MIN_REWRITE_CHARS = 4  # shorter words are not rewritten (too many false friends)


def is_english(question: str) -> bool:
    """The question has at least ENGLISH_MIN_HITS English function words that are not Norwegian words."""
    ws = words(question)
    hits = sum(1 for w in ws if w in ENGLISH_FUNCTION_WORDS and w not in STOPWORDS_NO and w not in _NORWEGIAN_TOO)
    return hits >= ENGLISH_MIN_HITS



def _apply(word: str, rules: tuple[tuple[str, str], ...], depth: int) -> Iterator[str]:
    """Candidate spellings of `word`, nearest (fewest rules) first."""
    frontier = [word]
    seen = {word}
    for _ in range(depth):
        nxt: list[str] = []
        for w in frontier:
            for pattern, repl in rules:
                cand = _compiled(pattern).sub(repl, w, count=1)
                if cand != w and cand not in seen and len(cand) >= 3:
                    seen.add(cand)
                    nxt.append(cand)
                    yield cand
        frontier = nxt


@lru_cache(maxsize=128)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def rewrite_word(word: str, known: Callable[[str], bool], *, english: bool) -> str | None:
    """The nearest spelling of `word` whose stem the corpus knows; None when the word
    is known already, too short, or no rule reaches a known stem."""
    if len(word) < MIN_REWRITE_CHARS or not word.isalpha() or word in STOPWORDS_NO:
        return None
    if word in ENGLISH_FUNCTION_WORDS or _known_word(word, known):
        return None
    if not english:
        return None
    for cand in _apply(word, ENGLISH_RULES, MAX_RULES):
        if cand not in STOPWORDS_NO and _known_word(cand, known):
            return cand
    return None


COMPOUND_MIN_WORD = 8  # shorter unknown words are not split
COMPOUND_MIN_PART = 4
COMPOUND_LINKS = ("", "s", "e")


def split_compound(word: str, known: Callable[[str], bool]) -> tuple[str, str] | None:
    """An unknown Norwegian compound as (modifier, head), both words the corpus knows, with an
    optional linking -s-/-e- dropped (`hjelperelasjon` -> hjelpe, relasjon); the longest known
    head wins. None when the word is known, too short, or no split has two known parts."""
    if len(word) < COMPOUND_MIN_WORD or not word.isalpha() or _known_word(word, known):
        return None
    for i in range(COMPOUND_MIN_PART, len(word) - COMPOUND_MIN_PART + 1):
        head = word[i:]
        if head in STOPWORDS_NO or not _known_word(head, known):
            continue
        for link in COMPOUND_LINKS:
            left = word[:i]
            if link and not left.endswith(link):
                continue
            left = left[: len(left) - len(link)]
            if len(left) >= COMPOUND_MIN_PART and left not in STOPWORDS_NO and _known_word(left, known):
                return left, head
    return None


def _known_word(word: str, known: Callable[[str], bool]) -> bool:
    stems = tokenize(word)
    return bool(stems) and all(known(s) for s in stems)


def analyse(question: str, known: Callable[[str], bool], *, decompound: bool = False) -> str:
    """The question for the lexical side: English function words dropped when it is
    English, and the nearest known spelling added after each unknown word; with
    `decompound`, the parts of an unknown Norwegian compound too."""
    english = is_english(question)
    out: list[str] = []
    for w in words(question):
        if english and w in ENGLISH_FUNCTION_WORDS:
            continue
        out.append(w)
        cand = rewrite_word(w, known, english=english)
        if cand is not None:
            out.append(cand)
        elif decompound and not english:
            out.extend(split_compound(w, known) or ())
    return " ".join(out)
