#!/usr/bin/env python3
"""Drives bench/display/run.sh's machine over its serial console (log mode)
and turns the hypervisor's per-focus-period lines into figures:

  display: a shown: N refreshes, T of C tiles copied (P pixels), X ns per refresh
  display: framebuffer rows read since boot: a R b S

Phases (each PERIOD seconds of guest time):
  idle     a has the focus; its screen shows a shell's tty1 (cursor blink)
  1%       a has the focus and rewrites 7 full rows (7168 pixels, ~1% of
           1024x736) with a new colour every 100 ms
  hidden   b has the focus while a keeps rewriting: rows read from a

  display.py QEMU_CMD LOG PERIOD"""
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "lib"))
from console import Console  # noqa: E402

cmd, log, period = sys.argv[1], sys.argv[2], float(sys.argv[3])
STAT = re.compile(r"^display: (\w+) shown: (\d+) refreshes, (\d+) of (\d+) tiles copied "
                  r"\((\d+) pixels\), (\d+) ns per refresh$", re.M)
ROWS = re.compile(r"^display: framebuffer rows read since boot: a (\d+) b (\d+)$", re.M)
con = Console(cmd, log, False)


def switch(n):
    """Ctrl-] n; returns the period line of the VM that lost the focus
    (after a second: the period has at least one refresh)."""
    time.sleep(1)
    con.send("\x1d%d" % n)
    m, _ = con.expect(STAT.pattern, 60)
    r, _ = con.expect(ROWS.pattern, 10)
    return m, r


def run(c):
    tag = "@@%d@@" % int(time.monotonic() * 1000)
    con.send("%s\necho %s-$?\n" % (c, tag))
    con.expect(r"\] %s-0$" % tag, 60)


try:
    start = con.pos
    for vm in ("a", "b"):
        con.pos = start
        con.expect(r"^\[%s\] bulkhead-guest: userspace up$" % vm, 900)
    con.expect(r"\[a\] .*~ # ", 120)
    switch(1)
    switch(0)  # a's idle period starts now
    time.sleep(period)
    idle, _ = switch(1)
    switch(0)
    run("printf '\\377\\000\\000\\000%.0s' $(seq 7168) > /tmp/p1; "
        "printf '\\000\\377\\000\\000%.0s' $(seq 7168) > /tmp/p2")
    run("(while :; do dd if=/tmp/p1 of=/dev/fb0 bs=4096 seek=400 2>/dev/null; sleep 0.1; "
        "dd if=/tmp/p2 of=/dev/fb0 bs=4096 seek=400 2>/dev/null; sleep 0.1; done) &")
    switch(1)
    switch(0)  # a's 1% period starts now
    time.sleep(period)
    busy, rows0 = switch(1)  # b has the focus, a keeps drawing
    time.sleep(period)
    _, rows1 = switch(0)
finally:
    con.stop()


def fig(m):
    n, copied, checked, px, ns = (int(m.group(i)) for i in (2, 3, 4, 5, 6))
    return n, copied, checked, px, ns


for name, m in (("idle", idle), ("1% change", busy)):
    n, copied, checked, px, ns = fig(m)
    print("%-10s %5d refreshes, %6.1f tiles copied per refresh of %d, %8.0f pixels copied per "
          "refresh, %10d instructions per refresh" % (name, n, copied / n, checked // n, px / n, ns))
n0, _, _, px0, ns0 = fig(idle)
n1, _, _, px1, ns1 = fig(busy)
pages = (px1 / n1 - px0 / n0) * 4 / 4096
if pages > 0:
    print("copy cost: %.0f instructions per copied 4 KiB page ((1%% - idle) / extra pages copied "
          "per refresh, %.2f pages)" % ((ns1 - ns0) / pages, pages))
print("compare cost: %.0f instructions per 4 KiB page of the view read and compared (idle)"
      % (ns0 / (1024 * 736 * 4 / 4096)))
print("unfocused a, redrawing for %gs while b had the focus: %d framebuffer rows read from it "
      "(aim 0)" % (period, int(rows1.group(1)) - int(rows0.group(1))))
