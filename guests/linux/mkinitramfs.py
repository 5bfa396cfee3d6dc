#!/usr/bin/python3
"""Packs the Bulkhead Linux guest initramfs (gzip'd newc cpio).

Called by scripts/guest-linux.sh; needs no root and no cpio binary: device
nodes are written straight into the archive, every entry is owned by root,
timestamps are 0 and entries are sorted, so the same inputs give the same
bytes.

  mkinitramfs.py --kroot DIR --kver VER --busybox FILE --guest-dir DIR
                 --modules "virtio_pci virtio_blk ..." --out FILE.cpio.gz
                 [--add DEST=SRC]... [--list FILE]

Modules: each name (dashes and underscores are the same) is looked up in
DIR/lib/modules/VER/modules.dep (made by depmod); it and its dependencies are
copied to /lib/modules/VER/ with the same relative paths, a modules.dep for
just those, and "load-order" (dependencies first) that /init insmods.
Missing names are reported and skipped.
"""
import argparse
import gzip
import io
import os
import stat
import subprocess
import sys


def norm(name):
    base = os.path.basename(name)
    for ext in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    return base.replace("-", "_")


def read_modules_dep(path):
    deps = {}
    with open(path) as f:
        for line in f:
            if ":" not in line:
                continue
            mod, rest = line.split(":", 1)
            deps[mod.strip()] = rest.split()
    return deps


def module_closure(deps, wanted):
    """Returns (load order with dependencies first, names not found)."""
    by_name = {norm(m): m for m in deps}
    order, seen, missing = [], set(), []

    def visit(m):
        if m in seen:
            return
        seen.add(m)
        # depmod lists the full closure, nearest last-loaded first: load
        # from the end of the list, as modprobe does.
        for d in reversed(deps.get(m, [])):
            visit(d)
        order.append(m)

    for w in wanted:
        m = by_name.get(norm(w))
        if m is None:
            missing.append(w)
        else:
            visit(m)
    return order, missing


class Cpio:
    """newc writer; entries are collected and written sorted by path."""

    def __init__(self):
        self.entries = {}

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parent = os.path.dirname(path)
        if parent and parent not in self.entries:
            self.add(parent, stat.S_IFDIR | 0o755)
        self.entries[path] = (mode, data, rdev)

    def dir(self, path, perm=0o755):
        self.add(path, stat.S_IFDIR | perm)

    def file(self, path, data, perm=0o644):
        self.add(path, stat.S_IFREG | perm, data)

    def symlink(self, path, target):
        self.add(path, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, path, major, minor, perm=0o600):
        self.add(path, stat.S_IFCHR | perm, rdev=(major, minor))

    def bytes(self):
        out = io.BytesIO()
        ino = 1

        def entry(name, mode, data, rdev, nlink):
            nonlocal ino
            nb = name.encode() + b"\0"
            fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                      rdev[0], rdev[1], len(nb), 0)
            out.write(b"070701" + b"".join(b"%08X" % v for v in fields))
            out.write(nb)
            out.write(b"\0" * (-(110 + len(nb)) % 4))
            out.write(data)
            out.write(b"\0" * (-len(data) % 4))
            ino += 1

        for path in sorted(self.entries):
            mode, data, rdev = self.entries[path]
            entry(path, mode, data, rdev, 2 if stat.S_ISDIR(mode) else 1)
        entry("TRAILER!!!", 0, b"", (0, 0), 1)
        return out.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kroot", required=True)
    ap.add_argument("--kver", required=True)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--guest-dir", required=True)
    ap.add_argument("--modules", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--add", action="append", default=[], metavar="DEST=SRC",
                    help="add file SRC as DEST (mode 755)")
    ap.add_argument("--list", help="write a listing of the archive here")
    a = ap.parse_args()

    c = Cpio()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys",
              "dev", "run", "var/log", "mnt", "root"):
        c.dir(d)
    c.dir("tmp", 0o1777)
    # The kernel opens /dev/console for /init before anything is mounted.
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    c.chardev("dev/ttyS0", 4, 64)

    with open(a.busybox, "rb") as f:
        c.file("bin/busybox", f.read(), 0o755)
    applets = subprocess.run([a.busybox, "--list-full"], check=True,
                             capture_output=True, text=True).stdout.split()
    for p in applets:
        if p.strip("/") != "bin/busybox":
            c.symlink(p, "/bin/busybox")

    g = a.guest_dir
    with open(os.path.join(g, "init"), "rb") as f:
        c.file("init", f.read(), 0o755)
    for name, dest in (("inittab", "etc/inittab"), ("profile", "etc/profile")):
        with open(os.path.join(g, name), "rb") as f:
            c.file(dest, f.read())
    for spec in a.add:
        dest, src = spec.split("=", 1)
        with open(src, "rb") as f:
            c.file(dest, f.read(), 0o755)
    c.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
    c.file("etc/group", b"root:x:0:\n")
    c.file("etc/hostname", b"bulkhead-guest\n")

    mdir = os.path.join(a.kroot, "lib/modules", a.kver)
    deps = read_modules_dep(os.path.join(mdir, "modules.dep"))
    order, missing = module_closure(deps, a.modules.split())
    for w in missing:
        print("mkinitramfs: module %s not in this kernel, skipped" % w,
              file=sys.stderr)
    dest = "lib/modules/" + a.kver
    c.dir(dest)
    for m in order:
        with open(os.path.join(mdir, m), "rb") as f:
            c.file(dest + "/" + m, f.read())
    c.file(dest + "/modules.dep",
           "".join("%s: %s\n" % (m, " ".join(deps[m])) for m in order).encode())
    c.file(dest + "/load-order", "".join(m + "\n" for m in order).encode())
    for extra in ("modules.builtin",):
        p = os.path.join(mdir, extra)
        if os.path.exists(p):
            with open(p, "rb") as f:
                c.file(dest + "/" + extra, f.read())

    raw = c.bytes()
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        # mtime=0 and no file name in the gzip header: reproducible bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0,
                           compresslevel=9) as z:
            z.write(raw)
    os.replace(tmp, a.out)
    if a.list:
        with open(a.list, "w") as f:
            for path in sorted(c.entries):
                mode, data, rdev = c.entries[path]
                f.write("%s %7d /%s\n" % (stat.filemode(mode), len(data), path))
    print("mkinitramfs: %d entries, %d modules (%s), cpio %d bytes"
          % (len(c.entries), len(order),
             " ".join(norm(m) for m in order), len(raw)))


if __name__ == "__main__":
    main()
