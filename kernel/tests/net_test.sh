#!/usr/bin/env bash
# Boots silk-kernel.elf with `selftest=net` and a network device, talks HTTP to
# it from the host, and checks its console output and exit status.
#   net_test.sh RUNNER KERNEL NET_BUILT CMDLINE SILK PATTERN... [-- EXTRA_VM_ARGS...]
# RUNNER: qemu (QEMU -M microvm with virtio-net on QEMU's user network, port
#         80 forwarded from 127.0.0.1:PORT) or silkvm (`SILK vm --net user -p PORT:80`).
# NET_BUILT: ON when the kernel was built with lwIP (SILK_LWIP_DIR).
# The kernel gets its address by DHCP (or CMDLINE's ip=), pings the gateway
# 10.0.2.2, prints "net: http server listening on port 80", serves one request
# and halts with status 0. The test fetches / with curl (python3 when curl is
# missing), checks the body, the status, and that each extended regex
# PATTERN matches a line of the output. With `net-requests=N` in CMDLINE it
# also loads the server (python3): GET /big (1 MiB, checked), POST /sum
# (256 KiB up, the kernel's byte count and sum checked) and N - 3 more GETs,
# 8 at a time. Exits 77 (CTest skip) when lwIP, QEMU or the
# monitor's network is missing. Traffic stays on 127.0.0.1 and inside the
# VMM's user network.
set -uo pipefail

runner=$1 kernel=$2 net_built=$3 cmdline=$4 silk=$5
shift 5
patterns=()
while (($# > 0)) && [[ $1 != -- ]]; do
  patterns+=("$1")
  shift
done
(($# > 0)) && shift
extra=("$@")
timeout_s=${SILK_KERNEL_TEST_TIMEOUT:-90}
body_want='hello from the silk kernel over lwIP'
out=$(mktemp)
client_out=$(mktemp)
vm_pid=
cleanup() {
  [[ -n $vm_pid ]] && kill "$vm_pid" 2>/dev/null
  rm -f "$out" "$client_out"
}
trap cleanup EXIT

if [[ $net_built != ON ]]; then
  echo "SKIP: the kernel was built without lwIP: run scripts/lib/lwip.sh (Debian's lwip source package)"
  echo "      and configure with -DSILK_LWIP_DIR=<the directory it prints>"
  exit 77
fi
kvm_usable() { [[ -r /dev/kvm && -w /dev/kvm ]]; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)))

case $runner in
  qemu)
    if ! command -v qemu-system-x86_64 >/dev/null; then
      echo "SKIP: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
      exit 77
    fi
    accel=(-accel tcg)
    kvm_usable && accel=(-enable-kvm -cpu host,-arch-capabilities)
    # QEMU's user network: 10.0.2.0/24, DHCP, the gateway 10.0.2.2 answers
    # ARP and ping itself; hostfwd forwards 127.0.0.1:PORT to 10.0.2.15:80.
    timeout -k 5 "$timeout_s" qemu-system-x86_64 -M microvm,acpi=off "${accel[@]}" -m 128M \
      -nodefaults -no-user-config -nographic -no-reboot -serial stdio \
      -device isa-debug-exit,iobase=0xf4,iosize=4 \
      -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-device,netdev=n0 \
      "${extra[@]}" -kernel "$kernel" -append "selftest=net $cmdline" </dev/null >"$out" 2>&1 &
    vm_pid=$!
    want=1  # halt(0) through isa-debug-exit: (0 << 1) | 1
    ;;
  silkvm)
    if [[ -z $silk || ! -x $silk ]] || ! "$silk" vm --help >/dev/null 2>&1; then
      echo "SKIP: silk vm is not available (the monitor is not built)"
      exit 77
    fi
    if ! "$silk" vm --help 2>&1 | grep -q -- '--net'; then
      echo "SKIP: this silk vm has no network device yet (--net user -p: the monitor's devices)"
      exit 77
    fi
    if ! kvm_usable; then
      echo "SKIP: /dev/kvm is missing or not accessible"
      exit 77
    fi
    # shellcheck disable=SC2086
    timeout -k 5 "$timeout_s" "$silk" vm --net user -p "$port:80" "${extra[@]}" "$kernel" -- selftest=net $cmdline \
      </dev/null >"$out" 2>&1 &
    vm_pid=$!
    want=0
    ;;
  *)
    echo "unknown runner $runner" >&2
    exit 2
    ;;
