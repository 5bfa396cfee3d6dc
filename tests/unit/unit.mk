# Host unit tests (cmocka). tests/unit/test_NAME.c is linked with the sources
# listed, one per line, in tests/unit/test_NAME.deps: the same files that
# compile into the hypervisor, unchanged.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
unit_deps = $(shell cat tests/unit/$(1).deps 2>/dev/null | sed 's/\#.*//')

.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c $$(call unit_deps,%) $$(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Itests/unit -fsanitize=address,undefined \
		-fno-sanitize-recover=all $< $(call unit_deps,$*) -o $@ -lcmocka

UNIT_TESTS  += $(UNIT_BINS)
ALL_TARGETS += $(UNIT_BINS)
