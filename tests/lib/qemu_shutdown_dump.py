#!/usr/bin/env python3
"""Waits on QEMU's QMP socket for the emulated PC to shut down on its own
(a triple fault under -no-reboot, or its ACPI power-off; QEMU runs with
-no-shutdown, so it pauses instead of exiting), then writes every CPU's
registers at that moment to OUT and has QEMU quit. Exits quietly when QEMU
ends first (the exit port, a timeout). scripts/qemu.sh starts it when
BULKHEAD_QEMU_LOG is set.

usage: qemu_shutdown_dump.py SOCKET OUT
"""
import json
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
        send("human-monitor-command", **{"command-line": "info registers -a"})
        regs = reply()
        with open(out, "w") as o:
            o.write("QEMU shut down on its own: %s\n" % json.dumps(msg.get("data", {})))
            o.write((regs or {}).get("return", "no registers\n"))
        send("quit")
        reply()  # QEMU takes the command before the socket closes
        break
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError):
        sys.exit(0)
