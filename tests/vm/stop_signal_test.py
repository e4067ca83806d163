#!/usr/bin/env python3
"""silk vm and the host's SIGINT/SIGTERM (src/vmm/stop_signal.h).

usage: stop_signal_test.py CASE SILK WAT2WASM
  waiting   a WASI program asleep in poll_oneoff: one SIGTERM ends it as it
            ends `silk run` (status 143 = 128 + SIGTERM) within seconds, not
            when its 60 s sleep is over; SIGINT the same (130).
  spinning  a program that never waits never sees the first signal; the
            second ends silk vm at once (143).
Each run waits for the program's first line, so the signal arrives while it
sleeps or spins. Exits 77 (skip) without a usable /dev/kvm.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

CASE, SILK, WAT2WASM = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))


def start(wasm, line):
    p = subprocess.Popen([SILK, "vm", wasm], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    got = p.stdout.readline()
    if got != line:
        p.kill()
        raise SystemExit(f"FAIL: first line {got!r}, expected {line!r}; stderr {p.stderr.read()!r}")
    time.sleep(0.5)  # now in its sleep or loop
    return p


def ended_within(p, seconds):
    try:
        p.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is missing or not accessible")
        return 77
    failures = []
    with tempfile.TemporaryDirectory(prefix="silk_stop_") as tmp:
        source = "sleeper.wat" if CASE == "waiting" else "spinner.wat"
        wasm = os.path.join(tmp, source.replace(".wat", ".wasm"))
        subprocess.run([WAT2WASM, os.path.join(HERE, "stop", source), "-o", wasm], check=True)
        if CASE == "waiting":
            for sig, status in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
                p = start(wasm, b"sleeping\n")
                t0 = time.time()
                p.send_signal(sig)
                if not ended_within(p, 15):
                    p.kill()
                    failures.append(f"{sig.name}: silk vm still running after 15 s")
                    continue
                print(f"{sig.name}: exit {p.returncode} after {time.time() - t0:.2f} s; stderr {p.stderr.read()!r}")
                if p.returncode != status:
                    failures.append(f"{sig.name}: exit status {p.returncode}, expected {status}")
        else:
            p = start(wasm, b"spinning\n")
            p.send_signal(signal.SIGTERM)
            if ended_within(p, 2):
                failures.append(f"the first SIGTERM ended a program that never waits (exit {p.returncode})")
            else:
                t0 = time.time()
                p.send_signal(signal.SIGTERM)
                if not ended_within(p, 5):
                    p.kill()
                    failures.append("the second SIGTERM did not end silk vm within 5 s")
                else:
                    print(f"second SIGTERM: exit {p.returncode} after {time.time() - t0:.2f} s")
                    if p.returncode != 143:
                        failures.append(f"exit status {p.returncode} after the second SIGTERM, expected 143")
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print(f"PASS: {CASE}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
