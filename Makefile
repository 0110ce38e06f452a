# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export PICCOLO_CONF := piccolo_conf

.PHONY: run test setup system-deps venv migrate demo lint-imports test-sqlite test-postgres test-browser bench lint

setup: system-deps venv

system-deps:
	@bash scripts/system-deps.sh

venv: .venv/.installed

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	touch $@

migrate: venv
	$(PY) -m piccolo.main migrations forwards all

demo: migrate
	$(PY) -m seeds demo

run: setup demo
	PORTAL_STAFF_2FA=$${PORTAL_STAFF_2FA:-0} PORTAL_ECARD_LOGIN=$${PORTAL_ECARD_LOGIN:-sandbox} $(PY) -m uvicorn --factory portal.app:create_app --host $(HOST) --port $(PORT) \
		--loop uvloop --http httptools --log-config scripts/uvicorn-logging.json

test: setup lint-imports test-sqlite test-postgres test-browser

# The layering contracts in pyproject.toml ([tool.importlinter]): platform < applicants < business domains.
lint-imports: venv
	.venv/bin/lint-imports

test-sqlite: venv
	$(PY) -m pytest tests --ignore=tests/browser

test-postgres: venv
	PORTAL_TEST_DATABASE_URL=$$(bash scripts/postgres-test-db.sh) $(PY) -m pytest tests --ignore=tests/browser

test-browser: venv
	$(PY) -m pytest tests/browser

bench: setup
	$(PY) -m bench

lint: venv
	.venv/bin/ruff check .
