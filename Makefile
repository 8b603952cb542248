# Two commands: `make run` serves the demo registry; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app registry
SUM := $(shell cksum setup.cfg | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(SUM)
TEST_STAMP := $(VENV)/.installed-test-$(SUM)
HOST ?= 127.0.0.1
PORT ?= 5000
# The country profile: `make run COUNTRY=MM` (or REGISTRY_COUNTRY=MM in the environment) serves
# Myanmar's demo registry. Each country keeps its own database and index: Cambodia's in
# instance/ (as before), another's in instance/<COUNTRY>/.
COUNTRY ?= $(or $(REGISTRY_COUNTRY),KH)
override COUNTRY := $(shell echo '$(COUNTRY)' | tr a-z A-Z)
INSTANCE := $(if $(filter KH,$(COUNTRY)),instance,instance/$(COUNTRY))

.PHONY: run officers test test-sqlite test-postgres translations-update clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-[0-9]*
	touch $@

# The test tools (Playwright, jsonschema, the PostgreSQL driver) only for `make test`.
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgresql]'
	rm -f $(VENV)/.installed-test-*
	touch $@

instance/dev-secret-key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

# Extract every UI string and merge it into both catalogs (then translate the new entries).
# The app compiles the catalogs itself when it starts (registry/i18n.py).
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o registry/translations/messages.pot --no-location --width 100 .
	$(BIN)/pybabel update -i registry/translations/messages.pot -d registry/translations --no-fuzzy-matching --ignore-obsolete --width 100

# The local site's own settings (README, "Configuration").
RUN_ENV = REGISTRY_SECRET_KEY=$$(cat instance/dev-secret-key) REGISTRY_BASE_URL=http://$(HOST):$(PORT) \
	REGISTRY_COUNTRY=$(COUNTRY) REGISTRY_INSTANCE_DIR=$(abspath $(INSTANCE))

run: $(STAMP) instance/dev-secret-key
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed --if-empty
	@echo "Recruitment Agency Registry ($(COUNTRY)): http://$(HOST):$(PORT)/"
	$(RUN_ENV) REGISTRY_INSECURE_COOKIES=1 $(FLASK) run --host $(HOST) --port $(PORT)

# Two demo officers (clerk and approver) for trying the admin module locally: their password
# and authenticator secret are printed once, with a QR code for the app.
officers: $(STAMP) instance/dev-secret-key
	$(RUN_ENV) $(FLASK) demo-officers

# The two runs side by side: much of a run waits (browsers, servers, installs, the disk). One
# after the other they outran CI's 90 minutes (SQLite alone took 46). Each run's output is
# printed whole when it ends.
test: $(TEST_STAMP)
	$(MAKE) --no-print-directory --jobs=2 --output-sync=target test-sqlite test-postgres

# Coverage gates (issue 8): the services that own every write are fully tested; the whole
# package is at least 95 % covered. Measured on the SQLite run.
test-sqlite: $(TEST_STAMP)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=95
	$(BIN)/coverage report --include='registry/services/*' --fail-under=100

# The same suite against a real PostgreSQL server. CI provides one (REGISTRY_TEST_POSTGRES_URL);
# there its absence is a failure, never a skip.
test-postgres: $(TEST_STAMP)
	@if [ -n "$$REGISTRY_TEST_POSTGRES_URL" ]; then \
		REGISTRY_TEST_DATABASE_URL="$$REGISTRY_TEST_POSTGRES_URL" $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI must run the suite on PostgreSQL: REGISTRY_TEST_POSTGRES_URL is not set" >&2; exit 1; \
	else \
		echo "PostgreSQL run not done: set REGISTRY_TEST_POSTGRES_URL (see docs/testing.md)"; \
	fi

clean:
	rm -rf $(VENV) instance build *.egg-info
