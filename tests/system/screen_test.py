#!/usr/bin/env python3
"""The screen end to end (test_screen.sh): two Linux VMs with a display
each, the hypervisor's label bar, each VM's framebuffer shown only while it
has the focus, the Ctrl+Alt+Home hotkey, keys reaching only the focused VM,
and a guest's forged label that stays below the real one.

  screen_test.py QEMU_CMD QMP_SOCK LOG PNG_DIR

The screen is read with QMP screendump; keys are typed with QMP
input-send-event. Expected label pixels are rendered here from the font
table in hv/display/font.c, so a wrong glyph, colour or place fails."""
import os, re, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
from console import Console, StepFailed  # noqa: E402
import screen  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BAR_H, TEXT_Y, W = 32, 7, 1024
WORK_RGB, PERSONAL_RGB = 0x1f5fbf, 0x40c060
HINT = "Ctrl+Alt+Home: next VM "

qemu_cmd, qmp_path, log_path, png_dir = sys.argv[1:5]
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures += 1


def font():
    """{char: 16 row bytes} as font_row() gives them."""
    src = open(os.path.join(ROOT, "hv/display/font.c")).read()
    table = src[src.index("glyphs[LAST - FIRST + 1]"):src.index("};")]
    rows = re.findall(r"\{ ((?:0x[0-9a-f]{2}, ){6}0x[0-9a-f]{2}) \}", table)
    assert len(rows) == 95, len(rows)
    out = {}
    for i, r in enumerate(rows):
        g = [int(x, 16) for x in r.split(", ")]
        out[chr(0x20 + i)] = [0] + [(g[(y - 1) // 2] << 2) & 0xff for y in range(1, 15)] + [0]
    return out


FONT = font()


def text_rgb(bg):
    luma = (299 * (bg >> 16 & 255) + 587 * (bg >> 8 & 255) + 114 * (bg & 255)) // 1000
    return 0 if luma >= 140 else 0xffffff


def expected_bar(vm_id, name, role, rgb):
    """{(x, y): rgb} of the whole bar as the hypervisor must draw it."""
    fg = text_rgb(rgb)
    exp = {}
    for y in range(BAR_H):
        for x in range(W):
            exp[(x, y)] = rgb if y < BAR_H - 2 else 0x202020

    def draw(x0, s):
        for i, c in enumerate(s):
            for y in range(16):
                bits = FONT[c][y]
                for dx in range(8):
                    exp[(x0 + 8 * i + dx, TEXT_Y + y)] = fg if bits & (0x80 >> dx) else rgb
    draw(0, " VM %d: %s  [%s]  running" % (vm_id, name, role))
    draw(W - 8 * len(HINT), HINT)
    return exp


BARS = {"work": expected_bar(0, "work", "work", WORK_RGB),
        "personal": expected_bar(1, "personal", "personal", PERSONAL_RGB)}

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


def bar_ok(img, who):
    exp = BARS[who]
    bad = [(x, y) for (x, y), v in exp.items() if screen.pixel(img, x, y) != v]
    check(not bad, "label bar of %s: every pixel as rendered from the font (%d differ%s)"
          % (who, len(bad), ", first %s = %06x" % (bad[0], screen.pixel(img, *bad[0])) if bad else ""))


def band(img, y0, rgb, x0=0):
    """True if screen rows y0..y0+15 are all rgb, from x0 across the width."""
    return all(screen.pixel(img, x, y) == rgb for y in range(y0, y0 + 16) for x in range(x0, W, 7))


# fbcon's cursor blinks in the first cell of tty1: the forged label is
# checked right of it
CURSOR_W = 64


def wait_screen(pred, what, tag, timeout=20):
    """Screendumps until pred(img) holds (the refresh runs every 50 ms)."""
    deadline = time.monotonic() + timeout
    while True:
        img = dump(tag)
        if pred(img) or time.monotonic() > deadline:
            return img
        time.sleep(1)


def status(cmd, timeout=60):
    """A command in the focused VM's shell over the serial line: its status."""
    tag = "@@%d@@" % int(time.monotonic() * 1000)
    con.send("%s\necho %s-$?\n" % (cmd, tag))
    m, _ = con.expect(r"\] %s-(\d+)$" % tag, timeout)
    return int(m.group(1))


def run(cmd, timeout=60):
    if status(cmd, timeout) != 0:
        raise StepFailed("'%s' failed" % cmd)


MAGENTA, YELLOW, BLUE_FAKE = 0xff00ff, 0xffff00, WORK_RGB
# rows of each VM's framebuffer the guests paint; on screen 32 rows lower
WORK_ROW, PERSONAL_ROW = 600, 640


def paint(rgb, row, rows=16):
    b, g, r = rgb & 255, rgb >> 8 & 255, rgb >> 16 & 255
    px = "\\%03o\\%03o\\%03o\\000" % (b, g, r)
    run("printf '%s%%.0s' $(seq 1024) > /tmp/row; for i in $(seq %d); do cat /tmp/row; done > /tmp/pat; "
        "dd if=/tmp/pat of=/dev/fb0 bs=4096 seek=%d 2>/dev/null" % (px, rows, row))


con = Console(qemu_cmd, log_path, False)
try:
    con.expect(r"^display: 1024x768x32 from Bochs VBE", 60)
    # the two VMs' lines come in either order: each searched from the start
    start = con.pos
    for who in ("work", "personal"):
        con.pos = start
        con.expect(r"^\[%s\] bulkhead-guest: userspace up$" % who, 300)
    time.sleep(5)
    q = screen.Qmp(qmp_path)

    # work has the focus from the start; the serial line types into it
    img = wait_screen(lambda i: screen.pixel(i, 500, 2) == WORK_RGB, "work's bar", "boot")
    bar_ok(img, "work")
    # efifb took the framebuffer screen_info describes (the boot log's
    # lines of two VMs interleave, so each VM's own dmesg is asked)
    check(status("dmesg | grep -q 'efifb: mode is 1024x736x32, linelength=4096' && "
                 "dmesg | grep -q 'fb0: EFI VGA frame buffer device'") == 0,
          "work's kernel: efifb 1024x736x32 and fb0")
    run("(while read l < /dev/tty1; do echo kbd-got:$l; done) > /dev/console 2>&1 &")
    paint(MAGENTA, WORK_ROW)
    img = wait_screen(lambda i: band(i, WORK_ROW + BAR_H, MAGENTA), "", "work-pattern")
    check(band(img, WORK_ROW + BAR_H, MAGENTA), "work's pattern at screen row %d while work has the focus" % (WORK_ROW + BAR_H))
    check(not band(img, WORK_ROW + BAR_H - 16, MAGENTA) and not band(img, WORK_ROW + BAR_H + 16, MAGENTA),
          "and only there")

    # the hotkey: personal's bar; work's pattern gone
    q.chord("ctrl+alt+home")
    con.expect(r"^console: input goes to vm personal$", 30)
    img = wait_screen(lambda i: screen.pixel(i, 500, 2) == PERSONAL_RGB, "", "hotkey-personal")
    bar_ok(img, "personal")
    check(not band(img, WORK_ROW + BAR_H, MAGENTA), "work's pattern not shown while personal has the focus")
    check(status("dmesg | grep -q 'efifb: mode is 1024x736x32, linelength=4096' && "
                 "dmesg | grep -q 'fb0: EFI VGA frame buffer device'") == 0,
          "personal's kernel: efifb 1024x736x32 and fb0")
    run("(while read l < /dev/tty1; do echo kbd-got:$l; done) > /dev/console 2>&1 &")
    paint(YELLOW, PERSONAL_ROW)
    # personal forges work's label: its colour over its own top 32 rows
    paint(BLUE_FAKE, 0, 32)
    img = wait_screen(lambda i: band(i, PERSONAL_ROW + BAR_H, YELLOW) and band(i, BAR_H, BLUE_FAKE, CURSOR_W),
                      "", "forged-label")
    check(band(img, PERSONAL_ROW + BAR_H, YELLOW), "personal's pattern at screen row %d" % (PERSONAL_ROW + BAR_H))
    check(band(img, BAR_H, BLUE_FAKE, CURSOR_W) and band(img, BAR_H + 16, BLUE_FAKE, CURSOR_W),
          "personal's forged label shows below the bar (rows 32-63)")
    bar_ok(img, "personal")  # the real bar is intact above it

    # keys typed now reach personal only, without the hotkey's bytes
    # (the reader's line may follow the shell's prompt on the same line)
    q.text("hello\n")
    m, _ = con.expect(r"^\[personal\] .*kbd-got:(?!\$l)(.*)$", 30)
    check(m.group(1) == "hello", "personal read exactly 'hello' from its keyboard: %r" % m.group(1))

    # back to work: its bar and pattern again; keys go to work only
    q.chord("ctrl+alt+home")
    con.expect(r"^console: input goes to vm work$", 30)
    img = wait_screen(lambda i: band(i, WORK_ROW + BAR_H, MAGENTA), "", "hotkey-work")
    bar_ok(img, "work")
    check(band(img, WORK_ROW + BAR_H, MAGENTA), "work's pattern shown again")
    check(not band(img, PERSONAL_ROW + BAR_H, YELLOW) and not band(img, BAR_H + 16, BLUE_FAKE, CURSOR_W),
          "personal's pattern and forged label not shown while work has the focus")
    q.text("world\n")
    m, _ = con.expect(r"^\[work\] .*kbd-got:(?!\$l)(.*)$", 30)
    check(m.group(1) == "world", "work read exactly 'world' from its keyboard: %r" % m.group(1))
    time.sleep(3)
    con.pump(con.now() + 1)
    check(not re.search(r"^\[work\] .*kbd-got:hello", con.buf, re.M), "work never got personal's keys")
    check(not re.search(r"^\[personal\] .*kbd-got:world", con.buf, re.M), "personal never got work's keys")
    # The hotkeys' sequences (Home: ESC [1~, End: ESC [4~), with or without
    # the ESC, in what a reader printed; not the shell's echo of the
    # reader's own command line, and not a bare "~": the prompt ("~ # ")
    # can share a serial line with the reader's output.
    check(not re.search(r"kbd-got:(?!\$l)[^\n]*(\x1b|\[[14]~)", con.buf), "no hotkey byte (Home: ESC [1~) reached a VM")

    # Ctrl+Alt+End: the menu over the view, one line per VM with its
    # colour; Esc closes it; a digit gives that VM the focus
    MX, MY = (W - 384) // 2, BAR_H + 32
    q.chord("ctrl+alt+end")
    img = wait_screen(lambda i: screen.pixel(i, MX - 2, MY - 2) == 0xffffff, "", "menu")
    check(screen.pixel(img, MX - 2, MY - 2) == 0xffffff and screen.pixel(img, MX + 4, MY + 1) == 0x202020,
          "the menu's box is drawn")
    check(screen.pixel(img, MX + 12, MY + 2 * 24 + 8) == WORK_RGB and
          screen.pixel(img, MX + 12, MY + 3 * 24 + 8) == PERSONAL_RGB, "the menu lists work and personal in their colours")
    bar_ok(img, "work")
    q.chord("esc")
    img = wait_screen(lambda i: screen.pixel(i, MX - 2, MY - 2) == 0, "", "menu-closed")
    check(screen.pixel(img, MX - 2, MY - 2) == 0, "Esc closes the menu")
    q.chord("ctrl+alt+end")
    wait_screen(lambda i: screen.pixel(i, MX - 2, MY - 2) == 0xffffff, "", "menu-again")
    q.chord("1")
    con.expect(r"^console: input goes to vm personal$", 30)
    img = wait_screen(lambda i: screen.pixel(i, 500, 2) == PERSONAL_RGB and
                      screen.pixel(i, MX - 2, MY - 2) != 0xffffff, "", "menu-picked")
    bar_ok(img, "personal")
    check(screen.pixel(img, MX - 2, MY - 2) != 0xffffff, "the menu is gone once a VM is picked")
    check(band(img, PERSONAL_ROW + BAR_H, YELLOW), "the menu's choice, personal, is shown")
    q.text("menu\n")
    m, _ = con.expect(r"^\[personal\] .*kbd-got:(?!\$l)(.*)$", 30)
    check(m.group(1) == "menu", "keys after the menu reach personal, without the menu's: %r" % m.group(1))

    con.send("poweroff\n")
    con.expect(r"^vm personal: powered off by the guest$", 120)
except StepFailed as e:
    check(False, str(e))
finally:
    con.stop()
    # over the whole run, menu steps included, and also when a step failed:
    # a switch to a virtio-gpu scanout would explain a missing pattern
    check(not re.search(r"^display: \w+ shows its virtio-gpu scanout", con.buf, re.M),
          "the screen shows the VMs' framebuffers in RAM, never a virtio-gpu scanout")
print("screenshots: %s/screen-*.png" % png_dir)
sys.exit(1 if failures else 0)
