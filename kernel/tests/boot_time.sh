#!/usr/bin/env bash
# Median wall time (ms) of booting silk-kernel.elf to halt, whole process:
# QEMU microvm with KVM (when /dev/kvm works), QEMU with TCG, and silk vm
# (when it exists). Not a CTest case: a measurement.
#   kernel/tests/boot_time.sh [--runs N] KERNEL.elf [SILK]
set -euo pipefail
runs=10
if [[ ${1:-} == --runs ]]; then runs=$2; shift 2; fi
kernel=$1 silk=${2:-}

median_ms() {  # median_ms CMD...: runs CMD $runs times, prints the median in ms
  local times=() t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" </dev/null >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

qemu=(qemu-system-x86_64 -M microvm,acpi=off -m 128M -nodefaults -no-user-config -nographic -no-reboot
      -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$kernel")
if [[ -r /dev/kvm && -w /dev/kvm ]]; then
  echo "qemu microvm + KVM: $(median_ms "${qemu[@]}" -enable-kvm -cpu host,-arch-capabilities) ms (median of $runs)"
fi
echo "qemu microvm + TCG: $(median_ms "${qemu[@]}" -accel tcg) ms (median of $runs)"
if [[ -n $silk ]] && "$silk" vm --help >/dev/null 2>&1 && [[ -r /dev/kvm && -w /dev/kvm ]]; then
  echo "silk vm:            $(median_ms "$silk" vm "$kernel") ms (median of $runs)"
  "$silk" vm --trace-boot "$kernel" -- trace-boot 2>&1 | grep -E "boot trace|total|first KVM_RUN|VM exits" || true
fi
