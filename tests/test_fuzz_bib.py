"""Fuzzing the bibliography loaders (BibTeX, RIS, CSL-JSON) and the config loader
with hypothesis (issue 14): whatever the input, the only exceptions are LitsokError
subclasses (naming the file), and every entry that loads can be cited. Besides
random text, the strategies build near-valid entries and then break them; and two
fast paths of the BibTeX reader are checked against the libraries they stand in for.
The whole file runs in well under 30 s (set LITSOK_FUZZ_EXAMPLES to fuzz longer)."""

from __future__ import annotations

import json
import math
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litsok.cite import FORMATS, in_text, reference_entry, reference_list, to_bibtex
from litsok.config import FUSIONS, MAX_K, Settings, load_settings
from litsok.errors import LitsokError
from litsok.sources import Bibliography, load_bibliography, missing_fields, page_range

# LITSOK_FUZZ_EXAMPLES=2000 fuzzes deeper (minutes); CI keeps the default.
EXAMPLES = int(os.environ.get("LITSOK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _load(folder: Path, name: str, data: str | bytes) -> Bibliography | None:
    """Load one bibliography file; a refusal must be a LitsokError that names the file."""
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    try:
        bib = load_bibliography([path])
    except LitsokError as exc:
        assert str(path) in exc.message
        return None
    assert all(isinstance(p, str) and str(path) in p for p in bib.problems)
    _cite_all(bib)
    return bib


def _cite_all(bib: Bibliography) -> None:
    """Every loaded entry goes through what `kilder`, `referanser` and `spør` do with it."""
    sources = list(bib.sources.values())[:8]
    for src in sources:
        assert in_text(src, "12").startswith("(")
        in_text(src, "3-4", narrative=True)
        reference_entry(src, "markdown")
        to_bibtex(src)
        missing_fields(src)
        page_range(src)
    for fmt in FORMATS:
        reference_list(sources, fmt)


# --------------------------------------------------------------------------- random text

BIB_SOUP = "@{}(),=#\"\\ \n\tabkeytilAB019-–~$%&_øåé'`^.^"
RIS_SOUP = "TYAUERPYSPEPIDTI -\n 019aøé,;/"
JSON_SOUP = '[]{}:,"\\ 0123456789.eE+-truefalsnulINaNInfinity idtypetitleauthordate-parts'


@FUZZ
@given(text=st.text(alphabet=BIB_SOUP, max_size=400) | st.text(max_size=200))
def test_random_text_as_bibtex(folder, text):
    _load(folder, "k.bib", text)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_each_format(folder, data):
    for name in ("k.bib", "k.ris", "k.json"):
        _load(folder, name, data)


@FUZZ
@given(text=st.text(alphabet=RIS_SOUP, max_size=400))
def test_random_text_as_ris(folder, text):
    _load(folder, "k.ris", text)


@FUZZ
@given(text=st.text(alphabet=JSON_SOUP, max_size=300))
def test_random_text_as_csl_json(folder, text):
    _load(folder, "k.json", text)


# --------------------------------------------------------------------------- near-valid BibTeX, then broken

LATEX_BITS = ["{\\o}", '{\\"o}', "\\'e", "\\v{s}", "{\\aa}", "--", "~", "\\&", "{Unge}", "\\emph{x}", "$x^2$",
              "\\ukjent{y}", "{", "}", '"', "#", "@", "\\", "\x00", "9" * 30, "og", " and ", "others", ",", "\n"]  # fmt: skip
BIB_FIELDS = ["author", "editor", "title", "journal", "booktitle", "year", "date", "pages", "volume", "publisher",
              "doi", "url", "file", "litsok_forsteside", "first_page", "note", "abstract", "month"]  # fmt: skip
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDÆØÅ0123456789 .-,:", max_size=20)
bib_text = st.lists(st.sampled_from(LATEX_BITS) | words, max_size=6).map("".join)
bib_value = st.one_of(
    bib_text.map(lambda t: "{" + t + "}"),
    bib_text.map(lambda t: '"' + t + '"'),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["jan", "tfv", "1972"]),
    st.tuples(bib_text, bib_text).map(lambda ab: "{" + ab[0] + "} # {" + ab[1] + "}"),
)


@st.composite
def bib_entries(draw) -> str:
    kind = draw(st.sampled_from(["book", "article", "incollection", "misc", "phdthesis", "string", "comment", "x"]))
    key = draw(st.text(alphabet="abcø019:-_", min_size=0, max_size=12))
    fields = draw(st.lists(st.tuples(st.sampled_from(BIB_FIELDS) | words, bib_value), max_size=6))
    body = ",\n  ".join(f"{name} = {value}" for name, value in fields)
    open_, close = draw(st.sampled_from([("{", "}"), ("(", ")")]))
    return f"@{kind}{open_}{key},\n  {body}{draw(st.sampled_from(['', ',']))}\n{close}\n"


@st.composite
def broken(draw, text: str) -> str:
    """`text` with a few characters deleted, inserted or duplicated."""
    for _ in range(draw(st.integers(0, 3))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        how = draw(st.sampled_from(["delete", "insert", "repeat"]))
        if how == "delete":
            text = text[:i] + text[i + 1 :]
        elif how == "insert":
            text = text[:i] + draw(st.sampled_from(list("{}\"@,=#\\\n"))) + text[i:]
        else:
            text = text[:i] + text[i : i + 20] * 3 + text[i:]
    return text


@FUZZ
@given(data=st.data())
def test_near_valid_bibtex_entries(folder, data):
    text = "".join(data.draw(st.lists(bib_entries(), min_size=1, max_size=5)))
    _load(folder, "k.bib", data.draw(broken(text)))


# --------------------------------------------------------------------------- near-valid RIS, then broken

RIS_TAGS = ["TY", "ID", "AU", "A1", "ED", "A2", "TI", "T1", "JO", "T2", "PY", "Y1", "DA", "SP", "EP", "VL", "IS",
            "PB", "CY", "ET", "DO", "UR", "L1", "L2", "AB", "N1", "ZZ", "ER"]  # fmt: skip


@st.composite
def ris_records(draw) -> str:
    lines = ["TY  - " + draw(st.sampled_from(["JOUR", "BOOK", "CHAP", "EDBOOK", "ELEC", "XXX", ""]))]
    for tag, value in draw(st.lists(st.tuples(st.sampled_from(RIS_TAGS), bib_text), max_size=8)):
        lines.append(f"{tag}  - {value}")
        if draw(st.booleans()):
            lines.append(draw(words))  # a continuation line
    if draw(st.booleans()):
        lines.append("ER  - ")
    return "\n".join(lines) + "\n"


@FUZZ
@given(data=st.data())
def test_near_valid_ris_records(folder, data):
    text = "".join(data.draw(st.lists(ris_records(), min_size=1, max_size=4)))
    _load(folder, "k.ris", data.draw(broken(text)))


# --------------------------------------------------------------------------- CSL-JSON: any JSON, and entries with mutated types

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
name_values = st.lists(
    st.one_of(
        st.fixed_dictionaries({}, optional={"family": json_scalars | words, "given": words, "literal": json_values,
                                            "suffix": words, "parse-names": st.booleans()}),  # fmt: skip
        json_values,
    ),
    max_size=4,
)
date_values = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "date-parts": st.lists(st.lists(st.integers(-20000, 20000) | json_scalars, max_size=4), max_size=3),
            "literal": json_scalars,
            "raw": json_scalars | st.just("2020-05-01"),
            "season": json_scalars,
            "circa": json_scalars,
        },
    ),
    json_values,
)
CSL_FIELDS = {
    "author": name_values,
    "editor": name_values,
    "translator": name_values,
    "issued": date_values,
    "accessed": date_values,
    "title": words | json_values,
    "container-title": words | json_values,
    "type": st.sampled_from(["book", "article-journal", "chapter", "webpage", "thesis", "report", "x"]) | json_values,
    "page": st.sampled_from(["126-139", "12", "xii-xv", "1-" + "9" * 40, "5-"]) | json_values,
    "volume": json_scalars,
    "edition": json_scalars,
    "publisher": words | json_values,
    "URL": words | json_values,
    "DOI": words,
    "litsok_forsteside": json_scalars,
    "file": json_scalars,
    "custom": json_values,
    "note": json_values,
}
csl_entries = st.fixed_dictionaries(
    {"id": st.one_of(words, st.integers(-(10**30), 10**30), json_values)},
    optional=CSL_FIELDS,
)


