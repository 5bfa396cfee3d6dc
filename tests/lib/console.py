#!/usr/bin/python3
"""Drives a shell over a serial console for tests (expect-style).

  tests/lib/console.py --cmd "QEMU COMMAND" --script STEPS [--log FILE]
                       [--out FILE] [--timeout SECS] [--total SECS] [--echo]
                       [--step "STEP"]... [--strip-prefix TEXT]

Starts --cmd with /bin/sh (its stdin and stdout are the console: use QEMU
with -nographic or -serial stdio), runs the steps in order, and exits 0 when
all pass. The transcript (console output, CR removed) is always saved to
--log (default build/console-<pid>.log) and the path is printed on failure
with its last lines. Every wait is bounded: per step (--timeout, default 60 s,
or the step's own timeout) and overall (--total, default 900 s). When a wait
for output times out and the command still runs, the console first types
Bulkhead's dump key (Ctrl-] d: each VM's vCPU state, pending interrupt and
exit counts) and gives the answer --dump-wait seconds (default 3) to
arrive: it lands in the transcript and, on its own, in LOG.dump. At the end
the command is stopped (SIGTERM, then SIGKILL) if it still runs.

--strip-prefix TEXT removes TEXT where a line starts with it, before
matching (Bulkhead prints a VM's console lines as "[NAME] ..."), so one step
file serves a guest booted directly and the same guest in a VM.

Steps, one per line ("#" comments and blank lines ignored):
  expect REGEX [TIMEOUT]   wait for REGEX (Python re, MULTILINE) in the output
                           after the previous match ("$" only matches before
                           a newline that has arrived); named groups (?P<x>..)
                           become variables. A trailing number is TIMEOUT;
                           to end a regex with a number, add a timeout.
  send TEXT                type TEXT and a newline (\\xNN, \\t escapes work;
                           "send" alone sends a bare newline)
  sendraw TEXT             type TEXT without a newline (e.g. \\x03 = Ctrl-C)
  sleep SECS               wait (host time)
  mark NAME                remember the host time at which the last expect
                           matched (when its text arrived)
  elapsed A B [MIN MAX]    print "elapsed A B SECS" = time(B) - time(A) (mark
                           "start" is when the command was started); fail
                           unless MIN <= SECS <= MAX when given
  run CMD [;; TIMEOUT]     run CMD in the guest shell and capture its output
                           (between markers) and exit status; the output goes
                           to stdout / --out under "=== run: CMD", and into
                           variables out (text) and status (int); fails if
                           the status is not 0
  run-any CMD [;; TIMEOUT] the same, any status accepted
  check PYEXPR             fail unless the Python expression is true; it sees
                           the variables, re, and nums(s) = floats found in s
                           e.g.  check 1.8 < nums(out)[1] - nums(out)[0] < 2.5
  print PYEXPR             print the value (stdout / --out)
  exit [STATUS] [TIMEOUT]  wait for the command to exit (e.g. after poweroff);
                           fail if it does not, or if STATUS is given and
                           differs from its exit status
Exit status: 0 all steps passed, 1 a step failed (timeout, check, exit), 2 bad
usage or script.
"""
import argparse
import codecs
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time


class StepFailed(Exception):
    pass


class OutputTimeout(StepFailed):
    """A bounded wait for output ran out while the command still ran."""


def stopped_from_outside(signum, frame):
    """SIGTERM (tests/run.sh's time for the test ran out): the step in
    progress fails as a timeout, so the hang's dump is taken and the
    command, in its own session, is stopped rather than left running."""
    raise OutputTimeout("stopped from outside by signal %d (the test's time ran out)" % signum)


def unescape(s):
    return codecs.decode(s.encode("latin-1", "backslashreplace"), "unicode_escape")


def nums(s):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", str(s))]


