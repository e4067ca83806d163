# Sourced by scripts/*: the Debian 12 packages silk builds with, and the one
# CMake configuration every script uses.

SILK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SILK_PACKAGES=(
  clang-19 lld-19 libclang-rt-19-dev libclang-rt-19-dev-wasm32 cmake ninja-build wabt wasi-libc python3
  libgtest-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libssl-dev
  libhiredis-dev redis-server openssl time qemu-system-x86 pkg-config libseccomp-dev libslirp-dev nftables
)
# Parallel jobs for ninja and ctest (CI machines have 2 cores).
SILK_JOBS="${SILK_JOBS:-2}"

# Installs whichever of SILK_PACKAGES (plus "$@") is missing; does nothing,
# and needs no network or root, when all of them are installed.
silk_ensure_packages() {
  local missing=() pkg
  for pkg in "${SILK_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  echo "installing: ${missing[*]}"
  local sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

# silk_configure BUILD_DIR [cmake args...]: Ninja + clang-19.
silk_configure() {
  local dir="$1"
  shift
  cmake -S "$SILK_ROOT" -B "$dir" -G Ninja \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "$@"
}
