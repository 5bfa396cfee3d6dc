#!/usr/bin/env python3
"""virtio-gpu end to end (test_screen_gpu.sh): one Linux VM with a display
whose fbcon is mapped to fb1, the virtio-gpu DRM driver's fbdev.

  screen_gpu_test.py QEMU_CMD QMP_SOCK LOG PNG_DIR

Checks: the guest has /dev/dri/card0 and virtio_gpudrmfb as fb1 with
fbcon on it; the hypervisor switches the VM's picture to the scanout; a
line fbcon draws on tty1 (RESOURCE_FLUSH) shows on the screen under the
label bar; typed keys reach tty1 through the virtio keyboard, not the
PS/2 one; the hypervisor logs pixels copied per flush."""
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from console import Console, StepFailed  # noqa: E402
import screen  # noqa: E402

BAR_H, W = 32, 1024
WORK_RGB, FBCON_MAGENTA = 0x1f5fbf, 0xaa00aa

qemu_cmd, qmp_path, log_path, png_dir = sys.argv[1:5]
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


shots = 0


def dump(tag):
    global shots
    shots += 1
    ppm = os.path.join(png_dir, "screen-%02d-%s.ppm" % (shots, tag))
    q.dump(os.path.abspath(ppm))
    img = screen.read_ppm(ppm)
    screen.write_png(img, ppm[:-4] + ".png")
    os.unlink(ppm)
    return img


def band(img, y0, rgb):
    return all(screen.pixel(img, x, y) == rgb for y in range(y0, y0 + 16) for x in range(0, W, 7))


def wait_screen(pred, tag, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        img = dump(tag)
        if pred(img) or time.monotonic() > deadline:
            return img
        time.sleep(1)


def status(cmd, timeout=60):
    tag = "@@%d@@" % int(time.monotonic() * 1000)
    con.send("%s\necho %s-$?\n" % (cmd, tag))
    m, _ = con.expect(r"\] %s-(\d+)$" % tag, timeout)
    return int(m.group(1))


con = Console(qemu_cmd, log_path, False)
try:
    con.expect(r"^display: 1024x768x32 from Bochs VBE", 60)
    start = con.pos
    con.expect(r"^\[work\] virtio-gpu: one 1024x736 scanout", 60)
    con.expect(r"^\[work\] bulkhead-guest: userspace up$", 300)
    time.sleep(3)
    q = screen.Qmp(qmp_path)
    check(status("test -c /dev/dri/card0") == 0, "the guest has /dev/dri/card0")
    check(status("grep -qx virtio_gpudrmfb /sys/class/graphics/fb1/name") == 0,
          "fb1 is virtio_gpudrmfb")
    # fbcon=map:1 leaves efifb's fb0 alone: the console switches once, to fb1
    check(status("dmesg | grep -A3 'Console: switching to colour frame buffer device 128x46' | "
                 "grep -q 'fb1: virtio_gpudrmfb frame buffer device'") == 0,
          "fbcon switched to virtio_gpudrmfb (fb1)")
    after = con.pos
    con.pos = start  # the hypervisor's line came while the guest booted
    con.expect(r"^display: work shows its virtio-gpu scanout$", 10)
    check(True, "the hypervisor shows work's virtio-gpu scanout")
    con.pos = after
    # fbcon draws on virtio_gpudrmfb: tty1 cleared, its first text row
    # (16 pixel rows) filled with spaces on fbcon's magenta (0xaa00aa)
    check(status("printf '\\033[2J\\033[H\\033[45m%128s\\033[0m' ' ' > /dev/tty1") == 0,
          "a magenta line written to tty1")
    img = wait_screen(lambda i: band(i, BAR_H, FBCON_MAGENTA), "fbcon-line")
    check(band(img, BAR_H, FBCON_MAGENTA), "fbcon's line at screen rows %d-%d, under the bar" % (BAR_H, BAR_H + 15))
    check(not band(img, BAR_H + 16, FBCON_MAGENTA), "and not below it")
    check(screen.pixel(img, 500, 2) == WORK_RGB, "the label bar stays on top")
    # keys: the virtio keyboard is live, so typed keys reach tty1 through
    # it and the PS/2 keyboard's interrupt (IRQ 1) does not fire
    check(status("grep -qx 'Bulkhead virtio keyboard' /sys/class/input/input*/name") == 0,
          "the guest has the virtio keyboard")
    run_ok = status("(while read l < /dev/tty1; do echo kbd-got:$l; done) > /dev/console 2>&1 &") == 0
    time.sleep(2)
    con.send("echo irq1-before:$(grep -E '^ +1:' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)\n")
    before, _ = con.expect(r"\] irq1-before:(\d+)$", 30)
    q.text("virtio\n")
    m, _ = con.expect(r"^\[work\] .*kbd-got:(?!\$l)(.*)$", 30)
    check(run_ok and m.group(1) == "virtio", "typed keys reach tty1: %r" % m.group(1))
    con.send("echo irq1-after:$(grep -E '^ +1:' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)\n")
    after_irq, _ = con.expect(r"\] irq1-after:(\d+)$", 30)
    check(before.group(1) == after_irq.group(1),
          "through the virtio keyboard: PS/2 IRQ 1 count unchanged (%s, %s)" % (before.group(1), after_irq.group(1)))
    m, _ = con.expect(r"^display: work virtio-gpu: (\d+) flushes, (\d+) pixels copied, (\d+) per flush$", 120)
    print("measured: %s flushes, %s pixels, %s pixels per flush" % m.groups(), flush=True)
    check(int(m.group(1)) >= 16, "flushes measured")
    con.send("poweroff\n")
    con.expect(r"^vm work: powered off by the guest$", 120)
except StepFailed as e:
    check(False, str(e))
finally:
    con.stop()
print("screenshots: %s/screen-*.png" % png_dir)
sys.exit(1 if failures else 0)
