"""`litsok mcp`: real round trips. The SDK's own stdio client starts
`python -m litsok.cli mcp` as a subprocess against the demo index (the real
e5-small model), lists the tools and calls each one; no mocks. What the tools
answer is compared with what the library answers in this process."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters

import litsok
from litsok.config import Settings

SRC = Path(litsok.__file__).resolve().parent.parent
TOOLS = {"sok", "siter", "sjekk", "referanser", "vis", "kilder"}
QUESTION = "Hvordan kan veilederens væremåte påvirke relasjonen?"
ROKENES = re.compile(r"^\(Røkenes & Hanssen, 2012, s\. \d+(–\d+)?\)$")
DRAFT = (
    "# Utkast\n\n"
    "Relasjonen er sjelen i sosialt arbeid, og en tannlege trenger ikke en god relasjon (Biestek, 1972, s. 22).\n\n"
    "Forskning må være etterprøvbar (Dalland, 2020, s. 54).\n"
)

Call = Callable[..., Any]


def _command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "litsok.cli", "mcp", "--korpus", str(settings.corpus), "--indeks", str(settings.index)]


def _env() -> dict[str, str]:
    return {"PYTHONPATH": str(SRC), "NO_COLOR": "1"}


@contextmanager
def connected(settings: Settings, cwd: Path) -> Iterator[tuple[Call, Any]]:
    """The SDK's client on a `litsok mcp` subprocess; `call(tool, args)` from sync code."""
    cmd = _command(settings)
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=_env(), cwd=cwd)
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(Client(params, read_timeout_seconds=120)) as client:

            def call(name: str, args: dict[str, Any] | None = None) -> Any:
                return portal.call(client.call_tool, name, args or {})

            yield call, portal.call(client.list_tools)


@pytest.fixture(scope="module")
def server(demo_index, tmp_path_factory) -> Iterator[tuple[Call, Any]]:
    with connected(demo_index, tmp_path_factory.mktemp("mcp-cwd")) as s:
        yield s


@pytest.fixture
def call(server) -> Call:
    return server[0]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _text(result: Any) -> str:
    return "\n".join(c.text for c in result.content)


# --------------------------------------------------------------------------- listing


def test_lists_the_six_tools_with_english_and_norwegian_descriptions_and_schemas(server):
    tools = {t.name: t for t in server[1].tools}
    assert set(tools) == TOOLS
    for t in tools.values():
        english, norsk = t.description.split("\n\n")
        assert english.startswith("English: ") and len(_words(english) & {"the", "of", "with", "and", "a"}) >= 3
        assert norsk.startswith("Norsk: ") and len(_words(norsk) & {"og", "med", "av", "en", "på", "i"}) >= 3
        assert len(english.split()) > 20 and len(norsk.split()) > 20
        assert t.input_schema["type"] == "object"
        assert t.output_schema["type"] == "object"  # structured content, described
        assert t.annotations.read_only_hint
    assert tools["sok"].input_schema["required"] == ["question"]
    assert tools["sok"].input_schema["properties"]["k"]["maximum"] == 100
    assert set(tools["vis"].input_schema["required"]) == {"key", "page"}
    assert tools["referanser"].input_schema["properties"]["format"]["enum"] == ["tekst", "markdown"]


# --------------------------------------------------------------------------- each tool


def test_sok_gives_passages_with_citation_and_printed_page_like_spor_json(call, demo_index):
    from litsok.library import ask

    result = call("sok", {"question": QUESTION, "k": 5})
    assert not result.is_error
    hits = result.structured_content["treff"]
    rokenes = [h for h in hits if h["source_key"] == "rokenes2012"]
    assert rokenes and ROKENES.match(rokenes[0]["citation"]) and rokenes[0]["pages"]
    assert rokenes[0]["text"] and rokenes[0]["best_sentence"] in rokenes[0]["text"]
    assert rokenes[0]["citation"] in _text(result)
    local = [h.to_json() for h in ask(demo_index, QUESTION, k=5)]  # what `litsok spør --json` prints
    assert [h.keys() for h in hits] == [h.keys() for h in local]
    assert [(h["source_key"], h["citation"]) for h in hits] == [(h["source_key"], h["citation"]) for h in local]


def test_sok_k_and_sources_limit_the_passages(call):
    result = call("sok", {"question": QUESTION, "k": 2, "sources": ["biestek1972"]})
    hits = result.structured_content["treff"]
    assert len(hits) == 2 and {h["source_key"] for h in hits} == {"biestek1972"}


