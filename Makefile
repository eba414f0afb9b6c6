# protokoll: `make run` processes the samples, `make test` runs the tests.
# Both install what is missing first (Debian packages, then a virtualenv in .venv)
# and take seconds when everything is already there.

VENV      := .venv
PY        := $(VENV)/bin/python
SYSTEM    := tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng poppler-utils hunspell hunspell-sv \
             python3-venv python3-dev gcc chromium fonts-dejavu-core
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JOBS      ?= $(shell nproc)

.PHONY: install system run test check bench accuracy dictionaries clean

install: system $(VENV)/.installed

system:
	@missing=""; for p in $(SYSTEM); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# the restore stage's modules are compiled (setup.py): a changed one is built again; the
# disk caches of the lexicon and the letter models (~/.cache/protokoll) are made here, not
# by the first run (seconds)
$(VENV)/.installed: pyproject.toml setup.py pipeline/restore/_search.c $(wildcard pipeline/restore/compiled/*.c) \
                    $(wildcard pipeline/restore/*.py)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -c "from pipeline.restore import lexicon, shape; lexicon.load(); shape.load()"
	touch $@

run: install
	$(VENV)/bin/protokoll run samples/ --out out/

test: install
	$(PY) -m pytest -q -n $(JOBS)

check: install
	$(VENV)/bin/ruff check .

accuracy: install
	$(PY) bench/accuracy.py

bench: install
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/bench.py
	$(PY) bench/text_bench.py

dictionaries: install
	$(SUDO) apt-get install -y -qq --no-install-recommends fonts-liberation fonts-dejavu-core
	$(PY) -m pip install -q -e '.[build]'
	$(PY) dictionaries/build_lexicon.py
	$(PY) dictionaries/build_confusions.py
	$(PY) dictionaries/build_shapes.py

clean:
	rm -rf out .pytest_cache
