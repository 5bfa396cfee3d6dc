#!/usr/bin/env python3
"""Waits on QEMU's QMP socket for QEMU's SHUTDOWN event: the emulated PC's
own end (a triple fault under -no-reboot, or its ACPI power-off; QEMU runs
with -no-shutdown, so it pauses instead of exiting) or QEMU stopped from
outside (SIGTERM: a test whose step failed). Writes the event and every
CPU's registers at that moment to OUT, with each CPU's next instructions,
its mappings (info mem) and its root table's first entries, then has QEMU
quit, even when the dump fails. Exits quietly when QEMU ends first (the exit
port, a timeout). scripts/qemu.sh starts it when BULKHEAD_QEMU_LOG is set.

usage: qemu_shutdown_dump.py SOCKET OUT
"""
import json
import re
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 60
    while True:
        try:
            s.connect(path)
            break
        except OSError:
            if time.monotonic() > deadline:
                return 0
            time.sleep(0.2)
    f = s.makefile("rw")

    def send(cmd, **args):
        f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n")
        f.flush()

    def reply():
        for line in f:
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg
        return None

    f.readline()  # the greeting
    send("qmp_capabilities")
    if reply() is None:
        return 0
    for line in f:
        msg = json.loads(line)
        if msg.get("event") != "SHUTDOWN":
            continue
        try:
            dump(send, reply, msg, out)
        finally:
            send("quit")
            reply()  # QEMU takes the command before the socket closes
        break
    return 0


def dump(send, reply, msg, out):
    """The event and the CPUs' state at it, into OUT."""
    send("human-monitor-command", **{"command-line": "info registers -a"})
    regs = reply()
    text = (regs or {}).get("return", "no registers\n")
    with open(out, "w") as o:
        o.write("QEMU shut down: %s\n" % json.dumps(msg.get("data", {})))
        o.write(text)
        # each CPU's next instructions and its page tables' view: a
        # fetch that cannot be translated shows here as an error
        for n, cr3 in enumerate(re.findall(r"^CR0=\S+ CR2=\S+ CR3=([0-9a-f]+)", text, re.M)):
            o.write("CPU %d, as the monitor sees it:\n" % n)
            for cmd in ("x /2i $pc", "info mem", "xp /2gx 0x%x" % (int(cr3, 16) & ~0xfff)):
                send("human-monitor-command", **{"command-line": cmd, "cpu-index": n})
                lines = ((reply() or {}).get("return") or "").splitlines()
                for line in lines[:24]:
                    o.write("  %s\n" % line)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError):
        sys.exit(0)
