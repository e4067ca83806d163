#!/usr/bin/env python3
"""slight apps under `silk run -c slightfile.toml`, run the way a user runs them.

Usage: run_slight_test.py CASE SILK EXAMPLES_SRC EXAMPLES_BUILD TEST_BUILD SLIGHT_SHARED [--in vm]

With --in vm the same case runs its apps inside silk's unikernel: `silk vm`
instead of `silk run`, the network through libslirp (`--net user`, the
server's port forwarded from 127.0.0.1, the host's loopback services at
10.0.2.2), and a disk (`--disk`) where the case needs data to outlive a boot.

Each case runs silk in a fresh temporary directory with TMPDIR pointing into
it (keyvalue.filesystem's base and the user-secrets key live there), checks
stdout, stderr and the exit status, and prints PASS or FAIL with the details.
"""
import concurrent.futures
import http.client
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CASE, SILK, EX_SRC, EX_BUILD, TEST_BUILD, SHARED = sys.argv[1:7]
IN_VM = sys.argv[7:9] == ["--in", "vm"]
HOST_FROM_APP = "10.0.2.2" if IN_VM else "127.0.0.1"  # the host's loopback, as the app sees it
KV_WASM = os.path.join(EX_BUILD, "keyvalue-demo", "keyvalue-demo.wasm")
CONFIGS_WASM = os.path.join(EX_BUILD, "configs-demo", "configs-demo.wasm")
KV_DIR = os.path.join(EX_SRC, "keyvalue-demo")
CONFIGS_DIR = os.path.join(EX_SRC, "configs-demo")
HTTP_WASM = os.path.join(EX_BUILD, "http-server-demo", "http-server-demo.wasm")
HTTP_DIR = os.path.join(EX_SRC, "http-server-demo")
CLIENT_WASM = os.path.join(EX_BUILD, "http-client-demo", "http-client-demo.wasm")
CLIENT_DIR = os.path.join(EX_SRC, "http-client-demo")

KV_DEMO_OUTPUT = """opened my-container
set hello-spiderlightning = Hello, SpiderLightning!
get hello-spiderlightning = Hello, SpiderLightning!
deleted hello-spiderlightning
get hello-spiderlightning: error key-not-found: key not found: hello-spiderlightning
set key1 = value1
set key2 = value2
set key3 = value3
keys: key1 key2 key3
"""


class Failure(Exception):
    pass


class Skip(Exception):
    """The case cannot run here (a tool or server is missing): CTest's skip (77)."""


def check(cond, what):
    if not cond:
        raise Failure(what)


class Run:
    def __init__(self, args, cwd, env):
        self.args = args
        p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=60)
        self.rc = p.returncode
        self.out = p.stdout.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")

    def __str__(self):
        return f"$ {' '.join(self.args)}\nexit {self.rc}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def in_vm(args, vm_options=()):
    """silk's arguments with `run` turned into `vm` (plus VM options) in VM mode."""
    args = list(args)
    if IN_VM and "run" in args:
        i = args.index("run")
        args[i:i + 1] = ["vm", "--net", "user", *vm_options]
    return args


def silk(work, *args, cwd=None, extra_env=None, vm_options=()):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": os.path.join(work, "tmp")}
    env.update(extra_env or {})
    r = Run([SILK, *in_vm(args, vm_options)], cwd or work, env)
    print(r)
    return r


def expect(r, rc, stdout=None, stdout_has=None, stderr_has=None):
    check(r.rc == rc, f"exit status {r.rc}, expected {rc}")
    if stdout is not None:
        check(r.out == stdout, "stdout differs from the expected:\n" + stdout)
    for s in stdout_has or []:
        check(s in r.out, f"stdout lacks {s!r}")
    for s in stderr_has or []:
        check(s in r.err, f"stderr lacks {s!r}")


# --- keyvalue ---------------------------------------------------------------

def case_keyvalue_filesystem(work):
    # slight's form: -c before the subcommand, run from the example's folder.
    r = silk(work, "-c", "slightfile.toml", "run", KV_WASM, cwd=KV_DIR)
    expect(r, 0, stdout=KV_DEMO_OUTPUT)
    store = os.path.join(work, "tmp", "my-container")  # slight's layout: $TMPDIR/<name>/<key>
    check(sorted(os.listdir(store)) == ["key1", "key2", "key3"], f"files in {store}: {os.listdir(store)}")
    for i in (1, 2, 3):
        with open(os.path.join(store, f"key{i}"), "rb") as f:
            check(f.read() == f"value{i}".encode(), f"content of key{i}")
    # silk's form (-c after run), a second time: the data persists, same output.
    r = silk(work, "run", "-c", os.path.join(KV_DIR, "slightfile.toml"), KV_WASM)
    expect(r, 0, stdout=KV_DEMO_OUTPUT)
    # A key written by someone else is seen by the app (keys() lists it).
    with open(os.path.join(store, "from-outside"), "wb") as f:
        f.write(b"x")
    r = silk(work, "-c", os.path.join(KV_DIR, "slightfile.toml"), "run", KV_WASM)
    expect(r, 0, stdout_has=["keys: from-outside key1 key2 key3\n"])


