# rackflow developer and user commands. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
# system libraries for headless rendering (EGL/Mesa) and the gmsh wheel; a no-op when present
SYSTEM_PACKAGES = libgl1 libegl1 libgl1-mesa-dri libglu1-mesa libxcursor1 libxft2 libxinerama1 libgomp1

.PHONY: system-deps install install-test demo test test-rust lint validate bench

system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi; \
	else echo "note: not root or no apt-get; make sure these are installed: $(SYSTEM_PACKAGES)"; fi

install: system-deps
	$(PIP) install --quiet '.[viz,mesh]'

install-test: system-deps
	$(PIP) install --quiet -e '.[test]'

demo: install
	rackflow demo --out rackflow-demo

test: install-test
	$(PYTHON) -m pytest -q
	$(PYTHON) -m pytest -q -m validation

test-rust:
	cargo test --workspace --release

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --release -- -D warnings
	ruff check python tests benchmarks examples
	ruff format --check python tests benchmarks examples

validate: install-test
	$(PYTHON) -m pytest -q -m validation

bench: install
	$(PYTHON) benchmarks/conduction_plate.py
