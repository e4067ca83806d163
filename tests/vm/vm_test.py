#!/usr/bin/env python3
"""Runs `silk vm` once and checks its exit status, stdout and stderr (CTest, label vm).

    vm_test.py --silk SILK [--status N] [--stdout RE]... [--stderr RE]...
               [--no-stdout RE] [--mutate KIND --elf GOOD.elf] [--make-disk BYTES]
               [--timeout S] -- VM ARGS...

VM ARGS are passed to `silk vm`; the word {elf} in them is replaced by the
path of a copy of GOOD.elf broken as --mutate says (see MUTATIONS), for the
malformed-ELF tests, and {disk} by a fresh zero-filled file of BYTES bytes
(--make-disk), for the block-device tests. Exits 77 (CTest SKIP_RETURN_CODE) with a SKIP line when
/dev/kvm is missing or not accessible, unless --no-kvm-needed (the ELF checks
run before KVM is opened). A run longer than --timeout fails: the monitor must
never hang.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")  # Elf64_Ehdr
PHDR = struct.Struct("<IIQQQQQQ")           # Elf64_Phdr: type flags offset vaddr paddr filesz memsz align


def phdr_at(data, i):
    eh = EHDR.unpack_from(data)
    off = eh[5] + i * PHDR.size
    return off, list(PHDR.unpack_from(data, off))


def set_phdr(data, i, **fields):
    names = ["type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz", "align"]
    off, ph = phdr_at(data, i)
    for k, v in fields.items():
        ph[names.index(k)] = v % (1 << 64)
    PHDR.pack_into(data, off, *ph)


def set_ehdr(data, **fields):
    names = ["ident", "type", "machine", "version", "entry", "phoff", "shoff", "flags", "ehsize",
             "phentsize", "phnum", "shentsize", "shnum", "shstrndx"]
    eh = list(EHDR.unpack_from(data))
    for k, v in fields.items():
        eh[names.index(k)] = v
    EHDR.pack_into(data, 0, *eh)


def mutate(data, kind):
    data = bytearray(data)
    if kind == "truncated":
        return data[:30]
    if kind == "magic":
        data[0] = 0
    elif kind == "class32":
        data[4] = 1
    elif kind == "machine":
        set_ehdr(data, machine=183)  # EM_AARCH64
    elif kind == "dyn":
        set_ehdr(data, type=3)  # ET_DYN
    elif kind == "phoff":
        set_ehdr(data, phoff=(1 << 64) - 8)
    elif kind == "low":
        set_phdr(data, 0, paddr=0x1000)
    elif kind == "beyond":
        set_phdr(data, 0, paddr=-0x1000)  # 0xfffffffffffff000: address + size wraps
    elif kind == "hugesize":
        set_phdr(data, 0, memsz=-0x1000, filesz=0x10)
    elif kind == "filesz":
        _, ph = phdr_at(data, 0)
        set_phdr(data, 0, filesz=ph[6] + 1)
    elif kind == "offset":
        set_phdr(data, 0, offset=-0x10)
    elif kind == "wx":
        set_phdr(data, 0, flags=7)
    elif kind == "entry":
        set_ehdr(data, entry=0x200000)
    elif kind == "overlap":
        _, ph = phdr_at(data, 0)
        set_phdr(data, 1, paddr=ph[4] + 0x10)
    else:
        sys.exit(f"vm_test.py: unknown --mutate {kind}")
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--silk", required=True)
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--stdout", action="append", default=[])
    ap.add_argument("--stderr", action="append", default=[])
    ap.add_argument("--no-stdout", action="append", default=[])
    ap.add_argument("--mutate")
    ap.add_argument("--elf")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--no-kvm-needed", action="store_true")
    ap.add_argument("--make-disk", type=int)
    ap.add_argument("vm_args", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    args = opts.vm_args[1:] if opts.vm_args[:1] == ["--"] else opts.vm_args

    if not opts.no_kvm_needed and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        why = "missing" if not os.path.exists("/dev/kvm") else "not accessible (read/write)"
        print(f"SKIP: /dev/kvm is {why}: silk vm cannot boot a VM here")
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        if opts.mutate:
            bad = os.path.join(tmp, f"bad-{opts.mutate}.elf")
            with open(opts.elf, "rb") as f:
                data = f.read()
            with open(bad, "wb") as f:
                f.write(mutate(data, opts.mutate))
            args = [bad if a == "{elf}" else a for a in args]
        if opts.make_disk is not None:
            disk = os.path.join(tmp, "disk.img")
            with open(disk, "wb") as f:
                f.truncate(opts.make_disk)
            args = [disk if a == "{disk}" else a for a in args]
        cmd = [opts.silk, "vm"] + args
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=opts.timeout)
        except subprocess.TimeoutExpired:
            print(f"FAIL: silk vm still running after {opts.timeout} s: {' '.join(cmd)}")
            return 1
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    problems = []
    if p.returncode != opts.status:
        problems.append(f"exit status {p.returncode}, expected {opts.status}")
    problems += [f"stdout lacks /{r}/" for r in opts.stdout if not re.search(r, out, re.M)]
    problems += [f"stdout has /{r}/" for r in opts.no_stdout if re.search(r, out, re.M)]
    problems += [f"stderr lacks /{r}/" for r in opts.stderr if not re.search(r, err, re.M)]
    print("$ " + " ".join(cmd))
    print("--- stdout\n" + out + "--- stderr\n" + err + "---")
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