def case_keyvalue_disk(work):
    # keyvalue.filesystem keeps its keys across runs: on the host's disk for
    # silk run, on the VM's disk (--disk, mounted at /tmp) for silk vm.
    disk = os.path.join(work, "data.img")
    with open(disk, "wb") as f:
        f.truncate(8 << 20)
    opts = ["--disk", disk]
    r = silk(work, "run", "-c", "slightfile.toml", "--env", "KV_SET=color=blue", KV_WASM, cwd=KV_DIR, vm_options=opts)
    expect(r, 0, stdout="opened my-container\nset color = blue\n")
    r = silk(work, "run", "-c", "slightfile.toml", "--env", "KV_GET=color", KV_WASM, cwd=KV_DIR, vm_options=opts)
    expect(r, 0, stdout="opened my-container\nget color = blue\n")
    if IN_VM:  # a fresh disk: the key is not there
        fresh = os.path.join(work, "fresh.img")
        with open(fresh, "wb") as f:
            f.truncate(8 << 20)
        r = silk(work, "run", "-c", "slightfile.toml", "--env", "KV_GET=color", KV_WASM, cwd=KV_DIR,
                 vm_options=["--disk", fresh])
        expect(r, 1, stdout_has=["get color: error key-not-found"])


def case_keyvalue_memory(work):
    r = silk(work, "-c", "slightfile-memory.toml", "run", KV_WASM, "-l", cwd=KV_DIR)
    expect(r, 0, stdout=KV_DEMO_OUTPUT)
    check(not os.path.exists(os.path.join(work, "tmp", "my-container")), "keyvalue.memory wrote to the filesystem")


def case_keyvalue_unbound_name(work):
    # open() of a name the slightfile does not bind: the WIT error, not a crash.
    r = silk(work, "run", "-c", "slightfile.toml", "--env", "KV_NAME=other", KV_WASM, cwd=KV_DIR)
    expect(r, 1, stdout="open other: error unexpected-error: no keyvalue capability named 'other' in slightfile.toml\n")


