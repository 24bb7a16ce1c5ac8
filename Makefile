# litsok: `make demo` (install + index the demo corpus + ask), `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= Hvordan kan veilederens væremåte påvirke relasjonen?

.PHONY: demo test bench bench-retrieval bench-pages bench-realpdf bench-speed bench-incremental system-deps clean

demo: $(VENV)/.installed
	$(BIN)/litsok indekser
	$(BIN)/litsok spør "$(QUESTION)" -k 3

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/litsok  # strict (pyproject.toml)
	$(BIN)/python -m pytest

# Benchmarks print a markdown table and write it to docs/ (see README, "Ytelse").
bench: bench-retrieval bench-pages bench-realpdf bench-speed bench-incremental
bench-%: $(VENV)/.installed-test
	$(BIN)/python bench/$*.py

# Tesseract with the Norwegian model reads scanned PDFs; litsok works without it
# (it says which pages it could not read), so a failure here is only a warning.
system-deps:
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx nor \
	  || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	       && (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-nor >/dev/null) ; } \
	  || echo "Merk: fikk ikke installert tesseract-ocr-nor; skannede PDF-er kan ikke leses (installer med: sudo apt-get install tesseract-ocr tesseract-ocr-nor)."

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

# The test extras include the sentence-transformers backend; torch is pinned to
# the CPU build (2.13.0) so no multi-GB CUDA wheel is downloaded.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test,st]'
	touch $@

clean:
	rm -rf $(VENV) index