def test_siter_supports_a_thesis_claim_and_refuses_an_unrelated_one(call):
    claim = "Klienten våger seg først inn i en hjelpende relasjon når han føler seg forstått."
    result = call("siter", {"claim": claim, "k": 2})
    data = result.structured_content
    assert data["støttet"] and data["lim_inn"] == "(Biestek, 1972, s. 28–29)"
    assert len(data["treff"]) == 2 and data["treff"][0]["setning"]
    assert _text(result).startswith("Lim inn: (Biestek, 1972, s. 28–29)")

    unrelated = call("siter", {"claim": "Fotosyntesen skjer i kloroplastene."})
    assert not unrelated.structured_content["støttet"] and unrelated.structured_content["lim_inn"] is None
    assert "Ikke sett inn en henvisning" in _text(unrelated)


def test_siter_warns_when_the_claim_copies_the_source(call):
    copied = "Metoder, undersøkelser og tiltak er kroppen, men det er relasjonen som gir arbeidet liv."
    result = call("siter", {"claim": copied, "k": 1})
    data = result.structured_content
    assert data["sitat"] and data["lim_inn"].startswith("«") and data["lim_inn"].endswith("(Biestek, 1972, s. 22)")
    assert "Sitat:" in _text(result)


def test_sjekk_gives_a_status_per_citation_of_the_draft_text(call):
    result = call("sjekk", {"text": DRAFT})
    data = result.structured_content
    assert [(c["henvisning"]["tekst"], c["status"]) for c in data["henvisninger"]] == [
        ("(Biestek, 1972, s. 22)", "støttet"),
        ("(Dalland, 2020, s. 54)", "ukjent_kilde"),
    ]
    assert data["oppsummering"]["støttet"] == 1 and data["oppsummering"]["ukjent_kilde"] == 1
    assert data["fil"] == "utkast.md" and "litsok-mcp-" not in json.dumps(data)  # not the temporary file
    assert "ukjent_kilde linje 5: (Dalland, 2020, s. 54)" in _text(result)


def test_referanser_for_keys_and_for_all(call, server):
    one = call("referanser", {"keys": ["biestek1972"]})
    expected = "Biestek, F. P. (1972). Klient-sosialarbeider-relasjonen. Universitetsforlaget."
    assert [r["referanse"] for r in one.structured_content["referanser"]] == [expected]
    assert _text(one).strip() == expected

    md = call("referanser", {"keys": ["biestek1972"], "format": "markdown"})
    assert "*Klient-sosialarbeider-relasjonen*" in md.structured_content["tekst"]

    everything = call("referanser", {}).structured_content["referanser"]
    cited = [s["nøkkel"] for s in call("kilder").structured_content["kilder"] if not s["nøkkel"].startswith("notat:")]
    assert sorted(r["nøkkel"] for r in everything) == sorted(cited)


def test_referanser_refuses_unknown_keys_and_own_notes(call):
    unknown = call("referanser", {"keys": ["biestek1972", "dalland2020"]})
    assert unknown.is_error and "Ukjent kilde «dalland2020»" in _text(unknown) and "biestek1972" in _text(unknown)
    note = call("referanser", {"keys": ["notat:mine-tanker"]})
    assert note.is_error and "egne notater" in _text(note)


def test_vis_gives_the_whole_printed_page(call, demo_index):
    from litsok.library import show_page

    result = call("vis", {"key": "biestek1972", "page": 22})  # a number or a string, as a client sends it
    data = result.structured_content
    assert data["citation"] == "(Biestek, 1972, s. 22)" and [p["label"] for p in data["pages"]] == ["22"]
    assert data["pages"][0]["text"] == show_page(demo_index, "biestek1972", "22").pages[0].text
    assert data["pages"][0]["text"] in _text(result)
    assert call("vis", {"key": "biestek1972", "page": "28-29"}).structured_content["pages"][0]["label"] == "28–29"


def test_kilder_lists_the_demo_sources(call, demo_index):
    from litsok.library import list_sources

    result = call("kilder")
    listed = result.structured_content["kilder"]
    assert [s["nøkkel"] for s in listed] == [s.key for s in list_sources(demo_index)]
    assert {"biestek1972", "rokenes2012", "hansen2021"} <= {s["nøkkel"] for s in listed}
    assert listed[0].keys() == list_sources(demo_index)[0].to_json().keys()
    assert "biestek1972: (Biestek, 1972)" in _text(result)


def test_a_domain_error_is_an_error_result_and_the_server_goes_on(call):
    bad = call("vis", {"key": "finnesikke", "page": "22"})
    assert bad.is_error and bad.structured_content is None
    assert "Ukjent kilde «finnesikke»" in _text(bad) and "biestek1972" in _text(bad)
    empty = call("sok", {"question": "   "})
    assert empty.is_error and "Spørsmålet er tomt" in _text(empty)
    page = call("vis", {"key": "biestek1972", "page": "9999"})
    assert page.is_error and "ingen side 9999" in _text(page)
    assert call("sok", {"question": QUESTION, "k": 0}).is_error  # outside the schema's bounds
    assert call("siter", {"claim": "Relasjonen er viktig.", "k": 21}).is_error
    after = call("vis", {"key": "biestek1972", "page": "22"})
    assert not after.is_error and after.structured_content["pages"]


