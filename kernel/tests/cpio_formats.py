#!/usr/bin/env python3
"""Writes a cpio initrd in the less common shapes the kernel must accept.

    cpio_formats.py OUT PROGRAM

PROGRAM becomes /files (tests/user/files.c, whose `cat` mode prints files).
The archive has: names with "./" and "/" prefixes and "." itself, lower-case
hex, a "070702" entry with a NUL-padded name, a directory symlink (lib ->
usr/lib) that a later entry's path goes through, an entry whose parent
directory has no entry of its own, two hard links with the data on the
second, a character device (1:3) and a FIFO (skipped), then a second archive
after 512 zero bytes whose entry replaces one of the first. The expected
`files cat` output is in kernel/CMakeLists.txt (the user.cpio-formats test).
"""
import sys


def entry(out, name, mode, data=b"", ino=1, nlink=1, magic=b"070701", pad_name=0, rdev=(0, 0)):
    encoded = name.encode() + b"\0" * (1 + pad_name)
    fields = [ino, mode, 0, 0, nlink, 1700000000, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
    out += magic + b"".join(b"%08x" % f for f in fields) + encoded
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)


def main(out_path, program):
    with open(program, "rb") as f:
        prog = f.read()
    a = bytearray()
    entry(a, ".", 0o40755)
    entry(a, "./usr", 0o40755, ino=2)
    entry(a, "./usr/lib", 0o40755, ino=3)
    entry(a, "lib", 0o120777, b"usr/lib", ino=4)
    entry(a, "./lib/greeting", 0o100644, b"through a directory symlink\n", ino=5, magic=b"070702", pad_name=37)
    entry(a, "/hl/a", 0o100644, b"", ino=9, nlink=2)
    entry(a, "/hl/b", 0o100644, b"hard linked\n", ino=9, nlink=2)
    entry(a, "dev/null2", 0o20666, ino=10, rdev=(1, 3))
    entry(a, "fifo", 0o10644, ino=11)
    entry(a, "files", 0o100755, prog, ino=12)
    entry(a, "TRAILER!!!", 0)
    a += b"\0" * 512
    entry(a, "second/archive.txt", 0o100644, b"from the second archive\n", ino=1)
    entry(a, "hl/b", 0o100644, b"replaced\n", ino=2)
    entry(a, "TRAILER!!!", 0)
    with open(out_path, "wb") as f:
        f.write(a)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
