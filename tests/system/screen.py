#!/usr/bin/env python3
"""QMP helpers for the screen tests: capture the screen (screendump, PPM),
type keys into QEMU's PS/2 keyboard (input-send-event), read pixels.

  screen.py SOCK dump FILE.ppm [FILE.png]
  screen.py SOCK keys KEY...      each KEY is a QEMU qcode (a, ret, home) or a
                                  chord of them joined by '+' (ctrl+alt+home)
  screen.py SOCK text STRING      types STRING (a-z, 0-9, space, - . / = and
                                  newline as ret)
"""
import json, socket, sys, time


class Qmp:
    def __init__(self, path, timeout=30):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"]))
            # an event: skip

    def key(self, qcodes, down):
        ev = [{"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": q}}}
              for q in qcodes]
        self.cmd("input-send-event", events=ev)

    def chord(self, chord):
        """Presses the keys of 'ctrl+alt+home' in order, releases them in reverse."""
        keys = chord.split("+")
        for k in keys:
            self.key([k], True)
            time.sleep(0.05)
        for k in reversed(keys):
            self.key([k], False)
            time.sleep(0.05)

    def text(self, s):
        names = {" ": "spc", "\n": "ret", "-": "minus", ".": "dot", "/": "slash", "=": "equal"}
        for c in s:
            self.chord(names.get(c, c))

    def dump(self, path):
        self.cmd("screendump", filename=path)


def read_ppm(path):
    """(width, height, bytes of RGB triples)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + 3 * w * h]


def write_png(img, path):
    """The image as an 8-bit RGB PNG (zlib only: no ImageMagick needed)."""
    import struct, zlib
    w, h, px = img
    raw = b"".join(b"\0" + px[3 * w * y:3 * w * (y + 1)] for y in range(h))

    def chunk(kind, body):
        c = kind + body
        return struct.pack(">I", len(body)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def pixel(img, x, y):
    w, h, px = img
    i = 3 * (y * w + x)
    return (px[i] << 16) | (px[i + 1] << 8) | px[i + 2]


if __name__ == "__main__":
    q = Qmp(sys.argv[1])
    if sys.argv[2] == "dump":
        q.dump(sys.argv[3])
        if len(sys.argv) > 4:
            write_png(read_ppm(sys.argv[3]), sys.argv[4])
    elif sys.argv[2] == "keys":
        for k in sys.argv[3:]:
            q.chord(k)
    elif sys.argv[2] == "text":
        q.text(sys.argv[3])