# --------------------------------------------------------------------------- a new generation


NEW_NOTE = """---
tittel: Nytt notat om brobygging
---

# Nytt notat om brobygging

Brobyggermetoden med kaffekopp og felles gåtur gjorde det lettere for Ola å snakke om arbeidsledigheten.
"""


def test_a_generation_written_while_the_server_runs_is_used_by_the_next_call(demo_index, tmp_path):
    from litsok.library import index_corpus

    root = tmp_path / "kopi"
    shutil.copytree(demo_index.corpus, root / "corpus")
    shutil.copytree(demo_index.index, root / "index")
    settings = replace(demo_index, corpus=root / "corpus", index=root / "index")
    question = "brobyggermetoden med kaffekopp og gåtur"
    with connected(settings, tmp_path) as (call, _):
        keys = {s["nøkkel"] for s in call("kilder").structured_content["kilder"]}
        assert "notat:brobygging" not in keys
        first = call("sok", {"question": question, "k": 1}).structured_content["treff"][0]
        assert first["source_key"] != "notat:brobygging"

        (settings.corpus / "notater" / "brobygging.md").write_text(NEW_NOTE, encoding="utf-8")
        report = index_corpus(settings)  # a new generation while the server runs
        assert list(report.new) == ["notater/brobygging.md"]

        keys = {s["nøkkel"] for s in call("kilder").structured_content["kilder"]}
        assert "notat:brobygging" in keys
        hit = call("sok", {"question": question, "k": 1}).structured_content["treff"][0]
        assert hit["source_key"] == "notat:brobygging" and "kaffekopp" in hit["text"]


def test_a_server_started_before_the_first_index_answers_once_it_is_built(tmp_path):
    from litsok.library import index_corpus

    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    (settings.corpus / "notater").mkdir(parents=True)
    (settings.corpus / "notater" / "brobygging.md").write_text(NEW_NOTE, encoding="utf-8")
    with connected(settings, tmp_path) as (call, _):
        missing = call("kilder")
        assert missing.is_error and "Fant ingen indeks" in _text(missing) and "litsok indekser" in _text(missing)
        index_corpus(settings)
        assert [s["nøkkel"] for s in call("kilder").structured_content["kilder"]] == ["notat:brobygging"]


# --------------------------------------------------------------------------- stdout, imports, a missing SDK


def test_stdout_carries_only_protocol_messages_on_the_handshake_claude_desktop_uses(demo_index, tmp_path):
    """The initialize handshake of 2025-06-18 (what most clients speak today), raw."""
    proc = subprocess.Popen(
        _command(demo_index), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, **_env()}, cwd=tmp_path, text=True, encoding="utf-8",
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()

    def send(msg: dict[str, Any]) -> None:
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", **msg}) + "\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]

    def answer(msg_id: int) -> dict[str, Any]:
        while True:
            msg = json.loads(lines.get(timeout=120))  # every line on stdout is one JSON-RPC message
            assert msg["jsonrpc"] == "2.0"
            if msg.get("id") == msg_id:
                return msg

    try:
        client = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}
        send({"id": 1, "method": "initialize", "params": client})
        assert answer(1)["result"]["serverInfo"]["name"] == "litsok"
        send({"method": "notifications/initialized"})
        send({"id": 2, "method": "tools/call", "params": {"name": "sok", "arguments": {"question": QUESTION, "k": 1}}})
        result = answer(2)["result"]
        hit = result["structuredContent"]["treff"][0]
        assert not result["isError"] and re.match(r"^\(.+, \d{4}, s\. \d+", hit["citation"])
        assert hit["citation"] in result["content"][0]["text"]
        send({"id": 3, "method": "tools/call", "params": {"name": "vis", "arguments": {"key": "x", "page": "1"}}})
        assert answer(3)["result"]["isError"]
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)
    reader.join(timeout=10)
    assert proc.returncode == 0
    assert all(json.loads(line)["jsonrpc"] == "2.0" for line in list(lines.queue))  # what came after, too


def test_help_does_not_import_the_mcp_sdk():
    code = (
        "import sys\nsys.argv = ['litsok', '--help']\nimport litsok.cli\n"
        "try:\n    litsok.cli.main()\nexcept SystemExit:\n    pass\nprint('mcp' in sys.modules, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **_env()}, check=True)
    assert " mcp " in out.stdout  # the command is listed
    assert out.stdout.strip().endswith("False False")


def test_mcp_without_the_sdk_says_how_to_install_it(tmp_path):
    code = (
        "import sys\nsys.modules['mcp'] = None\nsys.argv = ['litsok', 'mcp', '--indeks', 'index']\n"
        "import litsok.cli\nlitsok.cli.main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **_env()}, cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "pip install 'mcp>=2.3,<3'" in out.stderr and out.stdout == ""
