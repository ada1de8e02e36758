# ScanShare: `make run` serves the demo on SQLite, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean migrate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/flask --app app migrate

run: export SHARE_ALLOWED_HOSTS ?= 127.0.0.1 localhost
run: export SHARE_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: $(STAMP)
	$(BIN)/flask --app app migrate
	$(BIN)/flask --app app seed-demo
	@echo "ScanShare on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "  dashboard: $(BIN)/flask --app app create-admin NAME, then http://$(HOST):$(PORT)/admin/"
	@echo "  API key:   $(BIN)/flask --app app create-api-key NAME"
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms' app:app

test: $(STAMP)
	$(BIN)/ruff check share tests bench deploy app.py migrations
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check share tests bench deploy app.py migrations
	$(BIN)/ruff format --check share tests bench deploy app.py migrations

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