class Console:
    def __init__(self, cmd, log_path, echo, strip_prefix=""):
        self.t0 = time.monotonic()
        self.prefix = strip_prefix
        self.hold = ""           # text not yet past the prefix check
        self.line_start = True
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", cmd], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.buf = ""          # everything received, CR removed
        self.arrivals = []     # (end offset in buf, host time) per chunk
        self.pos = 0           # search start for the next expect
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.echo = echo
        self.eof = False

    def now(self):
        return time.monotonic() - self.t0

    def pump(self, until):
        """Reads what is available, waiting at most until host time `until`."""
        if self.eof:
            time.sleep(max(0.0, min(0.05, until - self.now())))
            return
        r, _, _ = select.select([self.fd], [], [], max(0.0, until - self.now()))
        if not r:
            return
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        if not data:
            self.eof = True
            text = self.dec.decode(b"", final=True)
        else:
            text = self.dec.decode(data)
        text = self.strip(text.replace("\r", ""))
        if text:
            self.buf += text
            self.arrivals.append((len(self.buf), self.now()))
            self.log.write(text)
            self.log.flush()
            if self.echo:
                sys.stdout.write(text)
                sys.stdout.flush()

    def strip(self, text):
        """Drops self.prefix at line starts; holds back a line start that
        could still become the prefix when more arrives."""
        if not self.prefix:
            return text
        out = []
        self.hold += text
        while self.hold:
            if self.line_start:
                if self.hold.startswith(self.prefix):
                    self.hold = self.hold[len(self.prefix):]
                    self.line_start = False
                    continue
                if self.prefix.startswith(self.hold) and not self.eof:
                    break  # may be the prefix, cut by a read boundary
                self.line_start = False
            nl = self.hold.find("\n")
            if nl < 0:
                out.append(self.hold)
                self.hold = ""
                break
            out.append(self.hold[:nl + 1])
            self.hold = self.hold[nl + 1:]
            self.line_start = True
        return "".join(out)

    def time_of(self, offset):
        """Host time at which the character before `offset` arrived."""
        for end, t in self.arrivals:
            if end >= offset:
                return t
        return self.now()

    def expect(self, regex, timeout):
        pat = re.compile(regex, re.MULTILINE)
        deadline = self.now() + timeout
        while True:
            # The sentinel keeps "$" from matching at the end of what has
            # arrived so far (a line may be incomplete); a match that needs
            # more text than has arrived is not a match yet.
            m = pat.search(self.buf + "\0", self.pos)
            if m and m.end() <= len(self.buf):
                self.pos = m.end()
                return m, self.time_of(m.end())
            if self.now() >= deadline:
                raise OutputTimeout("timed out after %gs waiting for /%s/" % (timeout, regex))
            if self.eof and self.proc.poll() is not None:
                raise StepFailed("command exited (status %s) while waiting for /%s/"
                                 % (self.proc.returncode, regex))
            self.pump(deadline)

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode("utf-8", "surrogateescape"))
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise StepFailed("command is gone, cannot send")

    def dump(self, wait):
        """Types Bulkhead's dump key (Ctrl-] d) and returns what arrives
        within `wait` seconds, for the evidence of a hang."""
        start = len(self.buf)
        try:
            self.send("\x1dd")
        except StepFailed:
            return ""
        end = self.now() + wait
        while self.now() < end and not self.eof:
            self.pump(end)
        return self.buf[start:]

    def wait_exit(self, timeout):
        deadline = self.now() + timeout
        while self.proc.poll() is None or not self.eof:
            if self.now() >= deadline:
                raise StepFailed("command still running after %gs" % timeout)
            self.pump(min(deadline, self.now() + 0.1))
        return self.proc.returncode

    def stop(self):
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    pass
        # drain what is left for the transcript
        end = self.now() + 1
        while not self.eof and self.now() < end:
            self.pump(end)
        self.log.close()


