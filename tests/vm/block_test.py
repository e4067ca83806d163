#!/usr/bin/env python3
"""silk vm's block device end to end (CTest, label vm): boots the block test guest
(guests/block.cc) on a disk file and checks the file from the host.

    block_test.py --silk SILK --guest BLOCK.elf --case persist|readonly|lock|small

persist   the guest writes a pattern and flushes; the file holds exactly it
          (its other bytes untouched, the partial sector at its end too); a
          second boot reads the pattern back
readonly  after a write boot, a --disk-readonly boot reads the pattern, its
          BlockWrite fails, and the file is unchanged
lock      while another process holds the file's lock, silk vm refuses it (125)
small     a file smaller than one sector is refused (125)

Exits 77 (CTest SKIP_RETURN_CODE) when /dev/kvm is missing or not accessible.
Every run has a time limit: the monitor must never hang.
"""
import argparse
import fcntl
import os
import subprocess
import sys
import tempfile

SECTOR = 512
DISK_SECTORS = 2048           # 1 MiB of whole sectors ...
TAIL = b"\xee" * 100          # ... then a partial sector, not part of the disk
HEAD_LEN = 8 * SECTOR         # the guest's regions: sectors 0-7 and the last two
TAIL_LEN = 2 * SECTOR
SEED = 5


def pattern(offset, length, seed=SEED):
    """guests/block.cc's pattern: byte at o = (o / 512 * 31 + o % 512 + seed) & 0xff."""
    return bytes(((o // SECTOR) * 31 + o % SECTOR + seed) & 0xFF for o in range(offset, offset + length))


def expected_disk():
    size = DISK_SECTORS * SECTOR
    data = bytearray(size) + TAIL
    data[0:HEAD_LEN] = pattern(0, HEAD_LEN)
    data[size - TAIL_LEN:size] = pattern(size - TAIL_LEN, TAIL_LEN)
    return bytes(data)


class Runner:
    def __init__(self, silk, guest):
        self.silk, self.guest, self.problems = silk, guest, []

    def vm(self, vm_opts, words, status, stdout=None, stderr=None):
        cmd = [self.silk, "vm"] + vm_opts + [self.guest, "--"] + words
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            self.problems.append(f"still running after 60 s: {' '.join(cmd)}")
            return
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        print("$ " + " ".join(cmd) + f"\n--- status {p.returncode}\n--- stdout\n{out}--- stderr\n{err}---")
        if p.returncode != status:
            self.problems.append(f"{' '.join(words)}: exit status {p.returncode}, expected {status}")
        if stdout and stdout not in out:
            self.problems.append(f"{' '.join(words)}: stdout lacks {stdout!r}")
        if stderr and stderr not in err:
            self.problems.append(f"{' '.join(words)}: stderr lacks {stderr!r}")

    def check_file(self, path, expected, when):
        with open(path, "rb") as f:
            data = f.read()
        if data == expected:
            print(f"disk file {when}: as expected ({len(data)} bytes)")
            return
        if len(data) != len(expected):
            self.problems.append(f"disk file {when}: {len(data)} bytes, expected {len(expected)}")
            return
        first = next(i for i in range(len(data)) if data[i] != expected[i])
        self.problems.append(f"disk file {when}: first difference at byte {first}: "
                             f"{data[first]:#04x}, expected {expected[first]:#04x}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--silk", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--case", required=True, choices=["persist", "readonly", "lock", "small"])
    opts = ap.parse_args()
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is missing or not accessible: silk vm cannot boot a VM here")
        return 77

    run = Runner(opts.silk, opts.guest)
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.write(bytes(DISK_SECTORS * SECTOR) + TAIL)
        size = f"size={DISK_SECTORS * SECTOR} sector={SECTOR}"
        if opts.case == "persist":
            run.vm(["--disk", disk], ["write", str(SEED)], 0, stdout="block: ok")
            run.check_file(disk, expected_disk(), "after the write boot")
            run.vm(["--disk", disk], ["read", str(SEED)], 0, stdout=f"block: read {SEED} {size}\nblock: ok")
            run.vm(["--disk", disk], ["read", str(SEED + 1)], 1, stdout="FAIL: sectors 0-7 hold the pattern")
        elif opts.case == "readonly":
            run.vm(["--disk", disk], ["write", str(SEED)], 0, stdout="block: ok")
            run.vm(["--disk", disk, "--disk-readonly"], ["readonly", str(SEED)], 0,
                   stdout=f"{size} read-only\nblock: ok")
            run.check_file(disk, expected_disk(), "after the read-only boot")
        elif opts.case == "lock":
            with open(disk, "rb+") as holder:
                fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                run.vm(["--disk", disk], ["read", str(SEED)], 125,
                       stderr=f"silk vm: {disk}: in use by another process (flock)")
                run.vm(["--disk", disk, "--disk-readonly"], ["read", str(SEED)], 125,
                       stderr=f"silk vm: {disk}: in use by another process (flock)")
            run.vm(["--disk", disk], ["write", str(SEED)], 0, stdout="block: ok")  # the lock is gone
        elif opts.case == "small":
            with open(disk, "wb") as f:
                f.write(bytes(SECTOR - 1))
            run.vm(["--disk", disk], ["read", str(SEED)], 125,
                   stderr=f"silk vm: {disk}: 511 bytes: smaller than one 512-byte sector")
            run.vm(["--disk", os.path.join(tmp, "missing.img")], ["read", str(SEED)], 125,
                   stderr="missing.img: No such file or directory")
            run.vm(["--disk", tmp], ["read", str(SEED)], 125, stderr=f"silk vm: {tmp}: ")

    if run.problems:
        print("FAIL: " + "; ".join(run.problems))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
