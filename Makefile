# wuye — two commands: `make run` (install, migrate, demo county, serve) and `make test` (install, run every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/wuye
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install lint typecheck test-sqlite test-postgres serve demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py triage_train --if-missing 2>/dev/null || true
	$(BIN)/python manage.py demo --seed 1
	@echo ""
	@echo "服务地址：http://127.0.0.1:8000   （Ctrl+C 停止）"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy wuye
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run -v0 --settings=wuye.settings.test

# mypy on the whole package (django-stubs, DRF stubs; strict on services and selectors); also part of `lint`.
typecheck: install
	$(BIN)/mypy wuye

test-sqlite: install
	DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -q -n 2 --dist loadfile

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadfile

# Runs the suite on SQLite and on PostgreSQL. Without PostgreSQL it says so and runs SQLite only,
# unless WUYE_REQUIRE_POSTGRES=1 (set by .ci/run), which makes a missing PostgreSQL a failure.
test: lint test-sqlite
	@if PG_URL=postgresql://postgres@127.0.0.1:5432/postgres $(BIN)/python scripts/pg_available.py; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$${WUYE_REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL 不可用，而 WUYE_REQUIRE_POSTGRES=1：测试失败。"; exit 1; \
	else \
		echo ""; echo "注意：本机没有可用的 PostgreSQL（127.0.0.1:5432），只在 SQLite 上运行了测试。"; \
	fi

# Each benchmark creates and drops its own database wuye_bench_<name>; none touches another database.
bench: install
	@for f in bench/[a-z]*.py; do n=$$(basename $$f .py); echo "== $$f"; \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench_$$n $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