def split_timeout(arg, default):
    """'REGEX 30' -> ('REGEX', 30.0); a lone token is never a timeout."""
    parts = arg.rsplit(None, 1)
    if len(parts) == 2:
        try:
            return parts[0], float(parts[1])
        except ValueError:
            pass
    return arg, default


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cmd", required=True, help="command to start (sh -c)")
    ap.add_argument("--script", help="file of steps ('-' = stdin)")
    ap.add_argument("--step", action="append", default=[], help="a step (repeatable, after --script)")
    ap.add_argument("--log", help="transcript file")
    ap.add_argument("--out", help="also append results (run output, elapsed) here")
    ap.add_argument("--timeout", type=float, default=60, help="default per-step timeout")
    ap.add_argument("--total", type=float, default=900, help="bound on the whole run")
    ap.add_argument("--echo", action="store_true", help="copy the console to stdout live")
    ap.add_argument("--strip-prefix", default="", help="remove this text at line starts")
    ap.add_argument("--dump-wait", type=float, default=3,
                    help="seconds to collect the Ctrl-] d dump after an output timeout")
    a = ap.parse_args()

    lines = []
    if a.script:
        f = sys.stdin if a.script == "-" else open(a.script)
        lines += [(a.script, i + 1, l.rstrip("\n")) for i, l in enumerate(f)]
    lines += [("--step", i + 1, s) for i, s in enumerate(a.step)]
    steps = []
    for src, no, l in lines:
        s = l.strip()
        if not s or s.startswith("#"):
            continue
        word, _, arg = s.partition(" ")
        if word == "send" or word == "sendraw":
            arg = l.lstrip()[len(word) + 1:]  # keep the text's own spaces
        if word not in ("expect", "send", "sendraw", "sleep", "mark", "elapsed", "run",
                        "run-any", "check", "print", "exit"):
            print("console: %s:%d: unknown step %r" % (src, no, word), file=sys.stderr)
            return 2
        steps.append((src, no, word, arg))

    log_path = a.log or "build/console-%d.log" % os.getpid()
    if os.path.dirname(log_path):
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
    outf = open(a.out, "a") if a.out else None

    def result(text):
        sys.stdout.write(text)
        sys.stdout.flush()
        if outf:
            outf.write(text)
            outf.flush()

    c = Console(a.cmd, log_path, a.echo, a.strip_prefix)
    signal.signal(signal.SIGTERM, stopped_from_outside)
    total_deadline = a.total
    env = {"re": re, "nums": nums, "out": "", "status": None}
    marks = {"start": 0.0}  # "start": when the command was started
    last_match_time = None
    nrun = 0
    rc = 0
    cur = None
    try:
        for cur in steps:
            src, no, word, arg = cur
            left = total_deadline - c.now()
            if left <= 0:
                raise StepFailed("overall bound --total %gs reached" % a.total)
            if word == "expect":
                regex, t = split_timeout(arg, a.timeout)
                m, last_match_time = c.expect(regex, min(t, left))
                env.update({k: v for k, v in m.groupdict().items() if v is not None})
            elif word == "send":
                c.send(unescape(arg) + "\n")
            elif word == "sendraw":
                c.send(unescape(arg))
            elif word == "sleep":
                end = c.now() + min(float(arg), left)
                while c.now() < end:
                    c.pump(end)
            elif word == "mark":
                if last_match_time is None:
                    raise StepFailed("mark %s: no expect has matched yet" % arg)
                marks[arg] = last_match_time
            elif word == "elapsed":
                p = arg.split()
                if len(p) not in (2, 4) or p[0] not in marks or p[1] not in marks:
                    raise StepFailed("elapsed: need two known marks [MIN MAX]")
                dt = marks[p[1]] - marks[p[0]]
                result("elapsed %s %s %.3f\n" % (p[0], p[1], dt))
                if len(p) == 4 and not float(p[2]) <= dt <= float(p[3]):
                    raise StepFailed("elapsed %s..%s = %.3fs not in [%s, %s]"
                                     % (p[0], p[1], dt, p[2], p[3]))
            elif word in ("run", "run-any"):
                cmd, sep, t = arg.rpartition(";;")
                if not sep:
                    cmd, t = arg, ""
                cmd = cmd.strip()
                t = float(t) if t.strip() else a.timeout
                nrun += 1
                # Quotes split the markers in the typed (echoed) line, so
                # only the real output matches.
                b, e = "@@RUN-B%d@@" % nrun, "@@RUN-E%d@@" % nrun
                c.send("echo '%s''%s'; %s; echo '%s''%s' $?\n"
                       % (b[:4], b[4:], cmd, e[:4], e[4:]))
                c.expect(re.escape(b) + r"\n", min(t, left))
                start = c.pos
                m, last_match_time = c.expect(re.escape(e) + r" (\d+)\n", min(t, left))
                output = c.buf[start:m.start()]
                env["out"], env["status"] = output, int(m.group(1))
                result("=== run: %s\n%s=== status %d\n" % (cmd, output, env["status"]))
                if word == "run" and env["status"] != 0:
                    raise StepFailed("run %r: exit status %d" % (cmd, env["status"]))
            elif word == "check":
                try:
                    ok = eval(arg, {"__builtins__": __builtins__}, env)
                except Exception as ex:  # the test's own expression
                    raise StepFailed("check %s: %s: %s" % (arg, type(ex).__name__, ex))
                if not ok:
                    raise StepFailed("check failed: %s (out=%r)" % (arg, env["out"][-200:]))
            elif word == "print":
                result("%s = %r\n" % (arg, eval(arg, {"__builtins__": __builtins__}, env)))
            elif word == "exit":
                p = arg.split()
                t = float(p[1]) if len(p) > 1 else a.timeout
                st = c.wait_exit(min(t, left))
                if p and p[0] != "-" and st != int(p[0]):
                    raise StepFailed("command exited with status %d, want %s" % (st, p[0]))
                result("exit status %d\n" % st)
            print("console: ok %s:%d %s %s (%.2fs)" % (src, no, word, arg, c.now()),
                  file=sys.stderr)
    except StepFailed as ex:
        rc = 1
        src, no, word, arg = cur
        print("console: FAIL at %s:%d (%s %s): %s" % (src, no, word, arg, ex), file=sys.stderr)
        # the same as a test's FAIL line, which tests/run.sh shows first
        print("FAIL: console step %s:%d (%s %s): %s" % (os.path.basename(src), no, word,
                                                      arg[:160], ex), file=sys.stderr)
        if isinstance(ex, OutputTimeout) and c.proc.poll() is None:
            text = c.dump(a.dump_wait)
            with open(log_path + ".dump", "w", encoding="utf-8", errors="replace") as f:
                f.write(text)
            print("console: Ctrl-] d dump (%d bytes) saved to %s.dump"
                  % (len(text), log_path), file=sys.stderr)
    except KeyboardInterrupt:
        rc = 1
        print("console: interrupted", file=sys.stderr)
    finally:
        c.stop()
        if outf:
            outf.close()
    if rc:
        print("console: transcript saved to %s; last lines:" % log_path, file=sys.stderr)
        with open(log_path, errors="replace") as f:
            tail = f.read().splitlines()[-25:]
        for l in tail:
            print("    | " + l, file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
