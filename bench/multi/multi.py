#!/usr/bin/python3
"""bench/multi: the client machine under load, in one run (bench/multi/run.sh).

  multi.py --cmd1 "QEMU ONE VM" --cmd3 "QEMU THREE VMS" --out FILE [--samples N]
           [--idle SECS]

1. boot: wall time from starting QEMU to "bulkhead-guest: userspace up" of
   the work VM alone, then of all three VMs booted together; the ratio.
2. idle: with all three at their prompts, each VM's exits per second over
   --idle seconds, from the hypervisor's Ctrl-] d counts (intr = exits for
   host interrupts, mostly the host timer; all = every exit).
3. latency: shell round trips of the focused work VM (send "echo rtN", wait
   for the line "[work] rtN"), --samples of them, idle and then while the
   personal VM runs a CPU-bound loop on each of its vCPUs; median and p99.
Every wait is bounded; a failed step exits 1 with the reason.
"""
import argparse, os, re, signal, subprocess, sys, threading, time

class Console:
    def __init__(self, cmd):
        self.p = subprocess.Popen(["/bin/sh", "-c", cmd], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.start = time.monotonic()
        self.lines = []  # (time, text)
        self.partial = (0.0, "")  # a line without its newline yet (a prompt)
        self.lock = threading.Lock()
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        buf = b""
        while True:
            b = self.p.stdout.read1(4096)
            if not b:
                return
            buf += b
            with self.lock:
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self.lines.append((time.monotonic(),
                                       line.decode("utf-8", "replace").rstrip("\r")))
                self.partial = (time.monotonic(), buf.decode("utf-8", "replace"))

    def wait(self, regex, timeout, since=0, partial=False):
        """Index of the first line at or after since matching regex; with
        partial, the unfinished last line counts too (-1)."""
        r = re.compile(regex)
        end = time.monotonic() + timeout
        i = since
        while time.monotonic() < end:
            with self.lock:
                n = len(self.lines)
                tail = self.partial[1]
            while i < n:
                if r.search(self.lines[i][1]):
                    return i
                i += 1
            if partial and r.search(tail):
                return -1
            time.sleep(0.005)
        sys.exit("bench/multi: timed out waiting for %r" % regex)

    def mark(self):
        with self.lock:
            return len(self.lines)

    def send(self, raw):
        self.p.stdin.write(raw)
        self.p.stdin.flush()

    def stop(self):
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.p.wait(30)

def boot_time(c, vms):
    return max(c.lines[c.wait(r"^\[%s\] bulkhead-guest: userspace up$" % vm, 900)][0]
               for vm in vms) - c.start

def exits(c):
    """{vm: (intr, all)} from a Ctrl-] d dump."""
    at = c.mark()
    c.send(b"\x1dd")
    got = {}
    for vm in ("work", "personal", "scratch"):
        i = c.wait(r"^vm %s: exits: " % vm, 60, at)
        counts = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", c.lines[i][1].split(";")[0])}
        got[vm] = (counts.get("intr", 0), sum(counts.values()))
    return got

def focus(c, n, vm):
    at = c.mark()
    c.send(b"\x1d" + str(n).encode())
    c.wait(r"^console: input goes to vm %s$" % vm, 60, at)

def round_trips(c, samples, tag):
    out = []
    for k in range(samples):
        word = "rt%s%d" % (tag, k)
        at = c.mark()
        t0 = time.monotonic()
        c.send(("echo %s\n" % word).encode())
        i = c.wait(r"^\[work\] %s$" % word, 120, at)
        out.append(c.lines[i][0] - t0)
        time.sleep(0.2)
    return sorted(out)

def pct(xs, p):
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd1", required=True)
    ap.add_argument("--cmd3", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--idle", type=int, default=30)
    a = ap.parse_args()
    res = []

    c = Console(a.cmd1)
    t1 = boot_time(c, ["work"])
    c.stop()
    c = Console(a.cmd3)
    try:
        t3 = boot_time(c, ["work", "personal", "scratch"])
        res.append("boot, wall seconds to 'userspace up': one VM alone %.1f, three together "
                   "%.1f (the last of them); ratio %.2f" % (t1, t3, t3 / t1))
        for vm in ("work", "personal", "scratch"):
            c.wait(r"^\[%s\] ~ # " % vm, 300, partial=True)
        time.sleep(5)  # boot-time work (module loads, first timers) settles
        e0, s0 = exits(c), time.monotonic()
        time.sleep(a.idle)
        e1, s1 = exits(c), time.monotonic()
        for vm in ("work", "personal", "scratch"):
            res.append("idle at its prompt, %s: %.1f host-interrupt exits/s, %.1f exits/s in all"
                       % (vm, (e1[vm][0] - e0[vm][0]) / (s1 - s0),
                          (e1[vm][1] - e0[vm][1]) / (s1 - s0)))
        focus(c, 0, "work")
        idle = round_trips(c, a.samples, "i")
        focus(c, 1, "personal")
        c.send(b"for i in 1 2; do (while :; do :; done) & done\n")
        time.sleep(3)
        focus(c, 0, "work")
        busy = round_trips(c, a.samples, "b")
        for name, xs in (("idle", idle), ("personal busy on both vCPUs", busy)):
            res.append("work shell round trip, %s: median %.0f ms, p99 %.0f ms (%d samples)"
                       % (name, 1000 * pct(xs, 50), 1000 * pct(xs, 99), len(xs)))
    finally:
        c.stop()
    with open(a.out, "a") as f:
        for r in res:
            print(r)
            f.write(r + "\n")

if __name__ == "__main__":
    main()
