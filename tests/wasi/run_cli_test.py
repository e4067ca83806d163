#!/usr/bin/env python3
"""`silk run` behaviour that the C programs cannot show: traps and their
backtrace, reactors with --invoke, bad input. Each case assembles a module
from cli/*.wat (wat2wasm --debug-names, so functions have names) or writes
bad bytes, runs silk run, and checks the exit status and output.

usage: run_cli_test.py CASE SILK_BIN WAT2WASM SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# case: (module source: a .wat name or raw bytes, silk run arguments (APP is
# the module's path), exit status, stdout (exact, or None), stderr regex)
CASES = {
    "trap_backtrace": ("trap.wat", ["APP"], 134, "",
                       r"^silk: trap: unreachable\n  0: inner \(function 0\)\n  1: outer \(function 1\)\n  2: "),
    "reactor_invoke": ("reactor.wat", ["--invoke", "add", "APP", "1", "2"], 0, "13\n", r"^$"),
    "reactor_invoke_types": ("reactor.wat", ["--invoke", "wide", "APP", "--", "-5", "1.25", "0.5"], 0,
                             "-5\n2.5\n0.5\n", r"^$"),
    "reactor_bad_value": ("reactor.wat", ["--invoke", "add", "APP", "1", "x"], 1, "",
                          r"^silk run: .*reactor.wasm: cannot read \"x\" as i32\n$"),
    "reactor_without_invoke": ("reactor.wat", ["APP"], 1, "", r"^silk run: .*: no _start export.*\n$"),
    "unknown_export": ("reactor.wat", ["--invoke", "nope", "APP"], 1, "", r"no exported function named \"nope\""),
    "unknown_import": ("unknown_import.wat", ["APP"], 1, "", r"^silk run: .*: unknown import env\.mystery .*\n$"),
    "wrong_wasi_type": ("wrong_wasi_type.wat", ["APP"], 1, "",
                        r"^silk run: .*: incompatible import type for wasi_snapshot_preview1\.fd_close.*\n$"),
    "exit_in_start": ("exit_in_start.wat", ["APP"], 3, "", r"^$"),
    "oob_trap": ("oob.wat", ["APP"], 134, "",
                 r"^silk: trap: out of bounds memory access\n  0: poke \(function 0\)\n  1: "),
    "missing_file": (None, ["APP"], 1, "", r"^silk run: .*missing\.wasm: cannot read: No such file or directory\n$"),
    "not_wasm": (b"#!/bin/sh\necho hi\n", ["APP"], 1, "", r"^silk run: .*: not a WebAssembly module.*\n$"),
    "invalid_module": (b"\0asm\1\0\0\0\1\5", ["APP"], 1, "", r"^silk run: .*: invalid module: malformed: .*\n$"),
}


def run_in(runner, silk, args, tmp):
    """The same command inside silk's VM: silk vm, or silk image + QEMU."""
    if runner == "vm":
        cmd = [silk, "vm"] + args
    else:
        image = os.path.join(tmp, "image")
        built = subprocess.run([silk, "image", "-o", image] + args, capture_output=True, timeout=120)
        if built.returncode != 0:
            return ["silk", "image"], built
        cmd = [os.path.join(image, "qemu.sh")]
    return cmd, subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)


def main():
    case, silk, wat2wasm, source_dir = sys.argv[1:5]
    runner = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--in" else None
    if runner == "vm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is missing or not accessible")
        return 77
    if runner == "qemu" and shutil.which("qemu-system-x86_64") is None:
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    source, args, want_status, want_out, err_re = CASES[case]
    with tempfile.TemporaryDirectory(prefix="silk_cli_") as tmp:
        if source is None:
            app = os.path.join(tmp, "missing.wasm")
        elif isinstance(source, bytes):
            app = os.path.join(tmp, "app.wasm")
            with open(app, "wb") as f:
                f.write(source)
        else:
            app = os.path.join(tmp, source.replace(".wat", ".wasm"))
            subprocess.run([wat2wasm, "--debug-names", os.path.join(source_dir, "cli", source), "-o", app],
                           check=True)
        run_args = [app if a == "APP" else a for a in args]
        cmd = [silk, "run"] + run_args
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if runner:
            # Inside the VM: exactly what silk run printed, and its status.
            hosted = p
            cmd, p = run_in(runner, silk, run_args, tmp)
            want_status, want_out = hosted.returncode, hosted.stdout.decode(errors="replace")
            err_re = "^" + re.escape(hosted.stderr.decode(errors="replace")) + "$"
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    print("$ %s\nexit status %d\n--- stdout\n%s--- stderr\n%s" % (" ".join(cmd), p.returncode, out, err))
    failures = []
    if p.returncode != want_status:
        failures.append("exit status %d, expected %d" % (p.returncode, want_status))
    if want_out is not None and out != want_out:
        failures.append("stdout %r, expected %r" % (out, want_out))
    if not re.search(err_re, err):
        failures.append("stderr does not match %r" % err_re)
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
