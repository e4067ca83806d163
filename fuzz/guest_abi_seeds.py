#!/usr/bin/env python3
"""Writes seed inputs for fuzz_guest_abi (format: fuzz/fuzz_guest_abi.cc) into DIR:
well-formed calls of every import and export with their strings, lists and
results laid out in guest memory, so the fuzzer starts from valid structures.
  fuzz/guest_abi_seeds.py DIR"""
import os
import struct
import sys

# Op numbers: the order of kImports in fuzz_guest_abi.cc, then the two exports.
KV_OPEN, KV_GET, KV_SET, KV_KEYS, KV_DELETE, KV_DROP, KV_CLONE, HTTP_REQUEST = range(8)
SQL_OPEN, SQL_QUERY, SQL_EXEC, STMT_PREPARE, SQL_DROP, SQL_CLONE, STMT_DROP, STMT_CLONE = range(8, 16)
HANDLE_HTTP, SERVER_INIT = 16, 17

RET = 0x300


def image():
    m = bytearray(0x400)

    def put(addr, data):
        m[addr:addr + len(data)] = data

    put(0x000, b"my-store")
    put(0x010, b"key")
    put(0x020, b"hello")
    put(0x030, b"/uri")
    put(0x100, b"a")
    put(0x104, b"b")
    put(0x108, b"ab")
    put(0x10c, "\u00e9".encode())
    # list<tuple<string,string>> of 2 at 0x40
    put(0x040, struct.pack("<8I", 0x100, 1, 0x104, 1, 0x108, 2, 0x10c, 2))
    # handle-http result: expected<response, http-error> ok
    put(0x200, struct.pack("<B3xH2xB3xIIB3xII", 0, 200, 1, 0x40, 2, 1, 0x20, 5))
    # on-server-init result: expected<unit, string> err "/uri"
    put(0x240, struct.pack("<B3xII", 1, 0x30, 4))
    # list<string> of 2 at 0x260
    put(0x260, struct.pack("<4I", 0x10, 3, 0x100, 1))
    return bytes(m)


def cmd(op, *args):
    return bytes([op]) + b"".join(struct.pack("<I", a) for a in args)


def seed(cmds, flags=0, bad_alloc=255, bad_ptr=0):
    img = image()
    return struct.pack("<H", len(img)) + img + bytes([flags, bad_alloc]) + struct.pack("<I", bad_ptr) + b"".join(cmds)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    kv = [cmd(KV_OPEN, 0x0, 8, RET), cmd(KV_SET, 0, 0x10, 3, 0x20, 5, RET), cmd(KV_GET, 0, 0x10, 3, RET),
          cmd(KV_KEYS, 0, RET), cmd(KV_CLONE, 0), cmd(KV_DELETE, 0, 0x10, 3, RET), cmd(KV_DROP, 0)]
    http = [cmd(HTTP_REQUEST, 1, 0x30, 4, 0x40, 2, 0x40, 2, 1, 0x20, 5, RET),
            cmd(HTTP_REQUEST, 3, 0x30, 4, 0x40, 2, 0, 0, 0, 0, 0, RET)]
    sql = [cmd(SQL_OPEN, 0x0, 8, RET), cmd(STMT_PREPARE, 0x10, 3, 0x260, 2), cmd(SQL_QUERY, 0, 0, RET),
           cmd(SQL_EXEC, 0, 0, RET), cmd(STMT_CLONE, 0), cmd(STMT_DROP, 0), cmd(SQL_DROP, 0)]
    exports = [cmd(HANDLE_HTTP, 0x200), cmd(SERVER_INIT, 0x240)]
    seeds = {
        "keyvalue": seed(kv),
        "http-client": seed(http),
        "sql": seed(sql),
        "exports": seed(exports),
        "grow": seed(kv[:3] + http[:1] + exports, flags=1),
        "bad-alloc": seed(kv[:3] + http[:1], bad_alloc=1, bad_ptr=0xfffffff0),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
