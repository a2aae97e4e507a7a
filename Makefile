# Two commands for a fresh machine: `make run` and `make test`. Every step is idempotent and
# skips work whose inputs did not change (the NLU model is keyed by a hash of its inputs).
PYTHON ?= python3
VENV := .venv
NLU_VENV := nlu/.venv
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup run test lint check bench browser loadbalancer clean lock catalogs console-pot

setup: $(VENV)/.installed $(NLU_VENV)/.installed catalogs model

# The application's versions come from requirements.lock, as Rasa's come from nlu/constraints.txt.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# Upgrade on purpose: re-resolve pyproject.toml's ranges to today's newest releases, then review the diff.
lock:
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet --upgrade pip pip-tools
	var/lock-venv/bin/pip-compile --quiet --upgrade --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml
	var/lock-venv/bin/pip-compile --quiet --upgrade --extra dev --extra bench --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file bench/requirements.lock pyproject.toml

$(NLU_VENV)/.installed: nlu/requirements.txt nlu/constraints.txt
	"$$(nlu/find-python310)" -m venv $(NLU_VENV)
	$(NLU_VENV)/bin/pip install --quiet --upgrade pip 'setuptools<70' wheel
	$(NLU_VENV)/bin/pip install --quiet -r nlu/requirements.txt -c nlu/constraints.txt
	touch $@

catalogs: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy --domain messages --directory locales

# after changing the console's interface strings: the template translators start from
console-pot: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel-console.cfg -k N_ --no-location --omit-header -o locales/console.pot .

model: $(VENV)/.installed $(NLU_VENV)/.installed
	$(VENV)/bin/helpline train

run: setup
	$(VENV)/bin/helpline serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The scale-out test and benchmark put several workers behind a real load balancer.
loadbalancer:
	@command -v haproxy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/ruff format --check bot tests bench

test: setup browser loadbalancer lint
	$(VENV)/bin/helpline content check
	$(VENV)/bin/pytest

# The benchmarks compare against other language identifiers, installed only here.
$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.lock
	$(VENV)/bin/pip install --quiet -r bench/requirements.lock
	touch $@

bench: setup loadbalancer $(VENV)/.bench-installed
	$(VENV)/bin/python -m bench.pipeline
	$(VENV)/bin/python -m bench.language_id

clean:
	rm -rf $(VENV) $(NLU_VENV) nlu/models var
