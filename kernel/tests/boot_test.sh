#!/usr/bin/env bash
# Boots silk-kernel.elf once and checks its console output and exit status.
#   boot_test.sh RUNNER KERNEL EXPECTED_STATUS PATTERN [CMDLINE] [SILK] [INITRD] [MEM_MIB]
# RUNNER: qemu (QEMU -M microvm, PVH; KVM when /dev/kvm works, else TCG),
#         qemu-tcg (the same, always TCG: there SYSCALL reaches ring 0, which
#         it does not under kvm-pvm) or silkvm (silk's monitor: `SILK vm
#         KERNEL`, hvt entry).
# EXPECTED_STATUS is the kernel's halt status (platform::kExit*); QEMU's
# isa-debug-exit turns status s into the process exit code ((s << 1) | 1) & 255.
# PATTERN is an extended regex the output must match. Exits 77 (CTest skip)
# when the runner is not available. Every boot is bounded by a timeout.
# MEM_MIB: guest RAM (default: QEMU 128, silk vm its own default, 256).
# SILK_KERNEL_QEMU_ACCEL=tcg makes the qemu runner use TCG even with KVM.
set -uo pipefail

runner=$1 kernel=$2 expected=$3 pattern=$4 cmdline=${5:-} silk=${6:-} initrd=${7:-} mem=${8:-}
timeout_s=${SILK_KERNEL_TEST_TIMEOUT:-60}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

kvm_usable() { [[ -r /dev/kvm && -w /dev/kvm ]]; }

[[ $runner == qemu-tcg ]] && SILK_KERNEL_QEMU_ACCEL=tcg

case $runner in
  qemu | qemu-tcg)
    if ! command -v qemu-system-x86_64 >/dev/null; then
      echo "SKIP: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
      exit 77
    fi
    accel=(-accel tcg)
    # -arch-capabilities: under nested KVM, QEMU 7.2 aborts setting MSR 0x10a
    # (IA32_ARCH_CAPABILITIES) for -cpu host; the kernel does not use it.
    # SILK_KERNEL_QEMU_ACCEL=tcg forces TCG (which runs the real SYSCALL path).
    if [[ ${SILK_KERNEL_QEMU_ACCEL:-} != tcg ]] && kvm_usable; then
      # shellcheck disable=SC2054  # "host,-arch-capabilities" is one argument
      accel=(-enable-kvm -cpu host,-arch-capabilities)
    fi
    initrd_args=()
    [[ -n $initrd ]] && initrd_args=(-initrd "$initrd")
    timeout -k 5 "$timeout_s" qemu-system-x86_64 -M microvm,acpi=off "${accel[@]}" -m "${mem:-128}M" \
      -nodefaults -no-user-config -nographic -no-reboot -serial stdio \
      -device isa-debug-exit,iobase=0xf4,iosize=4 \
      -kernel "$kernel" "${initrd_args[@]}" -append "$cmdline" </dev/null >"$out" 2>&1
    status=$?
    want=$((((expected << 1) | 1) & 255))
    ;;
  silkvm)
    if [[ -z $silk || ! -x $silk ]] || ! "$silk" vm --help >/dev/null 2>&1; then
      echo "SKIP: silk vm is not available (the monitor is not built)"
      exit 77
    fi
    if ! kvm_usable; then
      echo "SKIP: /dev/kvm is missing or not accessible"
      exit 77
    fi
    # `silk vm KERNEL.elf -- WORDS...`: the words form the command line
    # (split on purpose). Exit status: the guest's halt status; 123 when the
    # monitor stopped a misbehaving guest (a triple fault among others).
    vm_args=()
    [[ -n $initrd ]] && vm_args=(--initrd "$initrd")
    [[ -n $mem ]] && vm_args+=(--mem "$mem")
    # shellcheck disable=SC2086
    timeout -k 5 "$timeout_s" "$silk" vm "${vm_args[@]}" "$kernel" -- $cmdline </dev/null >"$out" 2>&1
    status=$?
    want=$expected
    ;;
  *)
    echo "unknown runner $runner" >&2
    exit 2
    ;;
esac

cat "$out"
echo "--- exit status $status (want $want)"
if ((status == 124 || status == 137)); then
  echo "FAIL: the VM did not halt within ${timeout_s}s"
  exit 1
fi
if [[ $runner == qemu* ]] && ((status == 0)); then
  echo "FAIL: QEMU exited 0: the guest reset (a triple fault) instead of halting"
  exit 1
fi
if ((status != want)); then
  echo "FAIL: exit status $status, expected $want"
  exit 1
fi
if ! grep -Eq -- "$pattern" "$out"; then
  echo "FAIL: the output does not match: $pattern"
  exit 1
fi
echo "PASS"
