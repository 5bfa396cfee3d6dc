# libFuzzer targets (clang). tests/fuzz/fuzz_NAME.c is linked with the sources
# listed in tests/fuzz/fuzz_NAME.deps; seeds, if any, in tests/fuzz/seeds/NAME/.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
fuzz_deps = $(shell cat tests/fuzz/$(1).deps 2>/dev/null | sed 's/\#.*//')

$(BUILD)/fuzz/%: tests/fuzz/%.c $$(call fuzz_deps,%)
	@mkdir -p $(dir $@)
	$(FUZZCC) -std=c11 -O1 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Ihv/include \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(call fuzz_deps,$*) -o $@

FUZZ_TARGETS += $(FUZZ_BINS)
