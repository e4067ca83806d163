#!/usr/bin/env python3
"""silk vm's network device end to end (CTest, label vm): boots the network test
guest (guests/net.cc) and plays the other end of its exchanges from the host.

    net_test.py --silk SILK [--netns] [--tap NAME:ADDR/PREFIX] [--fake-dns]
                [--udp-echo ADDR] [--tcp-client ADDR] [--tcp-server ADDR] [--status N]
                [--stdout RE]... [--stderr RE]... [--timeout S] -- VM ARGS...

In VM ARGS, {udp_port} becomes the port of the --udp-echo server, {tcp_port}
that of the --tcp-server, {host_port} a free TCP port on 127.0.0.1 (for -p)
and {closed_port} another one, where nothing listens.

--netns       run everything (silk vm, the helpers) in a new network and mount
              namespace (unshare -n -m) with only loopback up: no traffic can
              leave it. Skips (77) when namespaces cannot be made.
--tap         in that namespace, create tap NAME with address ADDR/PREFIX for
              silk vm --net tap:NAME (the namespace's kernel answers the guest)
--fake-dns    in that namespace, bind-mount a resolv.conf naming 127.0.0.1 and
              answer DNS queries there: A records are 192.0.2.7
--udp-echo    echo UDP datagrams on ADDR:{udp_port}
--tcp-client  when the guest prints "tcp: listening on PORT", connect to
              ADDR:{host_port} (or ADDR:PORT when ADDR has no port), send
              "ping\\n", shut down the write side, and expect "pong: ping\\n"
--tcp-server  on ADDR:{tcp_port}, answer one connection's line L with "pong: L"
              and close
Every socket and the VM have time limits; the VM must halt on its own.
Exits 77 (CTest SKIP_RETURN_CODE) when /dev/kvm is missing or not accessible.
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading

INSIDE = "SILK_NET_TEST_INSIDE_NETNS"


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_echo(sock, stop):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(2048)
        except socket.timeout:
            continue
        sock.sendto(data, peer)


def fake_dns(sock, stop, log):
    """Answers every query with one A record, 192.0.2.7 (TEST-NET-1)."""
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            query, peer = sock.recvfrom(2048)
        except socket.timeout:
            continue
        if len(query) < 12:
            continue
        end = 12
        while end < len(query) and query[end] != 0:
            end += 1 + query[end]
        question = query[12:end + 5]
        answer = (query[:2] + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0) + question +
                  struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([192, 0, 2, 7]))
        log.append(f"fake DNS: answered a query from {peer[0]}:{peer[1]}")
        sock.sendto(answer, peer)


def tcp_server(sock, stop, log):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, peer = sock.accept()
        except socket.timeout:
            continue
        with conn:
            conn.settimeout(20)
            data = b""
            while not data.endswith(b"\n") and len(data) < 1000:
                chunk = conn.recv(1000)
                if not chunk:
                    break
                data += chunk
            log.append(f"tcp server: {data!r} from {peer[0]}:{peer[1]}")
            conn.sendall(b"pong: " + data)
        return


def tcp_client(addr, port, result):
    try:
        with socket.create_connection((addr, port), timeout=20) as c:
            c.sendall(b"ping\n")
            c.shutdown(socket.SHUT_WR)
            data = b""
            while len(data) < 1000:
                chunk = c.recv(1000)
                if not chunk:
                    break
                data += chunk
        result.append(data)
    except OSError as e:
        result.append(f"error: {e}".encode())


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


def enter_netns():
    """Re-runs this script in new network and mount namespaces; its exit status."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        print("SKIP: unshare or ip (iproute2) is missing: cannot make a network namespace")
        return 77
    probe = subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        print("SKIP: cannot make network namespaces here (unshare -n -m: "
              f"{probe.stderr.decode(errors='replace').strip()})")
        return 77
    env = dict(os.environ, **{INSIDE: "1"})
    return subprocess.run(["unshare", "-n", "-m", sys.executable] + sys.argv, env=env, timeout=120).returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--silk", required=True)
    ap.add_argument("--netns", action="store_true")
    ap.add_argument("--tap")
    ap.add_argument("--fake-dns", action="store_true")
    ap.add_argument("--udp-echo")
    ap.add_argument("--tcp-client")
    ap.add_argument("--tcp-server")
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--stdout", action="append", default=[])
    ap.add_argument("--stderr", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=40)
    ap.add_argument("vm_args", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    args = opts.vm_args[1:] if opts.vm_args[:1] == ["--"] else opts.vm_args

    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is missing or not accessible: silk vm cannot boot a VM here")
        return 77
    if opts.netns and os.environ.get(INSIDE) != "1":
        return enter_netns()
    if (opts.tap or opts.fake_dns) and not opts.netns:
        sys.exit("net_test.py: --tap and --fake-dns need --netns")

    stop, threads, log = threading.Event(), [], []
    tmp = tempfile.TemporaryDirectory()
    if opts.netns:
        sh("ip", "link", "set", "lo", "up")
    if opts.tap:
        name, cidr = opts.tap.split(":", 1)
        if not os.path.exists("/dev/net/tun"):
            print("SKIP: /dev/net/tun is missing: no tap devices here")
            return 77
        sh("ip", "tuntap", "add", "dev", name, "mode", "tap")
        sh("ip", "addr", "add", cidr, "dev", name)
        sh("ip", "link", "set", name, "up")
    if opts.fake_dns:
        conf = os.path.join(tmp.name, "resolv.conf")
        with open(conf, "w") as f:
            f.write("# silk vm network test: the fake resolver\nnameserver 127.0.0.1\n")
        sh("mount", "--bind", conf, "/etc/resolv.conf")
        dns_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dns_sock.bind(("127.0.0.1", 53))
        threads.append(threading.Thread(target=fake_dns, args=(dns_sock, stop, log), daemon=True))
    udp_port = None
    if opts.udp_echo:
        udp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp_sock.bind((opts.udp_echo, 0))
        udp_port = udp_sock.getsockname()[1]
        threads.append(threading.Thread(target=udp_echo, args=(udp_sock, stop), daemon=True))
    tcp_port = None
    if opts.tcp_server:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind((opts.tcp_server, 0))
        server.listen(1)
        tcp_port = server.getsockname()[1]
        threads.append(threading.Thread(target=tcp_server, args=(server, stop, log), daemon=True))
    host_port, closed_port = free_tcp_port(), free_tcp_port()
    ports = {"{udp_port}": udp_port, "{tcp_port}": tcp_port, "{host_port}": host_port, "{closed_port}": closed_port}
    for key, value in ports.items():
        args = [a.replace(key, str(value)) for a in args]
    for t in threads:
        t.start()

    cmd = [opts.silk, "vm"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_lines, tcp_result, clients = [], [], []
    err_chunks = []
    err_reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    err_reader.start()

    def read_stdout():
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            out_lines.append(line)
            m = re.match(r"tcp: listening on (\d+)", line)
            if m and opts.tcp_client:
                addr, _, port = opts.tcp_client.partition(":")
                port = int(port.replace("{host_port}", str(host_port))) if port else int(m.group(1))
                c = threading.Thread(target=tcp_client, args=(addr, port, tcp_result), daemon=True)
                c.start()
                clients.append(c)

    out_reader = threading.Thread(target=read_stdout, daemon=True)
    out_reader.start()
    problems = []
    try:
        proc.wait(timeout=opts.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        problems.append(f"silk vm still running after {opts.timeout} s")
    out_reader.join(5)
    err_reader.join(5)
    for c in clients:
        c.join(25)
    stop.set()
    out, err = "".join(out_lines), b"".join(err_chunks).decode(errors="replace")

    if proc.returncode != opts.status and not problems:
        problems.append(f"exit status {proc.returncode}, expected {opts.status}")
    problems += [f"stdout lacks /{r}/" for r in opts.stdout if not re.search(r, out, re.M)]
    problems += [f"stderr lacks /{r}/" for r in opts.stderr if not re.search(r, err, re.M)]
    if opts.tcp_client:
        got = tcp_result[0] if tcp_result else b"(no connection made)"
        print(f"tcp client got {got!r}")
        if got != b"pong: ping\n":
            problems.append(f"the TCP client got {got!r}, expected b'pong: ping\\n'")
    print("$ " + " ".join(cmd))
    print("\n".join(log))
    print("--- stdout\n" + out + "--- stderr\n" + err + "---")
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
