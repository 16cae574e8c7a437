# Duban: `make run` serves the demo, `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
MO := tracker/translations/en/LC_MESSAGES/messages.mo

.PHONY: run serve scheduler test venv migrate initial-migration bench clean

venv: $(VENV)/.installed $(MO)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Recompile the English catalog whenever its .po changes (the .mo is not in git).
$(MO): $(MO:.mo=.po) $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d tracker/translations

migrate: venv
	$(FLASK) db upgrade

# Serve the demo: migrate, load the demo ledger into an empty database, print the logins.
run: migrate
	TRACKER_DEMO=1 $(FLASK) tracker seed-demo --if-empty
	TRACKER_DEMO=1 $(FLASK) run --host $(HOST) --port $(PORT)

# Production serving (docs/deploy.md): gunicorn, [server] workers (default one per core),
# the app preloaded and its garbage frozen before the fork, no in-process scheduler.
# SECRET_KEY is required; HOST and PORT say where to listen.
serve: migrate
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c tracker/serving/gunicorn_conf.py tracker.serving.wsgi:app

# The one scheduler (a second one waits on the database lease and takes over).
scheduler: venv
	$(FLASK) tracker scheduler

# The suite on SQLite, then again on PostgreSQL where it is installed (always in CI). The
# tests that need PostgreSQL whatever the backend (marked `postgres`) run in the second pass
# only, when there is one.
test: venv
	@if [ "$$CI" = "true" ] || command -v initdb >/dev/null 2>&1 || \
	    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  $(PY) -m pytest -m "not postgres" $(PYTEST_ARGS) && \
	  echo "== the whole suite again on PostgreSQL ==" && \
	  DUBAN_TEST_DB=postgres $(PY) -m pytest $(PYTEST_ARGS); \
	else \
	  $(PY) -m pytest $(PYTEST_ARGS); \
	fi

# Rebuild migrations/versions/0001_initial.py from the models (only before the first release).
initial-migration: venv
	rm -f migrations/versions/0001_initial.py
	rm -f /tmp/duban-migration.db
	DATABASE_URL=sqlite:////tmp/duban-migration.db $(FLASK) db revision --autogenerate --rev-id 0001 -m initial
	rm -f /tmp/duban-migration.db

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
