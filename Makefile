# Front door. `make shell` starts a local cluster; `make test` runs every test.
# Both install missing Debian packages first and build Release with CMake.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
# Warnings are errors in CI (CI=true), advisory elsewhere.
WERROR     ?= $(if $(CI),ON,OFF)
CTEST_ARGS ?=
# The build's own progress lines are enough; skip make's "Entering directory" chatter.
MAKEFLAGS  += --no-print-directory

.PHONY: all deps configure build meadow shell test test-asan clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DMEADOW_WERROR=$(WERROR) >/dev/null

# Everything, tests included.
build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Only the executable: what `make shell` needs, in a fraction of the full build's time.
meadow: configure
	@cmake --build $(BUILD) -j $(JOBS) --target meadow

# A 3-node local cluster and the interactive shell (data in ./meadow-data). SHELL_ARGS adds flags.
shell: meadow
	@$(BUILD)/meadow shell $(SHELL_ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEADOW_SANITIZE=ON \
		-DMEADOW_WERROR=$(WERROR) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
