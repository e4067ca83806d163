#!/usr/bin/env bash
# lwIP 2.1.3 for the kernel's TCP/IP (kernel/net/), from Debian's `lwip` source
# package (with Debian's patches applied), never from a copy in this repo.
#
#   source scripts/lib/lwip.sh; silk_lwip_fetch   # sets SILK_LWIP_DIR (or returns 1)
#   scripts/lib/lwip.sh                           # standalone: prints the directory
#
# The source lands in ${SILK_LWIP_CACHE:-/var/cache/silk}/lwip-2.1.3+dfsg1 and is
# reused when it is already there. To fetch it, a deb-src entry is derived from
# the machine's own Debian sources (the stanzas of
# /etc/apt/sources.list.d/debian.sources, with "Types: deb-src") and written to
# /etc/apt/sources.list.d/silk-deb-src.sources; then `apt-get update` and
# `apt-get source lwip` (dpkg-dev unpacks it). CMake takes the directory as
# -DSILK_LWIP_DIR=...; without it the kernel builds without networking.

SILK_LWIP_VERSION="${SILK_LWIP_VERSION:-2.1.3+dfsg1}"
SILK_LWIP_CACHE="${SILK_LWIP_CACHE:-/var/cache/silk}"

# True when {1} holds an unpacked lwIP source tree.
silk_lwip_present() {
  [[ -f "$1/src/core/tcp.c" && -f "$1/src/include/lwip/init.h" ]]
}

# Writes the deb-src entry derived from debian.sources (only when missing).
silk_lwip_deb_src() {
  local from=/etc/apt/sources.list.d/debian.sources to=/etc/apt/sources.list.d/silk-deb-src.sources
  [[ -f "$to" ]] && return 0
  if [[ ! -f "$from" ]]; then
    echo "lwip: $from is missing: cannot derive a deb-src entry" >&2
    return 1
  fi
  # Every stanza, its Types line replaced: the same archives, suites and keys.
  local tmp
  tmp="$(mktemp)"
  {
    echo "# Written by silk's scripts/lib/lwip.sh from $from (apt-get source lwip)."
    sed -E 's/^Types:.*/Types: deb-src/' "$from"
  } >"$tmp"
  ${SILK_SUDO:-} install -m 0644 "$tmp" "$to"
  rm -f "$tmp"
}

# Sets SILK_LWIP_DIR to the unpacked source, fetching it when needed.
silk_lwip_fetch() {
  local dir="$SILK_LWIP_CACHE/lwip-$SILK_LWIP_VERSION"
  if silk_lwip_present "$dir"; then
    SILK_LWIP_DIR="$dir"
    return 0
  fi
  local sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo=sudo
  if ! command -v dpkg-source >/dev/null; then
    $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends dpkg-dev ||
      return 1
  fi
  SILK_SUDO=$sudo silk_lwip_deb_src || return 1
  $sudo apt-get update >/dev/null || return 1
  $sudo mkdir -p "$SILK_LWIP_CACHE" || return 1
  # apt-get source downloads into the current directory and unpacks there.
  (cd "$SILK_LWIP_CACHE" && $sudo apt-get source "lwip=${SILK_LWIP_VERSION}-*" >&2 ||
    $sudo apt-get source lwip >&2) || return 1
  if ! silk_lwip_present "$dir"; then
    echo "lwip: apt-get source did not produce $dir" >&2
    return 1
  fi
  SILK_LWIP_DIR="$dir"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  silk_lwip_fetch
  echo "$SILK_LWIP_DIR"
fi
