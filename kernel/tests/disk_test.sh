#!/usr/bin/env bash
# Boots silk-kernel.elf several times on one temporary disk image and checks
# that /tmp (the durable store, kernel/fs/durable) keeps its files across the
# boots. Each boot runs kernel/tests/user/disk.c (a static program, the raw
# ELF initrd) in one of its modes and must exit 0 and print its patterns.
#   disk_test.sh RUNNER KERNEL SILK PROGRAM SCENARIO [EXTRA_QEMU_ARGS...]
# RUNNER: qemu (QEMU -M microvm, virtio-blk over virtio-mmio; KVM when
#         /dev/kvm works, else TCG) or silkvm (`SILK vm --disk IMAGE`).
# SCENARIO:
#   persist   blank 8 MiB disk: write the tree, verify it on the next boot;
#             one more change (an unlink), then the test damages that last
#             record on the host (tests/disk_tool.py corrupt-last, as a torn
#             write would): the next boot must see the tree before it; the
#             same change again, and the boot after sees it; then a change of
#             five sectors whose last one the test zeroes (a write torn
#             between sectors): the next boot sees the tree before it
#   compact   blank 1 MiB disk: rewrite files until the journal has been
#             compacted several times and fill the disk up to ENOSPC, verify
#             after a reboot
#   readonly  write the tree, then boot with the disk read-only: everything
#             reads back, every change under /tmp fails with EROFS, and the
#             image is unchanged
#   foreign   a disk holding something else: not mounted (a message), /tmp in
#             memory, the program runs, the image is unchanged
# SILK_KERNEL_TEST_SILK overrides SILK (another build's monitor). Exits 77
# (CTest skip) when the runner is not available. Every boot is
# bounded by a timeout.
set -uo pipefail

runner=$1 kernel=$2 silk=${SILK_KERNEL_TEST_SILK:-$3} program=$4 scenario=$5
shift 5
extra=("$@")
timeout_s=${SILK_KERNEL_TEST_TIMEOUT:-90}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/disk_tool.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
img=$work/disk.img
out=$work/out

kvm_usable() { [[ -r /dev/kvm && -w /dev/kvm ]]; }

case $runner in
  qemu)
    if ! command -v qemu-system-x86_64 >/dev/null; then
      echo "SKIP: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
      exit 77
    fi
    accel=(-accel tcg)
    # shellcheck disable=SC2054  # -cpu's value has commas
    kvm_usable && accel=(-enable-kvm -cpu host,-arch-capabilities)
    ;;
  silkvm)
    if [[ -z $silk || ! -x $silk ]] || ! "$silk" vm --help 2>&1 | grep -q -- '--disk-readonly'; then
      echo "SKIP: silk vm is not available or has no --disk (the monitor's block device)"
      exit 77
    fi
    if ! kvm_usable; then
      echo "SKIP: /dev/kvm is missing or not accessible"
      exit 77
    fi
    ;;
  *)
    echo "unknown runner $runner" >&2
    exit 2
    ;;
esac
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed for tests/disk_tool.py"
  exit 77
fi

fail() {
  echo "FAIL: $*"
  exit 1
}

# boot [ro] MODE PATTERN...: one boot of `disk MODE`; exit 0 and every
# extended regex PATTERN matching a line of the output.
boot() {
  local readonly=0
  if [[ $1 == ro ]]; then
    readonly=1
    shift
  fi
  local mode=$1
  shift
  local status want
  echo "=== boot: disk $mode$( ((readonly)) && echo ' (read-only disk)')"
  if [[ $runner == qemu ]]; then
    local drive="file=$img,format=raw,if=none,id=d0"
    ((readonly)) && drive+=",readonly=on"
    timeout -k 5 "$timeout_s" qemu-system-x86_64 -M microvm,acpi=off "${accel[@]}" -m 256M \
      -nodefaults -no-user-config -nographic -no-reboot -serial stdio \
      -device isa-debug-exit,iobase=0xf4,iosize=4 \
      -drive "$drive" -device virtio-blk-device,drive=d0 "${extra[@]}" \
      -kernel "$kernel" -initrd "$program" -append "-- disk $mode" </dev/null >"$out" 2>&1
    status=$?
    want=1  # halt(0) through isa-debug-exit
  else
    local ro_args=()
    ((readonly)) && ro_args=(--disk-readonly)
    timeout -k 5 "$timeout_s" "$silk" vm --disk "$img" "${ro_args[@]}" --initrd "$program" "$kernel" \
      -- -- disk "$mode" </dev/null >"$out" 2>&1
    status=$?
    want=0
  fi
  grep -v '^  ' "$out"
  ((status == 124 || status == 137)) && fail "the VM did not halt within ${timeout_s}s"
  ((status == want)) || fail "exit status $status, expected $want"
  grep -Eq "^disk $mode: [0-9]+ passed, 0 failed" "$out" || fail "disk $mode did not pass"
  local p
  for p in "$@"; do
    grep -Eq -- "$p" "$out" || fail "the output does not match: $p"
  done
}

fresh() { rm -f "$img" && truncate -s "$1" "$img"; }
mounted='silk kernel: disk: [^ ]+ .*\): mounted at /tmp: [0-9]+ records'

case $scenario in
  persist)
    fresh 8M
    boot write 'blank, formatted; mounted at /tmp'
    python3 "$tool" check "$img" || fail "the host does not read the log"
    boot verify "$mounted"
    boot extra "$mounted"
    python3 "$tool" corrupt-last "$img" || fail "cannot damage the last record"
    boot verify 'record [0-9]+ is damaged \(a write torn by a crash\): the log ends before it'
    boot extra "$mounted"
    boot verify-extra "$mounted"
    # A torn multi-sector record: its last (data) sector never made it.
    boot extra2 "$mounted"
    python3 "$tool" tear-last "$img" || fail "cannot tear the last record"
    boot verify-extra 'record [0-9]+ is damaged'
    python3 "$tool" check "$img"
    ;;
  compact)
    fresh 1M
    boot churn 'blank, formatted' 'journal compacted into region 1' 'journal compacted into region 0' \
      'disk: ENOSPC after [0-9]+ KiB of filler'
    boot verify-churn "$mounted"
    python3 "$tool" check "$img"
    ;;
  readonly)
    fresh 8M
    boot write 'blank, formatted'
    sum=$(sha256sum <"$img")
    boot ro ro 'mounted at /tmp, read-only: [0-9]+ records'
    [[ $(sha256sum <"$img") == "$sum" ]] || fail "the read-only disk changed"
    ;;
  foreign)
    # As btrfs would: nothing in the first 64 KiB, its superblock's magic at 64 KiB + 64.
    fresh 1M
    printf '_BHRfS_M: not a silk disk' | dd of="$img" bs=1 seek=65600 conv=notrunc status=none
    sum=$(sha256sum <"$img")
    boot plain 'holds something else \(no valid silk superblock, and its first 128 KiB are not zero\): not mounted' \
      '/tmp stays in memory'
    [[ $(sha256sum <"$img") == "$sum" ]] || fail "the foreign disk changed"
    ;;
  *)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac
echo "PASS"
