# Hosted C tools (DESIGN.md "On-device tools"). tools/bulkhead-config checks
# a machine's VM configuration with the hypervisor's own parser sources.
VM_CONF_SRCS := hv/core/vm_conf_parse.c hv/core/vm_conf_values.c hv/core/vm_conf_module.c \
	hv/core/vm_config.c hv/core/cmdline.c hv/lib/format.c hv/core/vm_conf_net.c hv/core/vm_conf_passthrough.c hv/net/vswitch_policy.c

$(BUILD)/tools/bulkhead-config: tools/bulkhead-config.c $(VM_CONF_SRCS) $(wildcard hv/include/bulkhead/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) tools/bulkhead-config.c $(VM_CONF_SRCS) -o $@

ALL_TARGETS += $(BUILD)/tools/bulkhead-config

# tools/bulkhead-image: layered disk images (a master and a qcow2 layer per
# VM) over qemu-img (docs/disks.md "Layered images").
IMAGE_TOOL_SRCS := tools/bulkhead-image.c tools/bulkhead-image-chain.c tools/bulkhead-image-run.c

$(BUILD)/tools/bulkhead-image: $(IMAGE_TOOL_SRCS) tools/bulkhead-image.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(IMAGE_TOOL_SRCS) -o $@

ALL_TARGETS += $(BUILD)/tools/bulkhead-image

# The service VM's block back-end daemon (tools/bulkhead-svcd.c), static so
# it drops into the service VM's initramfs.
$(BUILD)/tools/bulkhead-svcd: $(wildcard tools/bulkhead-svcd*.c tools/bulkhead-svcd*.h) hv/include/public/svc_ring.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 $(WARNINGS) -D_DEFAULT_SOURCE -Ihv/include -static $(wildcard tools/bulkhead-svcd*.c) -o $@

ALL_TARGETS += $(BUILD)/tools/bulkhead-svcd
