# Every target here is what CI runs; .ci/run provisions backends and calls `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
BUF := node_modules/.bin/buf
PYTEST_ARGS ?=
BENCH_ARGS ?=
EVAL_ARGS ?=

.PHONY: setup lock gen gen-check lint test run bench eval k8s-check clean

# Python deps from requirements.lock (hash-pinned), buf from package-lock.json.
# uv is installed with pip if missing.
setup: $(VENV)/.synced node_modules/.installed

$(UV):
	python3 -m pip install --quiet --user "uv==$(UV_VERSION)" || python3 -m pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml requirements.lock | $(UV)
	$(UV) venv --quiet --allow-existing --python 3.11 $(VENV)
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps --editable .
	@touch $@

# Re-resolves requirements.lock from pyproject.toml after a dependency change.
lock: | $(UV)
	$(UV) pip compile pyproject.toml --group pyproject.toml:dev \
		--override requirements/overrides.txt --generate-hashes --no-emit-index-url \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --quiet -o requirements.lock
	$(UV) pip compile pyproject.toml --override requirements/overrides.txt --generate-hashes \
		--no-emit-index-url --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--quiet -o requirements/runtime.lock
	$(UV) pip compile --group pyproject.toml:llm-test-server --generate-hashes --no-emit-index-url \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --quiet \
		-o requirements/llm-test-server.lock

# npm ci installs exactly what package-lock.json records (it lists every platform's
# optional buf binary) and never writes the lock; npm install would rewrite it to the
# local npm's taste (resolved URLs, its lockfile version), leaving a fresh clone dirty.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

gen: setup
	./scripts/gen-protos

# Fails when the committed stubs differ from what the protos generate.
gen-check: gen
	@git add --intent-to-add libs/memgrid_protos
	@git diff --exit-code --stat libs/memgrid_protos || \
		{ echo "generated stubs are stale: run 'make gen' and commit"; exit 1; }

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy libs gateway services
	cd protos && ../$(BUF) lint
	@if git rev-parse --verify -q origin/main >/dev/null; then \
		cd protos && ../$(BUF) breaking --against '../.git#branch=origin/main,subdir=protos'; \
	else echo "buf breaking: no origin/main to compare against; skipped"; fi

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

run: setup
	$(PY) -m memgrid_suite

# Retrieval quality on eval/dataset.json: Recall@1/5/10 and NDCG@10 per retrieval mode;
# then LoCoMo's dev split through the gateway (eval/locomo_eval.py: baselines, memgrid with
# consolidation off and on), e.g. EVAL_ARGS='--conversations 1 --questions 30'.
eval: setup
	$(PY) eval/run_eval.py
	$(PY) eval/locomo_eval.py $(EVAL_ARGS)

# Every benchmark in perf/, then one table; e.g. `make bench BENCH_ARGS=--quick` (a smoke
# run of a few minutes) or BENCH_ARGS='--only search,graph' (perf/README.md).
bench: setup
	$(PY) -m perf.bench $(BENCH_ARGS)

# Manifests, images, alert rules and dashboards (tests/deploy), after installing their tools.
k8s-check: setup
	./scripts/k8s-check

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
