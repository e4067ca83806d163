#!/usr/bin/env bash
# silk vm without /dev/kvm: in a private mount namespace whose /dev is an
# empty tmpfs, `silk vm APP.wasm` must fail with status 125 and say that
# /dev/kvm does not exist. Skips (77) when mount namespaces are not allowed.
#   no_kvm_test.sh SILK APP.wasm
set -uo pipefail
silk=$1 app=$2
if ! unshare -m true 2>/dev/null; then
  echo "SKIP: cannot create a mount namespace (unshare -m) here"
  exit 77
fi
out=$(unshare -m sh -c 'mount -t tmpfs tmpfs /dev && exec "$0" vm "$1"' "$silk" "$app" 2>&1 </dev/null)
status=$?
echo "$out"
if [[ $status -ne 125 ]]; then echo "FAIL: exit status $status, expected 125"; exit 1; fi
if ! grep -q '^silk vm: /dev/kvm does not exist' <<<"$out"; then echo "FAIL: no clear message about /dev/kvm"; exit 1; fi
echo PASS
