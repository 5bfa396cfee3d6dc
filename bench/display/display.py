#!/usr/bin/env python3
"""Drives bench/display/run.sh's machine over its serial console (log mode)
and turns the hypervisor's per-focus-period lines into figures, one
column per way of finding what changed (run.sh boots twice: the shadow
compare with display=compare, then the nested page table's dirty bits):

  display: a shown: N refreshes, T of C tiles copied (P pixels), X ns per refresh
  display: a shown: N refreshes, D pages dirty, R rectangles copied (P pixels), X ns per refresh (dirty bits)
  display: framebuffer rows read since boot: a R b S

Phases (each PERIOD seconds of guest time):
  idle     a has the focus; its screen shows a shell's tty1 (cursor blink)
  full     a has the focus and rewrites its whole framebuffer in a loop
           (two frames alternately); the guest counts the frames
  1%       a has the focus and rewrites 7 full rows (7168 pixels, ~1% of
           1024x736) with a new colour every 100 ms
  hidden   b has the focus while a keeps rewriting: rows read from a

  display.py QEMU_CMD LOG PERIOD OUT_JSON"""
import json, os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "lib"))
from console import Console  # noqa: E402

cmd, log, period, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
STAT = re.compile(r"^display: \w+ shown: (\d+) refreshes, (?:\d+ of \d+ tiles|\d+ pages dirty, "
                  r"\d+ rectangles) copied \((\d+) pixels\), (\d+) ns per refresh", re.M)
ROWS = re.compile(r"^display: framebuffer rows read since boot: a (\d+) b (\d+)$", re.M)
con = Console(cmd, log, False)


def switch(n, stat=True):
    """Ctrl-] n; returns the period line of the VM that lost the focus
    (after a second: the period has at least one refresh) and the rows
    line."""
    time.sleep(1)
    con.send("\x1d%d" % n)
    m = con.expect(STAT.pattern, 60)[0] if stat else None
    r, _ = con.expect(ROWS.pattern, 10)
    return m, r


def run(c, timeout=180):
    tag = "@@%d@@" % int(time.monotonic() * 1000)
    con.send("%s\necho %s-$?\n" % (c, tag))
    return con.expect(r"\] %s-0$" % tag, timeout)


try:
    start = con.pos
    for vm in ("a", "b"):
        con.pos = start
        con.expect(r"^\[%s\] bulkhead-guest: userspace up$" % vm, 900)
    con.expect(r"\[a\] .*~ # ", 120)
    switch(1, False)
    switch(0)  # a's idle period starts now
    time.sleep(period)
    idle, _ = switch(1)
    switch(0)
    run("dd if=/dev/urandom of=/tmp/f1 bs=4096 count=736 2>/dev/null; "
        "dd if=/dev/zero of=/tmp/f2 bs=4096 count=736 2>/dev/null", 300)
    switch(1)
    switch(0)  # a's full-redraw period starts now
    con.send("i=0; end=$(($(date +%%s) + %d)); while [ $(date +%%s) -lt $end ]; do "
             "cat /tmp/f1 > /dev/fb0; cat /tmp/f2 > /dev/fb0; i=$((i + 2)); done; "
             "echo frames=$i\n" % int(period))
    m, _ = con.expect(r"\] frames=(\d+)$", 600)
    frames = int(m.group(1))
    full, _ = switch(1)
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
    _, rows1 = switch(0, False)
finally:
    con.stop()


def fig(m):
    n, px, ns = (int(m.group(i)) for i in (1, 2, 3))
    return {"refreshes": n, "pixels_per_refresh": px / n, "instructions_per_refresh": ns}


res = {"idle": fig(idle), "full": fig(full), "1%": fig(busy), "guest_frames": frames,
       "period": period, "hidden_rows_read": int(rows1.group(1)) - int(rows0.group(1))}
with open(out, "w") as f:
    json.dump(res, f)
