# rackflow developer and user commands. `make demo` and `make test` are the README's two commands.
#
# Everything installs into a virtual environment, never into the system interpreter: the active
# one when $VIRTUAL_ENV is set, else the project's own `.venv` (created on first use from
# $(BASE_PYTHON)). Activate it afterwards with `. .venv/bin/activate`.
BASE_PYTHON ?= python3
ifdef VIRTUAL_ENV
VENV := $(VIRTUAL_ENV)
VENV_KIND := the active virtual environment
else
VENV := $(CURDIR)/.venv
VENV_KIND := the project virtual environment
endif
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
PIP := $(PYTHON) -m pip
# system libraries for headless rendering (EGL/Mesa) and the gmsh wheel; a no-op when present
SYSTEM_PACKAGES = libgl1 libegl1 libgl1-mesa-dri libglu1-mesa libxcursor1 libxft2 libxinerama1 libgomp1

.PHONY: venv system-deps openfoam install install-test demo docs-image test test-rust lint validate bench wheel

venv:
	@if [ ! -x "$(PYTHON)" ]; then \
		echo "make: creating $(VENV_KIND) $(VENV) (from $(BASE_PYTHON))"; \
		$(BASE_PYTHON) -m venv "$(VENV)" || { echo "make: '$(BASE_PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv"; exit 1; }; \
		"$(PYTHON)" -m pip install --quiet --upgrade pip; \
	else echo "make: using $(VENV_KIND) $(VENV)"; fi

system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi; \
	else echo "note: not root or no apt-get; make sure these are installed: $(SYSTEM_PACKAGES)"; fi

# OpenFOAM v1912 (Debian's `openfoam`) and GNU time, the peer of the benchmarks/openfoam/ comparisons
# (see shared/reference/openfoam.md); a no-op when present
openfoam:
	@if dpkg -s openfoam time >/dev/null 2>&1; then echo "make: openfoam and time are installed"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openfoam time; \
	else echo "make: not root or no apt-get; install the Debian packages 'openfoam' and 'time'"; exit 1; fi

install: system-deps venv
	$(PIP) install --quiet '.[viz,mesh]'

install-test: system-deps venv
	$(PIP) install --quiet -e '.[test]'

demo: install
	$(BIN)/rackflow demo
	@echo "make: rackflow is installed in $(VENV); run it with $(BIN)/rackflow or after '. $(VENV)/bin/activate'"

# the README's picture: the demo's own rendering and its sidecar (render settings and summary),
# which tests/render/test_demo_image.py checks against what the demo draws now. Uses the rackflow
# installed in the environment: run `make install-test` (editable) first after changing the code.
docs-image: venv
	$(PYTHON) -m rackflow.cli demo --out build/docs-image
	cp build/docs-image/demo.png build/docs-image/demo.json docs/

test: install-test
	$(PYTHON) -m pytest -q
	$(PYTHON) -m pytest -q -m validation

test-rust:
	cargo test --workspace --release

lint: venv
	@test -x "$(BIN)/ruff" || $(PIP) install --quiet 'ruff>=0.5'
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --release -- -D warnings
	$(BIN)/ruff check python tests benchmarks examples
	$(BIN)/ruff format --check python tests benchmarks examples

validate: install-test
	$(PYTHON) -m pytest -q -m validation

bench: install
	$(PYTHON) benchmarks/conduction_plate.py

# a publishable wheel (manylinux, abi3; see [tool.maturin] in pyproject.toml) into dist/
wheel: venv
	$(PIP) install --quiet 'maturin>=1.8,<2.0'
	$(BIN)/maturin build --release -o dist