def start_redis(work, tls=None):
    """redis-server on 127.0.0.1: (process, plain port), or (None, None) when
    it is not installed. tls=(cert, key) also opens a TLS port: (process,
    plain port, TLS port)."""
    binary = shutil.which("redis-server")
    if not binary:
        return (None, None, None) if tls else (None, None)
    for _ in range(5):
        port, tls_port = free_port(), free_port()
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", work, "--loglevel", "warning"]
        if tls:
            args += ["--tls-port", str(tls_port), "--tls-cert-file", tls[0], "--tls-key-file", tls[1],
                     "--tls-auth-clients", "no"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if redis_command(port, "PING") == "+PONG":
                    return (proc, port, tls_port) if tls else (proc, port)
            except (OSError, http.client.HTTPException):
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise Failure("redis-server did not start")


def redis_command(port, *args):
    """One RESP command; the reply's first line (bulk strings: their value)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        req = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
        s.sendall(req.encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        line, _, rest = data.partition(b"\r\n")
        if line.startswith(b"$") and line != b"$-1":
            n = int(line[1:])
            while len(rest) < n + 2:
                rest += s.recv(4096)
            return rest[:n].decode()
        return line.decode()


def run_kv_demo_on_redis(work, port, env):
    """keyvalue-demo against the redis-server on PORT (its address in ENV):
    its output, and its keys as redis holds them."""
    r = silk(work, "-c", "slightfile-redis.toml", "run", KV_WASM, cwd=KV_DIR, extra_env=env)
    expect(r, 0, stdout=KV_DEMO_OUTPUT)
    for i in (1, 2, 3):  # slight's layout: "<name>:<key>"
        got = redis_command(port, "GET", f"my-container:key{i}")
        check(got == f"value{i}", f"redis GET my-container:key{i} = {got!r}")
    check(redis_command(port, "EXISTS", "my-container:hello-spiderlightning") == ":0", "deleted key still in redis")


def case_keyvalue_redis(work):
    proc, port = start_redis(work)
    if proc is None:
        raise Skip("redis-server not installed")
    try:
        address = f"redis://{HOST_FROM_APP}:{port}"
        run_kv_demo_on_redis(work, port, {"REDIS_ADDRESS": address})
    finally:
        proc.kill()
        proc.wait()
    # Redis down: the WIT error case reaches the app, which reports it.
    r = silk(work, "-c", "slightfile-redis.toml", "run", KV_WASM, cwd=KV_DIR,
             extra_env={"REDIS_ADDRESS": address})
    expect(r, 1, stdout_has=["opened my-container\n", "set: error connection-error: "])


def make_certificate(work):
    """A self-signed certificate for the host as the app sees it (127.0.0.1
    hosted, 10.0.2.2 from the VM): (cert, key), or None without the openssl CLI."""
    if shutil.which("openssl") is None:
        return None
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=silk-test", "-addext", "subjectAltName=IP:127.0.0.1,IP:10.0.2.2",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def case_keyvalue_rediss(work):
    # keyvalue.redis over TLS (rediss://): the server's certificate trusted
    # through $SSL_CERT_FILE, which silk vm carries into the VM.
    tls = make_certificate(work)
    if tls is None:
        raise Skip("the openssl CLI is not installed")
    proc, port, tls_port = start_redis(work, tls)
    if proc is None:
        raise Skip("redis-server not installed")
    try:
        address = f"rediss://{HOST_FROM_APP}:{tls_port}"
        # Written over TLS, read back over the plain port.
        run_kv_demo_on_redis(work, port, {"REDIS_ADDRESS": address, "SSL_CERT_FILE": tls[0]})
        # The certificate not trusted: the handshake fails, the app gets connection-error.
        r = silk(work, "-c", "slightfile-redis.toml", "run", KV_WASM, cwd=KV_DIR,
                 extra_env={"REDIS_ADDRESS": address, "SSL_CERT_FILE": "/nonexistent.pem"})
        expect(r, 1, stdout_has=["opened my-container\n", "set: error connection-error: "])
        check("certificate" in r.out, "the error does not name the certificate")
    finally:
        proc.kill()
        proc.wait()


# --- configs ----------------------------------------------------------------

def case_configs_envvars(work):
    r = silk(work, "-c", "slightfile.toml", "run", CONFIGS_WASM, cwd=CONFIGS_DIR, extra_env={"HELLO": "world"})
    expect(r, 0, stdout="get HELLO = world\n")
    r = silk(work, "-c", "slightfile.toml", "run", CONFIGS_WASM, cwd=CONFIGS_DIR)
    expect(r, 1, stdout="get HELLO: error unexpected-error: environment variable not found\n")
    # set writes the host process's environment; the next get sees it.
    r = silk(work, "-c", "slightfile.toml", "run", "--env", "CONFIG_KEY=NEW_ONE", "--env", "CONFIG_SET=fresh",
             CONFIGS_WASM, cwd=CONFIGS_DIR)
    expect(r, 0, stdout="set NEW_ONE = fresh\nget NEW_ONE = fresh\n")


def case_configs_usersecrets(work):
    slightfile = os.path.join(work, "slightfile.toml")
    shutil.copy(os.path.join(CONFIGS_DIR, "slightfile-usersecrets.toml"), slightfile)
    r = silk(work, "-c", "slightfile.toml", "secret", "-k", "HELLO", "-v", "s3cret value")
    expect(r, 0)
    with open(slightfile) as f:
        text = f.read()
    check("[[secret_settings]]" in text and "s3cret" not in text, "secret not stored encrypted:\n" + text)
    r = silk(work, "-c", "slightfile.toml", "run", CONFIGS_WASM)
    expect(r, 0, stdout="get HELLO = s3cret value\n")
    r = silk(work, "-c", "slightfile.toml", "run", "--env", "CONFIG_KEY=MISSING", CONFIGS_WASM)
    expect(r, 1, stdout_has=["get MISSING: error unexpected-error: "])


# --- start-up errors ----------------------------------------------------------

def case_slightfile_missing(work):
    r = silk(work, "-c", "nonexistent.toml", "run", KV_WASM)
    expect(r, 1, stdout="", stderr_has=["Error: nonexistent.toml: cannot open the slightfile"])


def case_slightfile_bad(work):
    bad = os.path.join(SHARED, "slightfiles", "bad", "v1_v2.toml")
    r = silk(work, "-c", bad, "run", KV_WASM)
    expect(r, 1, stdout="", stderr_has=["Error: " + bad, "you are using a 0.1 specversion, but you are using a 0.2 capability format"])
    bad = os.path.join(SHARED, "slightfiles", "bad", "dup-1.toml")
    r = silk(work, "-c", bad, "run", KV_WASM)
    expect(r, 1, stdout="", stderr_has=["the namespace", "is already defined in the slightfile"])


def case_cloud_store(work):
    cloud = os.path.join(SHARED, "slightfiles", "good", "keyvalue_azblob_slightfile.toml")
    r = silk(work, "-c", cloud, "run", KV_WASM)
    expect(r, 1, stdout="", stderr_has=["Error: ", "keyvalue.azblob", "not supported: cloud store (Azure Blob Storage)"])


def case_undeclared_capability(work):
    # keyvalue-demo imports keyvalue; the configs slightfile declares only configs.
    r = silk(work, "-c", os.path.join(CONFIGS_DIR, "slightfile.toml"), "run", KV_WASM)
    expect(r, 1, stdout="", stderr_has=["imports keyvalue.keyvalue::open", "declares no keyvalue capability",
                                        "-l/--link-all-capabilities"])
    # -l links it anyway (slight's JS engine needs that); open() then fails as a WIT error.
    r = silk(work, "-c", os.path.join(CONFIGS_DIR, "slightfile.toml"), "run", KV_WASM, "-l")
    expect(r, 1, stdout_has=["open my-container: error unexpected-error: no keyvalue capability named 'my-container'"])


def case_unimplemented_capability(work):
    wasm = os.path.join(TEST_BUILD, "messaging_import.wasm")
    with open(os.path.join(work, "mq.toml"), "w") as f:
        f.write('specversion = "0.2"\n\n[[capability]]\nresource = "messaging.filesystem"\nname = "my-pub"\n')
    # Declared: refused at start-up, by the slightfile check (every capability
    # silk declares supported has a host since http-server/http-client).
    r = silk(work, "-c", "mq.toml", "run", wasm)
    expect(r, 1, stdout="", stderr_has=["resource 'messaging.filesystem' is not supported by silk yet"])
    # Undeclared + -l: it links, and calling it traps with the same message.
    with open(os.path.join(work, "empty.toml"), "w") as f:
        f.write('specversion = "0.2"\n')
    r = silk(work, "-c", "empty.toml", "run", "-l", wasm)
    expect(r, 1, stderr_has=["Error: trap in _start: capability messaging is not supported by silk yet"])


# --- entry points and WASI ----------------------------------------------------

def case_poc_main(work):
    wasm = os.path.join(TEST_BUILD, "poc_main.wasm")
    r = silk(work, "-c", os.path.join(KV_DIR, "slightfile-memory.toml"), "run", wasm)
    expect(r, 0)
    # main's return value is the exit status: 10 + unexpected-error (7) for an unbound name.
    with open(os.path.join(work, "other.toml"), "w") as f:
        f.write('specversion = "0.2"\n\n[[capability]]\nresource = "keyvalue.memory"\nname = "other"\n')
    r = silk(work, "-c", "other.toml", "run", wasm)
    expect(r, 17)


def case_no_entry_point(work):
    r = silk(work, "-c", os.path.join(KV_DIR, "slightfile-memory.toml"), "run", os.path.join(TEST_BUILD, "no_entry.wasm"))
    expect(r, 1, stderr_has=["no entry point"])


def case_server_mode(work):
    with open(os.path.join(work, "http.toml"), "w") as f:
        f.write('specversion = "0.2"\n\n[[capability]]\nresource = "http"\nname = "my-server"\n')
    # on-server-init returns Err("boom"): "Error: boom", exit 1.
    r = silk(work, "-c", "http.toml", "run", os.path.join(TEST_BUILD, "server_init_err.wasm"))
    expect(r, 1, stdout="", stderr_has=["Error: boom"])
    # Ok: silk keeps running until SIGINT / SIGTERM, then exits 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        env = {"PATH": os.environ.get("PATH", ""), "TMPDIR": os.path.join(work, "tmp")}
        # In the VM, silk vm passes the signal on to the guest (hvt Poll),
        # whose runtime waits in sigwait (rt_sigtimedwait).
        p = subprocess.Popen([SILK, *in_vm(["-c", "http.toml", "run", os.path.join(TEST_BUILD, "server_init.wasm")])],
                             cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(5 if IN_VM else 0.5)  # the VM boots first (~1 s here)
        check(p.poll() is None, f"silk exited before {sig.name}: {p.returncode}")
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        print(f"after {sig.name}: exit {p.returncode}\n{err.decode()}")
        check(p.returncode == 0, f"exit status {p.returncode} after {sig.name}")
        if IN_VM:  # --net user without -p: silk vm says the server cannot be reached
            check("declares an http server, but nothing outside the VM can reach it" in err.decode(),
                  "no hint about the unreachable server")


def case_wasi_as_slight(work):
    with open(os.path.join(work, "probe.txt"), "w") as f:
        f.write("hello from the host\n")
    with open(os.path.join(work, "empty.toml"), "w") as f:
        f.write('specversion = "0.2"\n')
    wasm = os.path.join(TEST_BUILD, "wasi_view.wasm")
    r = silk(work, "-c", "empty.toml", "run", wasm, extra_env={"SHOULD_NOT_LEAK": "1"})
    expect(r, 0, stdout=f"argv[0] {SILK}\nargv[1] -c\nargv[2] empty.toml\nargv[3] run\nargv[4] {wasm}\n"
                        "environ 0\nprobe.txt: hello from the host\n")
    with open(os.path.join(work, "written.txt")) as f:
        check(f.read() == "written by the guest\n", "the guest's file did not land in the current directory")


# --- http-server ----------------------------------------------------------------

CORS = {"access-control-allow-origin": "*", "access-control-allow-methods": "*",
        "access-control-allow-headers": "*", "access-control-expose-headers": "*"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """silk run -c SLIGHTFILE http-server-demo.wasm on a free loopback port."""

    def __init__(self, work, slightfile, wasm=HTTP_WASM, extra_env=None, cwd=HTTP_DIR, address_env=True):
        self.port = free_port()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": os.path.join(work, "tmp")}
        env.update(extra_env or {})
        args = [SILK, *in_vm(["run"], ["-p", f"{self.port}:{self.port}"]), "-c", slightfile]
        if address_env:
            # In the VM the server listens on the guest's address, where slirp forwards.
            args += ["--env", f"HTTP_ADDRESS={'0.0.0.0' if IN_VM else '127.0.0.1'}:{self.port}"]
        self.args = args + [wasm]
        self.out_path = os.path.join(work, f"server-{self.port}.out")
        self.err_path = os.path.join(work, f"server-{self.port}.err")
        self.proc = subprocess.Popen(self.args, cwd=cwd, env=env, stdout=open(self.out_path, "wb"),
                                     stderr=open(self.err_path, "wb"))
        deadline = time.time() + (60 if IN_VM else 15)
        while True:
            try:
                if IN_VM:
                    # slirp accepts on the host before the guest listens: wait for an answer.
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                    c.request("GET", "/")
                    c.getresponse().read()
                    c.close()
                else:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.dump()
                    raise Failure(f"silk did not start serving on port {self.port} (exit {self.proc.poll()})")
                time.sleep(0.05)

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if conn is None:
            c.close()
        print(f"{method} {path} -> {r.status} {data[:120]!r}")
        return r.status, hdrs, data

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"silk did not exit after {sig.name}")
        self.dump()
        return rc

    def dump(self):
        with open(self.out_path, "rb") as f:
            self.out = f.read().decode("utf-8", "replace")
        with open(self.err_path, "rb") as f:
            self.err = f.read().decode("utf-8", "replace")
        print(f"$ {' '.join(self.args)}\n--- stdout\n{self.out}--- stderr\n{self.err}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def expect_response(got, status, body=None, headers=None):
    st, hdrs, data = got
    check(st == status, f"status {st}, expected {status} (body {data!r})")
    if body is not None:
        check(data == body, f"body {data!r}, expected {body!r}")
    for k, v in (headers or {}).items():
        check(hdrs.get(k) == v, f"header {k}: {hdrs.get(k)!r}, expected {v!r}")


def http_demo_checks(srv, work):
    """The routes of the demo, shared by the filesystem, memory and redis runs."""
    # /hello echoes the request headers (as slight's demo does), CORS on every response.
    expect_response(srv.request("GET", "/hello", headers={"X-Demo": "yes"}), 200, b"hello",
                    dict(CORS, **{"x-demo": "yes"}))
    expect_response(srv.request("GET", "/hello/"), 200, b"hello")            # trailing '/' insensitive
    expect_response(srv.request("GET", "/hello?x=1&y=2"), 200, b"hello")     # query ignored for matching
    # keyvalue: missing key -> 404 from the app, PUT /bar writes, GET /foo reads back.
    expect_response(srv.request("GET", "/foo"), 404, b"Not Found", {"content-type": "text/plain"})
    expect_response(srv.request("PUT", "/bar", body=b"written by PUT /bar"), 200, b"")
    expect_response(srv.request("GET", "/foo"), 200, b"written by PUT /bar")
    # route params (percent-decoded), one segment only.
    expect_response(srv.request("GET", "/person/joe"), 200, b"joe")
    expect_response(srv.request("GET", "/person/J%C3%BCrgen%20X"), 200, "Jürgen X".encode())
    expect_response(srv.request("GET", "/person/a/b"), 404, b"Not Found")
    # POST /upload: the body's size (1 MiB arrives whole).
    expect_response(srv.request("POST", "/upload", body=b"x" * (1 << 20)), 200, b"received 1048576 bytes")
    expect_response(srv.request("POST", "/upload", body=b""), 200, b"received 0 bytes")
    # Unmatched path or method: 404 text/plain "Not Found" (HEAD is not GET, no 405).
    for method, path in (("GET", "/nothing"), ("GET", "/bar"), ("POST", "/hello"), ("HEAD", "/hello"),
                         ("PATCH", "/hello")):
        st, hdrs, _ = srv.request(method, path)
        check(st == 404, f"{method} {path}: status {st}, expected 404")
        check(all(hdrs.get(k) == v for k, v in CORS.items()), f"{method} {path}: CORS headers missing")
    expect_response(srv.request("GET", "/nothing"), 404, b"Not Found", dict(CORS, **{"content-type": "text/plain"}))
    # OPTIONS on any path: 204, empty, CORS.
    expect_response(srv.request("OPTIONS", "/hello"), 204, b"", CORS)
    expect_response(srv.request("OPTIONS", "/not/a/route"), 204, b"", CORS)
    # Err from the handler and a trap: 500 with slight's text; the next request is fine.
    expect_response(srv.request("GET", "/error"), 500,
                    b'Internal Server Error: UnexpectedError("UnexpectedError(\\"boom\\")")',
                    {"content-type": "text/plain"})
    st, _, data = srv.request("GET", "/trap")
    check(st == 500 and data.startswith(b"Internal Server Error: UnexpectedError(") and b"unreachable" in data,
          f"trap: {st} {data!r}")
    expect_response(srv.request("GET", "/hello"), 200, b"hello")
    expect_response(srv.request("GET", "/foo"), 200, b"written by PUT /bar")
    # A fresh instance per request: guest globals never survive.
    for _ in range(3):
        expect_response(srv.request("GET", "/counter"), 200, b"1")
    # keep-alive: several requests on one connection, one of them trapping.
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    for path, status in (("/hello", 200), ("/trap", 500), ("/person/k", 200), ("/nothing", 404), ("/hello", 200)):
        st, _, _ = srv.request("GET", path, conn=conn)
        check(st == status, f"keep-alive GET {path}: {st}")
    conn.close()
    # Concurrent requests: 4 handlers sleeping 400 ms overlap on the worker pool.
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: srv.request("GET", "/sleep/400"), range(4)))
    elapsed = time.time() - t0
    check(all(r[0] == 200 and r[2] == b"slept" for r in results), f"sleep results {results}")
    # One at a time they would take 1.6 s (in the VM: threads of silk's kernel on one CPU, each
    # system call emulated, hence the wider bound).
    check(elapsed < (1.5 if IN_VM else 1.2), f"4 concurrent 400 ms requests took {elapsed:.2f} s (serialized?)")
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        n = 16 if IN_VM else 64  # fewer in the VM, where each costs ~10 ms of emulated ring 0
        results = list(pool.map(lambda i: srv.request("GET", f"/person/p{i}"), range(n)))
    check([r[2] for r in results] == [f"p{i}".encode() for i in range(n)], "concurrent /person results")
    # DELETE /delete-file removes the key.
    expect_response(srv.request("DELETE", "/delete-file"), 200, b"deleted")
    expect_response(srv.request("GET", "/foo"), 404, b"Not Found")
    expect_response(srv.request("PUT", "/bar", body=b"kept"), 200)


def case_http_server_qemu(work):
    # The demo from `silk image`, booted by QEMU -M microvm with virtio-net and
    # user networking (hostfwd): it answers like the hosted one.
    if shutil.which("qemu-system-x86_64") is None:
        raise Skip("qemu-system-x86_64 is not installed")
    port = free_port()
    image = os.path.join(work, "image")
    r = silk(work, "-c", os.path.join(HTTP_DIR, "slightfile-memory.toml"), "image", "-o", image, "--net", "user",
             "-p", f"{port}:{port}", "--env", f"HTTP_ADDRESS=0.0.0.0:{port}", HTTP_WASM, cwd=HTTP_DIR)
    expect(r, 0)
    out = open(os.path.join(work, "qemu.out"), "wb")
    proc = subprocess.Popen([os.path.join(image, "qemu.sh")], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                c.request("GET", "/hello")
                body = c.getresponse().read()
                c.close()
                check(body == b"hello", f"GET /hello: {body!r}")
                break
            except (OSError, http.client.HTTPException):
                if proc.poll() is not None or time.time() > deadline:
                    raise Failure(f"the QEMU guest did not serve on {port} (exit {proc.poll()})")
                time.sleep(0.3)
        for method, path, body, want in (("PUT", "/bar", b"from qemu", b""), ("GET", "/foo", None, b"from qemu"),
                                         ("GET", "/person/q", None, b"q"), ("GET", "/nothing", None, b"Not Found")):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request(method, path, body=body)
            got = c.getresponse().read()
            c.close()
            print(f"{method} {path} -> {got!r}")
            check(got == want, f"{method} {path}: {got!r}, expected {want!r}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def case_http_server_faults(work):
    # The demo behind a lossy, reordering network (faulty_network.py: 5% loss
    # and 10% reordering each way, in namespaces the test makes; the VM on a
    # tap there): a 10 MiB body round-trips intact, 1,000 sequential and 100
    # concurrent connections all get their answers (fault_client.py).
    import faulty_network
    why = faulty_network.missing_requirements()
    if why:
        raise Skip(why)
    net = faulty_network.FaultyNetwork(loss_percent=5, reorder_percent=10)
    port = 3000
    args = ["-c", os.path.join(HTTP_DIR, "slightfile-memory.toml"), "--env", f"HTTP_ADDRESS=0.0.0.0:{port}", HTTP_WASM]
    if IN_VM:
        args = ["vm", "--net", f"tap:{net.tap}", "--ip", f"{faulty_network.GUEST_ADDRESS}/{faulty_network.TAP_PREFIX}",
                "--gateway", faulty_network.TAP_ADDRESS, *args]
        host = faulty_network.GUEST_ADDRESS
    else:
        args = ["run", *args]
        host = faulty_network.ROUTER_ON_CLIENT_SIDE
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": os.path.join(work, "tmp")}
    server_out = os.path.join(work, "server.out")
    proc = subprocess.Popen(net.in_router([SILK, *args]), cwd=HTTP_DIR, env=env, stdout=open(server_out, "wb"),
                            stderr=subprocess.STDOUT)
    try:
        client = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_client.py")
        p = subprocess.Popen(net.in_client([sys.executable, client, host, str(port), "10", "1000", "100"]),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 1000
        while p.poll() is None and proc.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        if p.poll() is None:  # the server ended first, or the time is up
            p.kill()
        print(p.communicate()[0])
        counters = net.counters()
        print(f"the network dropped {counters['dropped']} packets and delayed {counters['delayed']}")
        check(p.returncode == 0, f"the client failed (exit {p.returncode})")
        check(counters["dropped"] > 0 and counters["delayed"] > 0, "no packet was dropped or delayed: no faults?")
        check(proc.poll() is None, f"the server exited (status {proc.returncode})")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        net.close()
        with open(server_out, "rb") as f:
            print("--- server output (last 2 KiB)\n" + f.read()[-2048:].decode("utf-8", "replace"))


def case_http_server(work):
    srv = Server(work, "slightfile.toml")
    try:
        http_demo_checks(srv, work)
        if not IN_VM:  # in the VM the store is the VM's file system
            # keyvalue.filesystem: slight's layout, $TMPDIR/my-container/foo.
            with open(os.path.join(work, "tmp", "my-container", "foo"), "rb") as f:
                check(f.read() == b"kept", "the value of foo on disk")
        # silk vm passes SIGTERM on to the guest: the same graceful stop.
        rc = srv.stop(signal.SIGTERM)
    finally:
        srv.kill()
    check(rc == 0, f"exit status {rc} after SIGTERM")
    check(f"serving on {'0.0.0.0' if IN_VM else '127.0.0.1'}:{srv.port}\n" in srv.out, "on-server-init's output missing")
    check("I just got a request uri: /hello method: 0\n" in srv.out, "the handler's stdout missing")
    # SIGINT too, and an in-flight request finishes before silk exits.
    srv = Server(work, "slightfile-memory.toml")
    try:
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("r", srv.request("GET", "/sleep/500")))
        t.start()
        time.sleep(0.2)
        rc = srv.stop(signal.SIGINT)
        t.join(10)
    finally:
        srv.kill()
    check(rc == 0, f"exit status {rc} after SIGINT")
    check(result.get("r", (0,))[0] == 200, f"the in-flight request: {result.get('r')}")


def case_http_server_memory(work):
    srv = Server(work, "slightfile-memory.toml")
    try:
        # The very first requests arrive together, before any function of the module
        # has run on a worker. (Concurrent first calls once raced in the engine's lazy
        # translation and crashed silk; that race is timing-dependent: wrk found it,
        # this does not reliably. The fix is translate_all in serve().)
        paths = ["/hello", "/person/a", "/upload", "/counter"] * (2 if IN_VM else 8)
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda p: srv.request("POST" if p == "/upload" else "GET", p), paths))
        check(all(r[0] == 200 for r in results), f"first concurrent requests: {[r[0] for r in results]}")
        http_demo_checks(srv, work)
        rc = srv.stop()
    finally:
        srv.kill()
    check(rc == 0, f"exit status {rc}")
    check(not os.path.exists(os.path.join(work, "tmp", "my-container")), "keyvalue.memory wrote to the filesystem")


def case_http_server_errors(work):
    # The address is taken: on-server-init gets the WIT error and returns it -> "Error: ...", exit 1.
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    r = silk(work, "run", "-c", os.path.join(HTTP_DIR, "slightfile-memory.toml"), "--env",
             f"HTTP_ADDRESS=127.0.0.1:{port}", HTTP_WASM)
    blocker.close()
    expect(r, 1, stderr_has=[f"Error: serve 127.0.0.1:{port}: cannot serve on 127.0.0.1:{port}"])
    r = silk(work, "run", "-c", os.path.join(HTTP_DIR, "slightfile-memory.toml"), "--env",
             "HTTP_ADDRESS=no-port-here", HTTP_WASM)
    expect(r, 1, stderr_has=["Error: serve no-port-here: invalid address 'no-port-here'"])


def case_http_server_redis(work):
    proc, port = start_redis(work)
    if proc is None:
        raise Skip("redis-server not installed")
    address = f"redis://{HOST_FROM_APP}:{port}"
    srv = Server(work, "slightfile-redis.toml", extra_env={"REDIS_ADDRESS": address})
    try:
        http_demo_checks(srv, work)
        got = redis_command(port, "GET", "my-container:foo")  # slight's layout "<name>:<key>"
        check(got == "kept", f"redis GET my-container:foo = {got!r}")
        redis_command(port, "SET", "my-container:foo", "set in redis")
        expect_response(srv.request("GET", "/foo"), 200, b"set in redis")
        # Redis down: the WIT error reaches the handler (500 naming connection-error); silk keeps serving.
        proc.kill()
        proc.wait()
        st, _, data = srv.request("GET", "/foo")
        check(st == 500 and b"keyvalue get: connection-error" in data, f"Redis down: {st} {data!r}")
        expect_response(srv.request("GET", "/hello"), 200, b"hello")
        rc = srv.stop()
    finally:
        srv.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(rc == 0, f"exit status {rc}")


def case_poc_http(work):
    """A wasm32-unknown-unknown module (no WASI) whose main(0, 0) serves, as the POC's modules do."""
    wasm = os.path.join(TEST_BUILD, "poc_http.wasm")
    port = free_port()
    os.makedirs(os.path.join(work, "tmp", "my-container"), exist_ok=True)
    with open(os.path.join(work, "tmp", "my-container", "address"), "w") as f:
        f.write(f"127.0.0.1:{port}")  # the app has no environment: it reads its address from keyvalue
    with open(os.path.join(work, "poc.toml"), "w") as f:
        f.write('specversion = "0.2"\n\n[[capability]]\nresource = "http"\nname = "my-server"\n\n'
                '[[capability]]\nresource = "keyvalue.filesystem"\nname = "my-container"\n')
    srv = Server.__new__(Server)
    srv.port = port
    srv.args = [SILK, "-c", "poc.toml", "run", wasm]
    srv.out_path, srv.err_path = os.path.join(work, "poc.out"), os.path.join(work, "poc.err")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": os.path.join(work, "tmp")}
    srv.proc = subprocess.Popen(srv.args, cwd=work, env=env, stdout=open(srv.out_path, "wb"),
                                stderr=open(srv.err_path, "wb"))
    try:
        deadline = time.time() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if srv.proc.poll() is not None or time.time() > deadline:
                    srv.dump()
                    raise Failure(f"the POC module did not serve (exit {srv.proc.poll()})")
                time.sleep(0.05)
        expect_response(srv.request("GET", "/hello"), 200, b"hello from a wasm32-unknown-unknown module", CORS)
        expect_response(srv.request("GET", "/kv/greeting"), 404, b"no such key")
        expect_response(srv.request("PUT", "/kv/greeting", body=b"hi there"), 200, b"stored")
        expect_response(srv.request("GET", "/kv/greeting"), 200, b"hi there")
        with open(os.path.join(work, "tmp", "my-container", "greeting"), "rb") as f:
            check(f.read() == b"hi there", "the value on disk")
        expect_response(srv.request("GET", "/nothing"), 404, b"Not Found")
        rc = srv.stop()
    finally:
        srv.kill()
    check(rc == 0, f"exit status {rc}")


# --- http-client ----------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 404 if self.path == "/missing" else 200
        body = f"path={self.path} x-demo={self.headers.get('x-demo')}".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/x-demo")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def case_http_client_tls(work):
    # https:// to a local TLS server whose self-signed certificate (for
    # 127.0.0.1 and 10.0.2.2, the host as the VM sees it) is trusted through
    # $SSL_CERT_FILE, as OpenSSL reads it; silk vm carries the file into the VM.
    import ssl
    if shutil.which("openssl") is None:
        raise Skip("the openssl CLI is not installed")
    cert, key = make_certificate(work)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"https://{HOST_FROM_APP}:{port}/tls"
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR,
                 extra_env={"URL": url, "SSL_CERT_FILE": cert})
        expect(r, 0, stdout="status 200\ncontent-type text/x-demo\nbody path=/tls x-demo=silk http-client-demo\n")
        # Without the certificate trusted, the handshake is refused: an error, not a response.
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR,
                 extra_env={"URL": url, "SSL_CERT_FILE": "/nonexistent.pem"})
        expect(r, 1, stdout_has=["request: error"])
    finally:
        httpd.shutdown()
        httpd.server_close()


