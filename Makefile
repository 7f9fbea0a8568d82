# Kết Nối — two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench messages upgrade clean

# requirements.lock pins every package with its hashes (uv pip compile); `make upgrade` refreshes it.
LOCK := requirements.lock
COMPILE := pip compile pyproject.toml --extra test --extra bench --generate-hashes --universal --python-version 3.11 --quiet -o $(LOCK)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK) 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -m pip install --quiet --no-deps -e . 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import ketnoi, django, huey, underthesea" # fail here if the install did not complete
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ketnoi run

test: $(STAMP)
	$(BIN)/ketnoi compilemessages
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check ketnoi tests benchmarks
	$(BIN)/ruff format --check ketnoi tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

messages: $(STAMP)
	cd ketnoi && ../$(BIN)/python ../manage.py makemessages -l vi -l en -l th --no-obsolete --no-location
	$(BIN)/ketnoi compilemessages

upgrade:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv 2>&1 | grep -v "is ignored" || true
	$(BIN)/uv $(COMPILE) --upgrade
	rm -f $(STAMP)
	$(MAKE) $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache
