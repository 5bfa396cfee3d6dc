# Test guests: small purpose-written kernels (see guests/README.md). Every
# guests/tests/NAME.c is linked with the runtime in guests/lib/ into
# build/guests/NAME.elf (Multiboot1 with the a.out kludge, loaded at 1 MiB).
# Freestanding, no libc; the compiler's own freestanding headers only.
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -nostdlib \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-asynchronous-unwind-tables -fcf-protection=none \
	-fno-strict-aliasing -Iguests/lib -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

GUEST_LIB_SRCS := $(sort $(wildcard guests/lib/*.c guests/lib/*.S))
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(GUEST_LIB_SRCS))
GUEST_SRCS     := $(sort $(wildcard guests/tests/*.c))
GUEST_OBJS     := $(patsubst %,$(BUILD)/%.o,$(GUEST_SRCS))
GUEST_ELFS     := $(patsubst guests/tests/%.c,$(BUILD)/guests/%.elf,$(GUEST_SRCS))

$(BUILD)/guests/%.c.o: guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guests/%.S.o: guests/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guests/tests/%.c.o $(GUEST_LIB_OBJS) guests/lib/linker.ld
	$(CC) $(GUEST_LDFLAGS) -T guests/lib/linker.ld $(GUEST_LIB_OBJS) $< -o $@ -lgcc

# The architecture test again, linked below 1 MiB (the hypervisor leaves
# [0x10000, 0x9f000) to a Multiboot kernel).
GUEST_LOW_ELFS := $(BUILD)/guests/arch_low.elf
$(BUILD)/guests/arch_low.elf: $(BUILD)/guests/tests/arch.c.o $(GUEST_LIB_OBJS) guests/lib/linker.ld
	$(CC) $(GUEST_LDFLAGS) -Wl,--defsym=GUEST_LOAD_ADDR=0x20000 -T guests/lib/linker.ld \
		$(GUEST_LIB_OBJS) $< -o $@ -lgcc

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_LOW_ELFS)

.SECONDARY: $(GUEST_LIB_OBJS) $(GUEST_OBJS)
ALL_TARGETS += $(GUEST_ELFS) $(GUEST_LOW_ELFS)
-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_OBJS:.o=.d)
