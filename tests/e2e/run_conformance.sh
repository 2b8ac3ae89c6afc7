#!/usr/bin/env bash
# ctest entry: the official MCP conformance suite (@modelcontextprotocol/conformance,
# Node 22 from npm) against one MCP server URL of a whole local cluster, for
# both protocol eras: the session era (--spec-version 2025-11-25) and the
# stateless 2026-07-28 form, every scenario (--suite all). Checks that need
# the suite's own server fixtures (test_* tools, prompts, resources) are listed,
# one by one, in tests/e2e/conformance/expected-failures-<version>.yml; any
# other failure or warning, and any listed check that starts passing, fails.
set -euo pipefail
SOURCE_DIR=${CMCP_SOURCE_DIR:?}
BIN_DIR=${CMCP_BIN_DIR:?}
export SOURCE_DIR BIN_DIR
TOOLS="$SOURCE_DIR/tests/e2e/inspector/node_modules/.bin"
[ -x "$TOOLS/node" ] || { echo "FAIL Node 22 is missing: run npm ci in tests/e2e/inspector (scripts/test.sh does)"; exit 1; }
RUN_DIR=$(mktemp -d /tmp/cmcp-conf-XXXXXX)
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
# The dns-rebinding scenario refuses to run against anything but localhost.
URL=${MCP_URL/127.0.0.1/localhost}

failed=0
for version in 2025-11-25 2026-07-28; do
  out="$RUN_DIR/conformance-$version"
  echo "--- conformance --suite all --spec-version $version"
  rc=0
  timeout 300 "$TOOLS/node" "$TOOLS/conformance" server --url "$URL" --suite all --spec-version "$version" \
    --expected-failures "$SOURCE_DIR/tests/e2e/conformance/expected-failures-$version.yml" \
    -o "$out" >"$RUN_DIR/conformance-$version.log" 2>&1 || rc=$?
  # Counts from the suite's own per-scenario results.
  "$TOOLS/node" - "$out" "$version" "$rc" <<'JS' || failed=1
const fs = require("fs"), path = require("path");
const [dir, version, rc] = process.argv.slice(2);
const counts = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0 };
let scenarios = 0;
for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  const file = path.join(dir, d, "checks.json");
  if (!fs.existsSync(file)) continue;
  scenarios++;
  for (const c of JSON.parse(fs.readFileSync(file, "utf8"))) counts[c.status] = (counts[c.status] ?? 0) + 1;
}
console.log(`conformance ${version}: ${scenarios} scenarios, ${counts.SUCCESS} checks passed, ` +
            `${counts.FAILURE} failed and ${counts.WARNING} warned (all in the baseline when the run passes), ` +
            `${counts.SKIPPED} skipped`);
if (scenarios === 0 || counts.SUCCESS === 0) { console.log(`FAIL conformance ${version}: no results`); process.exit(1); }
if (rc !== "0") { console.log(`FAIL conformance ${version}: exit ${rc} (failures outside the baseline, or a stale baseline)`); process.exit(1); }
JS
  if [ "$rc" -ne 0 ]; then
    sed -n '/Unexpected\|Stale\|no longer\|Baseline/,$p' "$RUN_DIR/conformance-$version.log" | tail -n 40
  fi
done
exit "$failed"
