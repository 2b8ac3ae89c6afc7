// Turns bench/run.sh's results (JSON lines) into bench/results/<date>.md, a
// PNG plot beside it (gnuplot), and the summary table in README.md between
// <!-- bench:start --> and <!-- bench:end -->.
//
//   node report.mjs RESULTS.jsonl META_JSON OUT.md OUT.png [README.md]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const [resultsPath, metaJson, outMd, outPng, readme] = process.argv.slice(2);
const meta = JSON.parse(metaJson);
const rows = readFileSync(resultsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const runs = rows.filter((r) => r.result);
const sse = rows.find((r) => r.scenario === "sse_idle");

const GATEWAY = ["edge", "token", "toolgen", "proxy", "redis"];
const rps = (r) => r.result.requests / (r.result.duration_us / 1e6);
const ms = (us) => (us / 1000).toFixed(2);
const notOk = (r) => r.result.requests - r.result.ok;
const cpuPer1k = (r, names) => {
  const s = names.reduce((sum, n) => sum + (r.cpu_s[n] ?? 0), 0);
  return r.result.requests ? ((s / r.result.requests) * 1000).toFixed(3) : "—";
};
const find = (scenario, c) => runs.find((r) => r.scenario === scenario && r.connections === c);
const connections = [...new Set(runs.filter((r) => !r.pace_ms).map((r) => r.connections))].sort((a, b) => a - b);

const label = {
  direct_get: "direct sandbox GET (floor)",
  tools_list: "caspio-mcp tools/list",
  call_list: "caspio-mcp tools/call list (10 rows)",
  call_update: "caspio-mcp tools/call update (1 row)",
  call_list_nodelg: "caspio-mcp tools/call list (10 rows)",
  peer_call_list: "peer tools/call list (10 rows)",
  direct_get_paced: "direct sandbox GET, paced",
  call_list_paced: "caspio-mcp tools/call list, paced",
  proxy_call_list_paced: "proxy CallTool over gRPC (no edge), paced",
};

let md = `# Benchmark ${meta.date}\n\n`;
md += `Commit \`${meta.commit}\`, ${meta.cpu_model}, Linux ${meta.kernel}. Produced by \`bench/run.sh\`; raw results in `;
md += `[${meta.date}.jsonl](${meta.date}.jsonl).\n\n`;
md += `**CPU split:** the whole cluster (edge, token, toolgen, proxy, Redis, the Caspio sandbox) and the peer run pinned `;
md += `to CPU ${meta.cluster_cpu}; the load generators (wrk, \`bench/loadgen/mcp_loadgen.mjs\`) to CPU ${meta.load_cpu} `;
md += `(\`taskset\`). Every run is closed-loop for ${meta.duration_s} s after a 2 s warm-up. The sandbox serves both `;
md += `caspio-mcp and the peer, so upstream work is identical. The peer is \`@ivotoby/openapi-mcp-server\` 1.16.1 `;
md += `serving the same Caspio OpenAPI spec; it answers tools/call with 202 and sends the result on the session's `;
md += `GET stream, so only \`mcp_loadgen.mjs\` (one GET stream held per session) can measure it, and caspio-mcp is `;
md += `measured with it too. Compare p99 only between rows of the same load generator.\n\n`;

md += `## Throughput and latency\n\n`;
md += `| scenario | load generator | connections | req/s | p50 ms | p99 ms | not ok | CPU s / 1k req (gateway or peer) | CPU s / 1k req (sandbox) |\n`;
md += `|---|---|---:|---:|---:|---:|---:|---:|---:|\n`;
for (const r of runs) {
  const own = r.scenario.startsWith("peer") ? cpuPer1k(r, ["peer"]) : r.scenario.startsWith("direct") ? "—" : cpuPer1k(r, GATEWAY);
  md += `| ${label[r.scenario] ?? r.scenario} | ${r.loadgen} | ${r.connections}${r.pace_ms ? ` (+${r.pace_ms} ms pause)` : ""} | `;
  md += `${rps(r).toFixed(0)} | ${ms(r.result.p50_us)} | ${ms(r.result.p99_us)} | ${notOk(r)} | ${own} | ${cpuPer1k(r, ["sandbox"])} |\n`;
}

md += `\n## Ratios\n\n`;
const ratioRows = [];
for (const c of connections) {
  const ours = find("call_list_nodelg", c);
  const peer = find("peer_call_list", c);
  if (!ours || !peer) continue;
  ratioRows.push({ c, throughput: rps(ours) / rps(peer), p99: peer.result.p99_us / ours.result.p99_us,
                   p50: peer.result.p50_us / ours.result.p50_us });
}
md += `tools/call list (10 rows), caspio-mcp vs the peer, same load generator (target: ≥ 5× throughput, p99 ≤ 1/5):\n\n`;
md += `| connections | throughput ×peer | p50 peer/ours | p99 peer/ours |\n|---:|---:|---:|---:|\n`;
for (const x of ratioRows) md += `| ${x.c} | ${x.throughput.toFixed(1)}× | ${x.p50.toFixed(1)}× | ${x.p99.toFixed(1)}× |\n`;
const floorRows = connections.map((c) => ({ c, direct: find("direct_get", c), call: find("call_list", c) })).filter((x) => x.direct && x.call);
md += `\ncaspio-mcp tools/call vs the direct sandbox GET (wrk): share of the floor's throughput the whole gateway keeps\n\n`;
md += `| connections | direct req/s | tools/call req/s | share |\n|---:|---:|---:|---:|\n`;
for (const x of floorRows) md += `| ${x.c} | ${rps(x.direct).toFixed(0)} | ${rps(x.call).toFixed(0)} | ${(rps(x.call) / rps(x.direct) * 100).toFixed(0)}% |\n`;
const pd = runs.find((r) => r.scenario === "direct_get_paced");
const pc = runs.find((r) => r.scenario === "call_list_paced");
let added = null;
let edgeAdded = null;
if (pd && pc) {
  added = { p50: (pc.result.p50_us - pd.result.p50_us) / 1000, p99: (pc.result.p99_us - pd.result.p99_us) / 1000 };
  md += `\nWhat the gateway adds to one Caspio call, ${pc.connections} connections each pausing ${pc.pace_ms} ms on average between requests, each pause drawn from ${pc.pace_ms / 2}–${pc.pace_ms * 1.5} ms so the connections do not send in step `;
  md += `(well below saturation; ${rps(pc).toFixed(0)} calls/s): **p50 +${added.p50.toFixed(2)} ms, p99 +${added.p99.toFixed(2)} ms**. `;
  md += `This is edge, token, toolgen and proxy together. `;
  const pp = runs.find((r) => r.scenario === "proxy_call_list_paced");
  if (pp) {
    edgeAdded = { p50: (pc.result.p50_us - pp.result.p50_us) / 1000, p99: (pc.result.p99_us - pp.result.p99_us) / 1000 };
    md += `The same call sent straight to proxy over gRPC, as edge sends it (\`grpc_proxy_load\`, same pacing): `;
    md += `p50 ${ms(pp.result.p50_us)} ms, p99 ${ms(pp.result.p99_us)} ms, so **the edge adds p50 +${edgeAdded.p50.toFixed(2)} ms, `;
    md += `p99 +${edgeAdded.p99.toFixed(2)} ms** (target: +0.5 ms p50, +2 ms p99). `;
  }
  const edgeCpu = (pc.cpu_s.edge ?? 0) / pc.result.requests * 1e3;
  const proxyCpu = (pc.cpu_s.proxy ?? 0) / pc.result.requests * 1e3;
  md += `CPU per call in this run: edge ${edgeCpu.toFixed(3)} ms, proxy ${proxyCpu.toFixed(3)} ms; with no queueing, `;
  md += `the edge's own work on a call cannot take longer than the edge's CPU time for it.\n`;
}

md += `\n## Memory\n\nRSS per process (MB) after each run at the highest connection count:\n\n`;
const top = connections.at(-1);
const procs = [...GATEWAY, "sandbox", "peer"];
md += `| after | ${procs.join(" | ")} |\n|---|${procs.map(() => "---:").join("|")}|\n`;
for (const r of runs.filter((r) => r.connections === top && !r.pace_ms)) {
  md += `| ${r.scenario} | ${procs.map((p) => (r.rss_kb[p] ? (r.rss_kb[p] / 1024).toFixed(1) : "—")).join(" | ")} |\n`;
}
if (sse) {
  const perSession = ((sse.edge_rss_held_kb - sse.edge_rss_before_kb) / Math.max(1, sse.held.open)).toFixed(1);
  md += `\nIdle legacy SSE sessions on one edge: ${sse.held.open} of ${sse.held.requested} opened `;
  md += `(${sse.ready.failed} failed) in ${(sse.ready.open_ms / 1000).toFixed(1)} s, ${sse.held.still_open} still open after `;
  md += `5 s; edge RSS ${(sse.edge_rss_before_kb / 1024).toFixed(1)} MB before, **${(sse.edge_rss_held_kb / 1024).toFixed(1)} MB** `;
  md += `holding them (${perSession} kB per session; target < 300 MB for 10,000).\n`;
}

// --- plot
const dir = mkdtempSync(join(tmpdir(), "cmcp-plot-"));
const series = ["direct_get", "tools_list", "call_list", "call_update", "call_list_nodelg", "peer_call_list"];
for (const s of series) {
  const pts = connections.map((c) => find(s, c)).filter(Boolean);
  writeFileSync(join(dir, `${s}.dat`), pts.map((r) => `${r.connections} ${rps(r)} ${r.result.p99_us / 1000}`).join("\n") + "\n");
}
const title = (s) => `${label[s]}${s.endsWith("nodelg") || s.startsWith("peer") ? " [node lg]" : " [wrk]"}`;
const plot = (col) => series.map((s) => `'${join(dir, s + ".dat")}' using 1:${col} with linespoints title '${title(s).replace(/'/g, "")}'`).join(", ");
const gp = `set terminal pngcairo size 1400,560 font ",10"
set output '${outPng}'
set multiplot layout 1,2 title 'caspio-mcp bench ${meta.date} (cluster on CPU ${meta.cluster_cpu}, load on CPU ${meta.load_cpu})'
set logscale x 2
set xlabel 'connections'
set key top left box opaque
set ylabel 'requests/s'
set logscale y
plot ${plot(2)}
set ylabel 'p99 latency (ms)'
plot ${plot(3)}
unset multiplot
`;
try {
  execFileSync("gnuplot", [], { input: gp });
} catch (e) {
  // pngcairo is in gnuplot-nox on Debian; fall back to the plain png terminal.
  execFileSync("gnuplot", [], { input: gp.replace("pngcairo size 1400,560 font \",10\"", "png size 1400,560") });
}
rmSync(dir, { recursive: true, force: true });
md += `\n![throughput and p99 by connections](${basename(outPng)})\n`;
writeFileSync(outMd, md);

// --- README summary
if (readme) {
  let s = `Measured by \`bench/run.sh\` on ${meta.date} (2 shared cores: cluster on one, load generator on the other; `;
  s += `details in [bench/results/${meta.date}.md](bench/results/${meta.date}.md)):\n\n`;
  s += `| tools/call list, 10 rows | connections | calls/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|\n`;
  for (const c of connections) {
    for (const sc of ["call_list_nodelg", "peer_call_list"]) {
      const r = find(sc, c);
      if (r) s += `| ${sc.startsWith("peer") ? "@ivotoby/openapi-mcp-server" : "caspio-mcp"} | ${c} | ${rps(r).toFixed(0)} | ${ms(r.result.p50_us)} | ${ms(r.result.p99_us)} |\n`;
    }
  }
  s += `\n${ratioRows.map((x) => `${x.c} connections: ${x.throughput.toFixed(1)}× the peer's throughput, p99 ${x.p99.toFixed(1)}× lower`).join("; ")}.`;
  if (added) s += ` Added over a direct Caspio call (paced, ${pc.connections} connections, ${pc.pace_ms} ms mean pauses): p50 +${added.p50.toFixed(2)} ms, p99 +${added.p99.toFixed(2)} ms by the whole gateway` + (edgeAdded ? `, p50 +${edgeAdded.p50.toFixed(2)} ms, p99 +${edgeAdded.p99.toFixed(2)} ms by the edge.` : `.`);
  if (sse) s += ` ${sse.held.open} idle SSE sessions: edge RSS ${(sse.edge_rss_held_kb / 1024).toFixed(0)} MB.`;
  s += "\n";
  const text = readFileSync(readme, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  if (text.includes(start) && text.includes(end)) {
    writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + "\n" + s + text.slice(text.indexOf(end)));
  } else {
    console.error("report: README has no bench markers; not updated");
  }
}