@FUZZ
@given(entries=st.lists(csl_entries | json_values, max_size=5), wrap=st.sampled_from(["list", "items", "one"]))
def test_csl_json_entries_with_mutated_types(folder, entries, wrap):
    data: object = {"items": entries} if wrap == "items" else (entries[0] if wrap == "one" and entries else entries)
    bib = _load(folder, "k.json", json.dumps(data, allow_nan=True))
    if bib is not None:
        for src in bib.sources.values():
            _assert_safe_csl(src.csl)


@FUZZ
@given(value=json_values)
def test_any_json_value_as_csl_json(folder, value):
    _load(folder, "k.json", json.dumps(value, allow_nan=True))


def _assert_safe_csl(csl: dict) -> None:
    """What the CSL-JSON loader lets through has the shapes citeproc needs."""
    assert isinstance(csl["id"], str) and isinstance(csl.get("type", ""), str)
    for role in ("author", "editor", "translator"):
        for name in csl.get(role, []):
            assert isinstance(name, dict) and all(isinstance(v, str) for v in name.values())
    for date in (csl.get("issued"), csl.get("accessed")):
        if date is not None:
            for parts in date.get("date-parts", []):
                assert all(isinstance(p, int) and abs(p) <= 9999 for p in parts)
    for key in ("title", "volume", "page", "publisher", "edition"):
        assert key not in csl or isinstance(csl[key], str)
    for value in csl.values():
        assert not (isinstance(value, float) and not math.isfinite(value))