esac

# The load for `net-requests=N`: every response checked; connection refusals
# are retried (QEMU's hostfwd listens with a backlog of 1).
load_failed=0
load() {
  python3 - "$port" "$1" "$body_want" <<'PY'
import http.client, os, sys, time
from concurrent.futures import ThreadPoolExecutor

port, total, want = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] + "\n"

def request(method, path, body=None):
    for attempt in range(20):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(method, path, body=body)
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, data
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(0.05 * (attempt + 1))
    raise RuntimeError(f"{method} {path}: no connection after 20 tries")

t0 = time.monotonic()
status, big = request("GET", "/big")
assert status == 200 and big == b"0123456789abcdef" * 65536, f"/big: {status}, {len(big)} bytes"
t1 = time.monotonic()
up = os.urandom(256 * 1024)
status, answer = request("POST", "/sum", up)
expect = f"{len(up)} bytes, sum {sum(up) & 0xffffffff}\n".encode()
assert status == 200 and answer == expect, f"/sum: {status} {answer!r}, want {expect!r}"
t2 = time.monotonic()
with ThreadPoolExecutor(8) as pool:
    results = list(pool.map(lambda _: request("GET", "/"), range(total - 3)))
bad = [r for r in results if r != (200, want.encode())]
assert not bad, f"{len(bad)} bad responses, e.g. {bad[0]!r}"
t3 = time.monotonic()
print(f"load: GET /big 1 MiB in {t1 - t0:.2f} s, POST /sum 256 KiB in {t2 - t1:.2f} s, "
      f"{total - 3} GETs (8 at a time) in {t3 - t2:.2f} s: all responses correct")
PY
}

# The server is up once the kernel says so (or the VM is gone).
for _ in $(seq $((timeout_s * 10))); do
  grep -q "net: http server listening" "$out" && break
  kill -0 "$vm_pid" 2>/dev/null || break
  sleep 0.1
done

body=
if grep -q "net: http server listening" "$out"; then
  url="http://127.0.0.1:$port/"
  if command -v curl >/dev/null; then
    body=$(curl -sS --max-time 20 "$url" 2>&1)
  else
    body=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode(), end="")' "$url" 2>&1)
  fi
  if [[ $cmdline =~ net-requests=([0-9]+) ]] && ! load "${BASH_REMATCH[1]}" >"$client_out" 2>&1; then
    load_failed=1
  fi
fi
wait "$vm_pid"
status=$?
vm_pid=

# The VM's console, then what the client said (patterns may match either).
cat "$client_out" >>"$out"
cat "$out"
echo "--- HTTP body: ${body:-(none)}"
echo "--- exit status $status (want $want)"
if ((status == 124 || status == 137)); then
  echo "FAIL: the VM did not halt within ${timeout_s}s"
  exit 1
fi
if ((load_failed)); then
  echo "FAIL: the load (net-requests) failed; see above"
  exit 1
fi
if [[ $body != "$body_want" ]]; then
  echo "FAIL: GET / on 127.0.0.1:$port did not return the kernel's body ($body_want)"
  exit 1
fi
if ((status != want)); then
  echo "FAIL: exit status $status, expected $want"
  exit 1
fi
for pattern in "${patterns[@]}"; do
  if ! grep -Eq -- "$pattern" "$out"; then
    echo "FAIL: the output does not match: $pattern"
    exit 1
  fi
done
echo "PASS"
