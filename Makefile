# CareBridge: two commands on a fresh Debian 12 machine with Python 3.11.
#   make run   installs what is missing, migrates, serves the portal (SQLite) and its scheduler
#   make test  installs what is missing, checks the code (ruff, import-linter), runs every test
#              on PostgreSQL and on SQLite (there with the wall clock moved)
# Debian packages are installed with apt-get when missing (as root; otherwise with sudo).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .make
HOST   ?= 127.0.0.1
PORT   ?= 5000

RUN_DEBS  := fonts-wqy-zenhei
TEST_DEBS := $(RUN_DEBS) postgresql chromium fonts-noto-cjk poppler-utils

PO_FILES := $(wildcard plugin/translations/*/LC_MESSAGES/messages.po employer_portal/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint test-sqlite test-sqlite-moved-clock test-sqlite-real-clock test-postgres \
	test-postgres-first test-postgres-rest test-travel install install-test translations extract-messages db-upgrade clean bench

# make run HOST=0.0.0.0 serves the site's network too (workers' phones on the WiFi); see README.
run: install db-upgrade
	@echo "CareBridge on http://$(HOST):$(PORT)  (Ctrl-C stops the portal and the scheduler)"
	@if [ "$(HOST)" = "0.0.0.0" ]; then for address in $$(hostname -I 2>/dev/null); do \
		case $$address in *:*) ;; *) echo "  on the site's network: http://$$address:$(PORT)";; esac; \
	done; fi
	@$(BIN)/carebridge scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null; wait $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/carebridge run --host $(HOST) --port $(PORT)

# The SQLite suite (with the wall clock moved, and its real-clock part, see test-sqlite) and the
# PostgreSQL suite (on the real clock, in two halves on two servers of their own) run side by
# side, each on databases of its own: each part waits on a database server or on Chromium much of
# its time, so four at once keep both cores busy until the end. Each one's output is printed whole
# when it ends.
test: install-test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory -j4 --output-sync=target test-sqlite-moved-clock \
		test-sqlite-real-clock test-postgres-first test-postgres-rest

# Style and correctness (ruff, configured in pyproject.toml) and the direction of dependencies
# (import-linter, contracts in setup.cfg).
lint: install-test
	$(BIN)/ruff check --no-cache .
	$(BIN)/lint-imports --no-cache

# The SQLite suite runs with the whole process's wall clock moved (time-machine): past the last
# published holiday calendar year, on a 29 February in UTC that is already 1 March in Shanghai
# (00:30), so a date taken in the wrong time zone, a leap day or a fixed date that has gone by
# fails here, while the PostgreSQL suite runs the same tests on today's date. Then, on the real
# clock, what reads no date of its own or moves its own clock, and would not see a moved clock
# anyway: the browser tests (Chromium keeps the real time), the backup, populated key-rotation and
# retention-demo runs (each seeds the demo company), and the load bench's smoke.
TRAVEL_DATE ?= 2028-02-29T16:30
# pytest answers 5 when PYTEST_ARGS leaves none of a run's tests: nothing failed there.
NONE_LEFT_OK = || [ $$? -eq 5 ]
REAL_CLOCK_TESTS = tests/browser tests/test_operations_backup.py \
	tests/test_key_rotation_populated.py tests/test_retention_demo.py \
	tests/test_bench_load_smoke.py
test-sqlite: test-sqlite-moved-clock test-sqlite-real-clock
test-sqlite-moved-clock:
	@echo "== SQLite, wall clock at $(TRAVEL_DATE) UTC"
	$(BIN)/python -m pytest -q --travel-to $(TRAVEL_DATE) \
		$(addprefix --ignore=,$(REAL_CLOCK_TESTS)) $(PYTEST_ARGS) $(NONE_LEFT_OK)
test-sqlite-real-clock:
	@echo "== SQLite, the real clock"
	$(BIN)/python -m pytest -q $(REAL_CLOCK_TESTS) $(PYTEST_ARGS) $(NONE_LEFT_OK)

# The PostgreSQL suite: the browser tests and the files up to test_l*, then the rest, each half on
# a throwaway server of its own (about equal halves of the suite's time); then the read-replica
# test, against a primary and a real streaming replica of its own.
POSTGRES_FIRST_HALF = tests/browser $(wildcard tests/test_[a-l]*.py)
test-postgres: test-postgres-first test-postgres-rest
test-postgres-first:
	scripts/with-postgres.sh $(BIN)/python -m pytest $(POSTGRES_FIRST_HALF) $(PYTEST_ARGS) \
		$(NONE_LEFT_OK)
test-postgres-rest:
	scripts/with-postgres.sh $(BIN)/python -m pytest \
		$(addprefix --ignore=,$(POSTGRES_FIRST_HALF)) $(PYTEST_ARGS) $(NONE_LEFT_OK)
	scripts/with-postgres-replica.sh $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_read_replica.py

# Not part of make test: the SQLite suite at other moments, when looking for one kind of bug:
#   make test-travel TRAVEL_DATES="2027-01-01T16:30 2028-12-31T16:30"
TRAVEL_DATES ?= 2027-01-01T16:30
test-travel:
	@for moment in $(TRAVEL_DATES); do \
		echo "== wall clock at $$moment UTC"; \
		$(BIN)/python -m pytest -q --travel-to $$moment \
			$(addprefix --ignore=,$(REAL_CLOCK_TESTS)) $(PYTEST_ARGS) || exit 1; \
	done

install: $(STAMPS)/venv $(STAMPS)/run-debs $(MO_FILES)

install-test: install $(STAMPS)/test-debs $(STAMPS)/test-python

db-upgrade: install
	$(BIN)/carebridge db upgrade

$(STAMPS)/venv: setup.cfg pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { scripts/ensure-debs.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[postgres,server]"
	@touch $@

$(STAMPS)/test-python: $(STAMPS)/venv
	$(BIN)/python -m pip install --quiet -e ".[postgres,server,test]"
	@touch $@

$(STAMPS)/run-debs: Makefile
	@mkdir -p $(STAMPS)
	scripts/ensure-debs.sh $(RUN_DEBS)
	@touch $@

$(STAMPS)/test-debs: Makefile
	@mkdir -p $(STAMPS)
	scripts/ensure-debs.sh $(TEST_DEBS)
	@touch $@

%.mo: %.po $(STAMPS)/venv
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

# Refresh the catalogs after changing user-facing text (then translate the new entries).
# integrations/ has no catalog of its own: its strings go into the plugin's.
extract-messages: $(STAMPS)/venv
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k ValidationError -k CareBridgeError -k SignInRefused -k WorkerSignInRefused -k NotFound --no-location --sort-output -o plugin/translations/messages.pot plugin integrations
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k ValidationError -k CareBridgeError -k SignInRefused -k WorkerSignInRefused -k NotFound --no-location --sort-output -o employer_portal/translations/messages.pot employer_portal
	$(BIN)/pybabel update -i plugin/translations/messages.pot -d plugin/translations --no-fuzzy-matching
	$(BIN)/pybabel update -i employer_portal/translations/messages.pot -d employer_portal/translations --no-fuzzy-matching

# Benchmarks print their figures; not part of make test. BENCH=import ARGS="--rows 100000"
BENCH ?= import
bench: install-test
	$(BIN)/python -m bench $(BENCH) $(ARGS)

clean:
	rm -rf $(VENV) $(STAMPS) *.egg-info
	find . -name '*.mo' -delete
