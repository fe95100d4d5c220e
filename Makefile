# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: pyenv selects it from .python-version (a bare python3.10 may not exist).
export PYENV_VERSION ?= $(shell cat .python-version)
PYTHON_FOR_VENV ?= $(shell if command -v pyenv >/dev/null 2>&1; then echo "pyenv exec python"; else echo python3.10; fi)
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

MODEL := bot/models/current.tar.gz
TRAINING_INPUTS := bot/config.yml bot/domain.yml $(shell find bot/data -name '*.yml' 2>/dev/null)

# Embedded defaults: everything on loopback, SQLite, one process each. Override from the environment.
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT ?= 5000
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DIALECT ?= sqlite
export TRACKER_DB ?= $(CURDIR)/var/tracker.db
export SANIC_HOST ?= 127.0.0.1
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))
# Rasa's HTTP API token (loopback only; the console resumes conversations with it): generated once
# into var/secrets by groupinsurance.settings, read here when a recipe needs it.
export RASA_TOKEN = $(shell test -x $(BIN)/python && $(BIN)/python -c "from groupinsurance import settings; print(settings.secret('RASA_TOKEN'))" 2>/dev/null)
# Rasa's anonymous telemetry would try to reach the internet; keep it off.
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: help run test test-scale venv model validate test-stories unit eval bench cross-validate clean browser-deps services-deps catalogs import

help:
	@echo "make run    set up (first time), train if needed, start the assistant on 127.0.0.1"
	@echo "make test   set up (first time), train if needed, run every test (test-scale included)"
	@echo "make test-scale   PostgreSQL + Redis + 2 Rasa + gunicorn under 50 concurrent conversations"
	@echo "make eval   score the model on eval/dev.jsonl (EVAL_FILES=... for other sets)"
	@echo "make bench  per-message latency and throughput at concurrency 1, 8, 32"
	@echo "make cross-validate   5-fold NLU cross-validation, per language"
	@echo "make import FILE=path.csv   import the insurer's contract export (all or nothing)"

venv: $(INSTALLED)
$(INSTALLED): pyproject.toml requirements.lock
	@echo "==> Setting up the Python environment in $(VENV) (the first time takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<24.1"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	@touch $@

model: $(MODEL)
$(MODEL): $(TRAINING_INPUTS) | $(INSTALLED)
	@echo "==> Training the model (training data or configuration changed; about half a minute)"
	@mkdir -p var
	cd bot && ../$(BIN)/rasa train --fixed-model-name current --out models --quiet

run: $(INSTALLED) $(MODEL) catalogs
	@mkdir -p var
	@echo "==> Database: migrations, and the demo data on the first start"
	@$(BIN)/python -m groupinsurance.demo_data --load-if-empty
	$(BIN)/honcho start -f Procfile

validate: $(INSTALLED)
	@echo "==> rasa data validate"
	cd bot && ../$(BIN)/rasa data validate --quiet

test-stories: $(INSTALLED) $(MODEL)
	@echo "==> Conversation tests (Rasa test stories, failing on any wrong prediction)"
	@mkdir -p var
	# --e2e: the user sentences go through the NLU model too (without it Rasa trusts the story's intents).
	cd bot && ../$(BIN)/rasa test core --e2e --model models/current.tar.gz --stories tests \
		--fail-on-prediction-errors --out ../var/test-stories --quiet

# Headless Chromium for the widget's browser tests (axe-core comes with the test extra).
browser-deps:
	@test -x /usr/bin/chromium || { echo "==> Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The web app's gettext catalogs: web/translations/*.po -> var/translations/*.mo (build outputs).
catalogs: $(INSTALLED)
	@$(BIN)/python -m web.i18n var/translations

# PostgreSQL and Redis from the distribution's packages (as root) for the fault tests and test-scale.
services-deps: $(INSTALLED)
	@$(BIN)/python -c "from tools import services; services.ensure_installed()"

unit: $(INSTALLED) $(MODEL) browser-deps services-deps catalogs
	@echo "==> pytest"
	$(BIN)/pytest -q

EVAL_FILES ?= eval/dev.jsonl
eval: $(INSTALLED) $(MODEL)
	$(BIN)/python -m tools.evaluate $(EVAL_FILES)

test: validate test-stories unit test-scale
	@echo "==> Evaluation on the held-out dev set, against the targets"
	$(BIN)/python -m tools.evaluate eval/dev.jsonl --check-targets

# The scaled-out deployment under load (README, "Scaling out"): installs PostgreSQL and Redis from the
# distribution's packages if missing (as root), starts them on loopback with two Rasa instances and
# gunicorn, plays 50 conversations of 20 messages at the same time, kills and restarts one instance.
test-scale: $(INSTALLED) $(MODEL)
	$(BIN)/python -m tools.scale_test

bench: $(INSTALLED) $(MODEL)
	$(BIN)/python -m tools.bench

cross-validate: $(INSTALLED)
	$(BIN)/python -m tools.cross_validate

# The insurer's nightly export into DATABASE_URL (default var/app.db); see README, "Contracts data".
import: $(INSTALLED)
	@test -n "$(FILE)" || { echo "usage: make import FILE=path.csv"; exit 2; }
	$(BIN)/python -m groupinsurance.importer "$(FILE)"

clean:
	rm -rf bot/models bot/.rasa var .eval-results
