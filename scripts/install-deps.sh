#!/usr/bin/env bash
# Installs every system package the project needs to build, run and test.
# Idempotent and non-interactive: packages already present are skipped, so a
# second run costs one dpkg query. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libcurl4-openssl-dev libboost-dev libssl-dev
  libsqlite3-dev nlohmann-json3-dev libvalijson-dev libgtest-dev libgmock-dev libjemalloc-dev
  redis-server nodejs npm
  chromium wrk nginx-light
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node may come from outside Debian (e.g. NodeSource) on a developer machine;
# accept any node >= 18 with npm rather than fighting over the package.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$node_major" -ge 18 ]; then
    filtered=()
    for p in "${missing[@]}"; do
      case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
    done
    missing=("${filtered[@]}")
  fi
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian redis-server package starts a system instance; the project never
# uses it (every test and up.sh start their own on a free port). nginx-light is
# the load balancer of the two-replica end-to-end test, which runs its own
# nginx on a free port; the system instance is never used either.
echo "install-deps: done"
