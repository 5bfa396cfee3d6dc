#!/usr/bin/env bash
# The ACPI tables Bulkhead gives Linux VMs (hv/dev/acpi_*.c), checked by an
# independent implementation: ACPICA's iasl disassembles every table with no
# error and no warning, the DSDT says what Linux needs (_S5_, PCI0 with its
# _CRS and _PRT...), the HPET table describes the HPET (3 timers, legacy
# route, 0xfed00000) and the MCFG the ECAM of bus 0 at 0xe0000000.
# A small host program, compiled here into build/, writes the tables.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=build/tests/system/acpi_iasl
rm -rf "$OUT"
mkdir -p "$OUT"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v iasl >/dev/null || { echo "FAIL: iasl missing (make deps: acpica-tools)"; exit 1; }

cat >"$OUT/acpi_dump.c" <<'EOF'
/* Writes each table of acpi_tables_build() to DIR/SIG.dat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/acpi_tables.h>
#include <bulkhead/pc_platform.h>

static u8 area[PC_ACPI_TABLES_END - PC_ACPI_RSDP_GPA];

static const u8 *at(u64 gpa) { return area + (gpa - PC_ACPI_RSDP_GPA); }
static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

static void dump(const char *dir, const char *name, const u8 *p, u32 len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct acpi_platform p = { .nr_cpus = argc > 2 ? (u32)atoi(argv[2]) : 2 };
	const char *err = NULL;
	u64 rsdp;

	if (argc < 2 || !acpi_tables_build(area, PC_ACPI_RSDP_GPA, sizeof(area), &p, &rsdp, &err)) {
		fprintf(stderr, "acpi_dump: %s\n", err ? err : "usage: acpi_dump DIR [nr_cpus]");
		return 1;
	}
	const u8 *r = at(rsdp), *xsdt = at(rd64(r + 24)), *fadt = NULL;
	dump(argv[1], "rsdp", r, rd32(r + 20));
	dump(argv[1], "xsdt", xsdt, rd32(xsdt + 4));
	for (u32 off = 36; off < rd32(xsdt + 4); off += 8) {
		const u8 *t = at(rd64(xsdt + off));
		char sig[5] = { 0 };

		memcpy(sig, t, 4);
		if (!strcmp(sig, "FACP"))
			fadt = t;
		dump(argv[1], !strcmp(sig, "FACP") ? "facp" : !strcmp(sig, "APIC") ? "apic" :
			      !strcmp(sig, "HPET") ? "hpet" : !strcmp(sig, "MCFG") ? "mcfg" : sig,
		     t, rd32(t + 4));
	}
	if (!fadt)
		return 1;
	dump(argv[1], "facs", at(rd32(fadt + 36)), 64);
	dump(argv[1], "dsdt", at(rd64(fadt + 140)), rd32(at(rd64(fadt + 140)) + 4));
	return 0;
}
EOF

gcc -std=c11 -O1 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Ihv/include \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	"$OUT/acpi_dump.c" hv/dev/acpi_tables.c hv/dev/acpi_aml.c hv/dev/acpi_dsdt.c \
	-o "$OUT/acpi_dump" || { echo "FAIL: acpi_dump does not build"; exit 1; }

# iasl cannot load a binary RSDP (ACPICA acfileio.c: "Loading an RSDP is not
# supported"), so compile the same fields as an iasl data table, which
# computes both checksums itself, and require identical bytes.
check_rsdp() { # dir
	local f=$1/rsdp.dat b
	[ "$(stat -c %s "$f")" -eq 36 ] || { fail "$1: RSDP is not 36 bytes"; return; }
	b=($(od -An -v -tx1 "$f"))
	hex() { local s=""; for ((i = $2 - 1; i >= $1; i--)); do s+=${b[$i]}; done; echo "$s"; }
	{
		echo '[0008]                          Signature : "RSD PTR "'
		echo '[0001]                           Checksum : 00'
		echo "[0006]                             Oem ID : \"$(head -c 15 "$f" | tail -c 6)\""
		echo "[0001]                           Revision : $(hex 15 16)"
		echo "[0004]                       RSDT Address : $(hex 16 20)"
		echo "[0004]                             Length : $(hex 20 24)"
		echo "[0008]                       XSDT Address : $(hex 24 32)"
		echo '[0001]                  Extended Checksum : 00'
		echo '[0003]                           Reserved : 000000'
	} >"$1/rsdp.asl"
	(cd "$1" && iasl rsdp.asl) >"$1/rsdp.iasl.log" 2>&1 ||
		{ fail "$1: iasl rejects the RSDP fields"; sed 's/^/    | /' "$1/rsdp.iasl.log"; return; }
	grep -q 'Revision : 02' "$1/rsdp.asl" || fail "$1: RSDP revision is not 2"
	cmp -l "$f" "$1/rsdp.aml" >/dev/null && echo "ok: rsdp identical to iasl's (both checksums)" ||
		{ fail "$1: RSDP differs from iasl's"; cmp -l "$f" "$1/rsdp.aml"; }
}

for cpus in 1 2 255; do
	dir=$OUT/cpus$cpus
	mkdir -p "$dir"
	"$OUT/acpi_dump" "$dir" $cpus || { fail "acpi_dump $cpus"; continue; }
	check_rsdp "$dir"
	for t in xsdt facp facs apic hpet mcfg dsdt; do
		[ -s "$dir/$t.dat" ] || { fail "$cpus cpus: no $t"; continue; }
		log=$dir/$t.iasl.log
		(cd "$dir" && iasl -d "$t.dat") >"$log" 2>&1
		st=$?
		if [ $st -ne 0 ]; then
			fail "$cpus cpus: iasl -d $t.dat exit $st"; sed 's/^/    | /' "$log"
		elif grep -Eiq 'error|warning|remark|invalid|incorrect|mismatch' "$log" "$dir/$t.dsl"; then
			fail "$cpus cpus: iasl complains about $t"
			grep -Ei 'error|warning|remark|invalid|incorrect|mismatch' "$log" "$dir/$t.dsl" | sed 's/^/    | /'
		elif ! grep -Eq "Disassembly completed|Acpi Data Table \[${t^^}\] decoded" "$log" ||
		     [ ! -s "$dir/$t.dsl" ]; then
			fail "$cpus cpus: iasl did not disassemble $t"; sed 's/^/    | /' "$log"
		else
			echo "ok: $cpus cpus: $t disassembles cleanly"
		fi
	done
	dsl=$dir/dsdt.dsl
	[ -f "$dsl" ] || continue
	for want in '_S5_: S5 System State' 'Name (\_S5, Package (0x04)' 'Device (PCI0)' 'EisaId ("PNP0A08")' \
		'Name (_CID, EisaId ("PNP0A03")' 'Name (_PRT, Package (0x7C)' 'WordIO (ResourceProducer' \
		'EisaId ("PNP0501")' 'EisaId ("PNP0B00")' 'EisaId ("PNP0100")' \
		'IO (Decode16,' 'IRQNoFlags ()' 'WordBusNumber (ResourceProducer' \
		'DWordMemory (ResourceProducer' '"ACPI0007"'; do
		grep -qF -- "$want" "$dsl" && echo "ok: dsdt has '$want'" || fail "$cpus cpus: dsdt lacks '$want'"
	done
	# The HPET table points at the block hv/dev/hpet.c models, with its ID.
	id=$(printf '%08X' $(( (0x8086 << 16) | (1 << 15) | (1 << 13) | (2 << 8) | 1 )))
	for want in "Hardware Block ID : $id" 'Address : 00000000FED00000' 'Space ID : 00 [SystemMemory]'; do
		grep -qF -- "$want" "$dir/hpet.dsl" && echo "ok: hpet has '$want'" ||
			fail "$cpus cpus: hpet lacks '$want'"
	done
	# The MCFG gives the ECAM of bus 0 that hv/dev/pci/pci_host.c serves.
	for want in 'Base Address : 00000000E0000000' 'Start Bus Number : 00' 'End Bus Number : 00'; do
		grep -qF -- "$want" "$dir/mcfg.dsl" && echo "ok: mcfg has '$want'" ||
			fail "$cpus cpus: mcfg lacks '$want'"
	done
	n=$(grep -c '"ACPI0007"' "$dsl")
	[ "$n" -eq "$cpus" ] && echo "ok: $n processor devices" || fail "$cpus cpus: $n processor devices"
	n=$(grep -c 'Subtable Type : 00 \[Processor Local APIC\]' "$dir/apic.dsl" || true)
	[ "$n" -eq "$cpus" ] && echo "ok: $n local APIC entries" || fail "$cpus cpus: $n local APIC entries"
	# Round trip: the disassembled DSDT compiles again without warnings.
	(cd "$dir" && iasl -p dsdt-again dsdt.dsl) >"$dir/dsdt.recompile.log" 2>&1 &&
		grep -q ' 0 Errors, 0 Warnings, 0 Remarks' "$dir/dsdt.recompile.log" &&
		echo "ok: dsdt.dsl recompiles cleanly" ||
		{ fail "$cpus cpus: dsdt.dsl does not recompile cleanly"; sed 's/^/    | /' "$dir/dsdt.recompile.log"; }
done

if [ $failures -ne 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "all checks passed"
