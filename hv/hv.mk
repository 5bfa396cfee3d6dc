# The hypervisor image: every .c and .S under hv/ is part of it (no list to
# keep). Freestanding, no libc, no floating point or SIMD, frame pointers kept
# for the exception backtrace.
HV_CFLAGS := -std=c11 -O2 -g $(WARNINGS) -ffreestanding -fno-stack-protector \
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-strict-aliasing -fno-tree-loop-distribute-patterns -Ihv/include -MMD -MP
HV_LDFLAGS := -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

HV_SRCS := $(shell find hv -name '*.c' -o -name '*.S' | sort)

# The version the hypervisor reports (boot log, the service VM's status
# area, so the fleet check-in): <bulkhead/version.h>, generated from git
# describe and rewritten only when it changes (scripts/version.sh).
HV_VERSION_H := $(BUILD)/gen/bulkhead/version.h
HV_CFLAGS += -I$(BUILD)/gen
$(HV_VERSION_H): FORCE
	@scripts/version.sh $@
$(BUILD)/hv/core/main.c.o $(BUILD)/hv/dev/svc/svc_dev.c.o: $(HV_VERSION_H)
.PHONY: FORCE
FORCE:
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))

$(BUILD)/hv/%.c.o: hv/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: hv/%.S
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/bulkhead.elf: $(HV_OBJS) hv/boot/linker.ld
	$(CC) $(HV_LDFLAGS) -T hv/boot/linker.ld $(HV_OBJS) -o $@ -lgcc
	scripts/check-image.sh $@

ALL_TARGETS += $(BUILD)/bulkhead.elf
-include $(HV_OBJS:.o=.d)
