#!/usr/bin/env bash
# Focus mode (console=focus) with two Debian VMs: the console shows one VM
# at a time, raw (no "[name] " prefix), so top and vi work; output of the
# VM without the focus is kept (its newest 16 KiB) and replayed when it gets
# the focus (Ctrl-] N, or the Ctrl-] m menu), after the hypervisor's banner. A guest printing the banner's text,
# with the RIS (ESC c) that precedes every real banner, cannot fake a
# switch: its RIS is filtered out, so what distinguishes the two in the
# byte stream is the ESC c directly before the banner's colour.
source "$(dirname "$0")/lib.sh"
make --no-print-directory linux-guest > "$LOGDIR/$TEST.build" 2>&1 || { cat "$LOGDIR/$TEST.build"; fail "building the Linux guest"; finish; }
cat > "$LOGDIR/$TEST.steps" <<'STEPS'
# VM 0 (a) has the focus from the start: its banner (blue), then its boot
expect \x1bc\x1b\[1;97;44m bulkhead: VM 0 a \(running\) 60
expect ^bulkhead-guest: userspace up$ 300
expect Enter 'help' for a list 120
expect ~ # 30
run cat /proc/cmdline
check 'tag=alpha' in out
# while b will have the focus, a prints 3500 numbers (19893 bytes with CR
# LF, more than the 16 KiB its ring keeps), then three ticks
send (sleep 1; seq 1 3500; for i in 1 2 3; do sleep 1; echo tick-$i-$((i*7)); done) &
sleep 1
# the menu gives b the focus: banner (green), then b's buffered boot output
sendraw \x1dm
expect ^console: VMs 30
sendraw 1
expect \x1bc\x1b\[1;97;42m bulkhead: VM 1 b \(running\) 30
expect ^bulkhead-guest: userspace up$ 60
expect Enter 'help' for a list 120
run cat /proc/cmdline
check 'tag=beta' in out
sleep 5
run echo b-$((6*7))
check out.strip() == 'b-42'
# full-screen programs: top's and vi's screen control reaches the terminal
# as they sent it (the expects match their sequences), and vi edits a file
send stty rows 24 cols 80; top -n 1 -d 1
expect ^\x1b\[H\x1b\[JMem: 30
expect ^\x1b\[7m  PID  PPID USER 30
send vi /tmp/f
expect \x1b\[\?1049h\x1b\[H\x1b\[J\x1b\[2;1H~ 30
expect - /tmp/f 30
sendraw ihello from vi
sleep 1
sendraw \x1b
sleep 1
sendraw :wq\r
expect \x1b\[\?1049l 30
run cat /tmp/f
check out.strip() == 'hello from vi'
# b forges a switch back to a: RIS, colour, banner text
send printf '\\033c\\033[1;97;44m bulkhead: VM 0 a (running) \\033[0m forged\\n'
expect \x1b\[1;97;44m bulkhead: VM 0 a \(running\) \x1b\[0m forged$ 30
# the real switch to a: its ticks, kept while b had the focus, replayed
sendraw \x1d0
expect \x1bc\x1b\[1;97;44m bulkhead: VM 0 a \(running\) 30
expect ^bulkhead: \d+ bytes of a's earlier output dropped \(the buffer keeps 16384\)$ 10
expect ^3500$ 60
expect ^tick-1-7$ 10
expect ^tick-3-21$ 10
run cat /proc/cmdline
check 'tag=alpha' in out
send poweroff
expect ^vm a: powered off by the guest$ 120
sendraw \x1d1
expect \x1bc\x1b\[1;97;42m bulkhead: VM 1 b \(running\) 30
# b starts an OSC string it never ends (and no prompt's ESC follows, as
# the shell sleeps): the filter swallows what follows
send printf '\\033]0;never ended'; echo b-$((6*9)); sleep 1000
sleep 2
# the hypervisor console in focus mode: restart b; leaving it shows b again,
# and b's new boot is seen: its reset UART ended the string (CAN)
sendraw \x1dc
expect ^bulkhead> 10
send list
expect ^  0  a +off .*$ 10
send restart b
expect ^vm b: restarted from the hypervisor console$ 10
send quit
expect \x1bc\x1b\[1;97;42m bulkhead: VM 1 b \(running\) 30
expect ^bulkhead-guest: userspace up$ 120
expect Enter 'help' for a list 120
send poweroff
expect ^vm b: powered off by the guest$ 120
expect ^bulkhead: stopping, status PASS$ 30
exit 0 30
STEPS
cmdline=$(cat build/linux/cmdline)
qemu="scripts/qemu.sh --timeout 400 --mem 2G --module 'build/linux/bzImage vm=a mem=256 -- $cmdline tag=alpha' --module 'build/linux/initramfs.cpio.gz vmmod=a' --module 'build/linux/bzImage vm=b mem=256 -- $cmdline tag=beta' --module 'build/linux/initramfs.cpio.gz vmmod=b' -- console=focus"
timeout 450 /usr/bin/python3 tests/lib/console.py --cmd "$qemu" --script "$LOGDIR/$TEST.steps" \
	--log "$LOG" --timeout 120 --total 420
[ $? -eq 0 ] || fail "the console session failed (see above)"
# The transcript, checked as a whole: five real banners (each right after
# ESC c), one forged (no ESC c before it); b's output never shown before
# b's banner, a's ticks only after a got the focus back; no line prefixes.
/usr/bin/python3 - "$LOG" <<'PY' || fail "transcript checks"
import re, sys
t = open(sys.argv[1], encoding="utf-8", errors="replace").read()
t = t[t.index("bulkhead: boot complete"):]  # after the firmware and boot report
ban = re.compile(r"(\x1bc)?\x1b\[1;97;4(\d)m bulkhead: VM (\d) (\w+) \((\w+)\) ")
real = [m for m in ban.finditer(t) if m.group(1)]
fake = [m for m in ban.finditer(t) if not m.group(1)]
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
check([m.group(4) for m in real] == ["a", "b", "a", "b", "b"], "real banners a, b, a, b, b: %s" % [m.group(4) for m in real])
check(len(fake) == 1 and t[fake[0].end():].startswith("\x1b[0m forged"), "one forged banner, without ESC c")
check(t.count("\x1bc") == 5, "ESC c only before the 5 real banners (%d)" % t.count("\x1bc"))
a1, b1, a2 = real[0].start(), real[1].start(), real[2].start()
check("tag=beta" not in t[:b1], "b's output not shown before its banner")
check(t[a1:b1].count("bulkhead-guest: userspace up") == 1, "one boot shown before b's banner")
check(re.match(r"[^\n]*\n\[ *0\.0+\] Linux version .*?^bulkhead-guest: userspace up$(?:(?!@@RUN).)*?^~ # ", t[b1:], re.M | re.S),
      "b's boot, from its first line to its prompt, replayed right after its banner")
check("tick-1-7\n" not in t[b1:a2] and "tick-3-21\n" not in t[b1:a2], "a's ticks not shown while b had the focus")
# after a's banner: the drop notice, then whole lines N..3500, N > 1: the
# newest bytes, from a line start (on a slow host the end may come live,
# straight after the replay), then the ticks; the ring's exact size and
# line-start rule are unit-tested (test_console_filter)
m = re.match(r"[^\n]*\nbulkhead: (\d+) bytes of a's earlier output dropped[^\n]*\n((?:\d+\n)+)"
             r"tick-1-7\ntick-2-14\ntick-3-21\n", t[a2:])
nums = [int(x) for x in m.group(2).split()] if m else []
check(m and nums[0] > 1 and nums == list(range(nums[0], 3501)),
      "a's kept output replayed from whole line %s to 3500, then its ticks" % (nums[:1] or "?"))
check(not re.search(r"^\[(a|b)\] ", t, re.M), "no [name] prefixes in focus mode")
check("b-54" not in t, "what followed b's unended OSC string was not shown")
sys.exit(0 if ok else 1)
PY
finish
