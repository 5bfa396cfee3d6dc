#!/usr/bin/env python3
"""The virtio tablet end to end (test_screen_tablet.sh): work has the
focus; each VM records its tablet's evdev events for a bounded time while
the PS/2 mouse moves right 50, down 30 and its left button goes down and
up (QMP input-send-event). work's tablet reports X 562, Y 398 (its
1024x736 screen's centre plus the motion) and BTN_LEFT 1 then 0;
personal's none.

  screen_tablet_test.py QEMU_CMD QMP_SOCK LOG"""
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from console import Console, StepFailed  # noqa: E402
import screen  # noqa: E402

EV_SYN, EV_KEY, EV_ABS, ABS_X, ABS_Y, BTN_LEFT = 0, 1, 3, 0, 1, 0x110
qemu_cmd, qmp_path, log_path = sys.argv[1:4]
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


focused = 0  # work has the focus at boot


def focus(vm):
    global focused
    if vm == focused:
        return
    focused = vm
    con.send("\x1d%d" % vm)
    con.expect(r"^console: input goes to vm %s$" % ("work", "personal")[vm], 30)


def status(vm, cmd, timeout=60):
    focus(vm)
    tag = "@@%d@@" % int(time.monotonic() * 1000)
    con.send("%s\necho %s-$?\n" % (cmd, tag))
    m, _ = con.expect(r"\] %s-(\d+)$" % tag, timeout)
    return int(m.group(1))


def events(vm):
    """The events vm's capture recorded: (type, code, value) each, from
    struct input_event (two 64-bit time fields, u16 type, u16 code, s32
    value) printed by od as 16-bit words."""
    focus(vm)
    con.send("echo ev-$(od -An -tu2 -v /tmp/ev | tr -s ' \\n' '  ')-end\n")
    m, _ = con.expect(r"\] ev-([0-9 ]*)-end$", 30)
    w = [int(x) for x in m.group(1).split()]
    return [(w[i + 8], w[i + 9], w[i + 10] | w[i + 11] << 16) for i in range(0, len(w) - 11, 12)]


con = Console(qemu_cmd, log_path, False)
try:
    con.expect(r"^display: PS/2 mouse on \(the focused VM's tablet\)$", 60)
    start = con.pos
    for vm in ("work", "personal"):
        con.pos = start
        con.expect(r"^\[%s\] virtio-input: tablet 1024x736" % vm, 60)
        con.pos = start
        con.expect(r"^\[%s\] bulkhead-guest: userspace up$" % vm, 300)
    time.sleep(3)
    q = screen.Qmp(qmp_path)
    for vm in (0, 1):
        check(status(vm, "grep -l 'Bulkhead virtio tablet' /sys/class/input/event*/device/name "
                         "> /tmp/tab && test -s /tmp/tab") == 0,
              "%s has the virtio tablet as an evdev device" % ("work", "personal")[vm])
        # a capture that ends by itself: 25 s of the tablet's events
        check(status(vm, "(timeout 25 cat /dev/input/$(basename $(dirname $(dirname $(cat /tmp/tab)))) "
                         "> /tmp/ev 2>/dev/null &)") == 0, "its capture started")
    focus(0)  # work has the focus; the mouse moves
    time.sleep(2)
    q.cmd("input-send-event", events=[{"type": "rel", "data": {"axis": "x", "value": 50}},
                                      {"type": "rel", "data": {"axis": "y", "value": 30}}])
    time.sleep(1)
    q.cmd("input-send-event", events=[{"type": "btn", "data": {"down": True, "button": "left"}}])
    time.sleep(1)
    q.cmd("input-send-event", events=[{"type": "btn", "data": {"down": False, "button": "left"}}])
    time.sleep(25)  # both captures are over
    ev = events(0)
    print("work's tablet events: %s" % ev, flush=True)
    xs = [v for t, c, v in ev if t == EV_ABS and c == ABS_X]
    ys = [v for t, c, v in ev if t == EV_ABS and c == ABS_Y]
    btn = [v for t, c, v in ev if t == EV_KEY and c == BTN_LEFT]
    check(xs and xs[-1] == 562, "work's pointer X 512 + 50 = 562 (%s)" % xs)
    check(ys and ys[-1] == 398, "work's pointer Y 368 + 30 = 398 (%s)" % ys)
    check(btn == [1, 0], "work's BTN_LEFT down then up (%s)" % btn)
    check(any(t == EV_SYN for t, _, _ in ev), "with EV_SYN reports")
    ev = events(1)
    check(ev == [], "personal, without the focus, got no tablet event (%s)" % ev)
except StepFailed as e:
    check(False, str(e))
finally:
    con.stop()
sys.exit(1 if failures else 0)
