#!/usr/bin/env bash
# ctest entry: the MCP Inspector CLI (Node 22 from npm) against a whole local
# cluster, exactly as README shows it: tools/list, then tools/call of
# list_all_caspio_records on the seeded Inventory table.
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
export SOURCE_DIR BIN_DIR
TOOLS="$SOURCE_DIR/tests/e2e/inspector/node_modules/.bin"
[ -x "$TOOLS/node" ] || { echo "FAIL Node 22 is missing: run npm ci in tests/e2e/inspector (scripts/test.sh does)"; exit 1; }
RUN_DIR=$(mktemp -d /tmp/cmcp-insp-XXXXXX)
# shellcheck source=../../scripts/lib/cluster.sh
source "$SOURCE_DIR/scripts/lib/cluster.sh"
cleanup() {
  local rc=$?
  cluster_stop "$RUN_DIR"
  if [ "$rc" -ne 0 ]; then for f in "$RUN_DIR"/logs/*.log; do echo "--- $f"; tail -n 20 "$f"; done; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
cluster_start "$RUN_DIR"
cluster_register_account "$RUN_DIR"

inspector() { PATH="$TOOLS:$PATH" timeout 60 "$TOOLS/node" "$TOOLS/mcp-inspector" --cli "$MCP_URL" "$@"; }

echo "--- tools/list"
inspector --method tools/list >"$RUN_DIR/list.json"
echo "--- tools/call list_all_caspio_records table_name=Inventory"
inspector --method tools/call --tool-name list_all_caspio_records --tool-arg table_name=Inventory >"$RUN_DIR/call.json"

node - "$RUN_DIR/list.json" "$RUN_DIR/call.json" <<'JS'
const fs = require("fs");
const list = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const call = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
let passed = 0, failed = 0;
const check = (name, ok, detail) => {
  if (ok) { passed++; console.log(`ok   ${name}`); }
  else { failed++; console.log(`FAIL ${name}: ${JSON.stringify(detail).slice(0, 500)}`); }
};
check("inspector tools/list lists list_all_caspio_records", list.tools?.some((t) => t.name === "list_all_caspio_records"), list);
const rows = call.structuredContent?.result ?? [];
check("inspector tools/call is not an error", call.isError === false, call);
check("inspector tools/call returns Inventory rows", rows.length >= 25 && rows[0].SKU === "INV-001", rows.slice(0, 2));
console.log(`\ninspector_e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
JS
