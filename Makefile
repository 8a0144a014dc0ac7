# Mercato: `make run` serves the demo shop, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
# Extra pytest arguments for `make test`, e.g. PYTEST_ARGS="-m 'not e2e'".
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: install run test lint bench contract clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	# The outbox worker runs next to gunicorn and is stopped (SIGTERM) when gunicorn exits: the
	# embedded one, or with CELERY_BROKER_URL set a Celery worker with beat inside it.
	if [ -n "$$CELERY_BROKER_URL" ]; then $(BIN)/celery -A mercato worker --beat -l INFO & \
	else $(PY) manage.py run_worker & fi; trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn mercato.wsgi --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-2} \
		--access-logfile - --timeout 60

lint: install
	$(BIN)/ruff check mercato tests bench gunicorn.conf.py
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# schemathesis over the whole API (anonymous, customer, staff) on PostgreSQL: DATABASE_URL names
# the server; the run creates its own database beside it.
contract: install
	$(PY) .ci/contract/run.py

bench: install
	$(PY) bench/run.py
	$(PY) bench/cart_pricing.py
	$(PY) bench/checkout.py
	$(PY) bench/fulfilment.py
	$(PY) bench/outbox.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