# --------------------------------------------------------------------------- the fast paths agree with the libraries

NAME_WORDS = ["Anne", "Berg", "van", "der", "Ødegård", "Per-Halvard", "F.", "others", "and", "AND", "Jr.", "de",
              "O'Neil", ",", "3M", "-x", "{Statistisk sentralbyrå}", "{\\o}", "~", "\n"]  # fmt: skip


@settings(max_examples=5 * EXAMPLES, deadline=None, database=None)
@given(parts=st.lists(st.tuples(st.sampled_from(NAME_WORDS), st.sampled_from([" ", "", ",", " and "])), min_size=1, max_size=6))
def test_plain_names_split_like_bibtexparser(parts):
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    from litsok.sources import _bib_name, _bib_names, _EntryError

    value = "".join(w + sep for w, sep in parts)
    try:
        expected: object = [
            n for n in (_bib_name(parse_single_name_into_parts(one)) for one in split_multiple_persons_names(value)) if n
        ]
    except InvalidNameError:
        expected = "feil"
    try:
        got: object = _bib_names(value, "author")
    except _EntryError:
        got = "feil"
    assert got == expected


LATEX_TOKENS = ["{\\o}", "\\o ", '{\\"o}', '\\"{o}', "\\'e", "\\`a", "\\^o", "\\~n", "\\=a", "\\.z", "\\v{s}", "\\v s",
                "\\c{c}", "\\r{a}", "\\k{a}", "\\H{o}", "\\u{a}", "{\\aa}", "\\AA{}", "{\\ae}", "\\ss{}", "{\\i}",
                "\\'{\\i}", "\\&", "\\%", "\\_", "\\#", "--", "---", "~", "``", "''", "{Unge}", " ", "a", "ø", ".",
                "\\emph{x}", "\\textbf{z}", "\\textendash{}", "\\ldots{}", "\\textquoteright{}", "\\\\", "\\,"]  # fmt: skip


@settings(max_examples=5 * EXAMPLES, deadline=None, database=None)
@given(tokens=st.lists(st.sampled_from(LATEX_TOKENS), min_size=1, max_size=8))
def test_latex_table_decodes_like_pylatexenc(tokens):
    from pylatexenc.latex2text import LatexNodes2Text

    from litsok.sources import _latex_to_unicode

    text = "".join(tokens)
    expected = LatexNodes2Text(math_mode="verbatim").latex_to_text(text).replace("\u00a0", " ")
    assert _latex_to_unicode(text) == unicodedata.normalize("NFC", " ".join(expected.split()))


# --------------------------------------------------------------------------- litsok.toml

TOML_SOUP = "[]{}=\"'.,#\n abcdefghijklmnopqrstuvwxyzæø0123456789-_+:eEinf\\u\x00\t"
KEYS = ["korpus", "indeks", "modell", "antall", "fusjon", "vekt_dense", "ukjent"]


def _toml(value: object) -> str:
    """A TOML literal for a str, bool, int, float, list or dict (inline table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string (\\uXXXX escapes included)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["hybrid", "rrf", "dense", "lexical", "test-hash", "korpus", "a\x00b", ""]),
)
toml_values = st.recursive(
    toml_scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(KEYS), c, max_size=3), max_leaves=6
)


def _settings_from(folder: Path, text: str) -> Settings | None:
    (folder / "litsok.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return load_settings(folder)
    except LitsokError as exc:
        assert "litsok.toml" in exc.message
        return None


@FUZZ
@given(text=st.text(alphabet=TOML_SOUP, max_size=200), table=st.booleans())
def test_random_toml_text(folder, text, table):
    _settings_from(folder, ("[litsok]\n" if table else "") + text)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=6), table=st.booleans(),
       digits=st.sampled_from([0, 5000]))  # fmt: skip
def test_random_values_for_the_known_keys(folder, values, table, digits):
    lines = [f"{key} = {_toml(value)}" for key, value in values.items()]
    if digits:
        lines.append(f"antall = {'9' * digits}")  # over Python's 4,300-digit int() limit
    s = _settings_from(folder, ("[litsok]\n" if table else "") + "\n".join(lines) + "\n")
    if s is not None:  # what is accepted is a usable setting
        assert isinstance(s.k, int) and 1 <= s.k <= MAX_K and s.fusion in FUSIONS
        assert isinstance(s.dense_weight, float | int) and 0 <= s.dense_weight <= 1
        assert "\x00" not in str(s.corpus) + str(s.index) + str(s.embedder or "")
