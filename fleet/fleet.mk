# Fleet tier: bulkhead-publish, bulkhead-sync, their tests, fuzzers, benchmark.
# Hosted C11 against Debian's libsodium, libzstd, libcurl, jansson and libcrypto (OpenSSL).
FLEET_PKGS   := libsodium libzstd libcurl jansson libcrypto
FLEET_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -Ifleet $(shell pkg-config --cflags $(FLEET_PKGS))
FLEET_LIBS   := $(shell pkg-config --libs $(FLEET_PKGS)) -pthread
FLEET_OUT    := $(BUILD)/fleet

# Library sources shared by the tools (one job per file).
FLEET_LIB_SRCS := util.c sha256.c idmap.c pack.c checkin/report.c checkin/answer.c chunker.c caidx.c castore.c tuf.c tuf_client.c fetch.c keys.c \
                  policy.c progress.c repo.c targets.c state.c publish_image.c console/form.c console/html.c
FLEET_LIB_OBJS := $(patsubst %.c,$(FLEET_OUT)/obj/%.o,$(FLEET_LIB_SRCS))
FLEET_HDRS     := $(wildcard fleet/*.h fleet/checkin/*.h fleet/console/*.h)

$(FLEET_OUT)/obj/%.o: fleet/%.c $(FLEET_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FLEET_CFLAGS) -c $< -o $@

$(FLEET_OUT)/libfleet.a: $(FLEET_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FLEET_OUT)/bulkhead-publish: $(FLEET_OUT)/obj/publish.o $(FLEET_OUT)/obj/publish_cmd.o \
		$(FLEET_OUT)/obj/publish_verify.o $(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS)

$(FLEET_OUT)/bulkhead-sync: $(FLEET_OUT)/obj/sync.o $(FLEET_OUT)/obj/sync_cmd.o $(FLEET_OUT)/obj/sync_apply.o \
		$(FLEET_OUT)/obj/sync_checkin.o $(FLEET_OUT)/obj/sync_lease.o \
		$(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS)

# Simulated devices, many in one process (libcurl multi): bench/fleet/sim_sync.c
# (a sync) and sim_checkin.c (enrollment and check-in), shared by the
# benchmark helpers fleet-clients and fleet-checkin-clients and by
# fleet-devices (enroll, check in, sync what is assigned), the end-to-end test's.
SIM_HDRS := $(wildcard bench/fleet/*.h)
$(FLEET_OUT)/obj/bench/%.o: bench/fleet/%.c $(FLEET_HDRS) $(SIM_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FLEET_CFLAGS) -Ibench/fleet -c $< -o $@

$(FLEET_OUT)/fleet-clients: $(FLEET_OUT)/obj/bench/bench_clients.o $(FLEET_OUT)/obj/bench/sim_sync.o \
		$(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS)

# Check-in service: libmicrohttpd and libpq (scripts/deps.d/fleet-checkin.list).
CHECKIN_PKGS := libmicrohttpd libpq
$(FLEET_OUT)/obj/checkin/%.o: fleet/checkin/%.c $(FLEET_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FLEET_CFLAGS) $(shell pkg-config --cflags $(CHECKIN_PKGS)) -c $< -o $@

$(FLEET_OUT)/bulkhead-checkin: $(FLEET_OUT)/obj/checkin/server.o $(FLEET_OUT)/obj/checkin/db.o \
		$(FLEET_OUT)/obj/checkin/httpd.o \
		$(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS) $(shell pkg-config --libs $(CHECKIN_PKGS))

# Web console: libmicrohttpd, libpq, jansson, libsodium (scripts/deps.d/fleet-console.list);
# its pure parts (console/form.c, console/html.c) are in libfleet, for unit tests and fuzzing.
CONSOLE_SRCS := main.c web.c auth.c pages.c pages_admin.c actions.c
CONSOLE_OBJS := $(patsubst %.c,$(FLEET_OUT)/obj/console/%.o,$(CONSOLE_SRCS))
$(FLEET_OUT)/obj/console/%.o: fleet/console/%.c $(FLEET_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FLEET_CFLAGS) $(shell pkg-config --cflags $(CHECKIN_PKGS)) -c $< -o $@

$(FLEET_OUT)/bulkhead-console: $(CONSOLE_OBJS) $(FLEET_OUT)/obj/checkin/db.o \
		$(FLEET_OUT)/obj/checkin/httpd.o $(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS) $(shell pkg-config --libs $(CHECKIN_PKGS))

# make console (the top Makefile's line): the console with a fresh database in one step.
.PHONY: fleet-console
fleet-console:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(FLEET_OUT)/bulkhead-console $(FLEET_OUT)/bulkhead-checkin
	@fleet/console/run.sh

$(FLEET_OUT)/fleet-checkin-clients: $(FLEET_OUT)/obj/bench/bench_checkin.o $(FLEET_OUT)/obj/bench/sim_checkin.o \
		$(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS)

$(FLEET_OUT)/fleet-devices: $(FLEET_OUT)/obj/bench/fleet_devices.o $(FLEET_OUT)/obj/bench/sim_checkin.o \
		$(FLEET_OUT)/obj/bench/sim_sync.o $(FLEET_OUT)/libfleet.a
	$(HOSTCC) $^ -o $@ $(FLEET_LIBS)

FLEET_BINS := $(FLEET_OUT)/bulkhead-publish $(FLEET_OUT)/bulkhead-sync $(FLEET_OUT)/fleet-clients \
              $(FLEET_OUT)/bulkhead-checkin $(FLEET_OUT)/fleet-checkin-clients $(FLEET_OUT)/bulkhead-console \
              $(FLEET_OUT)/fleet-devices
ALL_TARGETS += $(FLEET_BINS)

# Unit tests (cmocka): tests/fleet/unit/test_fleet_*.c, linked with libfleet.
FLEET_UNIT_SRCS := $(wildcard tests/fleet/unit/test_fleet_*.c)
FLEET_UNIT_BINS := $(patsubst tests/fleet/unit/%.c,$(FLEET_OUT)/tests/%,$(FLEET_UNIT_SRCS))
FLEET_LIB_SRC_PATHS := $(addprefix fleet/,$(FLEET_LIB_SRCS))

$(FLEET_OUT)/tests/%: tests/fleet/unit/%.c $(FLEET_LIB_SRC_PATHS) $(FLEET_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(FLEET_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		$< $(FLEET_LIB_SRC_PATHS) -o $@ $(FLEET_LIBS) -lcmocka

UNIT_TESTS  += $(FLEET_UNIT_BINS)
ALL_TARGETS += $(FLEET_UNIT_BINS)

# libFuzzer targets: fleet/fuzz/fuzz_fleet_*.c; seeds in tests/fuzz/seeds/<name>/.
FLEET_FUZZ_SRCS := $(wildcard fleet/fuzz/fuzz_fleet_*.c)
FLEET_FUZZ_BINS := $(patsubst fleet/fuzz/%.c,$(FLEET_OUT)/fuzz/%,$(FLEET_FUZZ_SRCS))
FLEET_FUZZ_DEPS := fleet/util.c fleet/caidx.c fleet/tuf.c fleet/tuf_client.c fleet/policy.c fleet/checkin/report.c \
                   fleet/checkin/answer.c \
                   fleet/console/form.c fleet/console/html.c

$(FLEET_OUT)/fuzz/%: fleet/fuzz/%.c $(FLEET_FUZZ_DEPS) $(FLEET_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZCC) -std=c11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Ifleet \
		$(shell pkg-config --cflags libsodium jansson) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(FLEET_FUZZ_DEPS) -o $@ $(shell pkg-config --libs libsodium jansson)

FUZZ_TARGETS += $(FLEET_FUZZ_BINS)

BENCH_TARGETS += bench/fleet/run.sh bench/fleet/checkin.sh