def case_http_client(work):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://{HOST_FROM_APP}:{port}"
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR, extra_env={"URL": base + "/hi?q=1"})
        expect(r, 0, stdout="status 200\ncontent-type text/x-demo\nbody path=/hi?q=1 x-demo=silk http-client-demo\n")
        # Non-2xx is a response, not an error; redirects are not followed.
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR, extra_env={"URL": base + "/missing"})
        expect(r, 0, stdout_has=["status 404\n"])
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR, extra_env={"URL": base + "/redirect"})
        expect(r, 0, stdout="status 302\nbody \n")
    finally:
        httpd.shutdown()
        httpd.server_close()
    # Errors are the WIT cases: refused connection, bad URL.
    r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR,
             extra_env={"URL": f"http://{HOST_FROM_APP}:{free_port()}/"})
    expect(r, 1, stdout_has=["request: error unexpected-error: "])
    r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR, extra_env={"URL": "ftp://example/x"})
    expect(r, 1, stdout_has=["request: error invalid-url: "])
    # http-client against silk's own http-server demo.
    srv = Server(work, os.path.join(HTTP_DIR, "slightfile-memory.toml"))
    try:
        r = silk(work, "-c", "slightfile.toml", "run", CLIENT_WASM, cwd=CLIENT_DIR,
                 extra_env={"URL": f"http://{HOST_FROM_APP}:{srv.port}/person/client"})
        expect(r, 0, stdout="status 200\ncontent-type text/plain\nbody client\n")
        srv.stop()
    finally:
        srv.kill()


def main():
    fn = globals().get("case_" + CASE)
    if fn is None:
        print(f"FAIL: unknown case {CASE}")
        return 1
    work = tempfile.mkdtemp(prefix="silk_slight_")
    os.mkdir(os.path.join(work, "tmp"))
    try:
        fn(work)
    except Failure as e:
        print(f"FAIL: {CASE}: {e}")
        return 1
    except Skip as e:
        print(f"SKIP: {CASE}: {e}")
        return 77
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"PASS: {CASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
