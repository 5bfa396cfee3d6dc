#!/usr/bin/env python3
"""Writes valid seed inputs for fuzz_acpi and fuzz_mbinfo (run once; the seeds
are committed). Layouts follow the fuzz targets' conventions."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))

def csum(b, at):
    b[at] = 0
    b[at] = (-sum(b)) & 0xff

def table(sig, body):
    t = bytearray(sig + struct.pack('<IBB', 36 + len(body), 1, 0) + b'BULKHDBULKHEAD' +
                  struct.pack('<III', 1, 0, 0) + body)
    csum(t, 9)
    return t

def acpi_seed():
    base = 0xe0000
    madt_body = struct.pack('<II', 0xfee00000, 1)
    for i in range(2):
        madt_body += struct.pack('<BBBBI', 0, 8, i, i, 1)
    madt_body += struct.pack('<BBBBII', 1, 12, 0, 0, 0xfec00000, 0)
    madt_body += struct.pack('<BBHIII', 9, 16, 0, 5, 1, 5)
    madt = table(b'APIC', madt_body)
    xsdt = table(b'XSDT', struct.pack('<Q', base + 0x100))
    rsdp = bytearray(b'RSD PTR ' + b'\0' + b'BULKHD' + b'\x02' + struct.pack('<I', 0) +
                     struct.pack('<IQ', 36, base + 0x40) + b'\0\0\0\0')
    csum(rsdp, 8)  # over the first 20 bytes only: fix after
    rsdp[8] = 0
    rsdp[8] = (-sum(rsdp[:20])) & 0xff
    rsdp[32] = 0
    rsdp[32] = (-sum(rsdp)) & 0xff
    img = bytearray(0x200)
    img[0:36] = rsdp
    img[0x40:0x40 + len(xsdt)] = xsdt
    img[0x100:0x100 + len(madt)] = madt
    return bytes(img)

def mb1_seed():
    # window at 0x1000: info at 0x1000, mmap at 0x1100, mods at 0x1200, strings at 0x1300
    w = bytearray(0x400)
    struct.pack_into('<I', w, 0, (1 << 2) | (1 << 3) | (1 << 6))
    struct.pack_into('<I', w, 16, 0x1300)
    struct.pack_into('<II', w, 20, 1, 0x1200)
    struct.pack_into('<II', w, 44, 48, 0x1100)
    struct.pack_into('<IQQI', w, 0x100, 20, 0, 0x9fc00, 1)
    struct.pack_into('<IQQI', w, 0x118, 20, 0x100000, 0x3ff00000, 1)
    struct.pack_into('<IIII', w, 0x200, 0x400000, 0x401000, 0x1340, 0)
    w[0x300:0x310] = b'hv selftest\0\0\0\0\0'
    w[0x340:0x348] = b'vm a=1\0\0'
    return bytes([0]) + struct.pack('<I', 0) + bytes(w)

def mb2_seed():
    w = bytearray()
    def tag(t, payload):
        nonlocal w
        w += struct.pack('<II', t, 8 + len(payload)) + payload
        while len(w) % 8:
            w += b'\0'
    w += b'\0' * 8
    tag(1, b'grub cmdline\0')
    tag(6, struct.pack('<II', 24, 0) + struct.pack('<QQII', 0, 0x9fc00, 1, 0) +
        struct.pack('<QQII', 0x100000, 0x7ff00000, 1, 0))
    tag(3, struct.pack('<II', 0x800000, 0x900000) + b'vm.cfg\0')
    tag(0, b'')
    struct.pack_into('<I', w, 0, len(w))
    return bytes([1]) + struct.pack('<I', 0) + bytes(w)

def mb2_efi_seed():
    # GRUB's EFI build without the plain memory map: EFI system table,
    # framebuffer, both RSDPs, and the EFI memory map (48-byte descriptors
    # as OVMF writes them: conventional, runtime data, ACPI reclaim).
    w = bytearray()
    def tag(t, payload):
        nonlocal w
        w += struct.pack('<II', t, 8 + len(payload)) + payload
        while len(w) % 8:
            w += b'\0'
    def desc(t, start, pages, attr):
        return struct.pack('<IIQQQQ', t, 0, start, 0, pages, attr) + b'\0' * 8
    w += b'\0' * 8
    tag(1, b'efi cmdline\0')
    tag(3, struct.pack('<II', 0x800000, 0x900000) + b'vm.cfg\0')
    tag(8, struct.pack('<QIIIBBH', 0xc0000000, 4096, 1024, 768, 32, 1, 0) + bytes(6))
    tag(12, struct.pack('<Q', 0x3f000000))
    tag(14, b'RSD PTR ' + bytes(12))
    tag(15, b'RSD PTR ' + bytes(28))
    tag(17, struct.pack('<II', 48, 1) + desc(7, 0, 0x3ff00, 0) +
        desc(6, 0x3ff00000, 0x80, 1 << 63) + desc(9, 0x3ff80000, 0x80, 0))
    tag(0, b'')
    struct.pack_into('<I', w, 0, len(w))
    return bytes([1]) + struct.pack('<I', 0) + bytes(w)

def write(sub, name, data):
    with open(os.path.join(here, 'seeds', sub, name), 'wb') as f:
        f.write(data)

write('fuzz_acpi', 'xsdt-madt', acpi_seed())
write('fuzz_mbinfo', 'mb1', mb1_seed())
write('fuzz_mbinfo', 'mb2', mb2_seed())
write('fuzz_mbinfo', 'mb2-efi', mb2_efi_seed())
# seeds/fuzz_mbinfo/grub-ovmf is not written here: it is the info block GRUB
# 2.06 (x86_64-efi) passed on OVMF 2022.11 in test_grub_uefi's machine (q35,
# 2 GiB, two modules), dumped from memory once and kept as found, in the
# layout above (loader byte 1, offset 0, the block at the window's start).
# test_mbinfo reads it too.
