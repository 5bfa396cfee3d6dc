#!/usr/bin/env python3
"""Runs one test with a bound on its time, and leaves nothing of it running.

usage: bounded.py SECONDS COMMAND [ARG...]

coreutils' timeout signals only its own process group, and a test starts
QEMU in groups and sessions of its own (console.py's start_new_session, a
nested timeout), so a test stopped by its bound used to leave its QEMU
running for up to half an hour, starving every test after it. Here the
runner is a child subreaper (PR_SET_CHILD_SUBREAPER, prctl(2)): whatever
the test starts stays in its process tree even when its parent exits. When
the bound passes, the test's Python drivers get SIGTERM first (console.py
then takes the hypervisor's dump and stops its QEMU itself), then, after
20 s, everything left gets SIGTERM, and after 10 s more SIGKILL. After a
test that ended on its own, whatever it left running is stopped the same
way and named. If the runner itself gets SIGTERM, SIGINT or SIGHUP, it stops
the test the same way first. Exits with the test's status, or 124 when the
bound passed.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def descendants():
    """PIDs of every process under this one, with their command names."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        # a zombie has ended: one the test left is this subreaper's to reap,
        # and it has no children
        if state != "Z":
            children.setdefault(int(ppid), []).append((int(d), comm))
    found, todo = [], [os.getpid()]
    while todo:
        for pid, comm in children.get(todo.pop(), []):
            found.append((pid, comm))
            todo.append(pid)
    return found


def reap():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def signal_all(sig, which):
    n = 0
    for pid, comm in descendants():
        if which(comm):
            try:
                os.kill(pid, sig)
                n += 1
            except ProcessLookupError:
                pass
    return n


def wait_gone(which, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reap()
        if not any(which(comm) for _, comm in descendants()):
            return
        time.sleep(0.2)


def stop_tree():
    """Drivers first, then everything, then SIGKILL; the names it stopped."""
    names = sorted({comm for _, comm in descendants()})
    drivers = lambda comm: comm.startswith("python")
    if signal_all(signal.SIGTERM, drivers):
        wait_gone(drivers, 20)
    if signal_all(signal.SIGTERM, lambda comm: True):
        wait_gone(lambda comm: True, 10)
    signal_all(signal.SIGKILL, lambda comm: True)
    wait_gone(lambda comm: True, 5)
    return names


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    seconds = float(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("bounded: prctl(PR_SET_CHILD_SUBREAPER) failed", file=sys.stderr)
        return 2
    child = subprocess.Popen(sys.argv[2:])

    def stopped(signum, frame):
        # the runner itself is stopped (the suite interrupted): the test
        # and all it started go with it
        print("bounded: stopped by signal %d: stopping the test" % signum, flush=True)
        stop_tree()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    signal.signal(signal.SIGHUP, stopped)
    try:
        status = child.wait(seconds)
    except subprocess.TimeoutExpired:
        print("bounded: %s still running after %gs: stopping it" % (sys.argv[2:], seconds),
              flush=True)
        stop_tree()
        child.wait()
        return 124
    reap()
    if descendants():
        names = stop_tree()
        print("bounded: the test left %s running: stopped" % ", ".join(names), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
