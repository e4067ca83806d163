#!/usr/bin/env python3
"""The client side of the fault test, run inside the client namespace.

Usage: fault_client.py HOST PORT BODY_MIB SEQUENTIAL CONCURRENT

Against http-server-demo at HOST:PORT: a BODY_MIB MiB body PUT to /bar and
read back from /foo (compared byte for byte); SEQUENTIAL requests to
/person/s<i>, each on a new connection, one after another; CONCURRENT
requests to /person/c<i>, each on its own connection, all started at once.
Waits for the server first (GET /hello). Prints one line per step and exits 0 only if every request got the right
answer. Every request has a 60 s timeout and the whole run is bounded to
900 s, so a wedged server ends the test instead of hanging it.
"""
import concurrent.futures
import hashlib
import http.client
import random
import string
import sys
import threading
import time

HOST, PORT = sys.argv[1], int(sys.argv[2])
BODY_MIB, SEQUENTIAL, CONCURRENT = (int(a) for a in sys.argv[3:6])
DEADLINE = time.monotonic() + 900


def request(method, path, body=None):
    if time.monotonic() > DEADLINE:
        raise TimeoutError("the run's 900 s are over")
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    try:
        c.request(method, path, body=body)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def wait_for_server():
    """The server answers GET /hello (within 120 s: a VM boots first)."""
    until = time.monotonic() + 120
    while True:
        try:
            if request("GET", "/hello")[0] == 200:
                return True
        except OSError:
            pass
        if time.monotonic() > until:
            return False
        time.sleep(0.2)


def main():
    failures = []
    if not wait_for_server():
        print(f"failure: nothing answered GET /hello at {HOST}:{PORT} within 120 s")
        return 1
    # A body of letters: the demo's GET /foo answers the stored value as text.
    rng = random.Random(1234)
    body = "".join(rng.choices(string.ascii_letters, k=1 << 16)).encode() * (BODY_MIB * 16)
    t0 = time.monotonic()
    st, _ = request("PUT", "/bar", body)
    up = time.monotonic() - t0
    st2, got = request("GET", "/foo")
    down = time.monotonic() - t0 - up
    same = st == 200 and st2 == 200 and hashlib.sha256(got).digest() == hashlib.sha256(body).digest()
    print(f"round trip: {len(body)} bytes up in {up:.1f} s (status {st}), {len(got)} bytes down in {down:.1f} s "
          f"(status {st2}): {'intact' if same else 'DIFFERENT'}", flush=True)
    if not same:
        failures.append("the body did not round-trip intact")

    t0 = time.monotonic()
    ok = 0
    for i in range(SEQUENTIAL):
        try:
            st, got = request("GET", f"/person/s{i}")
            if st == 200 and got == f"s{i}".encode():
                ok += 1
            else:
                failures.append(f"sequential {i}: {st} {got[:60]!r}")
        except Exception as e:  # noqa: BLE001 -- any failure of a request is the finding
            failures.append(f"sequential {i}: {type(e).__name__}: {e}")
    print(f"sequential: {ok}/{SEQUENTIAL} connections answered right in {time.monotonic() - t0:.1f} s", flush=True)

    t0 = time.monotonic()
    start = threading.Barrier(CONCURRENT)

    def one(i):
        start.wait(timeout=60)
        return request("GET", f"/person/c{i}")

    ok = 0
    with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
        futures = [pool.submit(one, i) for i in range(CONCURRENT)]
        for i, f in enumerate(futures):
            try:
                st, got = f.result(timeout=max(1, DEADLINE - time.monotonic()))
                if st == 200 and got == f"c{i}".encode():
                    ok += 1
                else:
                    failures.append(f"concurrent {i}: {st} {got[:60]!r}")
            except Exception as e:  # noqa: BLE001
                failures.append(f"concurrent {i}: {type(e).__name__}: {e}")
    print(f"concurrent: {ok}/{CONCURRENT} connections answered right in {time.monotonic() - t0:.1f} s", flush=True)

    for f in failures[:20]:
        print("failure:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
