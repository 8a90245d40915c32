# Gloss: the two commands are `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).

CARGO ?= cargo
LIBRARY ?= $(CURDIR)/seeds
BIN := target/debug/gloss
RELEASE_BIN := target/release/gloss

.PHONY: run test bench setup build package fuzz lint clean-artifacts

setup:
	@bash scripts/setup.sh

build: setup
	$(CARGO) build --workspace

# Opens the desktop window on seeds/; with no display, serves the UI instead.
run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		exec $(BIN) --library "$(LIBRARY)"; \
	else \
		echo "No display found: starting 'gloss serve' instead."; \
		exec $(BIN) serve --library "$(LIBRARY)"; \
	fi

# The full suite: Rust unit, property and integration tests, then the
# browser tests (Chromium) and the desktop tests (Tauri window under Xvfb).
test: build
	$(CARGO) test --workspace --quiet
	bash tests/run-e2e.sh

bench: setup
	bash bench/run.sh

package: setup
	bash scripts/package.sh

fuzz:
	bash fuzz/run.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
