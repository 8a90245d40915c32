# Gloss: the two commands are `make run` and `make test`.
# Both install what is missing first (scripts/setup.sh is idempotent).
# `make check` is the quick Rust run to make after a change.

CARGO ?= cargo
LIBRARY ?= $(CURDIR)/seeds
BIN := target/debug/gloss
RELEASE_BIN := target/release/gloss

.PHONY: run test check bench setup build package fuzz lint clean-artifacts

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

# The full suite: Rust unit, property and integration tests (the slow ones
# too; the tests in gloss-core's `alone` module change a machine-wide kernel
# setting, so they run after the others, one at a time), then the browser
# tests (Chromium) and the desktop tests (Tauri window under Xvfb).
test: build
	$(CARGO) test --workspace --quiet -- --include-ignored --skip alone::
	$(CARGO) test -p gloss-core --test tests --quiet -- --ignored --test-threads=1 alone::
	bash tests/run-e2e.sh

# The quick part of the Rust tests, for after a change: tests marked
# `#[ignore = "slow: ..."]` (and the `alone` ones) are left out, and each
# property test runs PROPTEST_CASES cases instead of its full count.
PROPTEST_CASES ?= 32
check:
	PROPTEST_CASES=$(PROPTEST_CASES) $(CARGO) test --workspace --quiet

bench: setup
	bash bench/run.sh

package: setup
	bash scripts/package.sh

fuzz:
	bash fuzz/run.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
