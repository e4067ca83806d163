#!/usr/bin/env python3
"""Writes a cpio "newc" archive (an initrd for silk's kernel).

    make_cpio.py OUT [ENTRY...]

ENTRY is one of
    PATH=HOSTFILE          a regular file with HOSTFILE's bytes and mode
    --dir PATH             a directory (parents are always created as needed)
    --symlink PATH=TARGET  a symlink
    --with-libs PATH=HOST  HOST as PATH, plus the shared libraries and the
                           dynamic loader `ldd HOST` reports, at their absolute
                           paths (a library path that is a symlink on this host
                           is stored as one, next to its target)
Options:
    --no-align             do not page-align file data (see below)

Archive paths are stored without the leading '/'. A regular file of 4 KiB or
more gets its name padded with NUL bytes so its data starts at a multiple of
4096 in the archive: loaded page-aligned, the kernel maps such pages straight
from the initrd (the name still ends at its first NUL).
"""
import os
import subprocess
import sys
import time

PAGE = 4096
S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000


class Archive:
    def __init__(self, align):
        self.entries = {}  # path -> (mode, data bytes, mtime)
        self.now = int(time.time())
        self.align = align

    def _parents(self, path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.entries:
                self.entries[d] = (S_IFDIR | 0o755, b"", self.now)

    def add_dir(self, path):
        path = path.strip("/")
        self._parents(path)
        self.entries[path] = (S_IFDIR | 0o755, b"", self.now)

    def add_file(self, path, host):
        path = path.strip("/")
        self._parents(path)
        with open(host, "rb") as f:
            data = f.read()
        st = os.stat(host)
        self.entries[path] = (S_IFREG | (st.st_mode & 0o7777), data, int(st.st_mtime))

    def add_symlink(self, path, target):
        path = path.strip("/")
        self._parents(path)
        self.entries[path] = (S_IFLNK | 0o777, target.encode(), self.now)

    def add_host_path(self, path, depth=0):
        """{path} as it is on this host: a symlink (and what it points at) or a file."""
        if depth > 40:
            raise SystemExit(f"make_cpio: too many symlinks at {path}")
        if os.path.islink(path):
            target = os.readlink(path)
            self.add_symlink(path, target)
            resolved = target if target.startswith("/") else os.path.join(os.path.dirname(path), target)
            self.add_host_path(os.path.normpath(resolved), depth + 1)
        else:
            self.add_file(path, path)

    def add_with_libs(self, path, host):
        self.add_file(path, host)
        out = subprocess.run(["ldd", host], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            words = line.split()
            # "libc.so.6 => /lib/.../libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            lib = words[2] if len(words) >= 3 and words[1] == "=>" else words[0] if words else ""
            if lib.startswith("/"):
                self.add_host_path(lib)

    def write(self, out_path):
        out = bytearray()
        ino = 1

        def entry(name, mode, data, nlink, mtime):
            nonlocal ino
            encoded = name.encode() + b"\0"
            namesize = len(encoded)
            if self.align and (mode & 0o170000) == S_IFREG and len(data) >= PAGE:
                # Pad the name so that the data starts on a page boundary.
                start = len(out) + 110
                namesize = (-start) % PAGE
                while namesize < len(encoded):
                    namesize += PAGE
            fields = [ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, 0, 0, namesize, 0]
            out.extend(b"070701" + b"".join(b"%08X" % f for f in fields))
            out.extend(encoded + b"\0" * (namesize - len(encoded)))
            out.extend(b"\0" * (-len(out) % 4))
            out.extend(data)
            out.extend(b"\0" * (-len(out) % 4))
            ino += 1

        # Sorted: every directory comes before what it holds.
        for name in sorted(self.entries):
            mode, data, mtime = self.entries[name]
            entry(name, mode, data, 2 if (mode & 0o170000) == S_IFDIR else 1, mtime)
        entry("TRAILER!!!", 0, b"", 1, 0)
        with open(out_path, "wb") as f:
            f.write(out)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    args = argv[2:]
    archive = Archive(align="--no-align" not in args)
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--no-align":
            pass
        elif a in ("--dir", "--symlink", "--with-libs"):
            i += 1
            value = args[i]
            if a == "--dir":
                archive.add_dir(value)
            elif a == "--symlink":
                path, target = value.split("=", 1)
                archive.add_symlink(path, target)
            else:
                path, host = value.split("=", 1)
                archive.add_with_libs(path, host)
        else:
            path, host = a.split("=", 1)
            archive.add_file(path, host)
        i += 1
    archive.write(argv[1])


if __name__ == "__main__":
    main(sys.argv)
