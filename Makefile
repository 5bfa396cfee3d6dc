# Bulkhead top-level build. Plain GNU make; every output goes under build/.
#   make          build everything (hypervisor, tools, fleet, tests, guests)
#   make test     install missing packages, build, run the whole test suite
#   make run      install missing packages, build, boot Bulkhead in QEMU
#   make fuzz     build the libFuzzer targets (clang)
#   make bench    run the benchmarks, results under bench/results/
#   make clean    remove build/
# Each area adds itself through a fragment (*.mk) that appends to the lists
# below; no central list of sources to edit.

BUILD     := build
CC        ?= gcc
HOSTCC    := gcc
FUZZCC    := clang
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
             -Wstrict-prototypes -Wundef -Wpointer-arith -Wvla
HOST_CFLAGS := -std=c11 -O2 -g $(WARNINGS) -D_DEFAULT_SOURCE -Ihv/include

ALL_TARGETS   :=
UNIT_TESTS    :=
FUZZ_TARGETS  :=
BENCH_TARGETS :=

.PHONY: all test run fuzz bench clean deps
.DELETE_ON_ERROR: # a failed step (such as the image check) leaves no output
all:

include hv/hv.mk
include guests/guests.mk
-include guests/linux.mk
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
-include fleet/fleet.mk
-include tools/tools.mk
-include bench/bench.mk

all: $(ALL_TARGETS)

fuzz: $(FUZZ_TARGETS)

deps:
	@scripts/deps.sh

# The test suite: unit tests, system tests (QEMU), fleet tests, short fuzz runs.
# FUZZ_SECONDS bounds each fuzz target's run.
FUZZ_SECONDS ?= 30
test:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all fuzz
	@UNIT_TESTS="$(UNIT_TESTS)" FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh

# RUN_ARGS is passed to scripts/run.sh (e.g. RUN_ARGS="--timeout 20").
# One line per stage; V=1 shows every command.
run:
	@echo "run: checking the packages it needs (scripts/deps.sh)"
	@scripts/deps.sh
	@echo "run: building the hypervisor, guests and tools"
	@$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) all
	@V="$(V)" scripts/run.sh $(RUN_ARGS)

console: fleet-console # the fleet web console with a fresh database (fleet/fleet.mk, docs/fleet.md)

bench:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@for b in $(BENCH_TARGETS); do echo "== bench $$b"; $$b || exit 1; done

clean:
	rm -rf $(BUILD)
