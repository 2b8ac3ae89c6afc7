#!/usr/bin/env bash
# ctest entry (openapi_contract): a whole local cluster whose edge serves
# docs/openapi.json, checked against the real endpoints (openapi_contract.mjs).
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
export SOURCE_DIR BIN_DIR
RUN_DIR=$(mktemp -d /tmp/cmcp-openapi-XXXXXX)
# shellcheck source=../../scripts/lib/cluster.sh
source "$SOURCE_DIR/scripts/lib/cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop "$RUN_DIR"
  if [ "$rc" -ne 0 ]; then for f in "$RUN_DIR"/logs/*.log; do echo "--- $f"; tail -n 20 "$f"; done; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
export EDGE_EXTRA_FLAGS="--openapi-file=$SOURCE_DIR/docs/openapi.json"
cluster_start "$RUN_DIR"
export EDGE_URL ADMIN_TOKEN SANDBOX_URL
node "$SOURCE_DIR/tests/console/openapi_contract.mjs"
