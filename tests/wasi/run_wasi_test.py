#!/usr/bin/env python3
"""Runs one WASI test program twice -- the native build, and the wasm build
under `silk run --dir .` -- each in a fresh temporary directory, and checks
that stdout and the exit status are the same (and the status is the one the
test expects). A test with an .expected file (the sandbox test, whose native
run cannot be sandboxed) compares the wasm run's stdout with that file.

With --in vm or --in qemu, the wasm build runs under `silk run` and again
inside silk's unikernel (`silk vm`, or `silk image` booted by QEMU microvm),
and the VM run must match the silk run: stdout, and the exit status.

usage: run_wasi_test.py NAME NATIVE_BIN WASM_FILE SILK_BIN SOURCE_DIR [--in vm|qemu]
"""
import difflib
import os
import shutil
import socket
import subprocess
import sys
import tempfile


def sandbox_setup(work):
    parent = os.path.dirname(work)
    with open(os.path.join(parent, "outside.txt"), "w") as f:
        f.write("SECRET\n")
    os.mkdir(os.path.join(work, "sub"))
    with open(os.path.join(work, "sub", "file.txt"), "w") as f:
        f.write("inside\n")
    os.symlink("/etc/hostname", os.path.join(work, "abs"))
    os.symlink("../outside.txt", os.path.join(work, "up"))
    os.symlink("../../outside.txt", os.path.join(work, "sub", "deep"))
    os.symlink("loop2", os.path.join(work, "loop1"))
    os.symlink("loop1", os.path.join(work, "loop2"))
    os.symlink("sub/file.txt", os.path.join(work, "inside"))
    os.symlink("sub/../sub/file.txt", os.path.join(work, "via"))


TESTS = {
    "args_env": dict(args=["alpha", "two words", "-x", "--dir", ""],
                     env={"SILK_A": "1", "SILK_B": "two words=x", "EMPTY": ""}),
    "exit_code": dict(args=["7"], status=7),
    "stdio_copy": dict(stdin=b"".join(b"line %d of the input\n" % i for i in range(500))),
    "files": {},
    "dirs": {},
    "links": {},
    "clocks": {},
    "random": {},
    "poll": dict(stdin=b"hello poll\n"),
    "fdstat": {},
    "sandbox": dict(setup=sandbox_setup, expected=True),
    "sockets": dict(socket=True),
}


def talk_to_guest(port):
    """The client side of the sockets test: None if the guest answered right."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"ping")
            reply = b""
            while True:
                chunk = c.recv(64)
                if not chunk:
                    break
                reply += chunk
        if reply != b"pong:ping":
            return "the guest replied %r, expected b'pong:ping'" % reply
        return None
    except OSError as e:
        return "client: %s" % e


def run(mode, cfg, native, wasm, silk):
    root = tempfile.mkdtemp(prefix="silk_wasi_%s_" % mode)
    try:
        work = os.path.join(root, "run")
        os.mkdir(work)
        if "setup" in cfg:
            cfg["setup"](work)
        env = dict(cfg.get("env", {}))
        args = list(cfg.get("args", []))
        listener = None
        pass_fds = ()
        if cfg.get("socket"):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            pass_fds = (listener.fileno(),)
        if mode == "native":
            if listener:
                args = [str(listener.fileno())] + args
            cmd = [native] + args
        else:
            if mode == "vm":
                cmd = [silk, "vm", "--dir", "."]
            elif mode == "qemu":
                cmd = [silk, "image", "-o", os.path.join(root, "image"), "--dir", "."]
            else:
                cmd = [silk, "run", "--dir", "."]
            for k, v in env.items():
                cmd += ["--env", "%s=%s" % (k, v)]
            if listener:
                cmd += ["--socket-fd", str(listener.fileno())]
                args = ["4"] + args  # guest fds: 0-2 stdio, 3 the preopen, 4 the socket
            cmd += [wasm] + args
            env = {}
            if mode == "qemu":
                built = subprocess.run(cmd, cwd=work, capture_output=True, timeout=120)
                if built.returncode != 0:
                    return built.returncode, built.stdout, built.stderr, "silk image failed"
                cmd = [os.path.join(root, "image", "qemu.sh")]
        stdin = subprocess.PIPE if "stdin" in cfg else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, pass_fds=pass_fds)
        client_error = None
        if listener:
            port = listener.getsockname()[1]
            listener.close()  # the child has its own copy
            client_error = talk_to_guest(port)
        out, err = proc.communicate(input=cfg.get("stdin"), timeout=120)
        return proc.returncode, out, err, client_error
    finally:
        shutil.rmtree(root, ignore_errors=True)


def skip_reason(runner, cfg):
    if runner == "vm" and not (os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return "/dev/kvm is missing or not accessible"
    if runner == "qemu" and shutil.which("qemu-system-x86_64") is None:
        return "qemu-system-x86_64 is not installed"
    if cfg.get("socket"):
        return "host sockets cannot be handed to a VM (--socket-fd)"
    if runner == "qemu" and "stdin" in cfg:
        return "QEMU's serial console has no end of input"
    return None


def compare_vm(name, cfg, runner, results):
    want_status, want_out = results["wasm"][0], results["wasm"][1]
    status, out = results[runner][0], results[runner][1]
    if status != want_status:
        print("FAILED: %s exited with %d, silk run with %d" % (runner, status, want_status))
        return 1
    if out != want_out:
        print("FAILED: stdout differs (--- silk run, +++ %s):" % runner)
        sys.stdout.writelines(difflib.unified_diff(want_out.decode(errors="replace").splitlines(True),
                                                   out.decode(errors="replace").splitlines(True)))
        return 1
    print("PASSED")
    return 0


def main():
    name, native, wasm, silk, source_dir = sys.argv[1:6]
    runner = sys.argv[7] if len(sys.argv) > 7 and sys.argv[6] == "--in" else None
    cfg = TESTS[name]
    results = {}
    modes = ["wasm"] if cfg.get("expected") else ["native", "wasm"]
    if runner:
        reason = skip_reason(runner, cfg)
        if reason:
            print("SKIP: %s" % reason)
            return 77
        modes = ["wasm", runner]
    for mode in modes:
        results[mode] = run(mode, cfg, native, wasm, silk)
        status, out, err, client_error = results[mode]
        sys.stdout.write("--- %s: exit status %d\n" % (mode, status))
        sys.stdout.write(out.decode(errors="replace"))
        if err:
            sys.stdout.write("--- %s stderr:\n%s" % (mode, err.decode(errors="replace")))
        if client_error:
            print("FAILED: %s: %s" % (mode, client_error))
            return 1
    if runner:
        return compare_vm(name, cfg, runner, results)
    want_status = cfg.get("status", 0)
    if cfg.get("expected"):
        with open(os.path.join(source_dir, name + ".expected"), "rb") as f:
            want_out = f.read()
        ref = "%s.expected" % name
    else:
        status, want_out = results["native"][0], results["native"][1]
        ref = "native"
        if status != want_status:
            print("FAILED: the native run exited with %d, expected %d" % (status, want_status))
            return 1
    status, out = results["wasm"][0], results["wasm"][1]
    if status != want_status:
        print("FAILED: silk run exited with %d, expected %d" % (status, want_status))
        return 1
    if out != want_out:
        print("FAILED: stdout differs (--- %s, +++ silk run):" % ref)
        sys.stdout.writelines(difflib.unified_diff(want_out.decode(errors="replace").splitlines(True),
                                                   out.decode(errors="replace").splitlines(True)))
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
