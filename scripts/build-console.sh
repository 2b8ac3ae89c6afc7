#!/usr/bin/env bash
# Builds the operator console (console/) into a folder of static files that
# edge serves at /console (edge --console-dir=DIR). Installs the locked npm
# packages first (npm ci, skipped when node_modules matches the lockfile),
# type-checks, then runs vite. No inline script ends up in the output, as
# edge's Content-Security-Policy requires.
#
#   scripts/build-console.sh [--out DIR]     # default DIR: build/console
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/build/console"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=${2:?--out needs a directory}; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-console.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
command -v npm >/dev/null || { echo "build-console.sh: npm is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

start=$SECONDS
cd "$ROOT/console"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.cmcp-lock-sha256 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >node_modules/.cmcp-lock-sha256
fi
npx --no-install tsc --noEmit
# Build into a fresh folder, then swap it in, so a running edge never serves
# a half-written console.
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d "$(dirname "$OUT")/.console-build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
CONSOLE_OUT_DIR="$tmp" npx --no-install vite build --logLevel warn
if grep -qiE '<script>|<script [^>]*>[^<]' "$tmp/index.html"; then
  echo "build-console.sh: index.html has an inline script; edge's CSP would block it" >&2
  exit 1
fi
rm -rf "$OUT.old"
[ -d "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$tmp" "$OUT"
chmod 755 "$OUT"
rm -rf "$OUT.old"
trap - EXIT
echo "build-console: $OUT in $((SECONDS - start))s"
