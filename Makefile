# Every target here is what CI runs; .ci/run provisions backends and calls `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
BUF := node_modules/.bin/buf
PYTEST_ARGS ?=

.PHONY: setup gen gen-check lint test run bench k8s-check clean

# Python deps from uv.lock, buf from package-lock.json. uv is installed if missing.
setup: .venv/.synced node_modules/.installed

$(UV):
	python3 -m pip install --quiet --user "uv==$(UV_VERSION)" || python3 -m pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	# npm ci rejects this lock: npm records only some platforms' optional buf binaries.
	npm install --silent --no-audit --no-fund
	@touch $@

gen: setup
	./scripts/gen-protos

# Fails when the committed stubs differ from what the protos generate.
gen-check: gen
	@git add --intent-to-add libs/memgrid_protos
	@git diff --exit-code --stat libs/memgrid_protos || \
		{ echo "generated stubs are stale: run 'make gen' and commit"; exit 1; }

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs gateway services
	cd protos && ../$(BUF) lint
	@if git rev-parse --verify -q origin/main >/dev/null; then \
		cd protos && ../$(BUF) breaking --against '../.git#branch=origin/main,subdir=protos'; \
	else echo "buf breaking: no origin/main to compare against; skipped"; fi

test: setup
	$(UV) run --frozen pytest $(PYTEST_ARGS)

run: setup
	$(UV) run --frozen python -m memgrid_suite

bench: setup
	$(UV) run --frozen python -m perf.bench

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
