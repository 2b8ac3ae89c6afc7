#!/usr/bin/env bash
# Stops exactly the processes scripts/up.sh started (recorded in .run/pids).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"
if [ ! -f "$ROOT/.run/pids" ]; then
  echo "down.sh: nothing is running (no .run/pids)"
  exit 0
fi
cluster_stop "$ROOT/.run"
rm -f "$ROOT/.run/env"
echo "down.sh: stopped"
